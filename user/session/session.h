/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * One tracing session: the tracer's records are decoded into events, the session keeps the
 * VMs they belong to and hands each event to its outputs; at the end it writes the summaries.
 * The command gives it a config and its outputs (opened, and closed again, by the command).
 * session.c: the VMs' lifecycle and the events; session_loop.c: the event loop.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "console_rules.h"
#include "decode.h"
#include "labels.h"
#include "output.h"
#include "totals.h"
#include "tracer.h"
#include "vm_table.h"

#define SESSION_MAX_OUTPUTS 4

struct session;

struct session_config {
	/* What to trace; on_record and ctx are the session's own. */
	struct tracer_config tracer;
	struct label_set labels;	   /* each traced port's label map */
	const struct console_rules *rules; /* what console lines mark; NULL: nothing */
	bool keep_vms;			   /* keep ended VMs for the final summary (run, record) */
	bool reopen_on_hup; /* daemon: SIGHUP reopens the files; else it ends the session */
	/* Optional: each VM once its summary is written (its statistics are final). */
	void (*on_vm_summarized)(void *ctx, const struct traced_vm *vm);
	void *ctx;
};

struct session {
	struct session_config cfg;
	struct tracer *tracer;
	struct output *outs[SESSION_MAX_OUTPUTS];
	int nr_outs;
	struct vm_table vms;
	struct trace_totals totals;
	uint64_t lost_swept; /* lifecycle records lost when dead processes were last looked for */
	bool resweep;	     /* look for them once more when idle (see go_idle) */
	uint64_t started_ns; /* session_start(): VMs found in /proc were running then */
	struct decoder decoder;
	/* run: its command's start (the vmm_start phase of the first VM it makes); 0: none */
	uint64_t vmm_start_ns;
	uint64_t console_flushed_ns; /* the last look for quiet console lines (session_loop.c) */
};

/*
 * Load the tracer; nothing is traced until session_start(). 0 or -errno (error already
 * printed). Then the caller opens its outputs (so that a tracer that cannot load leaves no
 * file behind) and hands them over.
 */
int session_open(struct session *s, const struct session_config *cfg);

/* Events go to outs[0..nr_outs) (at most SESSION_MAX_OUTPUTS), which stay the caller's. */
void session_set_outputs(struct session *s, struct output *const *outs, int nr_outs);

/*
 * run, with --phases: its command was started at start_ns. The first VM it (or a process it
 * forks) creates begins with that phase, and its VMM set-up stage from there.
 */
void session_vmm_started(struct session *s, uint64_t start_ns);

/* Trace pid (filter_tgids mode): add it to the kernel filter, before session_start(). */
int session_add_process(struct session *s, pid_t pid);

/*
 * Start tracing: the writes at once, then VM creation, exits and forks. 0 or -errno (error
 * already printed).
 */
int session_start(struct session *s);

/*
 * After session_start(): learn a process's existing VMs from /proc (0 if it has none). Any
 * VM created later is seen being created.
 */
int session_seed_process(struct session *s, pid_t pid);

/* Why session_loop() returned. */
enum loop_end {
	LOOP_SIGNAL,	  /* SIGINT, SIGTERM or SIGHUP (signo in *sig); SIGHUP does not end a
			   * session that reopens its files on it (the daemon) */
	LOOP_PIDS_EXITED, /* every watched process has exited */
	LOOP_DEADLINE,	  /* the deadline passed, some of them still running */
	LOOP_ERROR,
};

/*
 * Process records until a signal (SIGINT/SIGTERM/SIGHUP, which the caller has blocked) comes or
 * every process in pids has exited (they need not be our children). deadline_ns: a
 * CLOCK_MONOTONIC time at which to return LOOP_DEADLINE if pids still run (0: none).
 */
enum loop_end session_loop(struct session *s, const pid_t *pids, int nr_pids, uint64_t deadline_ns,
			   int *sig);

/*
 * One ring-buffer record, as the tracer hands it over (the fuzz target
 * tests/fuzz/fuzz_decoder.c calls it directly).
 */
void session_handle_record(struct session *s, const void *data, size_t size);

/*
 * Stop tracing, hand over what is still in the buffer, write the summaries. The outputs stay
 * open: closing them is the caller's.
 */
void session_close(struct session *s);

#endif
