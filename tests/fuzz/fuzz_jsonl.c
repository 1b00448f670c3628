// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fuzz target: the jsonl reader (report and diff read recorded traces with it). Any bytes are
 * replayed as `boot-trace report -f FORMAT` would, into the summary table and every writer at
 * once, and must either be refused with a one-line message naming the file, or give outputs
 * that are still in their formats.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "fuzz_check.h"
#include "jsonl_reader.h"

#define NR_OUTS 6

struct replay {
	struct output out[NR_OUTS];
	struct output *outs[NR_OUTS];
	struct fuzz_buf bufs[NR_OUTS];
};

/* Every hook to every output that has it, as report does (each event has its recorded label). */
static void r_vm_start(void *ctx, const struct traced_vm *vm)
{
	struct replay *r = ctx;

	outputs_vm_start(r->outs, NR_OUTS, vm);
}

static void r_event(void *ctx, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct replay *r = ctx;

	/* The reader gives codes, each with the label it was recorded with, console lines (with
	 * their text; a stage only where one was recorded) and phases (with their name). */
	if ((ev->kind == EVENT_CODE && !ev->label) ||
	    (ev->kind == EVENT_CONSOLE && !ev->console.text) ||
	    (ev->kind == EVENT_PHASE && !ev->phase) ||
	    (ev->kind != EVENT_CODE && ev->kind != EVENT_CONSOLE && ev->kind != EVENT_PHASE))
		abort();
	outputs_event(r->outs, NR_OUTS, vm, ev);
}

static void r_vm_end(void *ctx, const struct traced_vm *vm)
{
	struct replay *r = ctx;

	outputs_vm_end(r->outs, NR_OUTS, vm);
}

static void r_vm_summary(void *ctx, const struct traced_vm *vm)
{
	struct replay *r = ctx;

	outputs_vm_summary(r->outs, NR_OUTS, vm);
}

static void r_run_end(void *ctx, const struct vm_table *vms, const struct trace_totals *totals)
{
	struct replay *r = ctx;

	outputs_summary(r->outs, NR_OUTS, vms, totals);
}

static const struct replay_ops ops = {
    .vm_start = r_vm_start,
    .event = r_event,
    .vm_end = r_vm_end,
    .vm_summary = r_vm_summary,
    .run_end = r_run_end,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* outs[0] is report's summary table; the others the formats of -f, and --svg. */
	static const struct output_ops *const formats[NR_OUTS] = {
	    &output_summary_ops, &output_log_ops, &output_jsonl_ops,
	    &output_chrome_ops,	 &output_csv_ops, &output_svg_ops,
	};
	struct replay *r = calloc(1, sizeof(*r));
	char err[512] = "";
	FILE *fp;
	int ret;

	if (!r)
		return 0;
	fp = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!fp)
		abort();
	for (int i = 0; i < NR_OUTS; i++) {
		fuzz_output_open(&r->out[i], &r->bufs[i], formats[i], 0);
		r->outs[i] = &r->out[i];
	}
	ret = jsonl_replay_stream(fp, "in.jsonl", &ops, r, err, sizeof(err));
	fclose(fp);
	/* A refusal is one line of text naming the file. */
	if (ret) {
		if (strncmp(err, "in.jsonl", 8))
			abort();
		check_text("error message", err, strlen(err));
		if (strchr(err, '\n'))
			abort();
	}
	for (int i = 0; i < NR_OUTS; i++) {
		/* As report: half a trace or half a chart of a bad file is not kept. */
		r->out[i].discard = ret && i > 0;
		if (output_close(&r->out[i]))
			abort(); /* memory streams do not fail */
		/* The table of what was read before the problem is printed all the same. */
		if (!ret || i == 0)
			fuzz_buf_check(&r->bufs[i]);
		else
			fuzz_buf_free(&r->bufs[i]);
	}
	free(r);
	return 0;
}
