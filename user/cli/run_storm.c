// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace run --repeat N --parallel K: a boot storm. The N boots start in waves of K: K
 * copies of the command are traced, released together, and the next wave starts once all K
 * have exited; so every boot starts with exactly K - 1 others (sandboxes started in bursts),
 * and each wave's K boots overlap from their first instruction. N is a multiple of K. The
 * result is the --repeat table over all N boots. --parallel K1,K2,... is a sweep: N boots for
 * each K, then each stage's p50 and p90 for each K and their growth against the first K, as a
 * table and (--svg) a chart. With -o FILE, K's runs go to FILE with .kK before its extension,
 * one jsonl run per wave (diff reads such a file as it is).
 *
 * A VMM's set-up stage (--phases) counts from its VM's creation here: the command's start
 * marks one VM only, and K copies make K.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "run_modes.h"
#include "samples.h"
#include "tracing.h"

struct storm {
	struct boot_samples *bs; /* of the current K */
	unsigned int wave_vms;	 /* VMs with codes in the current wave */
	bool oom;
};

static void storm_vm_summarized(void *ctx, const struct traced_vm *vm)
{
	struct storm *st = ctx;

	if (!boot_stages_guest_seen(&vm->stats)) /* no code, no console line a rule matched */
		return;
	st->wave_vms++;
	if (boot_samples_add(st->bs, &vm->stats, vm->start_ns))
		st->oom = true;
}

/* "1.23x" of base; "-" without one. */
static void format_growth(char *buf, size_t len, double v, double base)
{
	if (isnan(v) || isnan(base) || base <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2fx", v / base);
}

static void format_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else
		format_seconds(buf, len, llround(ns));
}

/* The p50 and p90 of every stage (and the time to Userspace, last) for every K: the table. */
static void print_sweep(const struct storm_chart *ch)
{
	int width = 18, nr_k = ch->nr_k;

	for (int s = 0; s < ch->nr_stages; s++)
		if ((int)strlen(ch->stages[s]) > width)
			width = strlen(ch->stages[s]);
	fprintf(stderr,
		"boot-trace: sweep of boots at once (K), %u boots for each, in waves of K; growth "
		"against K=%u\n",
		ch->boots, ch->k[0]);
	fprintf(stderr, "  %-*s %4s %5s %10s %10s %10s %10s\n", width, "stage", "K", "n", "p50 (s)",
		"p90 (s)", "p50 growth", "p90 growth");
	for (int s = 0; s < ch->nr_stages; s++) {
		for (int i = 0; i < nr_k; i++) {
			int at = s * nr_k + i;
			char p50[32], p90[32], g50[16], g90[16];

			format_ns(p50, sizeof(p50), ch->p50[at]);
			format_ns(p90, sizeof(p90), ch->p90[at]);
			format_growth(g50, sizeof(g50), ch->p50[at], ch->p50[s * nr_k]);
			format_growth(g90, sizeof(g90), ch->p90[at], ch->p90[s * nr_k]);
			fprintf(stderr, "  %-*s %4u %5zu %10s %10s %10s %10s\n", width,
				i ? "" : ch->stages[s], ch->k[i], ch->n[at], p50, p90, g50, g90);
		}
	}
}

/* The sweep's figures from each K's samples, then its table and chart. 0, or 1 on failure. */
static int sweep_report(const struct options *opts, struct boot_samples *per_k, int nr_k)
{
	const struct boot_samples **sets = calloc(nr_k, sizeof(*sets));
	const char **names = NULL, **stages = NULL;
	double *p50 = NULL, *p90 = NULL;
	size_t *n = NULL;
	int nr = -1, status = 1;

	if (sets) {
		for (int i = 0; i < nr_k; i++)
			sets[i] = &per_k[i];
		nr = stage_union(sets, nr_k, &names);
	}
	if (nr >= 0) {
		stages = calloc(nr + 1, sizeof(*stages));
		p50 = calloc((nr + 1) * nr_k, sizeof(*p50));
		p90 = calloc((nr + 1) * nr_k, sizeof(*p90));
		n = calloc((nr + 1) * nr_k, sizeof(*n));
	}
	if (!stages || !p50 || !p90 || !n) {
		fprintf(stderr, "boot-trace: out of memory\n");
		goto out;
	}
	for (int s = 0; s <= nr; s++) {
		stages[s] = s < nr ? names[s] : "time to Userspace";
		for (int i = 0; i < nr_k; i++) {
			struct samples *v =
			    s < nr ? boot_samples_stage(&per_k[i], names[s]) : &per_k[i].userspace;
			int at = s * nr_k + i;

			n[at] = v ? v->n : 0;
			p50[at] = n[at] ? samples_percentile(v, 50) : NAN;
			p90[at] = n[at] ? samples_percentile(v, 90) : NAN;
		}
	}
	{
		struct storm_chart chart = {
		    .k = opts->parallel,
		    .nr_k = nr_k,
		    .stages = stages,
		    .nr_stages = nr + 1,
		    .p50 = p50,
		    .p90 = p90,
		    .n = n,
		    .boots = opts->repeat,
		};

		print_sweep(&chart);
		status = opts->svg && storm_svg_write(opts->svg, &chart) ? 1 : 0;
	}
out:
	free(sets);
	free(names);
	free(stages);
	free(p50);
	free(p90);
	free(n);
	return status;
}

int run_storm(const struct options *opts, const sigset_t *old_mask)
{
	int nr_k = opts->nr_parallel, step, status = 0;
	struct boot_samples *per_k = calloc(nr_k, sizeof(*per_k));
	bool sweep = nr_k > 1, stopped = false;
	struct storm st = {};
	struct session_config cfg;

	if (!per_k) {
		fprintf(stderr, "boot-trace: out of memory\n");
		return 1;
	}
	tracing_config(opts, &cfg, true, true);
	cfg.on_vm_summarized = storm_vm_summarized;
	cfg.ctx = &st;
	for (step = 0; step < nr_k && !stopped; step++) {
		unsigned int k = opts->parallel[step], waves = opts->repeat / k, w;
		char tag[16], *path = NULL;

		snprintf(tag, sizeof(tag), "k%u", k);
		if (opts->output && !(path = tagged_path(opts->output, tag))) {
			fprintf(stderr, "boot-trace: out of memory\n");
			status = 1;
			break;
		}
		st.bs = &per_k[step];
		for (w = 1; w <= waves; w++) {
			uint64_t t0 = clock_now_ns(CLOCK_MONOTONIC);
			struct run_outcome run;
			char dropped[48] = "", took[32];
			int sig;

			st.wave_vms = 0;
			/* Each K's first wave starts its file; the others are added to it. */
			status = run_traced(opts, opts->argv, k, path, w > 1, &cfg, false, old_mask,
					    &run);
			if (!run.opened) { /* said */
				stopped = true;
				break;
			}
			format_seconds(took, sizeof(took), clock_now_ns(CLOCK_MONOTONIC) - t0);
			if (run.dropped)
				snprintf(dropped, sizeof(dropped), ", %" PRIu64 " dropped",
					 run.dropped);
			/* Losses are reported even with -q: nothing is lost silently. */
			if (!opts->quiet || run.dropped)
				fprintf(stderr,
					"boot-trace: K=%u wave %u/%u: status %d, %u VM%s in %s "
					"s%s%s%s\n",
					k, w, waves, status, st.wave_vms,
					st.wave_vms == 1 ? "" : "s", took, dropped,
					path ? " -> " : "", path ?: "");
			sig = run.stop_sig ?: pending_stop();
			if (!status && sig)
				status = 128 + sig;
			if (status) {
				fprintf(stderr,
					"boot-trace: stopped at K=%u wave %u of %u (status %d)\n",
					k, w, waves, status);
				stopped = true;
				break;
			}
		}
		free(path);
		if (sweep || stopped)
			fprintf(stderr, "boot-trace: K=%u: %u boot%s with codes\n", k,
				per_k[step].boots, per_k[step].boots == 1 ? "" : "s");
		else
			fprintf(
			    stderr,
			    "boot-trace: %u boots, %u at once (%u wave%s), %u boot%s with codes\n",
			    opts->repeat, k, waves, waves == 1 ? "" : "s", per_k[step].boots,
			    per_k[step].boots == 1 ? "" : "s");
		if (!sweep && per_k[step].boots)
			print_stats_table(&per_k[step]);
	}
	if (st.oom)
		fprintf(stderr, "boot-trace: out of memory: statistics incomplete\n");
	/* A sweep cut short has no table or chart: the lines above say what was measured. */
	if (sweep && !stopped && sweep_report(opts, per_k, nr_k) && !status)
		status = 1;
	for (int i = 0; i < nr_k; i++)
		boot_samples_free(&per_k[i]);
	free(per_k);
	return status;
}
