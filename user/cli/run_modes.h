/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What run's series share (run.c): one traced run of a command, in K copies started together;
 * the statistics table of --repeat. The series: --repeat (run.c), --ab (run_ab.c),
 * --parallel (run_storm.c, its chart in storm_svg.c).
 */
#ifndef RUN_MODES_H
#define RUN_MODES_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "options.h"
#include "samples.h"
#include "session.h"

/* How one traced run went. */
struct run_outcome {
	int status;	   /* the command's exit status (of k copies: the first non-zero) */
	int stop_sig;	   /* SIGINT, SIGTERM or SIGHUP came (passed on): the series stops */
	bool opened;	   /* the tracer loaded and the trace's file opened */
	bool exec_failed;  /* the command could not be started (said) */
	bool trace_failed; /* tracing could not start, or the trace not be written (said) */
	bool timed_out;	   /* still running at --timeout: stopped, status 124 (said) */
	uint64_t dropped;  /* records the ring buffer dropped */
	uint64_t lost;	   /* anything lost, of every kind (totals.h): dropped, console bytes... */
};

/*
 * Run k copies of argv at once, traced by a session of cfg (its on_vm_summarized sees their
 * VMs), the trace to path as opts->format (NULL: not kept; append: added to the file, as a
 * run concatenated to the runs before). With vmm_start and k == 1, the command's start begins
 * its VM's VMM set-up stage (--phases), as a plain run does. Returns out->status, or 1 when
 * tracing failed and the command did not.
 */
int run_traced(const struct options *opts, char **argv, unsigned int k, const char *path,
	       bool append, struct session_config *cfg, bool vmm_start, const sigset_t *old_mask,
	       struct run_outcome *out);

/* "boot.jsonl", "A" -> "boot.A.jsonl" (the tag before the extension). NULL: ENOMEM. */
char *tagged_path(const char *path, const char *tag);

/* The --repeat table on stderr: a row per stage, then the time to Userspace. */
void print_stats_table(struct boot_samples *bs);

/* A SIGINT, SIGTERM or SIGHUP pending between two runs; 0: none. */
int pending_stop(void);

/*
 * Every stage of sets[0..nr) (NULL entries skipped), by label: in label_rank() order, then as
 * first seen. *names is allocated (its strings are the labels'); returns how many, -ENOMEM.
 */
int stage_union(const struct boot_samples *const *sets, int nr, const char ***names);

/* A command as one line: "vmm-min --arg 3 demo.bin" (shortened past len). */
void format_command(char *buf, size_t len, char *const *argv);

/* run --ab and run --parallel: the process exit status. */
int run_ab(const struct options *opts, const sigset_t *old_mask);
int run_storm(const struct options *opts, const sigset_t *old_mask);

/* The --parallel sweep's chart: stage s at step i is [s * nr_k + i]; NAN: no boots. */
struct storm_chart {
	const unsigned int *k;
	int nr_k;
	const char *const *stages; /* the last one: the time to Userspace */
	int nr_stages;
	const double *p50, *p90; /* ns */
	const size_t *n;
	unsigned int boots; /* per K */
};

/* Write the chart to path (the output file rules). 0, or -errno after a one-line error. */
int storm_svg_write(const char *path, const struct storm_chart *chart);

#endif
