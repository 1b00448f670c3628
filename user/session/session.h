/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * One tracing session: the tracer feeds records in, the session keeps the VMs they belong
 * to and hands each to the output; at the end it writes the summary.
 */
#ifndef SESSION_H
#define SESSION_H

#include <signal.h>
#include <stdbool.h>
#include "options.h"
#include "output.h"
#include "tracer.h"
#include "vm_table.h"

#define MAX_OUTPUTS 4

struct session {
	const struct options *opts;
	struct tracer *tracer;
	struct output outs[MAX_OUTPUTS];
	int nr_outs;
	struct vm_table vms;
	struct trace_totals totals;
	struct label_set labels; /* each traced port's label map, from the options */
	uint64_t lost_swept; /* lifecycle records lost when dead processes were last looked for */
	bool resweep;		/* look for them once more when idle (see go_idle) */
	bool keep_vms;		/* keep ended VMs for the final summary (run, record) */
	uint64_t started_ns;	/* session_start(): VMs found in /proc were running then */
	/* Optional: each VM once its summary is written (its statistics are final). */
	void (*on_vm_summarized)(struct session *s, const struct traced_vm *vm);
	void *ctx;		/* for on_vm_summarized */
};

/*
 * Load the tracer and open the outputs; nothing is traced until session_start(). 0 or
 * -errno (error already printed).
 */
int session_open(struct session *s, const struct options *opts, bool filter_tgids,
		 bool follow_forks);

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

/* Why session_loop() returned. SIGHUP does not end it: the outputs are reopened. */
enum loop_end {
	LOOP_SIGNAL,	   /* SIGINT or SIGTERM (signo in *sig) */
	LOOP_PIDS_EXITED,  /* every watched process has exited */
	LOOP_ERROR,
};

/*
 * Process records until a signal (SIGINT/SIGTERM, which the caller has blocked) arrives or
 * every process in pids has exited. With forward_to > 0, signals are passed on to that
 * process (the first as is, later ones as SIGKILL) and the loop goes on until it exits.
 */
enum loop_end session_loop(struct session *s, const pid_t *pids, int nr_pids, pid_t forward_to,
			   int *sig);

/*
 * One ring-buffer record, as the tracer hands it over (the fuzz target
 * tests/fuzz/fuzz_decoder.c calls it directly).
 */
void session_handle_record(struct session *s, const void *data, size_t size);

/*
 * Stop tracing, write what is still in the buffer, the summary, close the outputs. 0, or -EIO
 * if output failed.
 */
int session_close(struct session *s);

#endif
