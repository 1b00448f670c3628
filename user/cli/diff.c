// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace diff BASE NEW: per-stage medians of two recorded jsonl traces (every VM of every
 * run in each file), side by side. A stage is a label as the files recorded it (the debug
 * port's five, a label map's, Guest-boot-time), matched by name. Exit status for CI: 0 when
 * no stage got slower than the threshold, 1 when one did (or a stage of BASE is missing from
 * NEW), 2 on bad input.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "jsonl_reader.h"
#include "output.h"
#include "samples.h"

#define EXIT_REGRESSION 1
#define EXIT_BAD_INPUT	2

static void collect_vm(void *ctx, const struct traced_vm *vm)
{
	struct boot_samples *bs = ctx;

	if (vm->stats.events && boot_samples_add(bs, &vm->stats, vm->start_ns))
		fprintf(stderr, "boot-trace: out of memory\n");
}

static const struct replay_ops collect_ops = {
    .vm_summary = collect_vm,
};

static int load(const char *path, struct boot_samples *bs)
{
	char msg[512];

	if (jsonl_replay(path, &collect_ops, bs, msg, sizeof(msg))) {
		fprintf(stderr, "boot-trace: %s\n", msg);
		return -1;
	}
	if (!bs->boots) {
		fprintf(stderr, "boot-trace: %s: no boot codes to compare\n", path);
		return -1;
	}
	return 0;
}

/* One row: returns true when it is a regression. */
static bool compare(const char *name, int width, struct samples *base, struct samples *new,
		    double threshold, bool quiet)
{
	char b[32] = "-", n[32] = "-", change[32] = "", *verdict = "";
	double mb = 0, mn = 0;
	bool slower = false;

	if (!base->n && !new->n)
		return false;
	if (base->n) {
		mb = samples_percentile(base, 50);
		format_seconds(b, sizeof(b), llround(mb));
	}
	if (new->n) {
		mn = samples_percentile(new, 50);
		format_seconds(n, sizeof(n), llround(mn));
	}
	if (base->n && new->n) {
		if (mb > 0) {
			double pct = (mn - mb) / mb * 100.0;

			snprintf(change, sizeof(change), "%+.1f%%", pct);
			slower = pct > threshold;
		} else {
			snprintf(change, sizeof(change), mn > 0 ? "from 0" : "+0.0%%");
			slower = mn > 0;
		}
		verdict = slower ? "  SLOWER" : "";
	} else if (base->n) {
		verdict = "  MISSING in new";
		slower = true;
	} else {
		verdict = "  new stage";
	}
	if (!quiet)
		printf("  %-*s %4zu %4zu %12s %12s %9s%s\n", width, name, base->n, new->n, b, n,
		       change, verdict);
	return slower;
}

/*
 * Every stage of either file, by label: BASE's in their order, then those only NEW has, each
 * after the last one of the same or a lower label_rank(). NULL when out of memory.
 */
static const char **stage_names(const struct boot_samples *base, const struct boot_samples *new,
				int *nr)
{
	const char **names = calloc(base->nr + new->nr, sizeof(*names));
	int n = 0;

	if (!names)
		return NULL;
	for (int i = 0; i < base->nr; i++)
		names[n++] = base->stage[i].label;
	for (int i = 0; i < new->nr; i++) {
		const char *label = new->stage[i].label;
		int at;

		if (boot_samples_stage(base, label))
			continue;
		for (at = n; at > 0 && label_rank(names[at - 1]) > label_rank(label); at--)
			;
		memmove(&names[at + 1], &names[at], (n - at) * sizeof(names[0]));
		names[at] = label;
		n++;
	}
	*nr = n;
	return names;
}

int cmd_diff(const struct options *opts)
{
	struct boot_samples base = {}, new = {};
	struct samples none = {};
	const char **stages = NULL;
	char names[256] = "";
	int status = EXIT_BAD_INPUT, nr = 0, width = 18;
	size_t len = 0;

	if (load(opts->files[0], &base) || load(opts->files[1], &new))
		goto out;
	stages = stage_names(&base, &new, &nr);
	if (!stages) {
		fprintf(stderr, "boot-trace: out of memory\n");
		goto out;
	}
	for (int i = 0; i < nr; i++)
		if ((int)strlen(stages[i]) > width)
			width = strlen(stages[i]);
	if (!opts->quiet) {
		printf("boot-trace: per-stage medians, BASE %s (%u boot%s) vs NEW %s (%u boot%s)\n",
		       opts->files[0], base.boots, base.boots == 1 ? "" : "s", opts->files[1],
		       new.boots, new.boots == 1 ? "" : "s");
		printf("  %-*s %4s %4s %12s %12s %9s\n", width, "stage", "n", "n", "base (s)",
		       "new (s)", "change");
	}
	for (int i = 0; i <= nr; i++) {
		const char *name = i < nr ? stages[i] : "time to Userspace";
		struct samples *b = i < nr ? boot_samples_stage(&base, name) : &base.userspace;
		struct samples *n = i < nr ? boot_samples_stage(&new, name) : &new.userspace;

		if (compare(name, width, b ?: &none, n ?: &none, opts->threshold, opts->quiet) &&
		    len < sizeof(names))
			len += snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
					name);
	}
	status = len ? EXIT_REGRESSION : 0;
	if (!opts->quiet) {
		if (len)
			printf("boot-trace: slower than the %g%% threshold: %s\n", opts->threshold,
			       names);
		else
			printf("boot-trace: no stage slower than the %g%% threshold\n",
			       opts->threshold);
	}
out:
	free(stages);
	boot_samples_free(&base);
	boot_samples_free(&new);
	if (fflush(stdout) && status != EXIT_BAD_INPUT) {
		fprintf(stderr, "boot-trace: error writing standard output\n");
		status = EXIT_BAD_INPUT;
	}
	return status;
}
