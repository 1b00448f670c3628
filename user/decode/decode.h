/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The one decoder of ring records: a record of the kernel side (bpf/boot_trace.h) becomes a
 * struct boot_event with its label resolved. Nothing in a record is trusted: its size, type
 * and names are checked here, so that nothing past this point needs to.
 */
#ifndef DECODE_H
#define DECODE_H

#include <stddef.h>
#include "boot_trace.h"
#include "console_rules.h"
#include "event.h"
#include "labels.h"

/* A console line's text once cleaned: every byte may become a 4-byte "\xNN". */
#define DECODE_TEXT_MAX (BT_CONSOLE_LINE_MAX * 4 + 1)

struct decoder {
	const struct label_set *labels;	   /* each traced port's map; NULL: debug-port for all */
	const struct console_rules *rules; /* what console lines mark; NULL: nothing */
	char text[DECODE_TEXT_MAX];	   /* the latest console line's text */
};

/*
 * Decode the record data of size bytes into ev, labelling a code by its port's map and a
 * console line by the rules. Pointers in ev point into data (a VM's command line) or into d
 * (a console line's text): valid until the next record. d may be NULL (no labels, no rules;
 * a console record is then malformed). Returns 0, or -EINVAL for a record that makes no sense
 * (the caller counts it malformed).
 */
int decode_record(struct decoder *d, const void *data, size_t size, struct boot_event *ev);

/*
 * Is a write to port 0x80 an I/O delay rather than a marker? Linux's real-mode setup code and
 * io_delay=0x80 kernels write it right after touching a legacy device port: when the same
 * vCPU thread's previous port access was to another port below 0x100 that is not traced.
 */
bool decode_is_io_delay(const struct label_set *labels, uint16_t port, uint16_t prev_port);

#endif
