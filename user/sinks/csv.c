// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The csv format: a header row, then one row per port write, for spreadsheets and data
 * frames. Fields follow RFC 4180 (quoted when they hold a comma, a quote or a line break;
 * lines end in LF). Unknown values are empty: the port of an --mmio write, and the gpa
 * (its guest-physical address) of a port write. The boot summary goes to stderr, as in the
 * log format.
 */
#include <inttypes.h>
#include <string.h>
#include "labels.h"
#include "output.h"

static const char csv_header[] = "ts_ns,pid,comm,vm,since_start_ns,tid,thread,vcpu,port,size,"
				 "value,code,label,string_index,rip,gpa\n";

/* One text field, quoted only when it needs to be. */
static void csv_string(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static int csv_open(struct output *out)
{
	fputs(csv_header, out->fp);
	return 0;
}

static void csv_nothing(struct output *out, const struct traced_vm *vm)
{
}

static void csv_event(struct output *out, const struct traced_vm *vm, const struct bt_event *ev)
{
	char thread[BT_COMM_LEN + 1] = {};
	uint32_t code = ev->value & 0xff;
	FILE *fp = out->fp;

	memcpy(thread, ev->comm, BT_COMM_LEN);
	fprintf(fp, "%" PRIu64 ",%d,", (uint64_t)ev->ts_ns, vm->pid);
	csv_string(fp, vm->comm);
	fputc(',', fp);
	if (vm->id != BT_VM_UNKNOWN)
		fprintf(fp, "%" PRIu32, vm->id);
	fputc(',', fp);
	if (vm->start_ns && ev->ts_ns >= vm->start_ns)
		fprintf(fp, "%" PRIu64, (uint64_t)(ev->ts_ns - vm->start_ns));
	fprintf(fp, ",%" PRIu32 ",", ev->tid);
	csv_string(fp, thread);
	fputc(',', fp);
	if (ev->vcpu != BT_VCPU_UNKNOWN)
		fprintf(fp, "%" PRIu32, ev->vcpu);
	fputc(',', fp);
	if (ev->type != BT_EV_MMIO)
		fprintf(fp, "%u", ev->port);
	fprintf(fp, ",%u,%" PRIu32 ",%" PRIu32 ",", ev->size, ev->value, code);
	/* A label file's names may hold a comma or a quote. */
	csv_string(fp, label_of_event(out->labels, ev)->name);
	fputc(',', fp);
	if (ev->flags & BT_PIO_STRING)
		fprintf(fp, "%u", ev->index);
	fputc(',', fp);
	if (ev->type != BT_EV_MMIO && (ev->flags & BT_PIO_RIP))
		fprintf(fp, "0x%" PRIx64, (uint64_t)ev->aux);
	fputc(',', fp);
	if (ev->type == BT_EV_MMIO)
		fprintf(fp, "0x%" PRIx64, (uint64_t)ev->aux);
	fputc('\n', fp);
}

/* The human summary, as in the log format. */
static void csv_vm_summary(struct output *out, const struct traced_vm *vm)
{
	output_log_ops.vm_summary(out, vm);
}

static void csv_summary(struct output *out, const struct vm_table *vms,
			const struct trace_totals *totals)
{
	output_log_ops.summary(out, vms, totals);
}

const struct output_ops output_csv_ops = {
    .open = csv_open,
    .vm_start = csv_nothing,
    .event = csv_event,
    .vm_end = csv_nothing,
    .vm_summary = csv_vm_summary,
    .summary = csv_summary,
};
