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
 * and VMM exit, and the host-side phases (cat "phase", named by phase: vm_create,
 * first_entry, ...). Each console of the VM is a track of its own ("console ttyS0 0x3f8",
 * "debugcon 0xe9"): a line is a slice (cat "console") from its first byte to its last, or an
 * instant when those are one exit, with its text, port and the stage a rule matched in args.
 * I/O delays (port-0x80 writes that are no marker, event.h) are instants on a track of their
 * own, cat "io_delay", not among the vCPUs' codes; they mark no stage. Timestamps are the
 * kernel's CLOCK_MONOTONIC stamps in microseconds with three decimals (exact nanoseconds), so
 * the trace lines up with `perf record -k mono` traces of the same host.
 *
 * The stamps stay absolute (no per-trace origin), so `perf -k mono` samples merged by
 * scripts/perf-to-chrome.sh, which writes absolute microseconds, still line up. A stage
 * slice's "dur" is chosen so that ts + dur, added in doubles as every viewer does, is
 * exactly the double of the next stage's ts (see slice_dur()).
 *
 * Events are streamed as they come; the closing brackets are written by the close hook,
 * which the session reaches on every way out, SIGINT and SIGTERM included.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "output.h"

#define PID_SPACE      (1LL << 22)  /* PID_MAX_LIMIT: no Linux pid reaches it */
#define STAGE_TID_BASE 0x40000000LL /* track ids of the "boot stages" tracks */
/* Track ids of the consoles and I/O delays, above any Linux tid too, one per track in the file */
#define CONSOLE_TID_BASE  0x50000000LL
#define IO_DELAY_TID_BASE 0x60000000LL
/* Their place among a VM's tracks: after its vCPUs (an unknown vCPU's is 100000). */
#define CONSOLE_SORT_INDEX  100001
#define IO_DELAY_SORT_INDEX 200000

/*
 * What the writer keeps is hashed (uthash), so that an event costs the same with a million
 * VMs or vCPU threads in the file as with one.
 */
struct chrome_vm {
	struct vm_key key;
	long long trace_pid;
	long long stage_tid;
	bool io_delay_named; /* its I/O delay track has its name */
	int consoles;	     /* its console tracks so far */
	UT_hash_handle hh;
};

/* How many VMs of a VMM process the file has so far: a new one's pid goes above them. */
struct chrome_pid {
	pid_t pid;
	long long vms;
	UT_hash_handle hh;
};

/* A vCPU thread already named: by the n-th VM of the file (its stage track) and tid. */
struct thread_key {
	uint32_t vm;
	pid_t tid;
};

struct chrome_thread {
	struct thread_key key;
	UT_hash_handle hh;
};

/* A console of a VM (by the n-th VM of the file, its port and kind), and its track. */
struct console_key {
	uint32_t vm;
	uint32_t port; /* the port, | CONSOLE_DEBUGCON for a debug console */
};
#define CONSOLE_DEBUGCON (1u << 16)

struct chrome_console {
	struct console_key key;
	long long tid;
	uint64_t end_ns; /* where its last slice ended: a line never starts inside it */
	UT_hash_handle hh;
};

struct chrome_state {
	bool written; /* at least one event: the next one needs a comma */
	struct chrome_vm *vms;
	struct chrome_pid *pids;
	struct chrome_thread *threads;
	struct chrome_console *consoles;
	int nr_vms;
	int nr_consoles;
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

/*
 * The "dur" of a slice from start_ns to end_ns. Viewers parse ts and dur into doubles and end
 * the slice at ts + dur. At real CLOCK_MONOTONIC stamps (~3e9 us, a double's step ~5e-7 us)
 * the exact decimal duration often adds up to a step past the next stage's parsed ts; the
 * next stage then begins inside the previous one, which speedscope nests ("Tried to end
 * Firmware when Bootloader was on the top of the stack"). So dur is the double difference of
 * the two parsed stamps: stamps within a factor 2 of each other subtract exactly (Sterbenz),
 * so ts + dur is exactly the next ts, also after a viewer subtracts its own origin first. It
 * differs from the exact duration by under a picosecond: dur * 1000 rounds to the exact
 * nanoseconds, which args.duration_ns also holds. When that double is the exact decimal's
 * own, the short decimal is written. ts stays absolute: see the top of the file.
 */
static struct json_object *slice_dur(uint64_t start_ns, uint64_t end_ns)
{
	double start = (double)start_ns / 1000.0, end = (double)end_ns / 1000.0;
	double dur = end - start, exact = (double)(end_ns - start_ns) / 1000.0;
	char buf[40];

	/* Not within a factor 2 (tiny synthetic stamps): never end past the next start. */
	while (dur > 0 && start + dur > end)
		dur = nextafter(dur, 0);
	if (dur == exact)
		return json_us(end_ns - start_ns);
	snprintf(buf, sizeof(buf), "%.17g", dur);
	return json_object_new_double_s(dur, buf);
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

/* The trace process of a VM; named on first sight. NULL only when out of memory. */
static struct chrome_vm *chrome_vm_of(struct output *out, const struct traced_vm *vm)
{
	struct chrome_state *st = out->priv;
	struct vm_key key = {.id = vm->id, .pid = vm->pid};
	struct chrome_vm *cv;
	struct chrome_pid *same_pid;
	char name[VM_NAME_MAX];

	HASH_FIND(hh, st->vms, &key, sizeof(key), cv);
	if (cv)
		return cv;
	HASH_FIND(hh, st->pids, &vm->pid, sizeof(vm->pid), same_pid);
	if (!same_pid) {
		same_pid = calloc(1, sizeof(*same_pid));
		if (!same_pid)
			return NULL;
		same_pid->pid = vm->pid;
		HASH_ADD(hh, st->pids, pid, sizeof(same_pid->pid), same_pid);
		if (!same_pid->hh.tbl) {
			free(same_pid);
			return NULL;
		}
	}
	cv = calloc(1, sizeof(*cv));
	if (!cv)
		return NULL;
	*cv = (struct chrome_vm){
	    .key = key,
	    .trace_pid = vm->pid + same_pid->vms * PID_SPACE,
	    .stage_tid = STAGE_TID_BASE + st->nr_vms + 1,
	};
	HASH_ADD(hh, st->vms, key, sizeof(key), cv);
	if (!cv->hh.tbl) {
		free(cv);
		return NULL;
	}
	same_pid->vms++;
	st->nr_vms++;
	emit_metadata(out, "process_name", cv->trace_pid, cv->stage_tid, "name",
		      json_object_new_string(traced_vm_name(vm, name)));
	emit_metadata(out, "process_sort_index", cv->trace_pid, cv->stage_tid, "sort_index",
		      json_object_new_int(st->nr_vms));
	emit_metadata(out, "thread_name", cv->trace_pid, cv->stage_tid, "name",
		      json_object_new_string("boot stages"));
	emit_metadata(out, "thread_sort_index", cv->trace_pid, cv->stage_tid, "sort_index",
		      json_object_new_int(-1));
	return cv;
}

/* Name a vCPU thread's track the first time it writes. */
static void name_thread(struct output *out, struct chrome_vm *cv, const struct boot_event *ev)
{
	struct chrome_state *st = out->priv;
	struct thread_key key = {.vm = cv->stage_tid - STAGE_TID_BASE, .tid = ev->tid};
	struct chrome_thread *t;
	char name[64];

	HASH_FIND(hh, st->threads, &key, sizeof(key), t);
	if (t)
		return;
	t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->key = key;
	HASH_ADD(hh, st->threads, key, sizeof(key), t);
	if (!t->hh.tbl) {
		free(t);
		return;
	}
	if (ev->vcpu == EVENT_VCPU_UNKNOWN)
		snprintf(name, sizeof(name), "vCPU ? (%s)", ev->thread);
	else
		snprintf(name, sizeof(name), "vCPU %" PRIu32 " (%s)", ev->vcpu, ev->thread);
	emit_metadata(out, "thread_name", cv->trace_pid, ev->tid, "name",
		      json_object_new_string(name));
	emit_metadata(out, "thread_sort_index", cv->trace_pid, ev->tid, "sort_index",
		      json_object_new_int64(ev->vcpu == EVENT_VCPU_UNKNOWN ? 100000 : ev->vcpu));
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

/* "since_start_ns" in args, where the VM's start was seen and ts_ns is not before it. */
static void add_since_start(struct json_object *args, const struct traced_vm *vm, uint64_t ts_ns)
{
	if (vm->start_ns && ts_ns >= vm->start_ns)
		json_object_object_add(args, "since_start_ns",
				       json_object_new_uint64(ts_ns - vm->start_ns));
}

/* "ttyS0 0x3f8" for the PC's four UARTs, else the port. */
static void console_name(char *buf, size_t len, const struct console_line *c)
{
	static const uint16_t com[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

	if (c->debugcon) {
		snprintf(buf, len, "debugcon 0x%x", c->port);
		return;
	}
	for (size_t i = 0; i < sizeof(com) / sizeof(com[0]); i++)
		if (c->port == com[i]) {
			snprintf(buf, len, "console ttyS%zu 0x%x", i, c->port);
			return;
		}
	snprintf(buf, len, "console 0x%x", c->port);
}

/* The track of a VM's console, named the first time it prints. NULL only when out of memory. */
static struct chrome_console *console_of(struct output *out, struct chrome_vm *cv,
					 const struct console_line *line)
{
	struct chrome_state *st = out->priv;
	struct console_key key = {.vm = cv->stage_tid - STAGE_TID_BASE,
				  .port = line->port | (line->debugcon ? CONSOLE_DEBUGCON : 0)};
	struct chrome_console *con;
	char name[64];

	HASH_FIND(hh, st->consoles, &key, sizeof(key), con);
	if (con)
		return con;
	con = calloc(1, sizeof(*con));
	if (!con)
		return NULL;
	con->key = key;
	con->tid = CONSOLE_TID_BASE + ++st->nr_consoles;
	HASH_ADD(hh, st->consoles, key, sizeof(key), con);
	if (!con->hh.tbl) {
		free(con);
		return NULL;
	}
	console_name(name, sizeof(name), line);
	emit_metadata(out, "thread_name", cv->trace_pid, con->tid, "name",
		      json_object_new_string(name));
	emit_metadata(out, "thread_sort_index", cv->trace_pid, con->tid, "sort_index",
		      json_object_new_int(CONSOLE_SORT_INDEX + cv->consoles++));
	return con;
}

/*
 * A line of console text: a slice from its first byte to its last on its console's track
 * (an instant when both are one stamp, or when a line would begin inside the one before,
 * which the decoder never makes but a file could).
 */
static void console_event(struct output *out, struct chrome_vm *cv, const struct traced_vm *vm,
			  const struct boot_event *ev)
{
	const struct console_line *line = &ev->console;
	struct chrome_console *con = console_of(out, cv, line);
	bool slice = line->last_ts_ns > ev->ts_ns;
	struct json_object *obj, *args;
	const char *text = line->text ? line->text : "";

	if (!con)
		return;
	if (con->end_ns && ev->ts_ns < con->end_ns)
		slice = false;
	obj = trace_event(*text ? text : "(empty line)", slice ? "X" : "i", ev->ts_ns,
			  cv->trace_pid, con->tid);
	if (slice) {
		json_object_object_add(obj, "dur", slice_dur(ev->ts_ns, line->last_ts_ns));
		con->end_ns = line->last_ts_ns;
	} else {
		json_object_object_add(obj, "s", json_object_new_string("t"));
	}
	json_object_object_add(obj, "cat", json_object_new_string("console"));
	args = json_object_new_object();
	json_object_object_add(args, "text", json_object_new_string(text));
	json_object_object_add(args, "port", json_object_new_int(line->port));
	json_object_object_add(args, "console",
			       json_object_new_string(line->debugcon ? "debugcon" : "uart"));
	if (ev->label)
		json_object_object_add(args, "stage", json_object_new_string(ev->label->name));
	add_since_start(args, vm, ev->ts_ns);
	if (line->last_ts_ns >= ev->ts_ns)
		json_object_object_add(args, "duration_ns",
				       json_object_new_uint64(line->last_ts_ns - ev->ts_ns));
	json_object_object_add(args, "tid", json_object_new_int64(ev->tid));
	json_object_object_add(args, "thread", json_object_new_string(ev->thread));
	if (line->truncated)
		json_object_object_add(args, "truncated", json_object_new_boolean(true));
	if (line->unterminated)
		json_object_object_add(args, "unterminated", json_object_new_boolean(true));
	json_object_object_add(obj, "args", args);
	emit(out, obj);
}

/* A host-side phase: an instant on the whole VM's process, named by the phase. */
static void phase_event(struct output *out, struct chrome_vm *cv, const struct traced_vm *vm,
			const struct boot_event *ev)
{
	struct json_object *obj, *args = json_object_new_object();

	obj = trace_event(ev->phase ? ev->phase : "phase", "i", ev->ts_ns, cv->trace_pid,
			  cv->stage_tid);
	json_object_object_add(obj, "s", json_object_new_string("p"));
	json_object_object_add(obj, "cat", json_object_new_string("phase"));
	if (ev->label)
		json_object_object_add(args, "stage", json_object_new_string(ev->label->name));
	add_since_start(args, vm, ev->ts_ns);
	json_object_object_add(obj, "args", args);
	emit(out, obj);
}

/* An I/O delay: not a marker, so on a track of its own beside the vCPUs' codes. */
static void io_delay_event(struct output *out, struct chrome_vm *cv, const struct traced_vm *vm,
			   const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	long long tid = IO_DELAY_TID_BASE + (cv->stage_tid - STAGE_TID_BASE);
	struct json_object *obj, *args = json_object_new_object();
	char name[64];

	if (!cv->io_delay_named) {
		emit_metadata(out, "thread_name", cv->trace_pid, tid, "name",
			      json_object_new_string("I/O delay"));
		emit_metadata(out, "thread_sort_index", cv->trace_pid, tid, "sort_index",
			      json_object_new_int(IO_DELAY_SORT_INDEX));
		cv->io_delay_named = true;
	}
	snprintf(name, sizeof(name), "I/O delay after port 0x%x", w->after_port);
	obj = trace_event(name, "i", ev->ts_ns, cv->trace_pid, tid);
	json_object_object_add(obj, "cat", json_object_new_string("io_delay"));
	json_object_object_add(obj, "s", json_object_new_string("t"));
	json_object_object_add(args, "port", json_object_new_int(w->port));
	json_object_object_add(args, "value", json_object_new_int64(w->value));
	json_object_object_add(args, "after_port", json_object_new_int(w->after_port));
	if (ev->vcpu != EVENT_VCPU_UNKNOWN)
		json_object_object_add(args, "vcpu", json_object_new_int64(ev->vcpu));
	json_object_object_add(args, "tid", json_object_new_int64(ev->tid));
	add_since_start(args, vm, ev->ts_ns);
	json_object_object_add(obj, "args", args);
	emit(out, obj);
}

static void chrome_event(struct output *out, const struct traced_vm *vm,
			 const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	const char *label;
	struct chrome_vm *cv;
	struct json_object *obj, *args;
	uint32_t code = w->value & 0xff;
	char name[96];

	if (ev->kind != EVENT_CODE && ev->kind != EVENT_CONSOLE && ev->kind != EVENT_PHASE)
		return;
	cv = chrome_vm_of(out, vm);
	if (!cv)
		return;
	if (ev->kind == EVENT_CONSOLE) {
		console_event(out, cv, vm, ev);
		return;
	}
	if (ev->kind == EVENT_PHASE) {
		phase_event(out, cv, vm, ev);
		return;
	}
	if (w->io_delay) {
		io_delay_event(out, cv, vm, ev);
		return;
	}
	label = ev->label->name;
	name_thread(out, cv, ev);
	if (w->mmio)
		snprintf(name, sizeof(name), "MMIO 0x%" PRIx64 ": %s value %" PRIu32, w->gpa, label,
			 w->value);
	else if (w->port == 0x80)
		snprintf(name, sizeof(name), "%s 0x%" PRIx32, label, code);
	else
		snprintf(name, sizeof(name), "port 0x%x: %s 0x%" PRIx32, w->port, label, code);
	obj = trace_event(name, "i", ev->ts_ns, cv->trace_pid, ev->tid);
	json_object_object_add(obj, "cat", json_object_new_string("code"));
	json_object_object_add(obj, "s", json_object_new_string("t"));
	args = json_object_new_object();
	json_object_object_add(args, "label", json_object_new_string(label));
	json_object_object_add(args, "code", json_object_new_int(code));
	json_object_object_add(args, "value", json_object_new_int64(w->value));
	if (w->mmio)
		json_object_object_add(args, "gpa", json_object_new_uint64(w->gpa));
	else
		json_object_object_add(args, "port", json_object_new_int(w->port));
	json_object_object_add(args, "size", json_object_new_int(w->size));
	if (ev->vcpu != EVENT_VCPU_UNKNOWN)
		json_object_object_add(args, "vcpu", json_object_new_int64(ev->vcpu));
	add_since_start(args, vm, ev->ts_ns);
	if (w->in_string)
		json_object_object_add(args, "string_index", json_object_new_int(w->index));
	if (w->rip_known)
		json_object_object_add(args, "rip", json_object_new_uint64(w->rip));
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

/* The stage slices, once the VM's stages are known. */
static void chrome_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct stage_row *rows;
	int n = boot_summary(&vm->stats, &rows);
	struct chrome_vm *cv = n > 0 ? chrome_vm_of(out, vm) : NULL;

	for (int i = 0; cv && i < n; i++) {
		struct json_object *obj, *args = json_object_new_object();

		obj =
		    trace_event(rows[i].label, "X", rows[i].first_ns, cv->trace_pid, cv->stage_tid);
		json_object_object_add(
		    obj, "dur",
		    slice_dur(rows[i].first_ns, rows[i].first_ns + rows[i].duration_ns));
		json_object_object_add(obj, "cat", json_object_new_string("stage"));
		json_object_object_add(args, "codes", json_object_new_int64(rows[i].codes));
		json_object_object_add(args, "duration_ns",
				       json_object_new_uint64(rows[i].duration_ns));
		add_since_start(args, vm, rows[i].first_ns);
		json_object_object_add(obj, "args", args);
		emit(out, obj);
	}
	free(rows);
}

static void chrome_summary(struct output *out, const struct vm_table *vms,
			   const struct trace_totals *totals)
{
	struct chrome_state *st = out->priv;

	/* A file of several runs (report of concatenated jsonl) has a summary per run: sum. */
	st->totals.events += totals->events;
	FOR_EACH_LOSS (i)
		st->totals.lost[i] += totals->lost[i];
	st->totals.losses_unknown |= totals->losses_unknown;
	st->totals.reopen_failures += totals->reopen_failures;
	st->have_totals = true;
}

static void chrome_close(struct output *out)
{
	struct chrome_state *st = out->priv;
	struct json_object *other = json_object_new_object();

	json_object_object_add(other, "tool",
			       json_object_new_string("boot-trace " BOOT_TRACE_VERSION));
	json_object_object_add(other, "clock", json_object_new_string("CLOCK_MONOTONIC"));
	if (out->have_anchor) {
		struct json_object *anchor = json_object_new_object();
		char wall[48];

		format_wall_clock(wall, sizeof(wall), &out->anchor, out->anchor.monotonic_ns);
		json_object_object_add(anchor, "monotonic_ns",
				       json_object_new_uint64(out->anchor.monotonic_ns));
		json_object_object_add(anchor, "realtime_ns",
				       json_object_new_uint64(out->anchor.realtime_ns));
		json_object_object_add(anchor, "realtime", json_object_new_string(wall));
		json_object_object_add(other, "clock_anchor", anchor);
	}
	if (st && st->have_totals) {
		json_object_object_add(other, "events", json_object_new_uint64(st->totals.events));
		FOR_EACH_LOSS (i)
			json_object_object_add(other, loss_counters[i].key,
					       json_object_new_uint64(st->totals.lost[i]));
	}
	fprintf(out->fp, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":%s}\n",
		json_object_to_json_string_ext(other, JSON_C_TO_STRING_PLAIN));
	json_object_put(other);
	while (st && st->vms) {
		struct chrome_vm *cv = st->vms;

		HASH_DEL(st->vms, cv);
		free(cv);
	}
	while (st && st->pids) {
		struct chrome_pid *p = st->pids;

		HASH_DEL(st->pids, p);
		free(p);
	}
	while (st && st->threads) {
		struct chrome_thread *t = st->threads;

		HASH_DEL(st->threads, t);
		free(t);
	}
	while (st && st->consoles) {
		struct chrome_console *con = st->consoles;

		HASH_DEL(st->consoles, con);
		free(con);
	}
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
