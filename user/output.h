/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Trace writers: one per format, behind one interface. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "boot_trace.h"
#include "labels.h"
#include "options.h"
#include "vm_table.h"

/* Whole-trace counts, for the summary. */
struct trace_totals {
	uint64_t events;	/* port writes captured */
	uint64_t dropped;	/* records lost to a full ring buffer */
	uint64_t string_lost;	/* string I/O elements the fallback tracepoint could not see */
	uint64_t malformed;	/* records from the ring buffer that made no sense */
};

struct output;

struct output_ops {
	void (*vm_start)(struct output *out, const struct vm *vm);
	void (*event)(struct output *out, const struct vm *vm, const struct bt_event *ev);
	void (*vm_end)(struct output *out, const struct vm *vm);
	/* A VM's boot summary: when its VMM exits, or at the end for VMs still running. */
	void (*vm_summary)(struct output *out, const struct vm *vm);
	/* Called once at the end, with the VMs the session kept. */
	void (*summary)(struct output *out, const struct vm_table *vms,
			const struct trace_totals *totals);
};

struct output {
	const struct output_ops *ops;
	FILE *fp;		/* the trace */
	FILE *summary_fp;	/* where the log format's summary goes */
	const char *path;	/* NULL: stdout */
	bool quiet;
	const struct label_set *labels; /* each port's label map (NULL: debug-port for all) */
};

/* Open the trace destination; 0 or -errno after a one-line error. */
int output_open(struct output *out, enum output_format format, const char *path, bool quiet);

/* Flush and close; -EIO after a one-line error if anything could not be written. */
int output_close(struct output *out);

extern const struct output_ops output_log_ops;
extern const struct output_ops output_jsonl_ops;

/* Shared by the writers: "%llu.%06llu" seconds, exact past one second. */
void format_seconds(char *buf, size_t len, uint64_t ns);

/*
 * The vCPU thread's name when it tells more than "vcpuN" does (QEMU's "CPU 0/KVM" with
 * -name ...,debug-threads=on); NULL when it is the VMM's own name or just "vcpuN".
 */
const char *event_thread_name(const struct vm *vm, const struct bt_event *ev, char *buf,
			      size_t len);

#endif
