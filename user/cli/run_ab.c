// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace run --repeat N --ab -- COMMAND_A ... -- COMMAND_B ...: an A/B gate. A and B boot
 * alternately, A B A B ..., each traced alone as a plain run is; pair i is A's i-th boot and
 * B's i-th, booted back to back, so that whatever drifts on the host (load, frequency, caches)
 * hits both sides of a pair alike. Each stage (and the time to Userspace) is judged on its
 * paired differences B - A (stats/paired.h: Wilcoxon signed-rank, one-sided; the median
 * difference with its interval). A stage fails as in diff: significantly slower (p < --alpha)
 * AND slower by more than --threshold percent of A's median; a stage A has and B never has
 * fails too. A pair is dropped (and said) when either run failed, booted no VM or several, did
 * not complete its boot, or lost records. Exit: 0 no stage of B slower, 1 one is, 2 no verdict
 * (nothing to compare, too few pairs, a command that cannot run or be traced), 128+N stopped
 * by signal N.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "paired.h"
#include "run_modes.h"
#include "samples.h"
#include "text.h"
#include "tracing.h"

#define EXIT_SLOWER	1
#define EXIT_NO_VERDICT 2

/* One run of A or B: its VMs' stages, and what makes it unfit for a pair. */
struct ab_boot {
	struct boot_samples bs;
	unsigned int vms; /* VMs that wrote boot codes */
	bool incomplete;
	char incomplete_why[48];
	int status;
	bool timed_out;	  /* still running at --timeout: stopped */
	uint64_t lost;	  /* of every kind: a lossy boot is not paired */
	uint64_t user_ns; /* its time to Userspace; 0: none */
};

struct ab_series {
	struct ab_boot *boots; /* pair i: [2 i] is A's run, [2 i + 1] B's */
	struct ab_boot *cur;
	bool oom;
};

static void ab_vm_summarized(void *ctx, const struct traced_vm *vm)
{
	struct ab_series *ab = ctx;
	struct ab_boot *b = ab->cur;
	uint64_t user_ns;

	if (!boot_stages_guest_seen(&vm->stats)) /* no code, no console line a rule matched */
		return;
	b->vms++;
	if (!vm_boot_complete(vm) && !b->incomplete) {
		b->incomplete = true;
		vm_end_reason(vm, b->incomplete_why, sizeof(b->incomplete_why));
	}
	if (vm->start_ns && boot_userspace_ns(&vm->stats, &user_ns) && user_ns >= vm->start_ns)
		b->user_ns = user_ns - vm->start_ns;
	if (boot_samples_add(&b->bs, &vm->stats, vm->start_ns))
		ab->oom = true;
}

/* Why a run cannot be one side of a pair; false when it can. */
static bool unfit(const struct ab_boot *b, char *why, size_t len)
{
	if (b->status)
		snprintf(why, len, "status %d", b->status);
	else if (!b->vms)
		snprintf(why, len, "no VM wrote boot codes");
	else if (b->vms > 1)
		snprintf(why, len, "%u VMs (a run must boot one VM to be paired)", b->vms);
	else if (b->incomplete)
		snprintf(why, len, "boot incomplete (%s)", b->incomplete_why);
	else if (b->lost)
		snprintf(why, len, "%" PRIu64 " records or console bytes lost", b->lost);
	else
		return false;
	return true;
}

enum verdict {
	SAME,	     /* not significantly slower, or not by more than the threshold */
	SLOWER,	     /* significantly slower by more than the threshold: fails */
	MISSING,     /* A has it, B never does: fails */
	NEW_STAGE,   /* B has it, A never does */
	UNDECIDABLE, /* too few pairs with the stage for any change to be significant */
};

static const char *const verdict_text[] = {
    [SAME] = "",
    [SLOWER] = "  SLOWER",
    [MISSING] = "  MISSING in B",
    [NEW_STAGE] = "  only in B",
    [UNDECIDABLE] = "  too few pairs",
};

struct ab_row {
	const char *name;
	size_t n; /* pairs compared; for MISSING / NEW_STAGE: boots of the side that has it */
	struct paired_comparison c;
	bool compared;
	double median; /* MISSING / NEW_STAGE: the side's median */
	enum verdict verdict;
};

/* "+0.001234" seconds, signed, from ns. */
static void format_signed(char *buf, size_t len, double ns)
{
	char abs_s[30];

	format_seconds(abs_s, sizeof(abs_s), llround(fabs(ns)));
	snprintf(buf, len, "%s%s", ns < 0 ? "-" : "+", abs_s);
}

/* "+12.3%" of base; "from 0" when the base is 0 (as diff). */
static void format_change(char *buf, size_t len, double delta, double base)
{
	if (base > 0)
		snprintf(buf, len, "%+.1f%%", delta / base * 100.0);
	else
		snprintf(buf, len, delta > 0 ? "from 0" : "%+.1f%%", 0.0);
}

static void print_row(const struct ab_row *row, int width)
{
	char a[32] = "-", b[32] = "-", d[32] = "-", change[32] = "-", ci[80] = "-", p[16] = "-";
	char lo[32], hi[32];
	const struct paired_comparison *c = &row->c;

	if (row->compared) {
		format_seconds(a, sizeof(a), llround(c->median_a));
		format_seconds(b, sizeof(b), llround(c->median_b));
		format_signed(d, sizeof(d), c->median_diff);
		format_change(change, sizeof(change), c->median_diff, c->median_a);
		if (!isnan(c->ci_low)) {
			format_change(lo, sizeof(lo), c->ci_low, c->median_a);
			format_change(hi, sizeof(hi), c->ci_high, c->median_a);
			snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
		}
		snprintf(p, sizeof(p), "%.4f", c->p_value);
	} else if (row->verdict == MISSING) {
		format_seconds(a, sizeof(a), llround(row->median));
	} else if (row->verdict == NEW_STAGE) {
		format_seconds(b, sizeof(b), llround(row->median));
	}
	fprintf(stderr, "  %-*s %4zu %10s %10s %11s %9s %20s %8s%s\n", width, row->name, row->n, a,
		b, d, change, ci, p, verdict_text[row->verdict]);
}

/* The median of the values that are not NAN (one side of a stage that is not paired). */
static double side_median(const double *v, size_t n)
{
	struct samples s = {};
	double m = NAN;

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]) && samples_add(&s, llround(v[i])))
			break;
	if (s.n)
		m = samples_percentile(&s, 50);
	samples_free(&s);
	return m;
}

/* The value of stage label in a boot; the time to Userspace for NULL. NAN: none. */
static double boot_value(const struct ab_boot *b, const char *label)
{
	const struct samples *s = label ? boot_samples_stage(&b->bs, label) : &b->bs.userspace;

	return s && s->n ? (double)s->v[0] : NAN;
}

static int compare_row(struct ab_row *row, const struct ab_series *ab, const unsigned int *kept,
		       unsigned int nr_kept, const char *label, const struct options *opts)
{
	double *a = malloc((nr_kept ?: 1) * sizeof(*a)), *b = malloc((nr_kept ?: 1) * sizeof(*b));
	size_t a_has = 0, b_has = 0;
	int err = 0;

	if (!a || !b) {
		err = -1;
		goto out;
	}
	for (unsigned int j = 0; j < nr_kept; j++) {
		a[j] = boot_value(&ab->boots[2 * kept[j]], label);
		b[j] = boot_value(&ab->boots[2 * kept[j] + 1], label);
		a_has += !isnan(a[j]);
		b_has += !isnan(b[j]);
	}
	if (a_has && !b_has) {
		row->verdict = MISSING;
		row->n = a_has;
		row->median = side_median(a, nr_kept);
	} else if (!a_has && b_has) {
		row->verdict = NEW_STAGE;
		row->n = b_has;
		row->median = side_median(b, nr_kept);
	} else {
		err = paired_compare(a, b, nr_kept, opts->alpha, &row->c);
		/* -EINVAL: both have it, never in the same pair: nothing to decide on. */
		row->verdict = UNDECIDABLE;
		if (err == -EINVAL)
			err = 0;
		else if (!err)
			row->compared = true;
		row->n = row->c.n;
	}
	if (row->compared && row->c.decidable) {
		const struct paired_comparison *c = &row->c;
		bool beyond = c->median_a > 0
				  ? c->median_diff / c->median_a * 100.0 > opts->threshold
				  : c->median_diff > 0;

		row->verdict = c->p_value < opts->alpha && beyond ? SLOWER : SAME;
	}
out:
	free(a);
	free(b);
	return err;
}

/* "a, b, c": the rows with this verdict. */
static void print_names(const struct ab_row *rows, int nr, enum verdict which)
{
	for (int i = 0, n = 0; i < nr; i++)
		if (rows[i].verdict == which)
			fprintf(stderr, "%s%s", n++ ? ", " : "", rows[i].name);
	fputc('\n', stderr);
}

/* The verdict over the pairs kept: EXIT_SLOWER, 0, or EXIT_NO_VERDICT. */
static int judge(const struct options *opts, const struct ab_series *ab, const unsigned int *kept,
		 unsigned int nr_kept)
{
	const struct boot_samples **sets = calloc(2 * nr_kept ?: 1, sizeof(*sets));
	const char **names = NULL;
	struct ab_row *rows = NULL;
	int nr = -1, width = 18, count[UNDECIDABLE + 1] = {}, status = EXIT_NO_VERDICT;

	if (sets) {
		for (unsigned int j = 0; j < 2 * nr_kept; j++)
			sets[j] = &ab->boots[2 * kept[j / 2] + j % 2].bs;
		nr = stage_union(sets, 2 * nr_kept, &names);
	}
	if (nr >= 0)
		rows = calloc(nr + 1, sizeof(*rows));
	if (!rows) {
		fprintf(stderr, "boot-trace: out of memory\n");
		goto out;
	}
	for (int i = 0; i < nr; i++)
		if ((int)strlen(names[i]) > width)
			width = strlen(names[i]);
	if (!opts->quiet) {
		fprintf(
		    stderr,
		    "boot-trace: %u pair%s compared (%s: B - A); a stage fails when p < %g and B "
		    "is more than %g%% slower\n",
		    nr_kept, nr_kept == 1 ? "" : "s", PAIRED_TEST_NAME, opts->alpha,
		    opts->threshold);
		fprintf(stderr, "  %-*s %4s %10s %10s %11s %9s %20s %8s\n", width, "stage", "n",
			"A (s)", "B (s)", "B - A (s)", "change", "95% CI of change", "p");
	}
	for (int i = 0; i <= nr; i++) {
		rows[i].name = i < nr ? names[i] : "time to Userspace";
		if (compare_row(&rows[i], ab, kept, nr_kept, i < nr ? names[i] : NULL, opts)) {
			fprintf(stderr, "boot-trace: out of memory\n");
			goto out;
		}
		if (!opts->quiet)
			print_row(&rows[i], width);
		count[rows[i].verdict]++;
	}
	if (count[SLOWER] || count[MISSING])
		status = EXIT_SLOWER;
	else if (count[SAME])
		status = 0;
	if (!opts->quiet && count[SLOWER]) {
		fprintf(stderr, "boot-trace: B slower (p < %g, by more than %g%%): ", opts->alpha,
			opts->threshold);
		print_names(rows, nr + 1, SLOWER);
	}
	if (!opts->quiet && count[MISSING]) {
		fprintf(stderr, "boot-trace: missing in B: ");
		print_names(rows, nr + 1, MISSING);
	}
	if (!opts->quiet && status == 0)
		fprintf(
		    stderr,
		    "boot-trace: no stage of B significantly slower (p < %g) by more than %g%%\n",
		    opts->alpha, opts->threshold);
	/* Even with -q: a gate that could not decide must not pass unseen. */
	if (count[UNDECIDABLE])
		fprintf(
		    stderr,
		    "boot-trace: too few pairs to decide %d stage%s: at least %zu pairs with the "
		    "stage are needed for p < %g\n",
		    count[UNDECIDABLE], count[UNDECIDABLE] == 1 ? "" : "s",
		    paired_min_pairs(opts->alpha), opts->alpha);
	if (status == EXIT_NO_VERDICT)
		fprintf(stderr, "boot-trace: no verdict: no stage could be decided\n");
out:
	free(sets);
	free(names);
	free(rows);
	return status;
}

/* "pair 3/10: A 0.012 s, B 0.013 s to Userspace" */
static void print_pair(unsigned int i, unsigned int n, const struct ab_boot *a,
		       const struct ab_boot *b)
{
	char ua[32] = "none", ub[32] = "none";

	if (a->user_ns)
		format_seconds(ua, sizeof(ua), a->user_ns);
	if (b->user_ns)
		format_seconds(ub, sizeof(ub), b->user_ns);
	fprintf(stderr, "boot-trace: pair %u/%u: time to Userspace A %s%s, B %s%s\n", i, n, ua,
		a->user_ns ? " s" : "", ub, b->user_ns ? " s" : "");
}

int run_ab(const struct options *opts, const sigset_t *old_mask)
{
	unsigned int n = opts->repeat, nr_kept = 0, nr_dropped = 0, nr_b_hung = 0, done = 0, i;
	struct ab_series ab = {.boots = calloc(2 * n, sizeof(*ab.boots))};
	unsigned int *kept = calloc(n, sizeof(*kept));
	char *paths[2] = {}, cmd[256], why[112];
	int status = EXIT_NO_VERDICT, stop = 0;
	bool fatal = false, any_vm = false;
	struct session_config cfg;

	if (!ab.boots || !kept) {
		fprintf(stderr, "boot-trace: out of memory\n");
		goto out;
	}
	if (opts->output) {
		paths[0] = tagged_path(opts->output, "A");
		paths[1] = tagged_path(opts->output, "B");
		if (!paths[0] || !paths[1]) {
			fprintf(stderr, "boot-trace: out of memory\n");
			goto out;
		}
	}
	tracing_config(opts, &cfg, true, true);
	cfg.on_vm_summarized = ab_vm_summarized;
	cfg.ctx = &ab;
	if (!opts->quiet) {
		fprintf(stderr, "boot-trace: A/B: %u pairs, booted A B A B ...\n", n);
		for (int side = 0; side < 2; side++) {
			format_command(cmd, sizeof(cmd), side ? opts->argv_b : opts->argv);
			fprintf(stderr, "boot-trace: %c: %s%s%s\n", side ? 'B' : 'A', cmd,
				paths[side] ? " -> " : "", paths[side] ?: "");
		}
	}
	for (i = 0; i < n && !fatal && !stop; i++) {
		struct ab_boot *side[2] = {&ab.boots[2 * i], &ab.boots[2 * i + 1]};
		char why_a[96], why_b[96];

		for (int s = 0; s < 2 && !fatal && !stop; s++) {
			struct run_outcome run;

			ab.cur = side[s];
			/* The first run of each side starts its file; the others are added to it.
			 */
			run_traced(opts, s ? opts->argv_b : opts->argv, 1, paths[s], i > 0, &cfg,
				   true, old_mask, &run);
			side[s]->status = run.status;
			side[s]->timed_out = run.timed_out;
			side[s]->lost = run.lost;
			any_vm |= side[s]->vms > 0;
			fatal = run.trace_failed || run.exec_failed;
			stop = run.stop_sig ?: pending_stop();
		}
		if (fatal || stop)
			break;
		done++;
		if (!unfit(side[0], why_a, sizeof(why_a)) &&
		    !unfit(side[1], why_b, sizeof(why_b))) {
			kept[nr_kept++] = i;
			if (!opts->quiet)
				print_pair(i + 1, n, side[0], side[1]);
			continue;
		}
		nr_dropped++;
		nr_b_hung += side[1]->timed_out && !side[0]->timed_out;
		if (unfit(side[0], why_a, sizeof(why_a)))
			snprintf(why, sizeof(why), "A: %s", why_a);
		else
			snprintf(why, sizeof(why), "B: %s", why_b);
		/* Even with -q: nothing is left out silently. */
		fprintf(stderr, "boot-trace: pair %u/%u dropped: %s\n", i + 1, n, why);
	}
	if (ab.oom)
		fprintf(stderr, "boot-trace: out of memory: statistics incomplete\n");
	if (fatal) {
		fprintf(stderr, "boot-trace: stopped at pair %u of %u: no verdict\n", i + 1, n);
		goto out;
	}
	if (stop)
		fprintf(stderr, "boot-trace: stopped by signal %d in pair %u of %u\n", stop,
			done + 1, n);
	if (nr_dropped)
		fprintf(stderr,
			"boot-trace: dropped %u of %u pair%s (a failed, incomplete or lossy boot, "
			"or not one VM)\n",
			nr_dropped, done, done == 1 ? "" : "s");
	if (nr_kept)
		status = judge(opts, &ab, kept, nr_kept);
	else if (!any_vm && !stop)
		fprintf(stderr, "boot-trace: no boots: neither command started a VM that wrote "
				"boot codes: no verdict\n");
	else if (!stop)
		fprintf(stderr, "boot-trace: no pairs to compare: no verdict\n");
	/* A hang of B alone is the worst regression: it must not pass by being dropped. */
	if (nr_b_hung && !stop) {
		fprintf(stderr,
			"boot-trace: B still running at --timeout in %u pair%s where A ended: B "
			"slower\n",
			nr_b_hung, nr_b_hung == 1 ? "" : "s");
		status = EXIT_SLOWER;
	}
	if (stop)
		status = 128 + stop;
out:
	for (i = 0; ab.boots && i < 2 * n; i++)
		boot_samples_free(&ab.boots[i].bs);
	free(ab.boots);
	free(kept);
	free(paths[0]);
	free(paths[1]);
	return status;
}
