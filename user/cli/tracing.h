/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What run, record and daemon share: the session's config and their outputs, from options. */
#ifndef TRACING_H
#define TRACING_H

#include <signal.h>
#include <stdbool.h>
#include "options.h"
#include "output.h"
#include "session.h"

/* The tracing options (--port, --labels, --mmio, -b, -v, -q) as a session's config. */
void tracing_config(const struct options *opts, struct session_config *cfg, bool filter_tgids,
		    bool follow_forks);

/*
 * Block SIGINT, SIGTERM and SIGHUP, which the session loop reads from a signalfd; SIGHUP only
 * with take_hup or when it is not ignored (nohup). old_mask (may be NULL): the mask before.
 */
void block_stop_signals(bool take_hup, sigset_t *old_mask);

/* A command's outputs, as the session is given them. */
struct trace_outputs {
	struct output out[SESSION_MAX_OUTPUTS];
	struct output *outs[SESSION_MAX_OUTPUTS];
	int nr;
};

/*
 * Open one more output (path NULL: stdout; fp: a stream of ours instead). 0, or -errno after
 * a one-line error.
 */
int trace_outputs_add(struct trace_outputs *to, const struct output_ops *ops, const char *path,
		      unsigned int flags);
int trace_outputs_add_stream(struct trace_outputs *to, const struct output_ops *ops, FILE *fp,
			     unsigned int flags);

/*
 * run and record: the trace (-f, to path) and, with tables, the summary table on stderr (with
 * -q only the losses). 0 or -errno after a one-line error (nothing left open).
 */
int trace_outputs_open(struct trace_outputs *to, const struct options *opts, const char *path,
		       bool tables);

/* Nothing was traced: no summaries, and no trace file left behind. */
void trace_outputs_discard(struct trace_outputs *to);

/* Close them: -EIO if one could not be written (said already). */
int trace_outputs_close(struct trace_outputs *to);

#endif
