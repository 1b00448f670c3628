// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The csv format: a header row, then one row per port write, for spreadsheets and data
 * frames. Fields follow RFC 4180 (quoted when they hold a comma, a quote or a line break;
 * lines end in LF). Unknown values are empty: the port of an --mmio write, and the gpa
 * (its guest-physical address) of a port write.
 *
 * Console lines and host phases are rows too, in the same 16 columns, so that the header and
 * every row of a trace without them stay as they were for the readers written for it: a row
 * whose size, value and code are empty is not a write, and its label column holds what it
 * names (a console line's text, with its console's port; a phase's name, without a port).
 * The stage a console rule matched is in the log and jsonl, not here (docs/formats.md).
 */
#include <inttypes.h>
#include <string.h>
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

/* The columns every row begins with: ts_ns to since_start_ns. */
static void csv_vm_columns(FILE *fp, const struct traced_vm *vm, uint64_t ts_ns)
{
	fprintf(fp, "%" PRIu64 ",%d,", ts_ns, vm->pid);
	csv_string(fp, vm->comm);
	fputc(',', fp);
	if (vm->id != EVENT_VM_UNKNOWN)
		fprintf(fp, "%" PRIu32, vm->id);
	fputc(',', fp);
	if (vm->start_ns && ts_ns >= vm->start_ns)
		fprintf(fp, "%" PRIu64, ts_ns - vm->start_ns);
	fputc(',', fp);
}

/*
 * A console line: the thread of its first byte, no vCPU (a console is the VM's), its port, no
 * size, value or code, its text as the label. A phase: no thread, no port, its name.
 */
static void csv_text_row(FILE *fp, const struct traced_vm *vm, const struct boot_event *ev)
{
	bool line = ev->kind == EVENT_CONSOLE;

	csv_vm_columns(fp, vm, ev->ts_ns);
	if (line) {
		fprintf(fp, "%" PRIu32 ",", ev->tid);
		csv_string(fp, ev->thread);
		fprintf(fp, ",,%u,,,,", ev->console.port);
		csv_string(fp, ev->console.text ? ev->console.text : "");
	} else {
		fputs(",,,,,,,", fp);
		csv_string(fp, ev->phase ? ev->phase : "");
	}
	fputs(",,,\n", fp);
}

static void csv_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	FILE *fp = out->fp;

	if (ev->kind == EVENT_CONSOLE || ev->kind == EVENT_PHASE)
		csv_text_row(fp, vm, ev);
	if (ev->kind != EVENT_CODE)
		return;
	csv_vm_columns(fp, vm, ev->ts_ns);
	fprintf(fp, "%" PRIu32 ",", ev->tid);
	csv_string(fp, ev->thread);
	fputc(',', fp);
	if (ev->vcpu != EVENT_VCPU_UNKNOWN)
		fprintf(fp, "%" PRIu32, ev->vcpu);
	fputc(',', fp);
	if (!w->mmio)
		fprintf(fp, "%u", w->port);
	fprintf(fp, ",%u,%" PRIu32 ",%" PRIu32 ",", w->size, w->value, w->value & 0xff);
	/* A label file's names may hold a comma or a quote. */
	csv_string(fp, ev->label->name);
	fputc(',', fp);
	if (w->in_string)
		fprintf(fp, "%u", w->index);
	fputc(',', fp);
	if (w->rip_known)
		fprintf(fp, "0x%" PRIx64, w->rip);
	fputc(',', fp);
	if (w->mmio)
		fprintf(fp, "0x%" PRIx64, w->gpa);
	fputc('\n', fp);
}

const struct output_ops output_csv_ops = {
    .open = csv_open,
    .event = csv_event,
};
