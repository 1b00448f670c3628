// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The human summary: per VM, a table of its boot stages (first evidence, duration, codes) and
 * its time to Userspace; at the end the trace's counts and losses. Stages marked by console
 * lines or host phases are rows like the others (0 codes when no code marked them); the lines
 * themselves are the trace's, not the table's. Commands choose where it goes:
 * stderr beside a trace on stdout (run, record), stdout for report. With -q only losses are
 * printed: nothing is lost silently.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"

static void print_vm_name(FILE *fp, const struct traced_vm *vm)
{
	char name[VM_NAME_MAX];

	fputs(traced_vm_name(vm, name), fp);
}

static void summary_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct stage_row *rows;
	int n, width = 12;
	/* Relative to VM start where it was seen, else to the first write. */
	uint64_t base, user_ns;
	char first[32], dur[32], reason[48];
	FILE *fp = out->fp;

	if (out->quiet || out->totals_only)
		return;
	/* On a terminal a trace on stdout and this table on stderr interleave: trace first. */
	if (fp != stdout)
		fflush(stdout);
	n = boot_summary(&vm->stats, &rows);
	base = vm->start_ns ?: (n > 0 ? rows[0].first_ns : 0);
	fprintf(fp, "boot-trace: ");
	print_vm_name(fp, vm);
	fprintf(fp, ": %" PRIu64 " codes, ", vm->stats.events);
	if (vm->stats.lines)
		fprintf(fp, "%" PRIu64 " console line%s, ", vm->stats.lines,
			vm->stats.lines == 1 ? "" : "s");
	if (vm->stats.io_delays)
		fprintf(fp, "%" PRIu64 " I/O delay write%s (no stage), ", vm->stats.io_delays,
			vm->stats.io_delays == 1 ? "" : "s");
	fprintf(fp, "%s%s%s\n", vm_end_reason(vm, reason, sizeof(reason)),
		vm_boot_complete(vm) ? "" : " (incomplete)",
		vm->start_ns ? "" : " (VM start not seen: times from the first write)");
	if (n <= 0)
		goto out;
	for (int i = 0; i < n; i++)
		if ((int)strlen(rows[i].label) > width)
			width = strlen(rows[i].label);
	fprintf(fp, "  %-*s %12s %14s %7s\n", width, "stage", "first (s)", "duration (s)", "codes");
	for (int i = 0; i < n; i++) {
		format_since(first, sizeof(first), rows[i].first_ns, base);
		format_seconds(dur, sizeof(dur), rows[i].duration_ns);
		fprintf(fp, "  %-*s %12s %14s %7" PRIu32 "\n", width, rows[i].label, first, dur,
			rows[i].codes);
	}
	if (boot_userspace_ns(&vm->stats, &user_ns)) {
		format_since(first, sizeof(first), user_ns, base);
		fprintf(fp, "  time to Userspace: %s s\n", first);
	} else {
		fprintf(fp, "  time to Userspace: no Userspace code%s seen\n",
			vm->stats.lines ? " or console line" : "");
	}
out:
	free(rows);
}

static void summary_summary(struct output *out, const struct vm_table *vms,
			    const struct trace_totals *totals)
{
	FILE *fp = out->fp;

	if (totals->losses_unknown) {
		if (!out->quiet)
			fprintf(fp,
				"boot-trace: %" PRIu64
				" events (no summary record: losses unknown)\n",
				totals->events);
		return;
	}
	/* Losses are reported even with -q: nothing is lost silently. */
	if (out->quiet && !totals_lost(totals))
		return;
	fputs("boot-trace: ", fp);
	print_totals(fp, totals);
	fputc('\n', fp);
}

const struct output_ops output_summary_ops = {
    .vm_summary = summary_vm_summary,
    .summary = summary_summary,
};
