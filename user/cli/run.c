// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace run: the command is forked but held before exec until its pid is in the
 * kernel's filter, so its VM is traced from KVM_CREATE_VM on; the kernel side then follows
 * it through fork (a wrapper script that starts the VMM works). --repeat boots it N times and
 * prints each stage's distribution; --ab (run_ab.c) and --parallel (run_storm.c) are series
 * of such runs too.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "args.h"
#include "commands.h"
#include "paired.h"
#include "run_modes.h"
#include "text.h"
#include "samples.h"
#include "tracing.h"

#define EXIT_NOT_FOUND 127
#define EXIT_NOT_EXEC  126
#define EXIT_TIMED_OUT 124 /* as timeout(1) */
/* --timeout: SIGTERM at the limit, SIGKILL this much later if the command still runs. */
#define KILL_GRACE_SEC 5

/* Child: wait for the go byte, restore signals, exec; report exec errors over err_fd. */
static void child_exec(char **argv, int go_fd, int err_fd, const sigset_t *old_mask)
{
	char go;
	int err;

	if (read(go_fd, &go, 1) != 1)
		_exit(EXIT_NOT_FOUND); /* the tracer died before releasing us */
	close(go_fd);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(EXIT_NOT_FOUND);
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXEC);
}

static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* The end of a traced run: the summaries, then the outputs closed. -EIO if one failed. */
static int finish(struct session *s, struct trace_outputs *to)
{
	session_close(s);
	return trace_outputs_close(to);
}

/* Kill and reap the copies started so far, close their pipes: tracing could not start. */
static void abandon(pid_t *kids, int *go, int *err, unsigned int started)
{
	for (unsigned int i = 0; i < started; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
		close(go[i]);
		close(err[i]);
	}
}

/*
 * Wait for the k started copies while the session reads. Signals are passed on to them: the
 * first as is, later ones as SIGKILL. Past timeout_ns (0: none) they and every process they
 * started get SIGTERM, and those still running KILL_GRACE_SEC later SIGKILL: a wrapper script
 * that dies at once leaves its VMM the whole grace to shut down.
 */
static void wait_copies(struct session *s, char **argv, pid_t *kids, unsigned int k,
			uint64_t timeout_ns, struct run_outcome *out)
{
	uint64_t now = clock_now_ns(CLOCK_MONOTONIC), deadline = 0;
	pid_t *left = NULL, *watch = kids; /* after a timeout: what the copies started */
	int sig = 0, signals = 0, forward, nr_watch = k, n;

	/* Saturated: a limit of centuries must not wrap around to one in the past. */
	if (timeout_ns)
		deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	for (;;) {
		enum loop_end end = session_loop(s, watch, nr_watch, deadline, &sig);

		if (end == LOOP_SIGNAL) {
			forward = signals++ ? SIGKILL : sig;
		} else if (end == LOOP_DEADLINE && !out->timed_out) {
			fprintf(stderr,
				"boot-trace: '%s' still running after %.9g s (--timeout): SIGTERM "
				"sent\n",
				argv[0], timeout_ns / 1e9);
			forward = SIGTERM;
			out->timed_out = true;
			deadline = clock_now_ns(CLOCK_MONOTONIC) + KILL_GRACE_SEC * NSEC_PER_SEC;
		} else if (end == LOOP_DEADLINE) {
			fprintf(stderr,
				"boot-trace: '%s' still running %d s after SIGTERM: SIGKILL sent\n",
				argv[0], KILL_GRACE_SEC);
			forward = SIGKILL;
			deadline = 0;
		} else if (end == LOOP_PIDS_EXITED && out->timed_out && watch == kids && deadline) {
			/* The copies are gone; what they started may still shut down: wait for it.
			 */
			left = malloc(TRACED_PIDS_MAX * sizeof(*left));
			nr_watch = left ? tracer_traced_pids(s->tracer, left, TRACED_PIDS_MAX) : 0;
			if (nr_watch <= 0)
				break;
			watch = left;
			continue;
		} else {
			break;
		}
		if (out->timed_out) { /* and what they started: a wrapper script's VMM */
			tracer_signal_traced(s->tracer, forward);
			continue;
		}
		for (unsigned int i = 0; i < k; i++) /* not reaped yet: still theirs */
			kill(kids[i], forward);
	}
	/* Nothing a timed-out run started outlives it (a process forked as the rest exited). */
	if (out->timed_out && (n = tracer_signal_traced(s->tracer, SIGKILL)) > 0)
		fprintf(stderr, "boot-trace: SIGKILL sent to %d process%s '%s' left\n", n,
			n == 1 ? "" : "es", argv[0]);
	free(left);
	if (sig)
		out->stop_sig = sig;
}

/*
 * Start k copies of argv, held before exec until all are traced, then released together;
 * wait for them all (wait_copies()).
 */
static int run_copies(char **argv, unsigned int k, struct session *s, struct trace_outputs *to,
		      bool vmm_start, uint64_t timeout_ns, const sigset_t *old_mask,
		      struct run_outcome *out)
{
	pid_t *kids = calloc(k, sizeof(*kids));
	int *go = calloc(k, sizeof(*go)), *err = calloc(k, sizeof(*err));
	int exec_err = 0, failed_at = -1, wstatus;
	unsigned int started = 0, i;
	bool ok = true;
	ssize_t n;

	session_set_outputs(s, to->outs, to->nr);
	if (!kids || !go || !err) {
		fprintf(stderr, "boot-trace: out of memory\n");
		goto failed;
	}
	for (started = 0; started < k; started++) {
		int go_pipe[2], err_pipe[2];

		if (pipe2(go_pipe, O_CLOEXEC)) {
			fprintf(stderr, "boot-trace: pipe: %s\n", strerror(errno));
			goto failed;
		}
		if (pipe2(err_pipe, O_CLOEXEC)) {
			fprintf(stderr, "boot-trace: pipe: %s\n", strerror(errno));
			close(go_pipe[0]);
			close(go_pipe[1]);
			goto failed;
		}
		kids[started] = fork();
		if (kids[started] < 0) {
			fprintf(stderr, "boot-trace: fork: %s\n", strerror(errno));
			close(go_pipe[0]);
			close(go_pipe[1]);
			close(err_pipe[0]);
			close(err_pipe[1]);
			goto failed;
		}
		if (kids[started] == 0) {
			/* An earlier copy must see its go pipe close if we die: not held here. */
			for (i = 0; i < started; i++) {
				close(go[i]);
				close(err[i]);
			}
			close(go_pipe[1]);
			close(err_pipe[0]);
			free(kids); /* not to be counted lost if exec fails */
			free(go);
			free(err);
			child_exec(argv, go_pipe[0], err_pipe[1], old_mask);
		}
		close(go_pipe[0]);
		close(err_pipe[1]);
		go[started] = go_pipe[1];
		err[started] = err_pipe[0];
	}

	/* Traced before any can run a single instruction of COMMAND. */
	for (i = 0; i < k && ok; i++)
		ok = !session_add_process(s, kids[i]);
	if (!ok || session_start(s))
		goto failed;
	if (vmm_start && k == 1)
		session_vmm_started(s, clock_now_ns(CLOCK_MONOTONIC));
	for (i = 0; i < k && ok; i++)
		ok = write(go[i], "g", 1) == 1;
	if (!ok)
		goto failed;
	for (i = 0; i < k; i++) {
		close(go[i]);
		n = read(err[i], &exec_err, sizeof(exec_err));
		close(err[i]);
		if (n == sizeof(exec_err) && failed_at < 0)
			failed_at = i;
	}
	if (failed_at >= 0) {
		/* The same command: the others will not do better. */
		for (i = 0; i < k; i++) {
			if ((int)i != failed_at)
				kill(kids[i], SIGKILL);
			waitpid(kids[i], &wstatus, 0);
			if ((int)i == failed_at)
				out->status = exit_status(wstatus);
		}
		for (int o = 0; o < to->nr; o++)
			to->out[o].quiet = true;
		finish(s, to);
		fprintf(stderr, "boot-trace: cannot run '%s': %s\n", argv[0], strerror(exec_err));
		out->exec_failed = true;
		goto out;
	}

	wait_copies(s, argv, kids, k, timeout_ns, out);
	for (i = 0; i < k; i++) {
		if (waitpid(kids[i], &wstatus, 0) < 0)
			wstatus = 0;
		if (!out->status)
			out->status = exit_status(wstatus);
	}
	if (out->timed_out)
		out->status = EXIT_TIMED_OUT;
	if (finish(s, to)) {
		out->trace_failed = true;
		if (!out->status)
			out->status = 1;
	}
	out->dropped = s->totals.lost[LOSS_DROPPED];
	FOR_EACH_LOSS (l)
		out->lost += s->totals.lost[l];
	goto out;

failed:
	abandon(kids, go, err, started);
	finish(s, to);
	out->trace_failed = true;
	out->status = 1;
out:
	free(kids);
	free(go);
	free(err);
	return out->status;
}

/*
 * Load the tracer, then open the outputs (a tracer that cannot load leaves no file); append:
 * the trace is added to the file, as one more run concatenated to it.
 */
static int open_run(const struct options *opts, struct session *s, struct trace_outputs *to,
		    const char *path, bool tables, bool append, struct session_config *cfg)
{
	unsigned int flags = OUTPUT_APPEND | (opts->quiet ? OUTPUT_QUIET : 0) |
			     (opts->wall_clock ? OUTPUT_WALL_CLOCK : 0);

	if (session_open(s, cfg))
		return -1;
	to->nr = 0;
	if (append ? trace_outputs_add(to, opts->format ?: &output_log_ops, path, flags)
		   : trace_outputs_open(to, opts, path, tables)) {
		session_close(s);
		return -1;
	}
	return 0;
}

int run_traced(const struct options *opts, char **argv, unsigned int k, const char *path,
	       bool append, struct session_config *cfg, bool vmm_start, const sigset_t *old_mask,
	       struct run_outcome *out)
{
	struct trace_outputs to;
	struct session s;

	memset(out, 0, sizeof(*out));
	/* Without a path the trace is not kept: the statistics are the result. */
	if (open_run(opts, &s, &to, path ?: "/dev/null", false, append && path, cfg)) {
		out->trace_failed = true;
		out->status = 1;
		return 1;
	}
	out->opened = true;
	return run_copies(argv, k, &s, &to, vmm_start, opts->timeout_ns, old_mask, out);
}

char *tagged_path(const char *path, const char *tag)
{
	const char *base = strrchr(path, '/'), *dot;
	char *out;

	base = base ? base + 1 : path;
	/* The extension is the last dot of the file name, not of a directory or a dotfile. */
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = path + strlen(path);
	if (asprintf(&out, "%.*s.%s%s", (int)(dot - path), path, tag, dot) < 0)
		return NULL;
	return out;
}

char *repeat_path(const char *path, unsigned int i)
{
	char tag[16];

	snprintf(tag, sizeof(tag), "%u", i);
	return tagged_path(path, tag);
}

struct repeat {
	struct boot_samples samples;
	unsigned int run_vms; /* VMs in the current run */
	uint64_t run_user_ns; /* its (last) VM's time to Userspace; 0: none */
	bool failed;	      /* out of memory */
};

static void repeat_vm_summarized(void *ctx, const struct traced_vm *vm)
{
	struct repeat *rep = ctx;
	uint64_t user_ns;

	if (!boot_stages_guest_seen(&vm->stats)) /* no code, no console line a rule matched */
		return;
	rep->run_vms++;
	if (vm->start_ns && boot_userspace_ns(&vm->stats, &user_ns))
		rep->run_user_ns = user_ns - vm->start_ns;
	if (boot_samples_add(&rep->samples, &vm->stats, vm->start_ns))
		rep->failed = true;
}

/* One row of the table; then, if the boots fall into two modes, which boots are in which. */
static void print_stat_row(const char *name, int width, struct samples *samples)
{
	char min[32], p50[32], p90[32], p99[32], max[32], mean[32], sd[32], lo[32], hi[32];
	size_t n = samples->n, first;
	bool *high = calloc(n ?: 1, sizeof(*high));
	double low_median, high_median;
	bool bimodal = high && samples_modes(samples, high, &low_median, &high_median);
	struct sample_stats st;

	if (!samples_stats(samples, &st))
		goto out;
	format_seconds(min, sizeof(min), st.min);
	format_seconds(p50, sizeof(p50), llround(st.median));
	format_seconds(p90, sizeof(p90), llround(st.p90));
	format_seconds(p99, sizeof(p99), llround(st.p99));
	format_seconds(max, sizeof(max), st.max);
	format_seconds(mean, sizeof(mean), llround(st.mean));
	format_seconds(sd, sizeof(sd), llround(st.stddev));
	fprintf(stderr, "  %-*s %4zu %10s %10s %10s %10s %10s %10s %10s %5.1f%%%s\n", width, name,
		st.n, min, p50, p90, p99, max, mean, sd, st.cv * 100, bimodal ? "  TWO MODES" : "");
	if (!bimodal)
		goto out;
	/* Boots are numbered in the order their VMs finished, among those with this stage. */
	format_seconds(lo, sizeof(lo), llround(low_median));
	format_seconds(hi, sizeof(hi), llround(high_median));
	for (int mode = 0; mode < 2; mode++) {
		fprintf(stderr, "  %-*s   %s mode, median %s s: boots", width, "",
			mode ? "high" : "low", mode ? hi : lo);
		first = 1;
		for (size_t i = 0; i < n; i++) {
			if (high[i] != mode)
				continue;
			fprintf(stderr, "%s %zu", first ? "" : ",", i + 1);
			first = 0;
		}
		fputc('\n', stderr);
	}
out:
	free(high);
}

void print_stats_table(struct boot_samples *bs)
{
	int width = 18;

	/* Labels from maps can be longer than the debug port's. */
	for (int i = 0; i < bs->nr; i++)
		if ((int)strlen(bs->stage[i].label) > width)
			width = strlen(bs->stage[i].label);
	fprintf(stderr, "  %-*s %4s %10s %10s %10s %10s %10s %10s %10s %6s\n", width, "stage", "n",
		"min (s)", "p50 (s)", "p90 (s)", "p99 (s)", "max (s)", "mean (s)", "stddev (s)",
		"cv");
	for (int i = 0; i < bs->nr; i++)
		print_stat_row(bs->stage[i].label, width, &bs->stage[i].s);
	print_stat_row("time to Userspace", width, &bs->userspace);
}

static void print_repeat_stats(struct repeat *rep, unsigned int runs)
{
	fprintf(stderr, "boot-trace: %u run%s, %u boot%s with codes\n", runs, runs == 1 ? "" : "s",
		rep->samples.boots, rep->samples.boots == 1 ? "" : "s");
	if (rep->samples.boots)
		print_stats_table(&rep->samples);
}

int stage_union(const struct boot_samples *const *sets, int nr, const char ***names)
{
	const char **all;
	int total = 0, n = 0;

	for (int i = 0; i < nr; i++)
		total += sets[i] ? sets[i]->nr : 0;
	all = calloc(total ?: 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (int i = 0; i < nr; i++) {
		for (int j = 0; sets[i] && j < sets[i]->nr; j++) {
			const char *label = sets[i]->stage[j].label;
			int at, k;

			for (k = 0; k < n && strcmp(all[k], label); k++)
				;
			if (k < n)
				continue;
			/* After the last of the same or a lower rank: first seen first. */
			for (at = n; at > 0 && label_rank(all[at - 1]) > label_rank(label); at--)
				;
			memmove(&all[at + 1], &all[at], (n - at) * sizeof(all[0]));
			all[at] = label;
			n++;
		}
	}
	*names = all;
	return n;
}

void format_command(char *buf, size_t len, char *const *argv)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && at < len; i++) {
		bool quote = !*argv[i] || strpbrk(argv[i], " \t'\"");

		at +=
		    snprintf(buf + at, len - at, quote ? "%s'%s'" : "%s%s", i ? " " : "", argv[i]);
	}
	if (at >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	text_sanitize(buf);
}

int pending_stop(void)
{
	sigset_t set;

	sigpending(&set);
	if (sigismember(&set, SIGINT))
		return SIGINT;
	if (sigismember(&set, SIGTERM))
		return SIGTERM;
	if (sigismember(&set, SIGHUP))
		return SIGHUP;
	return 0;
}

/* run --repeat N: N traced runs, one line each, then statistics over all their VMs. */
static int run_repeat(const struct options *opts, const sigset_t *old_mask)
{
	struct repeat rep = {};
	unsigned int i, done = 0;
	int status = 0, sig;
	char dropped[48];

	struct session_config cfg;

	tracing_config(opts, &cfg, true, true);
	cfg.on_vm_summarized = repeat_vm_summarized;
	cfg.ctx = &rep;
	for (i = 1; i <= opts->repeat; i++) {
		char *path = opts->output ? repeat_path(opts->output, i) : NULL;
		struct run_outcome run;

		if (opts->output && !path) {
			fprintf(stderr, "boot-trace: out of memory\n");
			status = 1;
			break;
		}
		rep.run_vms = 0;
		rep.run_user_ns = 0;
		/* Without -o the traces are not kept: the statistics are the result. One line per
		 * run instead of the tables. */
		status = run_traced(opts, opts->argv, 1, path, false, &cfg, true, old_mask, &run);
		if (!run.opened) { /* the tracer or the output: said, and no run to count */
			free(path);
			break;
		}
		done++;
		/* Losses are reported even with -q: nothing is lost silently. */
		if (!opts->quiet || run.dropped) {
			char user[32] = "none";

			if (rep.run_user_ns)
				format_seconds(user, sizeof(user), rep.run_user_ns);
			dropped[0] = '\0';
			if (run.dropped)
				snprintf(dropped, sizeof(dropped), ", %" PRIu64 " dropped",
					 run.dropped);
			fprintf(stderr,
				"boot-trace: run %u/%u: status %d, %u VM%s, time to Userspace "
				"%s%s%s%s%s\n",
				i, opts->repeat, status, rep.run_vms, rep.run_vms == 1 ? "" : "s",
				user, rep.run_user_ns ? " s" : "", dropped, path ? " -> " : "",
				path ?: "");
		}
		free(path);
		if (status)
			break;
		sig = pending_stop();
		if (sig) {
			status = 128 + sig;
			break;
		}
	}
	if (rep.failed)
		fprintf(stderr, "boot-trace: out of memory: statistics incomplete\n");
	print_repeat_stats(&rep, done);
	if (status && done < opts->repeat)
		fprintf(stderr, "boot-trace: stopped after run %u of %u (status %d)\n", done,
			opts->repeat, status);
	boot_samples_free(&rep.samples);
	return status;
}

int cmd_run(const struct options *opts)
{
	struct session_config cfg;
	struct run_outcome out;
	struct trace_outputs to;
	struct session s;
	sigset_t old_mask;

	/* Read from a signalfd in the loop and passed on to the command. */
	block_stop_signals(false, &old_mask);

	if (opts->ab)
		return run_ab(opts, &old_mask);
	if (opts->nr_parallel)
		return run_storm(opts, &old_mask);
	if (opts->repeat)
		return run_repeat(opts, &old_mask);
	tracing_config(opts, &cfg, true, true);
	if (open_run(opts, &s, &to, opts->output, true, false, &cfg))
		return 1;
	memset(&out, 0, sizeof(out));
	return run_copies(opts->argv, 1, &s, &to, true, opts->timeout_ns, &old_mask, &out);
}

/* ---- command line ---------------------------------------------------------------------- */

static int set_repeat(struct options *opts, const char *arg)
{
	unsigned long n;

	if (parse_ulong(arg, MAX_REPEAT, &n) || n == 0)
		return usage_error("invalid repeat count '%s': a number from 1 to %d", arg,
				   MAX_REPEAT);
	opts->repeat = n;
	return 0;
}

/* --parallel K or K1,K2,...: each from 1 to MAX_PARALLEL, increasing. */
static int set_parallel(struct options *opts, const char *arg)
{
	char buf[16];
	const char *p = arg;
	unsigned long k;

	if (opts->nr_parallel)
		return usage_error("--parallel given twice: one value or one list (e.g. 1,2,4,8)");
	do {
		size_t len = strcspn(p, ",");

		if (opts->nr_parallel == MAX_PARALLEL_STEPS)
			return usage_error("too many --parallel values in '%s': at most %d", arg,
					   MAX_PARALLEL_STEPS);
		snprintf(buf, sizeof(buf), "%.*s", (int)len, p);
		if (len >= sizeof(buf) || parse_ulong(buf, MAX_PARALLEL, &k) || k == 0)
			return usage_error("invalid --parallel '%s': boots at once, from 1 to %d, "
					   "or an increasing list of them (e.g. 1,2,4,8)",
					   arg, MAX_PARALLEL);
		if (opts->nr_parallel && k <= opts->parallel[opts->nr_parallel - 1])
			return usage_error("invalid --parallel '%s': the list must increase (e.g. "
					   "1,2,4,8)",
					   arg);
		opts->parallel[opts->nr_parallel++] = k;
		p += len;
	} while (*p++ == ',');
	return 0;
}

static int run_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	int err = tracing_option(opts, opt, arg, argc, argv);

	if (err != 1)
		return err;
	err = output_option(opts, opt, arg);
	if (err != 1)
		return err;
	err = gate_option(opts, opt, arg);
	if (err != 1) {
		opts->gate_options = true;
		return err;
	}
	switch (opt) {
	case OPT_REPEAT:
		return set_repeat(opts, arg);
	case OPT_AB:
		opts->ab = true;
		return 0;
	case OPT_PARALLEL:
		return set_parallel(opts, arg);
	case OPT_SVG:
		return set_path(&opts->svg, "--svg", arg);
	case OPT_TIMEOUT:
		if (parse_seconds(arg, &opts->timeout_ns) || !opts->timeout_ns)
			return usage_error("invalid --timeout '%s': seconds, more than 0, with at "
					   "most 9 decimals (e.g. 30 or 0.5)",
					   arg);
		return 0;
	case OPT_INCLUDE_INCOMPLETE:
		return usage_error("%s",
				   "--include-incomplete belongs to diff: run --ab drops a pair "
				   "whose boot did not complete");
	default:
		return EXIT_USAGE;
	}
}

/* --ab: COMMAND_A, a bare --, COMMAND_B; the -- becomes the end of A's argv. */
static int split_ab(struct options *opts, int argc, char **argv)
{
	int sep = -1, count = 0;

	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--"))
			continue;
		if (!count++)
			sep = i;
	}
	if (!count)
		return usage_error("%s", "--ab needs two commands: -- COMMAND_A [ARGS...] -- "
					 "COMMAND_B [ARGS...]");
	if (count > 1)
		return usage_error("--ab takes exactly one -- between COMMAND_A and COMMAND_B, "
				   "found %d (a command that needs a -- of its own: a script)",
				   count);
	if (sep == optind)
		return usage_error("%s", "--ab: no COMMAND_A before the --");
	if (sep == argc - 1)
		return usage_error("%s", "--ab: no COMMAND_B after the --");
	argv[sep] = NULL;
	opts->argv = &argv[optind];
	opts->argv_b = &argv[sep + 1];
	return 0;
}

/* The series (--ab, --parallel) write jsonl, one file a series, their runs concatenated. */
static int series_format(struct options *opts, const char *what)
{
	const struct output_format *f = output_formats;

	if (opts->format && opts->format != &output_jsonl_ops) {
		while (f->name && f->ops != opts->format)
			f++;
		return usage_error("%s writes its runs to jsonl files (-o FILE), not -f %s", what,
				   f->name ?: "?");
	}
	opts->format = &output_jsonl_ops;
	return 0;
}

static int run_finish(struct options *opts, int argc, char **argv)
{
	int err;

	if (optind >= argc)
		return usage_error("%s", "no COMMAND given after --");
	if (opts->svg && opts->nr_parallel < 2)
		return usage_error("%s", "--svg cannot be used with run without a --parallel sweep "
					 "(e.g. --parallel 1,2,4,8)");
	if (opts->gate_options && !opts->ab)
		return usage_error("%s",
				   "--threshold and --alpha need --ab (the gate of an A/B run; "
				   "or boot-trace diff)");
	if (opts->ab && opts->nr_parallel)
		return usage_error("%s", "--ab and --parallel cannot be combined: A and B boot one "
					 "at a time");
	if (opts->ab) {
		size_t least = paired_min_pairs(opts->alpha);

		if (!opts->repeat)
			return usage_error(
			    "--ab needs --repeat N, the number of A/B pairs (at least "
			    "%zu for p < %g)",
			    least, opts->alpha);
		if (opts->repeat < least)
			return usage_error("--ab --repeat %u can never decide: at least %zu pairs "
					   "are needed for p < %g",
					   opts->repeat, least, opts->alpha);
		err = series_format(opts, "--ab");
		return err ?: split_ab(opts, argc, argv);
	}
	if (opts->nr_parallel) {
		if (!opts->repeat)
			return usage_error("%s", "--parallel needs --repeat N, the boots for each "
						 "number at once");
		for (int i = 0; i < opts->nr_parallel; i++)
			if (opts->repeat % opts->parallel[i])
				return usage_error(
				    "--repeat %u is not a multiple of --parallel %u: boots start "
				    "in "
				    "waves of %u (e.g. --repeat %u)",
				    opts->repeat, opts->parallel[i], opts->parallel[i],
				    (opts->repeat / opts->parallel[i] + 1) * opts->parallel[i]);
		err = series_format(opts, "--parallel");
		if (err)
			return err;
	}
	opts->argv = &argv[optind];
	return 0;
}

static const struct option run_options[] = {
    COMMON_LONG_OPTIONS,
    TRACING_LONG_OPTIONS,
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"ab", no_argument, NULL, OPT_AB},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"include-incomplete", no_argument, NULL, OPT_INCLUDE_INCOMPLETE},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"svg", required_argument, NULL, OPT_SVG},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"wall-clock", no_argument, NULL, OPT_WALL_CLOCK},
    {},
};

/* clang-format off */
static const char run_usage[] =
	"USAGE: boot-trace run [OPTIONS] [--] COMMAND [ARGS...]\n"
	"       boot-trace run --repeat N --ab [OPTIONS] -- COMMAND_A [ARGS...] -- COMMAND_B [ARGS...]\n"
	"       boot-trace run --repeat N --parallel K[,K...] [--svg FILE] [OPTIONS] -- COMMAND ...\n"
	"\n"
	"Start COMMAND (a VMM, or a script that starts one) traced from its first instruction,\n"
	"and whatever it forks; print each VM's boot summary on stderr when it ends, and exit\n"
	"with COMMAND's status. SIGINT, SIGTERM and SIGHUP are passed on to COMMAND.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE     write the trace to FILE (default: stdout)\n"
	"  -f, --format FORMAT   log (default), jsonl, chrome (Chrome/Perfetto trace), csv or svg\n"
	"      --repeat N        boot N times and print n, min, p50, p90, p99, max, mean, stddev\n"
	"                        and cv per stage, and which boots fall in which mode of a\n"
	"                        bimodal stage;\n"
	"                        with -o FILE, run i is written to FILE with .i before its extension\n"
	"      --ab              an A/B gate: boot COMMAND_A and COMMAND_B alternately (A B A B\n"
	"                        ..., N pairs; exactly one bare -- between them) and test each\n"
	"                        stage's paired differences B - A (Wilcoxon signed-rank): the\n"
	"                        median difference, its 95% interval, p. Exit 1 when a stage of\n"
	"                        B is slower with p < P and by more than PCT, 0 when none is, 2\n"
	"                        when nothing could be decided (no pairs, too few); a pair with a\n"
	"                        failed or incomplete boot is dropped (said); with -o FILE, A's\n"
	"                        and B's runs in FILE with .A and .B before the extension (jsonl)\n"
	"      --threshold PCT   --ab: the least change that can fail, in percent (default 10)\n"
	"      --alpha P         --ab: the significance level (default 0.01; N >= 7 pairs)\n"
	"      --parallel K      start K copies at once, in waves of K (N a multiple of K), and\n"
	"                        print the --repeat table; K1,K2,...: a sweep, N boots for each K,\n"
	"                        then each stage's p50 and p90 per K and their growth; with -o\n"
	"                        FILE, the runs of each K in FILE with .kK before the extension\n"
	"      --svg FILE        the sweep as a chart: p50 and p90 per K, a panel per stage\n"
	"      --timeout SEC     stop a boot still running after SEC seconds: SIGTERM to COMMAND\n"
	"                        and all it started, SIGKILL to those left 5 s later; status 124\n"
	"  -q, --quiet           no boot summary (losses are still reported)\n"
	TRACING_USAGE
	WALL_CLOCK_USAGE
	COMMON_USAGE
	"\n"
	"EXAMPLES:\n"
	"  sudo boot-trace run -- vmm-min build/guests/demo.bin\n"
	"  sudo boot-trace run -f jsonl -o boot.jsonl -- qemu-system-x86_64 -accel kvm ...\n"
	"  sudo boot-trace run -f chrome -o boot.json -- ./start-my-vm.sh   # open in Perfetto UI\n"
	"  sudo boot-trace run --repeat 10 -f jsonl -o base.jsonl -- ./start-my-vm.sh\n"
	"  sudo boot-trace run --repeat 20 --ab -o ab.jsonl -- ./vm-main.sh -- ./vm-patched.sh\n"
	"  sudo boot-trace run --repeat 16 --parallel 1,2,4,8 --svg storm.svg -- ./start-my-vm.sh\n"
	"  sudo boot-trace run --port 0x80 --port 0xf4 --labels qboot -- qemu-system-x86_64 ...\n"
	"  sudo boot-trace run --mmio -- firecracker --no-api --config-file vm.json --boot-timer\n"
	"  sudo boot-trace run --console -- qemu-system-x86_64 -accel kvm -serial file:ttyS0.log ...\n";
/* clang-format on */

const struct command_parser run_parser = {
    .cmd = CMD_RUN,
    .name = "run",
    .optstring = TRACING_OPTSTRING "o:f:",
    .stop_at_command = true,
    .longopts = run_options,
    .option = run_option,
    .finish = run_finish,
    .usage = run_usage,
};
