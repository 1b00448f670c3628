// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The chrome format: a Chrome Trace Event JSON file, {"traceEvents":[...]}, that Perfetto
 * UI, chrome://tracing and speedscope open.
 *
 * Layout: one trace process per VM (the VMM's pid; a second VM of the same VMM gets
 * pid + k * 2^22, above any Linux pid), named "comm[pid] vmN". In it, a "boot stages"
 * track holds one complete slice (ph X) per stage (a label: the debug port's five, a label
 * map's, Guest-boot-time); stages are consecutive, so slices on that track never overlap.
 * Each vCPU thread (its real tid) is a track of instant events, one per code (an --mmio
 * write has "gpa" where a port write has "port"). Process-scoped instants mark VM creation
 * and VMM exit. Timestamps are the kernel's CLOCK_MONOTONIC stamps in microseconds with
 * three decimals (exact nanoseconds), so the trace lines up with `perf record -k mono`
 * traces of the same host.
 *
 * Events are streamed as they come; the closing brackets are written by the close hook,
 * which the session reaches on every way out, SIGINT and SIGTERM included.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "labels.h"
#include "output.h"

#define PID_SPACE      (1LL << 22)  /* PID_MAX_LIMIT: no Linux pid reaches it */
#define STAGE_TID_BASE 0x40000000LL /* track ids of the "boot stages" tracks */

struct chrome_vm {
	pid_t pid;
	uint32_t id;
	long long trace_pid;
	long long stage_tid;
	pid_t *tids; /* vCPU threads already named */
	int nr_tids;
};

struct chrome_state {
	bool written; /* at least one event: the next one needs a comma */
	struct chrome_vm *vms;
	int nr_vms;
	struct trace_totals totals;
	bool have_totals;
};

/* "%llu.%03llu": microseconds with the nanoseconds as an exact decimal fraction. */
static struct json_object *json_us(uint64_t ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
	return json_object_new_double_s((double)ns / 1000.0, buf);
}

static void emit(struct output *out, struct json_object *obj)
{
	struct chrome_state *st = out->priv;

	fputs(st->written ? ",\n" : "", out->fp);
	fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), out->fp);
	st->written = true;
	json_object_put(obj);
}

/* The fields every event has. ts_ns 0: metadata, stamped 0. */
static struct json_object *trace_event(const char *name, const char *ph, uint64_t ts_ns,
				       long long pid, long long tid)
{
	struct json_object *obj = json_object_new_object();

	json_object_object_add(obj, "name", json_object_new_string(name));
	json_object_object_add(obj, "ph", json_object_new_string(ph));
	json_object_object_add(obj, "ts", ts_ns ? json_us(ts_ns) : json_object_new_int(0));
	json_object_object_add(obj, "pid", json_object_new_int64(pid));
	json_object_object_add(obj, "tid", json_object_new_int64(tid));
	return obj;
}

static void emit_metadata(struct output *out, const char *name, long long pid, long long tid,
			  const char *key, struct json_object *value)
{
	struct json_object *obj = trace_event(name, "M", 0, pid, tid), *args;

	args = json_object_new_object();
	json_object_object_add(args, key, value);
	json_object_object_add(obj, "args", args);
	emit(out, obj);
}

static void vm_name(const struct traced_vm *vm, char *buf, size_t len)
{
	if (vm->id == BT_VM_UNKNOWN)
		snprintf(buf, len, "%s[%d] vm?", vm->comm, vm->pid);
	else
		snprintf(buf, len, "%s[%d] vm%" PRIu32, vm->comm, vm->pid, vm->id);
}

/* The trace process of a VM; named on first sight. NULL only when out of memory. */
static struct chrome_vm *chrome_vm_of(struct output *out, const struct traced_vm *vm)
{
	struct chrome_state *st = out->priv;
	struct chrome_vm *cv, *grown;
	long long same_pid = 0;
	char name[64];

	for (int i = 0; i < st->nr_vms; i++) {
		cv = &st->vms[i];
		if (cv->pid == vm->pid && cv->id == vm->id)
			return cv;
		same_pid += cv->pid == vm->pid;
	}
	grown = realloc(st->vms, (st->nr_vms + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	st->vms = grown;
	cv = &st->vms[st->nr_vms++];
	*cv = (struct chrome_vm){
	    .pid = vm->pid,
	    .id = vm->id,
	    .trace_pid = vm->pid + same_pid * PID_SPACE,
	    .stage_tid = STAGE_TID_BASE + st->nr_vms,
	};
	vm_name(vm, name, sizeof(name));
	emit_metadata(out, "process_name", cv->trace_pid, cv->stage_tid, "name",
		      json_object_new_string(name));
	emit_metadata(out, "process_sort_index", cv->trace_pid, cv->stage_tid, "sort_index",
		      json_object_new_int(st->nr_vms));
	emit_metadata(out, "thread_name", cv->trace_pid, cv->stage_tid, "name",
		      json_object_new_string("boot stages"));
	emit_metadata(out, "thread_sort_index", cv->trace_pid, cv->stage_tid, "sort_index",
		      json_object_new_int(-1));
	return cv;
}

/* Name a vCPU thread's track the first time it writes. */
static void name_thread(struct output *out, struct chrome_vm *cv, const struct bt_event *ev)
{
	char name[64], comm[BT_COMM_LEN + 1] = {};
	pid_t *grown;

	for (int i = 0; i < cv->nr_tids; i++)
		if (cv->tids[i] == (pid_t)ev->tid)
			return;
	grown = realloc(cv->tids, (cv->nr_tids + 1) * sizeof(*grown));
	if (!grown)
		return;
	cv->tids = grown;
	cv->tids[cv->nr_tids++] = ev->tid;
	memcpy(comm, ev->comm, BT_COMM_LEN);
	if (ev->vcpu == BT_VCPU_UNKNOWN)
		snprintf(name, sizeof(name), "vCPU ? (%s)", comm);
	else
		snprintf(name, sizeof(name), "vCPU %" PRIu32 " (%s)", ev->vcpu, comm);
	emit_metadata(out, "thread_name", cv->trace_pid, ev->tid, "name",
		      json_object_new_string(name));
	emit_metadata(out, "thread_sort_index", cv->trace_pid, ev->tid, "sort_index",
		      json_object_new_int64(ev->vcpu == BT_VCPU_UNKNOWN ? 100000 : ev->vcpu));
}

/* A marker on the whole VM's process (VM created, VMM exited). */
static void process_instant(struct output *out, struct chrome_vm *cv, const char *name,
			    uint64_t ts_ns)
{
	struct json_object *obj = trace_event(name, "i", ts_ns, cv->trace_pid, cv->stage_tid);

	json_object_object_add(obj, "s", json_object_new_string("p"));
	emit(out, obj);
}

static int chrome_open(struct output *out)
{
	out->priv = calloc(1, sizeof(struct chrome_state));
	if (!out->priv)
		return -ENOMEM;
	fputs("{\"traceEvents\":[\n", out->fp);
	return 0;
}

static void chrome_vm_start(struct output *out, const struct traced_vm *vm)
{
	struct chrome_vm *cv = chrome_vm_of(out, vm);

	if (cv)
		process_instant(out, cv, vm->start_ns ? "VM created" : "VM found running",
				vm->start_ns ?: vm->found_ns);
}

static void chrome_event(struct output *out, const struct traced_vm *vm, const struct bt_event *ev)
{
	struct chrome_vm *cv = chrome_vm_of(out, vm);
	uint32_t code = ev->value & 0xff;
	const char *label = label_of_event(out->labels, ev)->name;
	bool mmio = ev->type == BT_EV_MMIO;
	struct json_object *obj, *args;
	char name[96];

	if (!cv)
		return;
	name_thread(out, cv, ev);
	if (mmio)
		snprintf(name, sizeof(name), "MMIO 0x%" PRIx64 ": %s value %" PRIu32,
			 (uint64_t)ev->aux, label, ev->value);
	else if (ev->port == 0x80)
		snprintf(name, sizeof(name), "%s 0x%" PRIx32, label, code);
	else
		snprintf(name, sizeof(name), "port 0x%x: %s 0x%" PRIx32, ev->port, label, code);
	obj = trace_event(name, "i", ev->ts_ns, cv->trace_pid, ev->tid);
	json_object_object_add(obj, "cat", json_object_new_string("code"));
	json_object_object_add(obj, "s", json_object_new_string("t"));
	args = json_object_new_object();
	json_object_object_add(args, "label", json_object_new_string(label));
	json_object_object_add(args, "code", json_object_new_int(code));
	json_object_object_add(args, "value", json_object_new_int64(ev->value));
	if (mmio)
		json_object_object_add(args, "gpa", json_object_new_uint64(ev->aux));
	else
		json_object_object_add(args, "port", json_object_new_int(ev->port));
	json_object_object_add(args, "size", json_object_new_int(ev->size));
	if (ev->vcpu != BT_VCPU_UNKNOWN)
		json_object_object_add(args, "vcpu", json_object_new_int64(ev->vcpu));
	if (vm->start_ns && ev->ts_ns >= vm->start_ns)
		json_object_object_add(args, "since_start_ns",
				       json_object_new_uint64(ev->ts_ns - vm->start_ns));
	if (ev->flags & BT_PIO_STRING)
		json_object_object_add(args, "string_index", json_object_new_int(ev->index));
	if (!mmio && (ev->flags & BT_PIO_RIP))
		json_object_object_add(args, "rip", json_object_new_uint64(ev->aux));
	json_object_object_add(obj, "args", args);
	emit(out, obj);
}

static void chrome_vm_end(struct output *out, const struct traced_vm *vm)
{
	struct chrome_vm *cv = chrome_vm_of(out, vm);
	char name[64], reason[48];

	if (!cv)
		return;
	if (vm->end_reason == VM_END_CLOSED) /* its VMM may live on */
		snprintf(name, sizeof(name), "VM closed");
	else
		snprintf(name, sizeof(name), "VMM exited (%s)",
			 vm_end_reason(vm, reason, sizeof(reason)));
	process_instant(out, cv, name, vm->end_ns);
}

/* The stage slices, once the VM's stages are known; the human table goes to stderr. */
static void chrome_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct stage_row *rows;
	int n = boot_summary(&vm->stats, &rows);
	struct chrome_vm *cv = n > 0 ? chrome_vm_of(out, vm) : NULL;

	for (int i = 0; cv && i < n; i++) {
		struct json_object *obj, *args = json_object_new_object();

		obj =
		    trace_event(rows[i].label, "X", rows[i].first_ns, cv->trace_pid, cv->stage_tid);
		json_object_object_add(obj, "dur", json_us(rows[i].duration_ns));
		json_object_object_add(obj, "cat", json_object_new_string("stage"));
		json_object_object_add(args, "codes", json_object_new_int64(rows[i].codes));
		if (vm->start_ns && rows[i].first_ns >= vm->start_ns)
			json_object_object_add(
			    args, "since_start_ns",
			    json_object_new_uint64(rows[i].first_ns - vm->start_ns));
		json_object_object_add(obj, "args", args);
		emit(out, obj);
	}
	free(rows);
	output_log_ops.vm_summary(out, vm);
}

static void chrome_summary(struct output *out, const struct vm_table *vms,
			   const struct trace_totals *totals)
{
	struct chrome_state *st = out->priv;

	st->totals = *totals;
	st->have_totals = true;
	output_log_ops.summary(out, vms, totals);
}

static void chrome_close(struct output *out)
{
	struct chrome_state *st = out->priv;
	struct json_object *other = json_object_new_object();

	json_object_object_add(other, "tool",
			       json_object_new_string("boot-trace " BOOT_TRACE_VERSION));
	json_object_object_add(other, "clock", json_object_new_string("CLOCK_MONOTONIC"));
	if (st && st->have_totals) {
		json_object_object_add(other, "events", json_object_new_uint64(st->totals.events));
		json_object_object_add(other, "dropped",
				       json_object_new_uint64(st->totals.dropped));
		json_object_object_add(other, "string_lost",
				       json_object_new_uint64(st->totals.string_lost));
		json_object_object_add(other, "lifecycle_dropped",
				       json_object_new_uint64(st->totals.lifecycle_dropped));
		json_object_object_add(other, "malformed",
				       json_object_new_uint64(st->totals.malformed));
		json_object_object_add(other, "map_full",
				       json_object_new_uint64(st->totals.map_full));
	}
	fprintf(out->fp, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":%s}\n",
		json_object_to_json_string_ext(other, JSON_C_TO_STRING_PLAIN));
	json_object_put(other);
	for (int i = 0; st && i < st->nr_vms; i++)
		free(st->vms[i].tids);
	if (st)
		free(st->vms);
	free(st);
	out->priv = NULL;
}

const struct output_ops output_chrome_ops = {
    .open = chrome_open,
    .vm_start = chrome_vm_start,
    .event = chrome_event,
    .vm_end = chrome_vm_end,
    .vm_summary = chrome_vm_summary,
    .summary = chrome_summary,
    .close = chrome_close,
};
