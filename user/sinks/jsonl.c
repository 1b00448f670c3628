// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The jsonl format: one JSON object per line, built with json-c so that every string
 * (process names come from the traced side) is escaped correctly.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "labels.h"
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
	json_object_object_add(obj, "vm", json_known(vm->id != BT_VM_UNKNOWN, vm->id));
	return obj;
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

static void jsonl_event(struct output *out, const struct traced_vm *vm, const struct bt_event *ev)
{
	struct json_object *obj = vm_record("event", vm, ev->ts_ns);
	const struct label *label = label_of_event(out->labels, ev);
	bool mmio = ev->type == BT_EV_MMIO;
	char thread[BT_COMM_LEN + 1] = {};
	uint32_t code = ev->value & 0xff;
	bool since_known = vm->start_ns && ev->ts_ns >= vm->start_ns;

	memcpy(thread, ev->comm, BT_COMM_LEN);
	json_object_object_add(obj, "since_start_ns", json_known(since_known,
								 ev->ts_ns - vm->start_ns));
	json_object_object_add(obj, "tid", json_object_new_int64(ev->tid));
	json_object_object_add(obj, "thread", json_object_new_string(thread));
	json_object_object_add(obj, "vcpu", json_known(ev->vcpu != BT_VCPU_UNKNOWN, ev->vcpu));
	json_object_object_add(obj, "port", mmio ? NULL : json_object_new_int(ev->port));
	if (mmio)
		json_object_object_add(obj, "gpa", json_u64(ev->aux));
	json_object_object_add(obj, "size", json_object_new_int(ev->size));
	json_object_object_add(obj, "value", json_u64(ev->value));
	json_object_object_add(obj, "code", json_object_new_int(code));
	json_object_object_add(obj, "label", json_object_new_string(label->name));
	if (ev->flags & BT_PIO_STRING)
		json_object_object_add(obj, "string_index", json_object_new_int(ev->index));
	if (ev->flags & BT_PIO_TRUNCATED)
		json_object_object_add(obj, "truncated", json_object_new_boolean(1));
	if (!mmio && (ev->flags & BT_PIO_RIP))
		json_object_object_add(obj, "rip", json_u64(ev->aux));
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
	json_object_object_add(obj, "vm", json_known(vm->id != BT_VM_UNKNOWN, vm->id));
	json_object_object_add(obj, "pid", json_object_new_int(vm->pid));
	json_object_object_add(obj, "comm", json_object_new_string(vm->comm));
	json_object_object_add(obj, "start_ns", json_known(vm->start_ns, vm->start_ns));
	json_object_object_add(obj, "end_ns", json_known(vm->end_ns, vm->end_ns));
	json_object_object_add(obj, "complete", json_object_new_boolean(vm_boot_complete(vm)));
	json_object_object_add(obj, "events", json_u64(vm->stats.events));
	for (int i = 0; i < n; i++) {
		struct json_object *row = json_object_new_object();

		json_object_object_add(row, "stage", json_object_new_string(rows[i].label));
		json_object_object_add(row, "first_ns", json_u64(rows[i].first_ns - base));
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

	if (out->quiet) {
		/* No summary record, but losses still reach stderr: nothing is lost silently. */
		if (totals_lost(totals) && out->summary_fp) {
			fputs("boot-trace: ", out->summary_fp);
			print_totals(out->summary_fp, totals);
			fputc('\n', out->summary_fp);
		}
		return;
	}
	obj = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(obj, "type", json_object_new_string("summary"));
	json_object_object_add(obj, "events", json_u64(totals->events));
	json_object_object_add(obj, "dropped", json_u64(totals->dropped));
	json_object_object_add(obj, "string_lost", json_u64(totals->string_lost));
	json_object_object_add(obj, "lifecycle_dropped", json_u64(totals->lifecycle_dropped));
	json_object_object_add(obj, "malformed", json_u64(totals->malformed));
	json_object_object_add(obj, "map_full", json_u64(totals->map_full));
	for (const struct traced_vm *vm = vms->head; vm; vm = vm->next)
		json_object_array_add(list, vm_summary(NULL, vm));
	json_object_object_add(obj, "vms", list);
	emit(out, obj);
}

const struct output_ops output_jsonl_ops = {
	.vm_start = jsonl_vm_start,
	.event = jsonl_event,
	.vm_end = jsonl_vm_end,
	.vm_summary = jsonl_vm_summary,
	.summary = jsonl_summary,
};
