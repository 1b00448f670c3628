// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace run: the command is forked but held before exec until its pid is in the
 * kernel's filter, so its VM is traced from KVM_CREATE_VM on; the kernel side then follows
 * it through fork (a wrapper script that starts the VMM works).
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
#include "commands.h"
#include "session.h"
#include "samples.h"

#define EXIT_NOT_FOUND	127
#define EXIT_NOT_EXEC	126

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

/* One traced run of the command; returns its exit status (or 1 if tracing failed). */
static int run_once(const struct options *opts, struct session *s, const sigset_t *old_mask)
{
	int go_pipe[2], err_pipe[2], exec_err = 0, wstatus = 0, sig = 0, status;
	pid_t child;
	ssize_t n;

	if (pipe2(go_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		fprintf(stderr, "boot-trace: pipe: %s\n", strerror(errno));
		session_close(s);
		return 1;
	}
	child = fork();
	if (child < 0) {
		fprintf(stderr, "boot-trace: fork: %s\n", strerror(errno));
		session_close(s);
		return 1;
	}
	if (child == 0) {
		close(go_pipe[1]);
		close(err_pipe[0]);
		child_exec(opts->argv, go_pipe[0], err_pipe[1], old_mask);
	}
	close(go_pipe[0]);
	close(err_pipe[1]);

	/* Traced before it can run a single instruction of COMMAND. */
	if (session_add_process(s, child) || session_start(s) || write(go_pipe[1], "g", 1) != 1) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		session_close(s);
		return 1;
	}
	close(go_pipe[1]);
	n = read(err_pipe[0], &exec_err, sizeof(exec_err));
	close(err_pipe[0]);
	if (n == sizeof(exec_err)) {
		waitpid(child, &wstatus, 0);
		for (int i = 0; i < s->nr_outs; i++)
			s->outs[i].quiet = true;
		session_close(s);
		fprintf(stderr, "boot-trace: cannot run '%s': %s\n", opts->argv[0],
			strerror(exec_err));
		return exit_status(wstatus);
	}

	session_loop(s, &child, 1, child, &sig);
	if (waitpid(child, &wstatus, 0) < 0)
		wstatus = 0;
	status = exit_status(wstatus);
	if (session_close(s) && status == 0)
		status = 1;
	return status;
}

char *repeat_path(const char *path, unsigned int i)
{
	const char *base = strrchr(path, '/'), *dot;
	char *out;

	base = base ? base + 1 : path;
	/* The extension is the last dot of the file name, not of a directory or a dotfile. */
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = path + strlen(path);
	if (asprintf(&out, "%.*s.%u%s", (int)(dot - path), path, i, dot) < 0)
		return NULL;
	return out;
}

struct repeat {
	struct boot_samples samples;
	unsigned int run_vms; /* VMs in the current run */
	uint64_t run_user_ns; /* its (last) VM's time to Userspace; 0: none */
	bool failed;	      /* out of memory */
};

static void repeat_vm_summarized(struct session *s, const struct traced_vm *vm)
{
	struct repeat *rep = s->ctx;
	uint64_t user_ns;

	if (!vm->stats.events)
		return;
	rep->run_vms++;
	if (vm->start_ns && boot_userspace_ns(&vm->stats, &user_ns))
		rep->run_user_ns = user_ns - vm->start_ns;
	if (boot_samples_add(&rep->samples, &vm->stats, vm->start_ns))
		rep->failed = true;
}

static void print_stat_row(const char *name, int width, struct samples *samples)
{
	char min[32], med[32], p95[32], max[32], sd[32];
	struct sample_stats st;

	if (!samples_stats(samples, &st))
		return;
	format_seconds(min, sizeof(min), st.min);
	format_seconds(med, sizeof(med), llround(st.median));
	format_seconds(p95, sizeof(p95), llround(st.p95));
	format_seconds(max, sizeof(max), st.max);
	format_seconds(sd, sizeof(sd), llround(st.stddev));
	fprintf(stderr, "  %-*s %4zu %11s %11s %11s %11s %11s\n", width, name, st.n, min, med, p95,
		max, sd);
}

static void print_repeat_stats(struct repeat *rep, unsigned int runs)
{
	int width = 18;

	fprintf(stderr, "boot-trace: %u run%s, %u boot%s with codes\n", runs, runs == 1 ? "" : "s",
		rep->samples.boots, rep->samples.boots == 1 ? "" : "s");
	if (!rep->samples.boots)
		return;
	/* Labels from maps can be longer than the debug port's. */
	for (int i = 0; i < rep->samples.nr; i++)
		if ((int)strlen(rep->samples.stage[i].label) > width)
			width = strlen(rep->samples.stage[i].label);
	fprintf(stderr, "  %-*s %4s %11s %11s %11s %11s %11s\n", width, "stage", "n", "min (s)",
		"median (s)", "p95 (s)", "max (s)", "stddev (s)");
	for (int i = 0; i < rep->samples.nr; i++)
		print_stat_row(rep->samples.stage[i].label, width, &rep->samples.stage[i].s);
	print_stat_row("time to Userspace", width, &rep->samples.userspace);
}

/* A SIGINT or SIGTERM that came between two runs stops the series. */
static int pending_stop(void)
{
	sigset_t set;

	sigpending(&set);
	if (sigismember(&set, SIGINT))
		return SIGINT;
	if (sigismember(&set, SIGTERM))
		return SIGTERM;
	return 0;
}

/* run --repeat N: N traced runs, one line each, then statistics over all their VMs. */
static int run_repeat(const struct options *opts, const sigset_t *old_mask)
{
	struct repeat rep = {};
	struct options run_opts = *opts;
	unsigned int i, done = 0;
	int status = 0, sig;
	char dropped[48];

	for (i = 1; i <= opts->repeat; i++) {
		char *path = opts->output ? repeat_path(opts->output, i) : NULL;
		struct session s;

		/* Without -o the traces are not kept: the statistics are the result. */
		run_opts.output = opts->output ? path : "/dev/null";
		if (opts->output && !path) {
			fprintf(stderr, "boot-trace: out of memory\n");
			status = 1;
			break;
		}
		rep.run_vms = 0;
		rep.run_user_ns = 0;
		if (session_open(&s, &run_opts, true, true)) {
			free(path);
			status = 1;
			break;
		}
		s.outs[0].summary_fp = NULL; /* one line per run instead of the tables */
		s.on_vm_summarized = repeat_vm_summarized;
		s.ctx = &rep;
		status = run_once(&run_opts, &s, old_mask);
		done++;
		/* Losses are reported even with -q: nothing is lost silently. */
		if (!opts->quiet || s.totals.dropped) {
			char user[32] = "none";

			if (rep.run_user_ns)
				format_seconds(user, sizeof(user), rep.run_user_ns);
			dropped[0] = '\0';
			if (s.totals.dropped)
				snprintf(dropped, sizeof(dropped), ", %" PRIu64 " dropped",
					 s.totals.dropped);
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
	struct session s;
	sigset_t mask, old_mask;

	/*
	 * SIGINT/SIGTERM are read from a signalfd in the loop and passed on to the command.
	 * A shell starts background jobs with SIGINT ignored, which would discard them:
	 * take the default action back (the command inherits it, so the forward works too).
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old_mask);

	if (opts->repeat)
		return run_repeat(opts, &old_mask);
	if (session_open(&s, opts, true, true))
		return 1;
	return run_once(opts, &s, &old_mask);
}
