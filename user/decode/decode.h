/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The one decoder of ring records: a record of the kernel side (bpf/boot_trace.h) becomes a
 * struct boot_event with its label resolved. Nothing in a record is trusted: its size, type
 * and names are checked here, so that nothing past this point needs to.
 */
#ifndef DECODE_H
#define DECODE_H

#include <stddef.h>
#include "event.h"
#include "labels.h"

/*
 * Decode the record data of size bytes into ev, labelling a code by its port's map in labels
 * (NULL: debug-port for every port). Pointers in ev (a VM's command line) point into data.
 * Returns 0, or -EINVAL for a record that makes no sense (the caller counts it malformed).
 */
int decode_record(const struct label_set *labels, const void *data, size_t size,
		  struct boot_event *ev);

#endif
