// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The jsonl format: one JSON object per line, built with json-c so that every string
 * (process names come from the traced side) is escaped correctly.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "output.h"

static struct json_object *json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

/* A value, or null when unknown. */
static struct json_object *json_known(bool known, uint64_t v)
{
	return known ? json_u64(v) : NULL;
}

/* ns - base; negative for "VMM set-up" from a VMM started before it created its VM. */
static struct json_object *json_since(uint64_t ns, uint64_t base)
{
	if (ns >= base)
		return json_u64(ns - base);
	return json_object_new_int64(base - ns <= INT64_MAX ? -(int64_t)(base - ns) : INT64_MIN);
}

static void emit(struct output *out, struct json_object *obj)
{
	fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), out->fp);
	fputc('\n', out->fp);
	json_object_put(obj);
}

static struct json_object *vm_record(const char *type, const struct traced_vm *vm, uint64_t ts_ns)
{
	struct json_object *obj = json_object_new_object();

	json_object_object_add(obj, "type", json_object_new_string(type));
	json_object_object_add(obj, "ts_ns", json_u64(ts_ns));
	json_object_object_add(obj, "pid", json_object_new_int(vm->pid));
	json_object_object_add(obj, "comm", json_object_new_string(vm->comm));
	json_object_object_add(obj, "vm", json_known(vm->id != EVENT_VM_UNKNOWN, vm->id));
	return obj;
}

static void jsonl_clock(struct output *out, const struct clock_anchor *anchor)
{
	struct json_object *obj = json_object_new_object();
	char wall[48];

	format_wall_clock(wall, sizeof(wall), anchor, anchor->monotonic_ns);
	json_object_object_add(obj, "type", json_object_new_string("clock"));
	json_object_object_add(obj, "monotonic_ns", json_u64(anchor->monotonic_ns));
	json_object_object_add(obj, "realtime_ns", json_u64(anchor->realtime_ns));
	json_object_object_add(obj, "realtime", json_object_new_string(wall));
	emit(out, obj);
}

static void jsonl_vm_start(struct output *out, const struct traced_vm *vm)
{
	struct json_object *obj = vm_record("vm_start", vm, vm->start_ns ?: vm->found_ns);

	json_object_object_add(obj, "start_seen", json_object_new_boolean(vm->start_ns != 0));
	json_object_object_add(obj, "cmdline", json_object_new_string(vm->cmdline));
	emit(out, obj);
}

static void jsonl_vm_end(struct output *out, const struct traced_vm *vm)
{
	struct json_object *obj = vm_record("vm_end", vm, vm->end_ns);
	bool exited = vm->end_reason == VM_END_EXIT;
	int status = vm->exit_status;
	char reason[48];

	json_object_object_add(obj, "exit_status",
			       json_known(exited && WIFEXITED(status), WEXITSTATUS(status)));
	json_object_object_add(obj, "signal",
			       json_known(exited && WIFSIGNALED(status), WTERMSIG(status)));
	json_object_object_add(obj, "reason",
			       json_object_new_string(vm_end_reason(vm, reason, sizeof(reason))));
	emit(out, obj);
}

/* A VM-level record of an event: its stamp, and the time since its VM's start where known. */
static struct json_object *event_record(const char *type, const struct traced_vm *vm,
					const struct boot_event *ev)
{
	struct json_object *obj = vm_record(type, vm, ev->ts_ns);
	bool since_known = vm->start_ns && ev->ts_ns >= vm->start_ns;

	json_object_object_add(obj, "since_start_ns",
			       json_known(since_known, ev->ts_ns - vm->start_ns));
	return obj;
}

/* A line of console text: one record per line, its text as cleaned by the decoder. */
static void jsonl_console(struct output *out, const struct traced_vm *vm,
			  const struct boot_event *ev)
{
	const struct console_line *c = &ev->console;
	struct json_object *obj = event_record("console", vm, ev);

	json_object_object_add(obj, "last_ts_ns", json_u64(c->last_ts_ns));
	json_object_object_add(obj, "tid", json_object_new_int64(ev->tid));
	json_object_object_add(obj, "thread", json_object_new_string(ev->thread));
	json_object_object_add(obj, "port", json_object_new_int(c->port));
	json_object_object_add(obj, "console",
			       json_object_new_string(c->debugcon ? "debugcon" : "uart"));
	json_object_object_add(obj, "text", json_object_new_string(c->text ? c->text : ""));
	if (ev->label)
		json_object_object_add(obj, "stage", json_object_new_string(ev->label->name));
	if (c->truncated)
		json_object_object_add(obj, "truncated", json_object_new_boolean(1));
	if (c->unterminated)
		json_object_object_add(obj, "unterminated", json_object_new_boolean(1));
	emit(out, obj);
}

static void jsonl_phase(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct json_object *obj = event_record("phase", vm, ev);

	json_object_object_add(obj, "name", json_object_new_string(ev->phase ? ev->phase : ""));
	emit(out, obj);
}

static void jsonl_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	struct json_object *obj;

	if (ev->kind == EVENT_CONSOLE)
		jsonl_console(out, vm, ev);
	if (ev->kind == EVENT_PHASE)
		jsonl_phase(out, vm, ev);
	if (ev->kind != EVENT_CODE)
		return;
	obj = event_record("event", vm, ev);
	json_object_object_add(obj, "tid", json_object_new_int64(ev->tid));
	json_object_object_add(obj, "thread", json_object_new_string(ev->thread));
	json_object_object_add(obj, "vcpu", json_known(ev->vcpu != EVENT_VCPU_UNKNOWN, ev->vcpu));
	json_object_object_add(obj, "port", w->mmio ? NULL : json_object_new_int(w->port));
	if (w->mmio)
		json_object_object_add(obj, "gpa", json_u64(w->gpa));
	json_object_object_add(obj, "size", json_object_new_int(w->size));
	json_object_object_add(obj, "value", json_u64(w->value));
	json_object_object_add(obj, "code", json_object_new_int(w->value & 0xff));
	if (w->io_delay) {
		json_object_object_add(obj, "io_delay", json_object_new_boolean(1));
		json_object_object_add(obj, "after_port", json_object_new_int(w->after_port));
	}
	json_object_object_add(obj, "label", json_object_new_string(ev->label->name));
	if (w->in_string)
		json_object_object_add(obj, "string_index", json_object_new_int(w->index));
	if (w->truncated)
		json_object_object_add(obj, "truncated", json_object_new_boolean(1));
	if (w->rip_known)
		json_object_object_add(obj, "rip", json_u64(w->rip));
	emit(out, obj);
}

/* A VM's summary, as a record of its own (type) or inside the final summary (type NULL). */
static struct json_object *vm_summary(const char *type, const struct traced_vm *vm)
{
	struct json_object *obj = json_object_new_object(), *stages = json_object_new_array();
	struct stage_row *rows;
	int n = boot_summary(&vm->stats, &rows);
	uint64_t base = vm->start_ns ?: (n > 0 ? rows[0].first_ns : 0);
	uint64_t user_ns;
	bool has_user = boot_userspace_ns(&vm->stats, &user_ns);

	if (type)
		json_object_object_add(obj, "type", json_object_new_string(type));
	json_object_object_add(obj, "vm", json_known(vm->id != EVENT_VM_UNKNOWN, vm->id));
	json_object_object_add(obj, "pid", json_object_new_int(vm->pid));
	json_object_object_add(obj, "comm", json_object_new_string(vm->comm));
	json_object_object_add(obj, "start_ns", json_known(vm->start_ns, vm->start_ns));
	json_object_object_add(obj, "end_ns", json_known(vm->end_ns, vm->end_ns));
	json_object_object_add(obj, "complete", json_object_new_boolean(vm_boot_complete(vm)));
	json_object_object_add(obj, "events", json_u64(vm->stats.events));
	for (int i = 0; i < n; i++) {
		struct json_object *row = json_object_new_object();

		json_object_object_add(row, "stage", json_object_new_string(rows[i].label));
		json_object_object_add(row, "first_ns", json_since(rows[i].first_ns, base));
		json_object_object_add(row, "duration_ns", json_u64(rows[i].duration_ns));
		json_object_object_add(row, "codes", json_u64(rows[i].codes));
		json_object_array_add(stages, row);
	}
	json_object_object_add(obj, "stages", stages);
	free(rows);
	json_object_object_add(obj, "time_to_userspace_ns",
			       json_known(has_user && vm->start_ns, user_ns - base));
	return obj;
}

static void jsonl_vm_summary(struct output *out, const struct traced_vm *vm)
{
	if (!out->quiet)
		emit(out, vm_summary("vm_summary", vm));
}

static void jsonl_summary(struct output *out, const struct vm_table *vms,
			  const struct trace_totals *totals)
{
	struct json_object *obj, *list;

	if (out->quiet)
		return; /* losses still reach stderr: the summary table's job */
	obj = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(obj, "type", json_object_new_string("summary"));
	json_object_object_add(obj, "events", json_u64(totals->events));
	FOR_EACH_LOSS (i)
		json_object_object_add(obj, loss_counters[i].key, json_u64(totals->lost[i]));
	for (const struct traced_vm *vm = vms->head; vm; vm = vm->next)
		json_object_array_add(list, vm_summary(NULL, vm));
	json_object_object_add(obj, "vms", list);
	emit(out, obj);
}

const struct output_ops output_jsonl_ops = {
    .clock = jsonl_clock,
    .vm_start = jsonl_vm_start,
    .event = jsonl_event,
    .vm_end = jsonl_vm_end,
    .vm_summary = jsonl_vm_summary,
    .summary = jsonl_summary,
};
