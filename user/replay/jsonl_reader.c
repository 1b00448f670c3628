// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A recorded jsonl trace, read back line by line with json-c. Nothing in the file is
 * trusted: a line is bounded (JSONL_MAX_LINE), every field used is checked for its JSON
 * type and range, and the first problem stops the replay with "FILE:LINE: what".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "decode.h"
#include "jsonl_reader.h"
#include "text.h"

struct reader {
	const char *name;
	unsigned long line;
	char *err;
	size_t errlen;
	const struct replay_ops *ops;
	void *ctx;
	struct vm_table vms;
	uint64_t events; /* events of the current run */
	bool run_open;	 /* records seen since the last run end */
	unsigned long records;
	const char *type;	       /* of the record being read, for messages */
	char text[JSONL_TEXT_MAX + 1]; /* the console line being read, kept printable */
};

__attribute__((format(printf, 2, 3))) static int fail(struct reader *r, const char *fmt, ...)
{
	size_t n;
	va_list args;

	if (r->line)
		n = snprintf(r->err, r->errlen, "%s:%lu: ", r->name, r->line);
	else
		n = snprintf(r->err, r->errlen, "%s: ", r->name);
	if (n < r->errlen) {
		va_start(args, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, args);
		va_end(args);
	}
	return -EINVAL;
}

static const char *type_name(struct json_object *v)
{
	return v ? json_type_to_name(json_object_get_type(v)) : "null";
}

/* An integer field in [0, max]; with nullable, null gives *known = false. */
static int get_uint(struct reader *r, struct json_object *rec, const char *key, uint64_t max,
		    bool nullable, uint64_t *out, bool *known)
{
	struct json_object *v;

	if (known)
		*known = false;
	if (!json_object_object_get_ex(rec, key, &v))
		return fail(r, "%s record without \"%s\"", r->type, key);
	if (!v && nullable)
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_uint64(v) > max) {
		char range[48] = "a non-negative integer";
		bool is_int = json_object_is_type(v, json_type_int);

		if (max != UINT64_MAX)
			snprintf(range, sizeof(range), "an integer from 0 to %llu",
				 (unsigned long long)max);
		return fail(r, "%s record: \"%s\" must be %s, not %s%s%s", r->type, key, range,
			    is_int ? "" : "a ",
			    is_int ? json_object_to_json_string(v) : type_name(v),
			    nullable ? " (or null)" : "");
	}
	*out = json_object_get_uint64(v);
	if (known)
		*known = true;
	return 0;
}

static int get_string(struct reader *r, struct json_object *rec, const char *key, const char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(rec, key, &v))
		return fail(r, "%s record without \"%s\"", r->type, key);
	if (!json_object_is_type(v, json_type_string))
		return fail(r, "%s record: \"%s\" must be a string, not %s", r->type, key,
			    type_name(v));
	*out = json_object_get_string(v);
	/* "\u0000" decodes to a NUL that would cut the string short without a word. */
	if ((size_t)json_object_get_string_len(v) != strlen(*out))
		return fail(r, "%s record: \"%s\" holds a NUL character (\\u0000)", r->type, key);
	return 0;
}

/* An optional field: absent is fine, present must be right. */
static int get_opt_uint(struct reader *r, struct json_object *rec, const char *key, uint64_t max,
			uint64_t *out, bool *known)
{
	*known = false;
	if (!json_object_object_get_ex(rec, key, NULL))
		return 0;
	return get_uint(r, rec, key, max, true, out, known);
}

/* An optional flag: absent is false, present must be true or false. */
static int get_opt_bool(struct reader *r, struct json_object *rec, const char *key, bool *out)
{
	struct json_object *v;

	*out = false;
	if (!json_object_object_get_ex(rec, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(r, "%s record: \"%s\" must be true or false, not %s", r->type, key,
			    type_name(v));
	*out = json_object_get_boolean(v);
	return 0;
}

/* The VM a record is about: pid, comm and vm, as in every VM-level record. */
static int get_vm(struct reader *r, struct json_object *rec, struct traced_vm **vm, bool *created)
{
	uint64_t pid, id;
	const char *comm;
	bool id_known;
	int err;

	err = get_uint(r, rec, "pid", INT32_MAX, false, &pid, NULL) ?:
	      get_string(r, rec, "comm", &comm) ?:
	      get_uint(r, rec, "vm", UINT32_MAX, true, &id, &id_known);
	if (err)
		return err;
	if (!id_known)
		id = EVENT_VM_UNKNOWN;
	*vm = vm_table_find(&r->vms, pid, id);
	*created = !*vm;
	if (!*vm)
		*vm = vm_table_get(&r->vms, pid, id, comm);
	if (!*vm)
		return fail(r, "out of memory");
	return 0;
}

static void end_run(struct reader *r, const struct trace_totals *recorded)
{
	struct trace_totals totals = {.events = r->events, .losses_unknown = true};

	for (struct traced_vm *vm = r->vms.head; vm; vm = vm->next)
		if (!vm->end_ns && r->ops->vm_summary)
			r->ops->vm_summary(r->ctx, vm);
	if (r->ops->run_end)
		r->ops->run_end(r->ctx, &r->vms, recorded ?: &totals);
	vm_table_free(&r->vms);
	vm_table_init(&r->vms);
	r->events = 0;
	r->run_open = false;
}

static int on_vm_start(struct reader *r, struct json_object *rec)
{
	struct json_object *seen;
	struct traced_vm *vm;
	uint64_t ts;
	bool created;
	int err;

	err = get_uint(r, rec, "ts_ns", UINT64_MAX, false, &ts, NULL);
	if (err)
		return err;
	if (!json_object_object_get_ex(rec, "start_seen", &seen) ||
	    !json_object_is_type(seen, json_type_boolean))
		return fail(r, "vm_start record: \"start_seen\" must be true or false, not %s",
			    json_object_object_get_ex(rec, "start_seen", NULL) ? type_name(seen)
									       : "missing");
	err = get_vm(r, rec, &vm, &created);
	if (err)
		return err;
	if (!created && (vm->start_ns || vm->found_ns || vm->end_ns)) {
		/* The same VM starting again: a new run concatenated without its summary. */
		end_run(r, NULL);
		err = get_vm(r, rec, &vm, &created);
		if (err)
			return err;
	}
	/*
	 * Its writes and lines read so far (an event record may come first) cannot precede its
	 * start; its VMM's start (the "VMM set-up" stage) can.
	 */
	for (int i = 0; i < vm->stats.nr; i++)
		if (vm->stats.stage[i].first_ns < ts &&
		    strcmp(vm->stats.stage[i].label, label_vmm_setup.name))
			return fail(
			    r, "vm_start record: \"ts_ns\" %llu is after its VM's write at %llu",
			    (unsigned long long)ts,
			    (unsigned long long)vm->stats.stage[i].first_ns);
	if (json_object_get_boolean(seen))
		vm->start_ns = ts;
	else
		vm->found_ns = ts;
	/* Optional (traces from before it was recorded); bounded and kept printable. */
	if (json_object_object_get_ex(rec, "cmdline", NULL)) {
		const char *cmdline;

		err = get_string(r, rec, "cmdline", &cmdline);
		if (err)
			return err;
		snprintf(vm->cmdline, sizeof(vm->cmdline), "%s", cmdline);
		text_sanitize(vm->cmdline);
	}
	if (r->ops->vm_start)
		r->ops->vm_start(r->ctx, vm);
	return 0;
}

/*
 * The label an event was recorded with (key: an event's "label", a console line's "stage"),
 * as one label for the program's lifetime: a name a label map or a console rule could have
 * given (printable ASCII, 1 to LABEL_NAME_MAX - 1 bytes).
 */
static int get_label(struct reader *r, struct json_object *rec, const char *key,
		     const struct label **label)
{
	const char *name;
	size_t len;
	int err = get_string(r, rec, key, &name);

	if (err)
		return err;
	len = strlen(name);
	if (!len || len >= LABEL_NAME_MAX)
		return fail(r, "%s record: \"%s\" must be 1 to %d characters long, not %zu",
			    r->type, key, LABEL_NAME_MAX - 1, len);
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			return fail(r, "%s record: \"%s\" must be printable ASCII", r->type, key);
	*label = label_intern(name);
	if (!*label)
		return fail(r, "more than %d different labels (or out of memory)",
			    LABEL_INTERN_MAX);
	return 0;
}

/*
 * An event's stamps against its VM's start: a VM whose start record is missing still has its
 * start in every event; what cannot be true is an event before its VM started (only its
 * VMM's start may be: before_start) or a time since start that does not match the stamps
 * (wrapped times would follow).
 */
static int check_stamps(struct reader *r, struct traced_vm *vm, uint64_t ts, uint64_t since,
			bool since_known, bool before_start)
{
	if (!vm->start_ns && since_known && since <= ts)
		vm->start_ns = ts - since;
	if (vm->start_ns && ts < vm->start_ns && !before_start)
		return fail(r, "%s record: \"ts_ns\" %llu is before its VM's start %llu", r->type,
			    (unsigned long long)ts, (unsigned long long)vm->start_ns);
	if (since_known && (since > ts || ts - since != vm->start_ns))
		return fail(r,
			    "%s record: \"since_start_ns\" %llu does not match \"ts_ns\" %llu "
			    "and its VM's start %llu",
			    r->type, (unsigned long long)since, (unsigned long long)ts,
			    (unsigned long long)vm->start_ns);
	return 0;
}

/* The event, counted in its VM's statistics, to the outputs. */
static int replay_event(struct reader *r, struct traced_vm *vm, struct boot_event *ev)
{
	ev->pid = vm->pid;
	ev->vm_id = vm->id;
	if (traced_vm_observe(vm, ev))
		return fail(r, "out of memory");
	if (ev->kind == EVENT_CODE)
		r->events++; /* the summary's "events": writes, as a live session counts them */
	if (r->ops->event)
		r->ops->event(r->ctx, vm, ev);
	return 0;
}

static int on_event(struct reader *r, struct json_object *rec)
{
	uint64_t ts, since, tid, vcpu, port, gpa, size, value, code, index, rip, after = 0;
	bool since_known, vcpu_known, port_known, index_known, rip_known, created, io_delay;
	struct boot_event ev = {.kind = EVENT_CODE};
	struct code_write *w = &ev.code;
	struct json_object *trunc;
	const char *thread;
	struct traced_vm *vm;
	int err;

	err = get_uint(r, rec, "ts_ns", UINT64_MAX, false, &ts, NULL) ?:
	      get_uint(r, rec, "since_start_ns", UINT64_MAX, true, &since, &since_known) ?:
	      get_uint(r, rec, "tid", INT32_MAX, false, &tid, NULL) ?:
	      get_string(r, rec, "thread", &thread) ?:
	      get_uint(r, rec, "vcpu", UINT32_MAX - 1, true, &vcpu, &vcpu_known) ?:
	      get_uint(r, rec, "port", 0xffff, true, &port, &port_known) ?:
	      /* An --mmio write: no port, the guest physical address instead. */
	      (port_known ? 0 : get_uint(r, rec, "gpa", UINT64_MAX, false, &gpa, NULL)) ?:
	      get_uint(r, rec, "size", 8, false, &size, NULL) ?:
	      get_uint(r, rec, "value", UINT32_MAX, false, &value, NULL) ?:
	      get_uint(r, rec, "code", 0xff, false, &code, NULL) ?:
	      get_label(r, rec, "label", &ev.label) ?:
	      get_opt_uint(r, rec, "string_index", UINT16_MAX, &index, &index_known) ?:
	      get_opt_uint(r, rec, "rip", UINT64_MAX, &rip, &rip_known) ?:
	      get_opt_bool(r, rec, "io_delay", &io_delay) ?:
	      /* An I/O delay: the legacy port it followed, under the label that is no stage. */
	      (io_delay ? get_uint(r, rec, "after_port", 0xffff, false, &after, NULL) : 0) ?:
	      get_vm(r, rec, &vm, &created);
	if (err)
		return err;
	if (io_delay && !port_known)
		return fail(r, "event record: an MMIO write (\"port\" null) is no I/O delay");
	/* As the decoder tells one: the delay port, after another legacy port. */
	if (io_delay && !decode_is_io_delay(NULL, port, after))
		return fail(
		    r, "event record: port %llu after port %llu is no I/O delay (\"after_port\")",
		    (unsigned long long)port, (unsigned long long)after);
	if (io_delay && strcmp(ev.label->name, label_io_delay.name))
		return fail(r, "event record: an I/O delay's \"label\" must be \"%s\"",
			    label_io_delay.name);
	if (code != (value & 0xff))
		return fail(r, "event record: \"code\" %llu is not the low byte of \"value\" %llu",
			    (unsigned long long)code, (unsigned long long)value);
	if (!port_known && rip_known)
		return fail(r, "event record: an MMIO write (\"port\" null) has no \"rip\"");
	err = check_stamps(r, vm, ts, since, since_known, false);
	if (err)
		return err;
	ev.ts_ns = ts;
	ev.tid = tid;
	ev.vcpu = vcpu_known ? vcpu : EVENT_VCPU_UNKNOWN;
	snprintf(ev.thread, sizeof(ev.thread), "%s", thread);
	text_sanitize(ev.thread);
	w->mmio = !port_known;
	w->port = port_known ? port : 0;
	w->gpa = port_known ? 0 : gpa;
	w->size = size;
	w->value = value;
	w->in_string = index_known;
	w->index = index_known ? index : 0;
	w->truncated =
	    json_object_object_get_ex(rec, "truncated", &trunc) && json_object_get_boolean(trunc);
	w->rip_known = rip_known;
	w->rip = rip_known ? rip : 0;
	w->io_delay = io_delay;
	w->after_port = after;
	if (io_delay)
		ev.label = &label_io_delay; /* as the decoder gives it */
	return replay_event(r, vm, &ev);
}

/* A console line: its text as recorded (kept printable), the stage a rule matched if any. */
static int on_console(struct reader *r, struct json_object *rec)
{
	uint64_t ts, since, last, tid, port;
	bool since_known, created, truncated, unterminated;
	struct boot_event ev = {.kind = EVENT_CONSOLE, .vcpu = EVENT_VCPU_UNKNOWN};
	struct console_line *c = &ev.console;
	const char *thread, *kind, *text;
	struct traced_vm *vm;
	size_t len;
	int err;

	err = get_uint(r, rec, "ts_ns", UINT64_MAX, false, &ts, NULL) ?:
	      get_uint(r, rec, "since_start_ns", UINT64_MAX, true, &since, &since_known) ?:
	      get_uint(r, rec, "last_ts_ns", UINT64_MAX, false, &last, NULL) ?:
	      get_uint(r, rec, "tid", INT32_MAX, false, &tid, NULL) ?:
	      get_string(r, rec, "thread", &thread) ?:
	      get_uint(r, rec, "port", 0xffff, false, &port, NULL) ?:
	      get_string(r, rec, "console", &kind) ?:
	      get_string(r, rec, "text", &text) ?:
	      (json_object_object_get_ex(rec, "stage", NULL) ? get_label(r, rec, "stage", &ev.label)
							     : 0) ?:
	      get_opt_bool(r, rec, "truncated", &truncated) ?:
	      get_opt_bool(r, rec, "unterminated", &unterminated) ?:
	      get_vm(r, rec, &vm, &created);
	if (err)
		return err;
	if (strcmp(kind, "uart") && strcmp(kind, "debugcon"))
		return fail(r, "console record: \"console\" must be \"uart\" or \"debugcon\"");
	if (last < ts)
		return fail(r, "console record: \"last_ts_ns\" %llu is before \"ts_ns\" %llu",
			    (unsigned long long)last, (unsigned long long)ts);
	len = strlen(text);
	if (len > JSONL_TEXT_MAX)
		return fail(r, "console record: \"text\" is longer than %d bytes", JSONL_TEXT_MAX);
	err = check_stamps(r, vm, ts, since, since_known, false);
	if (err)
		return err;
	memcpy(r->text, text, len + 1);
	text_sanitize(r->text);
	ev.ts_ns = ts;
	ev.tid = tid;
	snprintf(ev.thread, sizeof(ev.thread), "%s", thread);
	text_sanitize(ev.thread);
	c->port = port;
	c->debugcon = !strcmp(kind, "debugcon");
	c->last_ts_ns = last;
	c->text = r->text;
	c->truncated = truncated;
	c->unterminated = unterminated;
	return replay_event(r, vm, &ev);
}

static const char *const phases[] = {
    PHASE_VMM_START,   PHASE_VM_CREATE,	 PHASE_FIRST_VCPU,
    PHASE_FIRST_ENTRY, PHASE_FIRST_EXIT, PHASE_VM_END,
};

/*
 * A host-side phase. Only the phases this reader knows are kept: a phase of a newer writer is
 * skipped, as a record of an unknown type is. vmm_start and vm_create start "VMM set-up"; the
 * VMM's start may come before its VM's.
 */
static int on_phase(struct reader *r, struct json_object *rec)
{
	struct boot_event ev = {.kind = EVENT_PHASE, .vcpu = EVENT_VCPU_UNKNOWN};
	uint64_t ts, since;
	bool since_known, created;
	struct traced_vm *vm;
	const char *name;
	int err;

	err = get_uint(r, rec, "ts_ns", UINT64_MAX, false, &ts, NULL) ?:
	      get_uint(r, rec, "since_start_ns", UINT64_MAX, true, &since, &since_known) ?:
	      get_string(r, rec, "name", &name);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]) && !ev.phase; i++)
		if (!strcmp(name, phases[i]))
			ev.phase = phases[i];
	if (!ev.phase)
		return 0;
	err = get_vm(r, rec, &vm, &created)
		  ?: check_stamps(r, vm, ts, since, since_known, ev.phase == phases[0]);
	if (err)
		return err;
	if (ev.phase == phases[0] || ev.phase == phases[1])
		ev.label = &label_vmm_setup;
	ev.ts_ns = ts;
	return replay_event(r, vm, &ev);
}

/* How the VM ended: an exit status or signal means its VMM exited; else the "reason" says. */
static enum vm_end_reason end_reason(struct json_object *rec, bool exited)
{
	struct json_object *v;

	if (exited)
		return VM_END_EXIT;
	if (json_object_object_get_ex(rec, "reason", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    !strcmp(json_object_get_string(v), "VM closed"))
		return VM_END_CLOSED;
	return VM_END_GONE;
}

static int on_vm_end(struct reader *r, struct json_object *rec)
{
	uint64_t ts, status, sig;
	bool status_known, sig_known, created;
	struct traced_vm *vm;
	int err;

	err = get_uint(r, rec, "ts_ns", UINT64_MAX, false, &ts, NULL) ?:
	      get_uint(r, rec, "exit_status", 255, true, &status, &status_known) ?:
	      get_uint(r, rec, "signal", 64, true, &sig, &sig_known) ?:
	      get_vm(r, rec, &vm, &created);
	if (err)
		return err;
	if (vm->end_ns)
		return fail(r, "vm_end record for a VM that already ended");
	if (!ts)
		return fail(r, "vm_end record: \"ts_ns\" must not be 0");
	if (ts < (vm->start_ns ?: vm->found_ns))
		return fail(r, "vm_end record: \"ts_ns\" %llu is before its VM's start %llu",
			    (unsigned long long)ts,
			    (unsigned long long)(vm->start_ns ?: vm->found_ns));
	vm->end_ns = ts;
	/* Back to a wait(2) status, as the live session has it. */
	vm->exit_status = sig_known ? sig : status_known ? status << 8 : 0;
	vm->end_reason = end_reason(rec, status_known || sig_known);
	if (r->ops->vm_end)
		r->ops->vm_end(r->ctx, vm);
	if (r->ops->vm_summary)
		r->ops->vm_summary(r->ctx, vm);
	return 0;
}

static int on_summary(struct reader *r, struct json_object *rec)
{
	struct trace_totals totals = {};
	struct json_object *vms;
	bool known;
	int err;

	err = get_uint(r, rec, "events", UINT64_MAX, false, &totals.events, NULL);
	FOR_EACH_LOSS (i) {
		const struct loss_counter *c = &loss_counters[i];

		if (err)
			break;
		err = c->required
			  ? get_uint(r, rec, c->key, UINT64_MAX, false, &totals.lost[i], NULL)
			  : get_opt_uint(r, rec, c->key, UINT64_MAX, &totals.lost[i], &known);
	}
	if (err)
		return err;
	if (!json_object_object_get_ex(rec, "vms", &vms) ||
	    !json_object_is_type(vms, json_type_array))
		return fail(r, "summary record: \"vms\" must be an array");
	end_run(r, &totals);
	return 0;
}

static int on_clock(struct reader *r, struct json_object *rec)
{
	struct clock_anchor anchor;
	int err =
	    get_uint(r, rec, "monotonic_ns", UINT64_MAX, false, &anchor.monotonic_ns, NULL)
		?: get_uint(r, rec, "realtime_ns", UINT64_MAX, false, &anchor.realtime_ns, NULL);

	if (err)
		return err;
	if (r->ops->clock)
		r->ops->clock(r->ctx, &anchor);
	return 0;
}

static int on_record(struct reader *r, struct json_object *rec)
{
	struct json_object *type;

	if (!json_object_is_type(rec, json_type_object))
		return fail(r, "expected a JSON object, found %s", type_name(rec));
	if (!json_object_object_get_ex(rec, "type", &type) ||
	    !json_object_is_type(type, json_type_string))
		return fail(r, "record without a \"type\" string");
	r->type = json_object_get_string(type);
	r->records++;
	if (!strcmp(r->type, "summary"))
		return on_summary(r, rec);
	r->run_open = true;
	if (!strcmp(r->type, "clock"))
		return on_clock(r, rec);
	if (!strcmp(r->type, "vm_start"))
		return on_vm_start(r, rec);
	if (!strcmp(r->type, "event"))
		return on_event(r, rec);
	if (!strcmp(r->type, "console"))
		return on_console(r, rec);
	if (!strcmp(r->type, "phase"))
		return on_phase(r, rec);
	if (!strcmp(r->type, "vm_end"))
		return on_vm_end(r, rec);
	/* vm_summary is rebuilt from the events; newer record types are skipped. */
	return 0;
}

/*
 * One line into buf (no newline, NUL-terminated). Returns its length, -1 at the end of the
 * file, -EFBIG past JSONL_MAX_LINE, -EIO on a read error. *newline: it ended with one.
 */
static long read_line(FILE *fp, char *buf, bool *newline)
{
	size_t len = 0;
	int c;

	*newline = false;
	while ((c = getc_unlocked(fp)) != EOF) {
		if (c == '\n') {
			*newline = true;
			break;
		}
		if (len == JSONL_MAX_LINE)
			return -EFBIG;
		buf[len++] = c;
	}
	if (ferror(fp))
		return -EIO;
	if (c == EOF && len == 0)
		return -1;
	buf[len] = '\0';
	return len;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/*
 * json-c clamps an integer past 2^64 - 1 to UINT64_MAX without a word: look for one in the
 * line's text first (outside strings), so that it stops the read like any range error. The
 * digits after a '.', an exponent or a minus sign are not such an integer (the fields'
 * checks refuse those numbers anyway).
 */
static int check_integer_range(struct reader *r, const char *buf, size_t len)
{
	static const char max[] = "18446744073709551615"; /* UINT64_MAX */
	bool in_string = false;
	size_t i = 0, j;

	while (i < len) {
		char c = buf[i];

		if (in_string) {
			i += c == '\\' ? 2 : 1;
			in_string = c != '"';
			continue;
		}
		if (c == '"' || c < '0' || c > '9') {
			in_string = c == '"';
			i++;
			continue;
		}
		for (j = i; j < len && buf[j] >= '0' && buf[j] <= '9'; j++)
			;
		if (!(i && strchr(".eE+-", buf[i - 1])) &&
		    (j - i > sizeof(max) - 1 ||
		     (j - i == sizeof(max) - 1 && memcmp(buf + i, max, j - i) > 0)))
			return fail(r, "the integer at column %zu is out of range (above %s)",
				    i + 1, max);
		i = j;
	}
	return 0;
}

static int parse_line(struct reader *r, struct json_tokener *tok, const char *buf, size_t len,
		      bool newline)
{
	struct json_object *rec;
	enum json_tokener_error jerr;
	size_t end;
	int err;

	if (memchr(buf, '\0', len))
		return fail(r, "NUL byte in the line: not a jsonl trace");
	json_tokener_reset(tok);
	rec = json_tokener_parse_ex(tok, buf, len);
	jerr = json_tokener_get_error(tok);
	if (!rec && jerr == json_tokener_continue)
		return fail(r, newline ? "incomplete JSON record"
				       : "truncated record: the file ends in the middle of it");
	if (!rec && jerr != json_tokener_success)
		return fail(r, "invalid JSON at column %zu: %s",
			    json_tokener_get_parse_end(tok) + 1, json_tokener_error_desc(jerr));
	end = json_tokener_get_parse_end(tok);
	if (!blank(buf + end, len - end)) {
		json_object_put(rec);
		return fail(r, "unexpected text after the JSON record at column %zu", end + 1);
	}
	err = check_integer_range(r, buf, len) ?: on_record(r, rec);
	json_object_put(rec);
	return err;
}

int jsonl_replay_stream(FILE *fp, const char *name, const struct replay_ops *ops, void *ctx,
			char *errbuf, size_t errlen)
{
	struct reader r = {.name = name, .err = errbuf, .errlen = errlen, .ops = ops, .ctx = ctx};
	char *buf = malloc(JSONL_MAX_LINE + 1);
	struct json_tokener *tok = json_tokener_new();
	bool newline;
	long len;
	int err = 0;

	vm_table_init(&r.vms);
	if (!buf || !tok) {
		err = fail(&r, "out of memory");
		goto out;
	}
	for (;;) {
		len = read_line(fp, buf, &newline);
		if (len == -1)
			break;
		r.line++;
		if (len == -EFBIG) {
			err = fail(&r, "line longer than %u bytes: not a jsonl trace",
				   JSONL_MAX_LINE);
			goto out;
		}
		if (len < 0) {
			int e = errno;

			r.line--; /* the lines before were read */
			err = fail(&r, "cannot read%s: %s", r.line ? " further" : "", strerror(e));
			goto out;
		}
		if (blank(buf, len))
			continue;
		err = parse_line(&r, tok, buf, len, newline);
		if (err)
			goto out;
	}
	if (!r.records) {
		const char *what = r.line ? "only blank lines" : "empty file";

		r.line = 0;
		err = fail(&r, "%s: no boot-trace records", what);
		goto out;
	}
	if (r.run_open)
		end_run(&r, NULL);
out:
	vm_table_free(&r.vms);
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return err;
}

int jsonl_replay(const char *path, const struct replay_ops *ops, void *ctx, char *err,
		 size_t errlen)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int ret;

	if (!fp) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return ret;
	}
	ret = jsonl_replay_stream(fp, strcmp(path, "-") ? path : "standard input", ops, ctx, err,
				  errlen);
	if (fp != stdin)
		fclose(fp);
	return ret;
}
