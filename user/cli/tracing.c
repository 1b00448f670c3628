// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "tracing.h"

void tracing_config(const struct options *opts, struct session_config *cfg, bool filter_tgids,
		    bool follow_forks)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tracer = (struct tracer_config){
	    .ports = opts->ports,
	    .nr_ports = opts->nr_ports,
	    .buffer_kib = opts->buffer_kib,
	    .filter_tgids = filter_tgids,
	    .follow_forks = follow_forks,
	    .mmio = opts->mmio,
	    .mmio_gpa = opts->mmio_gpa,
	    .mmio_match_value = opts->mmio_match_value,
	    .mmio_value = opts->mmio_value,
	    .rip = opts->rip,
	    .console_ports = opts->console_ports,
	    .console_kinds = opts->console_kinds,
	    .nr_consoles = opts->nr_consoles,
	    .phases = opts->phases,
	    .verbose = opts->verbose,
	    .quiet = opts->quiet,
	};
	cfg->labels.nr = opts->nr_ports;
	for (int i = 0; i < opts->nr_ports; i++) {
		cfg->labels.ports[i] = opts->ports[i];
		cfg->labels.maps[i] = opts->port_labels[i];
	}
	cfg->rules = opts->rules;
	cfg->keep_vms = opts->command != CMD_DAEMON;
	cfg->reopen_on_hup = opts->command == CMD_DAEMON;
}

static int add(struct trace_outputs *to, const struct output_ops *ops, const char *path, FILE *fp,
	       unsigned int flags)
{
	struct output *out = &to->out[to->nr];
	int err;

	if (to->nr == SESSION_MAX_OUTPUTS)
		return -ENOSPC;
	err = fp ? output_open_stream(out, ops, fp, flags) : output_open(out, ops, path, flags);
	if (err)
		return err;
	to->outs[to->nr++] = out;
	return 0;
}

int trace_outputs_add(struct trace_outputs *to, const struct output_ops *ops, const char *path,
		      unsigned int flags)
{
	return add(to, ops, path, NULL, flags);
}

int trace_outputs_add_stream(struct trace_outputs *to, const struct output_ops *ops, FILE *fp,
			     unsigned int flags)
{
	return add(to, ops, NULL, fp, flags);
}

int trace_outputs_open(struct trace_outputs *to, const struct options *opts, const char *path,
		       bool tables)
{
	unsigned int flags =
	    (opts->quiet ? OUTPUT_QUIET : 0) | (opts->wall_clock ? OUTPUT_WALL_CLOCK : 0);
	int err;

	to->nr = 0;
	err = trace_outputs_add(to, opts->format ?: &output_log_ops, path, flags);
	if (!err && tables)
		err = trace_outputs_add_stream(to, &output_summary_ops, stderr,
					       flags | OUTPUT_BEST_EFFORT);
	if (err)
		trace_outputs_close(to);
	return err;
}

void trace_outputs_discard(struct trace_outputs *to)
{
	for (int i = 0; i < to->nr; i++) {
		to->out[i].quiet = true;
		/* A file is not left behind; standard output still gets a well-formed document. */
		to->out[i].discard = to->out[i].path != NULL;
	}
}

int trace_outputs_close(struct trace_outputs *to)
{
	int err = outputs_close(to->outs, to->nr);

	to->nr = 0;
	return err;
}

void block_stop_signals(bool take_hup, sigset_t *old_mask)
{
	struct sigaction hup;
	sigset_t mask;

	/*
	 * A shell starts background jobs with SIGINT ignored, which would discard it: take the
	 * default action back (run's COMMAND inherits it, so the forward works too).
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	/*
	 * run and record: a closed terminal or a dropped ssh session ends them like SIGTERM, not
	 * by death; under nohup SIGHUP stays ignored (and so it does for run's COMMAND). The
	 * daemon always takes it: it is its "reopen the files".
	 */
	if (take_hup || sigaction(SIGHUP, NULL, &hup) || hup.sa_handler != SIG_IGN) {
		signal(SIGHUP, SIG_DFL);
		sigaddset(&mask, SIGHUP);
	}
	sigprocmask(SIG_BLOCK, &mask, old_mask);
}
