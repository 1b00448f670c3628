// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "boot_trace.h"
#include "console_text.h"
#include "decode.h"
#include "text.h"

_Static_assert(BT_MAX_PORTS == LABEL_PORTS_MAX, "a label map per traced port");
_Static_assert(BT_COMM_LEN == EVENT_THREAD_MAX, "a thread name is the kernel's comm");
_Static_assert(BT_VCPU_UNKNOWN == EVENT_VCPU_UNKNOWN && BT_VM_UNKNOWN == EVENT_VM_UNKNOWN,
	       "the kernel side's unknowns are the event's");

bool decode_is_io_delay(const struct label_set *labels, uint16_t port, uint16_t prev_port)
{
	if (port != BT_IO_DELAY_PORT || prev_port >= BT_LEGACY_PORTS_END || prev_port == port)
		return false;
	for (int i = 0; labels && i < labels->nr && i < LABEL_PORTS_MAX; i++)
		if (labels->ports[i] == prev_port)
			return false; /* a marker right after another marker */
	return true;
}

static void decode_write(const struct label_set *labels, const struct bt_event *rec,
			 struct boot_event *ev)
{
	struct code_write *w = &ev->code;

	ev->kind = EVENT_CODE;
	w->mmio = rec->type == BT_EV_MMIO;
	w->port = rec->port;
	/* aux holds an MMIO write's address, or a port write's RIP (when flagged). */
	w->gpa = w->mmio ? rec->aux : 0;
	w->size = rec->size;
	w->value = rec->value;
	w->in_string = rec->flags & BT_PIO_STRING;
	w->index = rec->index;
	w->truncated = rec->flags & BT_PIO_TRUNCATED;
	w->rip_known = !w->mmio && (rec->flags & BT_PIO_RIP);
	w->rip = w->rip_known ? rec->aux : 0;
	w->io_delay = !w->mmio && !w->in_string && (rec->flags & BT_PIO_AFTER_IO) &&
		      decode_is_io_delay(labels, w->port, rec->prev_port);
	w->after_port = w->io_delay ? rec->prev_port : 0;
	ev->label =
	    w->io_delay ? &label_io_delay : label_of_write(labels, w->mmio, w->port, w->value);
}

/* A console line: its text cleaned for people and greps, then matched by the rules. */
static int decode_console(struct decoder *d, const struct bt_event *rec, const void *data,
			  size_t size, struct boot_event *ev)
{
	const struct bt_console_event *ce = data;
	struct console_line *line = &ev->console;

	if (!d || size < sizeof(*ce) || ce->len > BT_CONSOLE_LINE_MAX || rec->aux < rec->ts_ns ||
	    (rec->value != BT_CONSOLE_UART && rec->value != BT_CONSOLE_DEBUGCON))
		return -EINVAL;
	ev->kind = EVENT_CONSOLE;
	ev->vcpu = EVENT_VCPU_UNKNOWN; /* a console is the VM's */
	line->port = rec->port;
	line->debugcon = rec->value == BT_CONSOLE_DEBUGCON;
	line->last_ts_ns = rec->aux;
	line->truncated = ce->line_flags & BT_LINE_TRUNCATED;
	line->unterminated = ce->line_flags & BT_LINE_UNTERMINATED;
	console_text_clean(ce->text, ce->len, d->text, sizeof(d->text));
	line->text = d->text;
	ev->label = d->rules ? console_rules_match(d->rules, d->text) : NULL;
	return 0;
}

static const char *const phase_names[] = {
    [BT_PHASE_FIRST_VCPU] = PHASE_FIRST_VCPU,
    [BT_PHASE_FIRST_ENTRY] = PHASE_FIRST_ENTRY,
    [BT_PHASE_FIRST_EXIT] = PHASE_FIRST_EXIT,
};

static int decode_phase(const struct bt_event *rec, struct boot_event *ev)
{
	if (rec->value >= sizeof(phase_names) / sizeof(phase_names[0]) || !phase_names[rec->value])
		return -EINVAL;
	ev->kind = EVENT_PHASE;
	ev->phase = phase_names[rec->value];
	return 0;
}

/* data/size: the whole record, which may carry the command line the kernel read. */
static void decode_vm_create(const struct bt_event *rec, const void *data, size_t size,
			     struct boot_event *ev)
{
	const struct bt_vm_event *ve = data;

	ev->kind = EVENT_VM_CREATE;
	ev->create.fd = rec->aux <= INT_MAX ? (int)rec->aux : -1;
	if (size >= sizeof(*ve) && ve->cmdline_len <= BT_CMDLINE_MAX) {
		ev->create.cmdline = ve->cmdline;
		ev->create.cmdline_len = ve->cmdline_len;
	}
}

int decode_record(struct decoder *d, const void *data, size_t size, struct boot_event *ev)
{
	const struct label_set *labels = d ? d->labels : NULL;
	struct bt_event rec;

	if (size < sizeof(rec))
		return -EINVAL;
	memcpy(&rec, data, sizeof(rec));
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = rec.ts_ns;
	ev->pid = rec.tgid;
	ev->tid = rec.tid;
	ev->vm_id = rec.vm_id;
	ev->vcpu = rec.vcpu;
	memcpy(ev->thread, rec.comm, sizeof(ev->thread) - 1);
	text_sanitize(ev->thread); /* a thread name is whatever its process set */
	switch (rec.type) {
	case BT_EV_PIO:
	case BT_EV_MMIO:
		decode_write(labels, &rec, ev);
		return 0;
	case BT_EV_VM_CREATE:
		decode_vm_create(&rec, data, size, ev);
		return 0;
	case BT_EV_PROC_EXIT:
		ev->kind = EVENT_PROC_EXIT;
		ev->exit_status = rec.value;
		return 0;
	case BT_EV_CONSOLE:
		return decode_console(d, &rec, data, size, ev);
	case BT_EV_PHASE:
		return decode_phase(&rec, ev);
	default:
		return -EINVAL;
	}
}
