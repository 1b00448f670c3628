/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Sinks: every trace format, the human summary table and the metrics file, behind one
 * interface. They are given decoded events (event.h) and the VMs they belong to; each hook is
 * optional. The trace formats that -f selects are one table, output_formats[] in output.c: a
 * new format is a new file here plus one row there.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include "event.h"
#include "totals.h"
#include "vm_table.h"

struct output;

/*
 * CLOCK_MONOTONIC (every stamp of a trace) and CLOCK_REALTIME read together at trace start:
 * a trace lines up with journald, Grafana and the VMM's own logs.
 */
struct clock_anchor {
	uint64_t monotonic_ns;
	uint64_t realtime_ns;
};

/* A clock's time now, in ns (CLOCK_MONOTONIC: the clock of every stamp of a trace). */
uint64_t clock_now_ns(clockid_t clock);

/* Read both clocks at once (the closer of a few tries). */
void clock_anchor_now(struct clock_anchor *anchor);

/* "2026-12-06T23:11:55.123456789Z" for a CLOCK_MONOTONIC stamp, by the anchor. */
void format_wall_clock(char *buf, size_t len, const struct clock_anchor *anchor, uint64_t ns);

struct output_ops {
	/*
	 * Optional: after the destination is open (a file header, the writer's state in
	 * out->priv); 0 or -errno.
	 */
	int (*open)(struct output *out);
	/* Optional: the trace's clock anchor, before its first VM (live: at trace start). */
	void (*clock)(struct output *out, const struct clock_anchor *anchor);
	void (*vm_start)(struct output *out, const struct traced_vm *vm);
	void (*event)(struct output *out, const struct traced_vm *vm, const struct boot_event *ev);
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
	FILE *fp;		 /* the trace; NULL for writers with their own files */
	const char *path;	 /* NULL: a stream (stdout, stderr) */
	const char *stream_name; /* "standard output" or "standard error", for messages */
	bool quiet;		 /* no summaries (the summary table: losses only) */
	bool append;		 /* daemon: append, and reopen on SIGHUP */
	bool summary_in_trace;	 /* daemon: each VM's summary is one line of the trace */
	bool totals_only;	 /* the summary table: the final counts, no table per VM */
	bool best_effort;	 /* a failed write is no error (the summary table on stderr) */
	bool wall_clock; /* the log: stamps as UTC wall-clock time (once the anchor is known) */
	bool have_anchor;
	struct clock_anchor anchor; /* from the clock hook */
	bool failed;		    /* a write error was reported */
	bool removable;		    /* a regular file of our own trace (not appended to) */
	bool created; /* ...that this run created: removed, not emptied (remove_file) */
	bool discard; /* nothing was traced, or the input was bad: remove it at close */
	dev_t dev;    /* the file opened, to remove only that one */
	ino_t ino;
	const struct trace_totals *totals; /* the session's running counts */
	void *priv;			   /* the writer's own state */
};

#define OUTPUT_QUIET		(1u << 0)
#define OUTPUT_APPEND		(1u << 1)
#define OUTPUT_SUMMARY_IN_TRACE (1u << 2)
#define OUTPUT_TOTALS_ONLY	(1u << 3)
#define OUTPUT_BEST_EFFORT	(1u << 4)
#define OUTPUT_WALL_CLOCK	(1u << 5)
#define OUTPUT_BEST_EFFORT	(1u << 4)
#define OUTPUT_WALL_CLOCK	(1u << 5)

/* Open a writer on path (NULL: stdout); 0 or -errno after a one-line error. */
int output_open(struct output *out, const struct output_ops *ops, const char *path,
		unsigned int flags);

/* Open a writer on a stream of ours (stderr); 0 or -errno after a one-line error. */
int output_open_stream(struct output *out, const struct output_ops *ops, FILE *fp,
		       unsigned int flags);

/*
 * May a file of ours (the metrics) take the place of path by rename? Not when path is a
 * symlink, a device, a FIFO or a directory, nor another user's file in a shared directory
 * (the rules open_file() applies). 0, or -errno after a one-line error (none if quiet).
 */
int output_may_replace(const char *path, bool quiet);

/* After logrotate moved the file: close it and open path again. 0 or -errno. */
int output_reopen(struct output *out);

/*
 * Flush; report a write error once (one line), and remove the file if it is a trace of our
 * own (not appended to): a partial trace must not look like a complete one. 0 or -EIO.
 */
int output_flush(struct output *out);

/* Flush and close; -EIO after a one-line error if anything could not be written. */
int output_close(struct output *out);

/* The hooks, called on each of outs[0..n) that has them. */
void outputs_clock(struct output *const *outs, int n, const struct clock_anchor *anchor);
void outputs_vm_start(struct output *const *outs, int n, const struct traced_vm *vm);
void outputs_event(struct output *const *outs, int n, const struct traced_vm *vm,
		   const struct boot_event *ev);
void outputs_vm_end(struct output *const *outs, int n, const struct traced_vm *vm);
void outputs_vm_summary(struct output *const *outs, int n, const struct traced_vm *vm);
void outputs_summary(struct output *const *outs, int n, const struct vm_table *vms,
		     const struct trace_totals *totals);
void outputs_flush(struct output *const *outs, int n);
/* Close them all: -EIO if any failed. */
int outputs_close(struct output *const *outs, int n);

extern const struct output_ops output_log_ops;
extern const struct output_ops output_jsonl_ops;
extern const struct output_ops output_chrome_ops;
extern const struct output_ops output_csv_ops;
extern const struct output_ops output_svg_ops;
extern const struct output_ops output_prom_ops;
/* The human summary: a table per VM and the final counts (stderr for run, stdout for report). */
extern const struct output_ops output_summary_ops;

/* The trace formats -f selects. */
struct output_format {
	const char *name;
	const struct output_ops *ops;
};
extern const struct output_format output_formats[];

/* The writer of a format by name, or NULL. */
const struct output_ops *output_find(const char *name);

/* The format names for messages: "log, jsonl, chrome, csv or svg". */
const char *output_format_names(void);

/* Shared by the writers: "%llu.%06llu" seconds, exact past one second. */
void format_seconds(char *buf, size_t len, uint64_t ns);
/* Seconds from base to ns, "-S.ssssss" when ns is before it (a VMM started before its VM). */
void format_since(char *buf, size_t len, uint64_t ns, uint64_t base);

/*
 * The vCPU thread's name when it tells more than "vcpuN" does (QEMU's "CPU 0/KVM" with
 * -name ...,debug-threads=on); NULL when it is the VMM's own name or just "vcpuN".
 */
const char *event_thread_name(const struct traced_vm *vm, const struct boot_event *ev);

/* Text for XML (the SVG chart): markup escaped, control bytes and invalid UTF-8 as '?'. */
void xml_escape(FILE *fp, const char *s);

#endif
