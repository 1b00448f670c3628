// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "boot_trace.h"
#include "decode.h"
#include "text.h"

_Static_assert(BT_MAX_PORTS == LABEL_PORTS_MAX, "a label map per traced port");
_Static_assert(BT_COMM_LEN == EVENT_THREAD_MAX, "a thread name is the kernel's comm");
_Static_assert(BT_VCPU_UNKNOWN == EVENT_VCPU_UNKNOWN && BT_VM_UNKNOWN == EVENT_VM_UNKNOWN,
	       "the kernel side's unknowns are the event's");

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
	ev->label = label_of_write(labels, w->mmio, w->port, w->value);
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

int decode_record(const struct label_set *labels, const void *data, size_t size,
		  struct boot_event *ev)
{
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
	default:
		return -EINVAL;
	}
}
