// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The log format: one line per write, carrying cloud-hypervisor's own text
 * "[Debug I/O port: <Label> code 0x<hex>] <S>.<ssssss> seconds", so existing
 * `grep "Debug I/O port"` scripts keep working, after the host stamp, process and vCPU
 * (and the vCPU thread's name where it tells more, as QEMU's "CPU 0/KVM" does). An --mmio
 * write reads "[MMIO 0x<addr>: Guest-boot-time value <n>] <S>.<ssssss> seconds". An I/O delay
 * (a port-0x80 write that is no marker) reads "[I/O delay: port 0x80 value 0x<hex> after port
 * 0x<hex>]", so that those scripts do not take it for a code. A console line is "console
 * 0x3f8" (or "debugcon 0xe9"), the time since VM start, the stage a rule matched in brackets,
 * "(truncated)" or "(unterminated)" where it is, then ": " and its text; a host phase is
 * "phase <name>", its time since VM start (negative for the VMM's start) and its stage.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output.h"

static void print_vm_name(FILE *fp, const struct traced_vm *vm)
{
	char name[VM_NAME_MAX];

	fputs(traced_vm_name(vm, name), fp);
}

/* The host's CLOCK_MONOTONIC, or with --wall-clock the UTC time it was (by the anchor). */
static void print_stamp(struct output *out, uint64_t ns)
{
	char wall[48];

	if (out->wall_clock && out->have_anchor) {
		format_wall_clock(wall, sizeof(wall), &out->anchor, ns);
		fprintf(out->fp, "[%s] ", wall);
		return;
	}
	fprintf(out->fp, "[%6" PRIu64 ".%09" PRIu64 "] ", ns / 1000000000, ns % 1000000000);
}

static void log_clock(struct output *out, const struct clock_anchor *anchor)
{
	char wall[48];

	format_wall_clock(wall, sizeof(wall), anchor, anchor->monotonic_ns);
	print_stamp(out, anchor->monotonic_ns);
	fprintf(out->fp,
		"boot-trace: clock: CLOCK_MONOTONIC %" PRIu64 ".%09" PRIu64
		" is CLOCK_REALTIME %s\n",
		anchor->monotonic_ns / 1000000000, anchor->monotonic_ns % 1000000000, wall);
}

static void log_vm_start(struct output *out, const struct traced_vm *vm)
{
	print_stamp(out, vm->start_ns ?: vm->found_ns);
	print_vm_name(out->fp, vm);
	fprintf(out->fp, vm->start_ns ? ": VM created" : ": VM already running (start not seen)");
	if (vm->cmdline[0])
		fprintf(out->fp, ", cmdline: %s", vm->cmdline);
	fputc('\n', out->fp);
}

/*
 * The time since VM start, " +S.ssssss s", where it is known; " -S.ssssss s" before it (the
 * VMM's start, for run).
 */
static void print_since(FILE *fp, const struct traced_vm *vm, uint64_t ts_ns)
{
	char secs[32];

	if (!vm->start_ns)
		return;
	format_seconds(secs, sizeof(secs),
		       ts_ns >= vm->start_ns ? ts_ns - vm->start_ns : vm->start_ns - ts_ns);
	fprintf(fp, " %c%s s", ts_ns >= vm->start_ns ? '+' : '-', secs);
}

static void log_console(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	const struct console_line *c = &ev->console;
	FILE *fp = out->fp;

	print_stamp(out, ev->ts_ns);
	print_vm_name(fp, vm);
	fprintf(fp, " %s 0x%x", c->debugcon ? "debugcon" : "console", c->port);
	print_since(fp, vm, ev->ts_ns);
	if (ev->label)
		fprintf(fp, " [%s]", ev->label->name);
	if (c->truncated)
		fputs(" (truncated)", fp);
	if (c->unterminated)
		fputs(" (unterminated)", fp);
	fprintf(fp, ": %s\n", c->text ? c->text : "");
}

static void log_phase(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	FILE *fp = out->fp;

	print_stamp(out, ev->ts_ns);
	print_vm_name(fp, vm);
	fprintf(fp, ": phase %s", ev->phase ? ev->phase : "?");
	print_since(fp, vm, ev->ts_ns);
	if (ev->label)
		fprintf(fp, " [%s]", ev->label->name);
	fputc('\n', fp);
}

static void log_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	const char *tname = event_thread_name(vm, ev);
	char secs[32] = "?";
	FILE *fp = out->fp;

	if (ev->kind == EVENT_CONSOLE)
		log_console(out, vm, ev);
	if (ev->kind == EVENT_PHASE)
		log_phase(out, vm, ev);
	if (ev->kind != EVENT_CODE)
		return;
	print_stamp(out, ev->ts_ns);
	print_vm_name(fp, vm);
	if (ev->vcpu == EVENT_VCPU_UNKNOWN)
		fprintf(fp, " vcpu?");
	else
		fprintf(fp, " vcpu%" PRIu32, ev->vcpu);
	if (tname)
		fprintf(fp, " (%s)", tname);
	if (vm->start_ns && ev->ts_ns >= vm->start_ns)
		format_seconds(secs, sizeof(secs), ev->ts_ns - vm->start_ns);
	if (w->mmio) {
		fprintf(fp, ": [MMIO 0x%" PRIx64 ": %s value %" PRIu32 "] %s seconds\n", w->gpa,
			ev->label->name, w->value, secs);
		return;
	}
	if (w->io_delay)
		fprintf(fp,
			": [I/O delay: port 0x%x value 0x%" PRIx32 " after port 0x%x] %s seconds",
			w->port, w->value, w->after_port, secs);
	else if (w->port == 0x80)
		fprintf(fp, ": [Debug I/O port: %s code 0x%" PRIx32 "] %s seconds", ev->label->name,
			w->value & 0xff, secs);
	else
		fprintf(fp, ": [Debug I/O port 0x%x: %s code 0x%" PRIx32 "] %s seconds", w->port,
			ev->label->name, w->value & 0xff, secs);
	if (w->size > 1)
		fprintf(fp, " (%u-byte write 0x%" PRIx32 ")", w->size, w->value);
	if (w->truncated)
		fprintf(fp, " (string data unreadable)");
	if (w->rip_known)
		fprintf(fp, " rip=0x%" PRIx64, w->rip);
	fputc('\n', fp);
}

static void log_vm_end(struct output *out, const struct traced_vm *vm)
{
	char reason[48];

	print_stamp(out, vm->end_ns);
	print_vm_name(out->fp, vm);
	if (vm->end_reason == VM_END_CLOSED)
		fputs(": VM closed\n", out->fp); /* its VMM may live on */
	else
		fprintf(out->fp, ": VMM exited (%s)\n", vm_end_reason(vm, reason, sizeof(reason)));
}

/* The daemon's form: one line per VM, in the log itself. */
static void log_vm_summary_line(struct output *out, const struct traced_vm *vm,
				const struct stage_row *rows, int n)
{
	uint64_t base = vm->start_ns ?: (n > 0 ? rows[0].first_ns : 0);
	char first[32], dur[32], reason[48];
	FILE *fp = out->fp;
	uint64_t user_ns;

	print_stamp(out, vm->end_ns ?: (n > 0 ? rows[n - 1].first_ns : base));
	print_vm_name(fp, vm);
	fprintf(fp, ": boot summary: %s%s, %" PRIu64 " codes",
		vm_end_reason(vm, reason, sizeof(reason)),
		vm_boot_complete(vm) ? "" : " (incomplete)", vm->stats.events);
	if (vm->stats.lines)
		fprintf(fp, ", %" PRIu64 " console line%s", vm->stats.lines,
			vm->stats.lines == 1 ? "" : "s");
	if (vm->stats.io_delays)
		fprintf(fp, ", %" PRIu64 " I/O delay write%s", vm->stats.io_delays,
			vm->stats.io_delays == 1 ? "" : "s");
	for (int i = 0; i < n; i++) {
		format_since(first, sizeof(first), rows[i].first_ns, base);
		format_seconds(dur, sizeof(dur), rows[i].duration_ns);
		fprintf(fp, "%s %s at %s s for %s s (%" PRIu32 ")", i ? "," : ";", rows[i].label,
			first, dur, rows[i].codes);
	}
	if (boot_userspace_ns(&vm->stats, &user_ns)) {
		format_since(first, sizeof(first), user_ns, base);
		fprintf(fp, "; time to Userspace %s s", first);
	}
	if (!vm->start_ns)
		fprintf(fp, "; VM start not seen: times from the first write");
	/* A daemon runs for months: its losses show where they happen, not only at the end. */
	if (out->totals && totals_lost(out->totals)) {
		fputs("; host-wide since the daemon started: ", fp);
		print_losses(fp, out->totals);
	}
	fputc('\n', fp);
}

static void log_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct stage_row *rows;
	int n;

	if (!out->summary_in_trace)
		return; /* the summary table is a sink of its own (summary.c) */
	n = boot_summary(&vm->stats, &rows);
	log_vm_summary_line(out, vm, rows, n);
	free(rows);
}

/* The daemon's log keeps the final count too, stamped like its other lines. */
static void log_summary(struct output *out, const struct vm_table *vms,
			const struct trace_totals *totals)
{
	if (!out->summary_in_trace || !out->fp)
		return;
	print_stamp(out, clock_now_ns(CLOCK_MONOTONIC));
	fputs("boot-trace: ", out->fp);
	print_totals(out->fp, totals);
	fputc('\n', out->fp);
}

const struct output_ops output_log_ops = {
    .clock = log_clock,
    .vm_start = log_vm_start,
    .event = log_event,
    .vm_end = log_vm_end,
    .vm_summary = log_vm_summary,
    .summary = log_summary,
};
