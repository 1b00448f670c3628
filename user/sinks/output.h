/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Trace writers: one per format, behind one interface. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "boot_trace.h"
#include "labels.h"
#include "options.h"
#include "vm_table.h"

/* Whole-trace counts, for the summary. */
struct trace_totals {
	uint64_t events;	/* port (and --mmio) writes captured */
	uint64_t dropped;	/* port (and --mmio) writes lost to a full ring buffer */
	uint64_t lifecycle_dropped; /* VM, vCPU and process records lost to it */
	uint64_t string_lost;	/* string I/O elements the fallback tracepoint could not see */
	uint64_t malformed;	/* records from the ring buffer that made no sense */
	uint64_t map_full;	/* VM/vCPU fds the kernel side could not remember: identity lost */
};

/* Was anything lost? */
bool totals_lost(const struct trace_totals *totals);

/* "N events, N dropped" and every other loss that happened (no newline). */
void print_totals(FILE *fp, const struct trace_totals *totals);
/* The same without the events. */
void print_losses(FILE *fp, const struct trace_totals *totals);

struct output;

struct output_ops {
	/*
	 * Optional: after the destination is open (a file header, the writer's state in
	 * out->priv); 0 or -errno.
	 */
	int (*open)(struct output *out);
	void (*vm_start)(struct output *out, const struct traced_vm *vm);
	void (*event)(struct output *out, const struct traced_vm *vm, const struct bt_event *ev);
	void (*vm_end)(struct output *out, const struct traced_vm *vm);
	/* A VM's boot summary: when its VMM exits, or at the end for VMs still running. */
	void (*vm_summary)(struct output *out, const struct traced_vm *vm);
	/* Called once at the end, with the VMs the session kept. */
	void (*summary)(struct output *out, const struct vm_table *vms,
			const struct trace_totals *totals);
	/*
	 * Optional: last call before the destination is flushed and closed, on every path,
	 * signals included (a footer that keeps the file well-formed; free the state).
	 */
	void (*close)(struct output *out);
	/* The writer keeps its own files: path names a directory, there is no fp. */
	bool own_files;
};

struct output {
	const struct output_ops *ops;
	FILE *fp;		/* the trace; NULL for writers with their own files */
	FILE *summary_fp;	/* where the human summary goes; NULL: nowhere */
	const char *path;	/* NULL: stdout */
	bool quiet;
	bool append;		/* daemon: append, and reopen on SIGHUP */
	bool summary_in_trace;	/* daemon: each VM's summary is one line of the trace */
	bool failed;		/* a write error was reported */
	bool removable;		/* a regular file of our own: removed if a write fails */
	bool discard;		/* nothing was traced: remove the file when closing */
	dev_t dev;		/* the file opened, to remove only that one */
	ino_t ino;
	const struct trace_totals *totals; /* the session's running counts */
	void *priv;		/* the writer's own state */
	const struct label_set *labels; /* each port's label map (NULL: debug-port for all) */
};

#define OUTPUT_QUIET		(1u << 0)
#define OUTPUT_APPEND		(1u << 1)
#define OUTPUT_SUMMARY_IN_TRACE (1u << 2)

/* Open a writer on path; 0 or -errno after a one-line error. */
int output_open(struct output *out, const struct output_ops *ops, const char *path,
		unsigned int flags);

/* After logrotate moved the file: close it and open path again. 0 or -errno. */
int output_reopen(struct output *out);

/*
 * Flush; report a write error once (one line), and remove the file if it is a trace of our
 * own (not appended to): a partial trace must not look like a complete one. 0 or -EIO.
 */
int output_flush(struct output *out);

/* Flush and close; -EIO after a one-line error if anything could not be written. */
int output_close(struct output *out);

extern const struct output_ops output_log_ops;
extern const struct output_ops output_jsonl_ops;
extern const struct output_ops output_chrome_ops;
extern const struct output_ops output_csv_ops;
extern const struct output_ops output_svg_ops;
extern const struct output_ops output_prom_ops;

/* The writer of a format. */
const struct output_ops *output_ops_of(enum output_format format);

/* Shared by the writers: "%llu.%06llu" seconds, exact past one second. */
void format_seconds(char *buf, size_t len, uint64_t ns);

/*
 * The vCPU thread's name when it tells more than "vcpuN" does (QEMU's "CPU 0/KVM" with
 * -name ...,debug-threads=on); NULL when it is the VMM's own name or just "vcpuN".
 */
const char *event_thread_name(const struct traced_vm *vm, const struct bt_event *ev, char *buf,
			      size_t len);

/* Text for XML (the SVG chart): markup escaped, control bytes and invalid UTF-8 as '?'. */
void xml_escape(FILE *fp, const char *s);

#endif
