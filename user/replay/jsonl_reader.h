/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Reading a recorded jsonl trace back: each record is checked and replayed as the calls a
 * live session makes (VM start, event, VM end, VM summary, end of run): each record becomes
 * the decoded event a live session would have had (event.h), under the label it was
 * recorded with, and the VMs' statistics are rebuilt from them as a live session does. An
 * event without a port ("port": null, "gpa": ADDR) is an --mmio write. Console lines
 * ("console") and host phases ("phase") become EVENT_CONSOLE and EVENT_PHASE events.
 */
#ifndef JSONL_READER_H
#define JSONL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "event.h"
#include "output.h"
#include "totals.h"
#include "vm_table.h"

#define JSONL_MAX_LINE (1u << 20) /* longer lines are rejected: no record comes near it */
/* A console line's text, at most (the decoder's lines are at most 1 KiB once cleaned). */
#define JSONL_TEXT_MAX 4096

struct replay_ops {
	/* The trace's wall-clock anchor (a "clock" record), before its VMs. */
	void (*clock)(void *ctx, const struct clock_anchor *anchor);
	void (*vm_start)(void *ctx, const struct traced_vm *vm);
	/* ev->label: as recorded (it lives as long as the program, see label_intern()). */
	void (*event)(void *ctx, const struct traced_vm *vm, const struct boot_event *ev);
	void (*vm_end)(void *ctx, const struct traced_vm *vm);
	/* Once per VM: after its end, or at the end of its run if it did not end. */
	void (*vm_summary)(void *ctx, const struct traced_vm *vm);
	/*
	 * End of one recorded run: its summary record (totals as written), or the end of the
	 * file (totals.events counted here, totals.losses_unknown). A file holds one run, or
	 * several concatenated.
	 */
	void (*run_end)(void *ctx, const struct vm_table *vms, const struct trace_totals *totals);
};

/*
 * Replay the jsonl trace at path ("-": standard input). Returns 0, or a negative errno
 * with a one-line message in err: "FILE: what" or "FILE:LINE: what is wrong".
 */
int jsonl_replay(const char *path, const struct replay_ops *ops, void *ctx, char *err,
		 size_t errlen);

/* The same from an open stream; name is used in messages. */
int jsonl_replay_stream(FILE *fp, const char *name, const struct replay_ops *ops, void *ctx,
			char *err, size_t errlen);

#endif
