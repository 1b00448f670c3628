// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fuzz target: the jsonl reader (report and diff read recorded traces with it). Any bytes are
 * replayed as `boot-trace report -f FORMAT` would, into every writer at once, and must either
 * be refused with a one-line message naming the file, or give outputs that are still in their
 * formats.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "fuzz_check.h"
#include "jsonl_reader.h"

#define NR_OUTS 6

struct replay {
	struct output outs[NR_OUTS];
	struct fuzz_buf bufs[NR_OUTS];
	struct label_set labels; /* as report: no maps, each event's recorded label */
};

static void r_vm_start(void *ctx, const struct traced_vm *vm)
{
	struct replay *r = ctx;

	for (int i = 1; i < NR_OUTS; i++)
		r->outs[i].ops->vm_start(&r->outs[i], vm);
}

static void r_event(void *ctx, const struct traced_vm *vm, const struct bt_event *ev,
		    const struct label *label)
{
	struct replay *r = ctx;

	r->labels.recorded = label;
	for (int i = 1; i < NR_OUTS; i++)
		r->outs[i].ops->event(&r->outs[i], vm, ev);
	r->labels.recorded = NULL;
}

static void r_vm_end(void *ctx, const struct traced_vm *vm)
{
	struct replay *r = ctx;

	for (int i = 1; i < NR_OUTS; i++)
		r->outs[i].ops->vm_end(&r->outs[i], vm);
}

/* outs[0] is report's summary table: the log writer's summary only. */
static void r_vm_summary(void *ctx, const struct traced_vm *vm)
{
	struct replay *r = ctx;

	for (int i = 0; i < NR_OUTS; i++)
		r->outs[i].ops->vm_summary(&r->outs[i], vm);
}

static void r_run_end(void *ctx, const struct vm_table *vms, const struct trace_totals *totals,
		      bool recorded)
{
	struct replay *r = ctx;

	for (int i = 0; i < NR_OUTS; i++)
		r->outs[i].ops->summary(&r->outs[i], vms, totals);
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
	static const struct output_ops *const formats[NR_OUTS] = {
	    &output_log_ops,	&output_log_ops, &output_jsonl_ops,
	    &output_chrome_ops, &output_csv_ops, &output_svg_ops,
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
		fuzz_output_open(&r->outs[i], &r->bufs[i], formats[i], 0);
		r->outs[i].labels = &r->labels;
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
		output_close(&r->outs[i]);
		if (!ret)
			fuzz_buf_check(&r->bufs[i]);
		else {
			fclose(r->bufs[i].sum_fp);
			free(r->bufs[i].buf);
			free(r->bufs[i].sum);
		}
	}
	free(r);
	return 0;
}
