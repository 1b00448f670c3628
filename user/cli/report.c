// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace report FILE: replay a recorded jsonl trace. Prints the same per-VM boot summary
 * as run (the log writer's table, on stdout), draws a boot chart (--svg) and converts to
 * another format (-f, -o), all from one pass over the file.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "commands.h"
#include "jsonl_reader.h"
#include "output.h"

#define EXIT_BAD_INPUT 2

struct report {
	struct output table;	/* the summary tables: log writer, summary only */
	struct output *outs[2]; /* conversion (-f/-o) and chart (--svg), when asked for */
	int nr_outs;
	struct label_set labels; /* no maps: each event's recorded label */
};

static void rep_vm_start(void *ctx, const struct traced_vm *vm)
{
	struct report *r = ctx;

	for (int i = 0; i < r->nr_outs; i++)
		r->outs[i]->ops->vm_start(r->outs[i], vm);
}

static void rep_event(void *ctx, const struct traced_vm *vm, const struct bt_event *ev,
		      const struct label *label)
{
	struct report *r = ctx;

	/* The writers label the event as it was recorded, whatever maps the run had. */
	r->labels.recorded = label;
	for (int i = 0; i < r->nr_outs; i++)
		r->outs[i]->ops->event(r->outs[i], vm, ev);
	r->labels.recorded = NULL;
}

static void rep_vm_end(void *ctx, const struct traced_vm *vm)
{
	struct report *r = ctx;

	for (int i = 0; i < r->nr_outs; i++)
		r->outs[i]->ops->vm_end(r->outs[i], vm);
}

static void rep_vm_summary(void *ctx, const struct traced_vm *vm)
{
	struct report *r = ctx;

	output_log_ops.vm_summary(&r->table, vm);
	for (int i = 0; i < r->nr_outs; i++)
		r->outs[i]->ops->vm_summary(r->outs[i], vm);
}

static void rep_run_end(void *ctx, const struct vm_table *vms, const struct trace_totals *totals,
			bool recorded)
{
	struct report *r = ctx;

	if (recorded)
		output_log_ops.summary(&r->table, vms, totals);
	else if (!r->table.quiet)
		fprintf(r->table.summary_fp,
			"boot-trace: %llu events (no summary record: losses unknown)\n",
			(unsigned long long)totals->events);
	for (int i = 0; i < r->nr_outs; i++)
		r->outs[i]->ops->summary(r->outs[i], vms, totals);
}

static const struct replay_ops report_ops = {
    .vm_start = rep_vm_start,
    .event = rep_event,
    .vm_end = rep_vm_end,
    .vm_summary = rep_vm_summary,
    .run_end = rep_run_end,
};

/* Writing the output would truncate the input before it is read. */
static bool same_file(const char *in, const char *out)
{
	struct stat a, b;

	return out && strcmp(in, "-") && !stat(in, &a) && !stat(out, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int cmd_report(const struct options *opts)
{
	struct output conv, svg;
	struct report r = {};
	bool convert = opts->format_set || opts->output;
	int status = 0, err;
	char msg[512];

	if (same_file(opts->files[0], opts->output) || same_file(opts->files[0], opts->svg)) {
		fprintf(stderr, "boot-trace: %s is both the input and an output\n", opts->files[0]);
		return EXIT_BAD_INPUT;
	}
	/* The tables go to stdout, unless the converted trace does. */
	r.table.ops = &output_log_ops;
	r.table.fp = stdout;
	r.table.summary_fp = convert && !opts->output ? stderr : stdout;
	r.table.quiet = opts->quiet;
	r.table.labels = &r.labels;
	if (convert) {
		if (output_open(&conv, output_ops_of(opts->format), opts->output,
				opts->quiet ? OUTPUT_QUIET : 0))
			return 1;
		conv.summary_fp = NULL; /* the tables are printed once, above */
		conv.labels = &r.labels;
		r.outs[r.nr_outs++] = &conv;
	}
	if (opts->svg) {
		if (output_open(&svg, &output_svg_ops, opts->svg, opts->quiet ? OUTPUT_QUIET : 0)) {
			if (convert)
				output_close(&conv);
			return 1;
		}
		svg.summary_fp = NULL;
		svg.labels = &r.labels;
		r.outs[r.nr_outs++] = &svg;
	}

	err = jsonl_replay(opts->files[0], &report_ops, &r, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "boot-trace: %s\n", msg);
		status = EXIT_BAD_INPUT;
	}
	for (int i = 0; i < r.nr_outs; i++) {
		if (output_close(r.outs[i]) && !status)
			status = 1;
		/* Half a chart or half a trace of a bad file would only mislead. */
		if (err && r.outs[i]->path)
			unlink(r.outs[i]->path);
	}
	if (fflush(stdout) && !status) {
		fprintf(stderr, "boot-trace: error writing standard output\n");
		status = 1;
	}
	return status;
}
