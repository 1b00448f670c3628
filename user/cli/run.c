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
#include "args.h"
#include "commands.h"
#include "text.h"
#include "samples.h"
#include "tracing.h"

#define EXIT_NOT_FOUND 127
#define EXIT_NOT_EXEC  126

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

/*
 * One traced run of the command into the outputs to (the session is open); returns its exit
 * status (or 1 if tracing failed).
 */
static int run_once(const struct options *opts, struct session *s, struct trace_outputs *to,
		    const sigset_t *old_mask)
{
	int go_pipe[2], err_pipe[2], exec_err = 0, wstatus = 0, sig = 0, status;
	pid_t child;
	ssize_t n;

	session_set_outputs(s, to->outs, to->nr);
	if (pipe2(go_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		fprintf(stderr, "boot-trace: pipe: %s\n", strerror(errno));
		finish(s, to);
		return 1;
	}
	child = fork();
	if (child < 0) {
		fprintf(stderr, "boot-trace: fork: %s\n", strerror(errno));
		finish(s, to);
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
	if (session_add_process(s, child) || session_start(s) ||
	    (session_vmm_started(s, child, clock_now_ns(CLOCK_MONOTONIC)),
	     write(go_pipe[1], "g", 1) != 1)) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		finish(s, to);
		return 1;
	}
	close(go_pipe[1]);
	n = read(err_pipe[0], &exec_err, sizeof(exec_err));
	close(err_pipe[0]);
	if (n == sizeof(exec_err)) {
		waitpid(child, &wstatus, 0);
		for (int i = 0; i < to->nr; i++)
			to->out[i].quiet = true;
		finish(s, to);
		fprintf(stderr, "boot-trace: cannot run '%s': %s\n", opts->argv[0],
			strerror(exec_err));
		return exit_status(wstatus);
	}

	session_loop(s, &child, 1, child, &sig);
	if (waitpid(child, &wstatus, 0) < 0)
		wstatus = 0;
	status = exit_status(wstatus);
	if (finish(s, to) && status == 0)
		status = 1;
	return status;
}

/* Load the tracer, then open the outputs (a tracer that cannot load leaves no file). */
static int open_run(const struct options *opts, struct session *s, struct trace_outputs *to,
		    const char *path, bool tables, struct session_config *cfg)
{
	if (session_open(s, cfg))
		return -1;
	if (trace_outputs_open(to, opts, path, tables)) {
		session_close(s);
		return -1;
	}
	return 0;
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

static void repeat_vm_summarized(void *ctx, const struct traced_vm *vm)
{
	struct repeat *rep = ctx;
	uint64_t user_ns;

	if (!vm->stats.events)
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
	fprintf(stderr, "  %-*s %4s %10s %10s %10s %10s %10s %10s %10s %6s\n", width, "stage", "n",
		"min (s)", "p50 (s)", "p90 (s)", "p99 (s)", "max (s)", "mean (s)", "stddev (s)",
		"cv");
	for (int i = 0; i < rep->samples.nr; i++)
		print_stat_row(rep->samples.stage[i].label, width, &rep->samples.stage[i].s);
	print_stat_row("time to Userspace", width, &rep->samples.userspace);
}

/* A SIGINT, SIGTERM or SIGHUP that came between two runs stops the series. */
static int pending_stop(void)
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
		struct trace_outputs to;
		struct session s;
		uint64_t dropped_n;

		if (opts->output && !path) {
			fprintf(stderr, "boot-trace: out of memory\n");
			status = 1;
			break;
		}
		rep.run_vms = 0;
		rep.run_user_ns = 0;
		/* Without -o the traces are not kept: the statistics are the result. One line per
		 * run instead of the tables. */
		if (open_run(opts, &s, &to, opts->output ? path : "/dev/null", false, &cfg)) {
			free(path);
			status = 1;
			break;
		}
		status = run_once(opts, &s, &to, old_mask);
		done++;
		dropped_n = s.totals.lost[LOSS_DROPPED];
		/* Losses are reported even with -q: nothing is lost silently. */
		if (!opts->quiet || dropped_n) {
			char user[32] = "none";

			if (rep.run_user_ns)
				format_seconds(user, sizeof(user), rep.run_user_ns);
			dropped[0] = '\0';
			if (dropped_n)
				snprintf(dropped, sizeof(dropped), ", %" PRIu64 " dropped",
					 dropped_n);
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
	struct trace_outputs to;
	struct session s;
	sigset_t old_mask;

	/* Read from a signalfd in the loop and passed on to the command. */
	block_stop_signals(false, &old_mask);

	if (opts->repeat)
		return run_repeat(opts, &old_mask);
	tracing_config(opts, &cfg, true, true);
	if (open_run(opts, &s, &to, opts->output, true, &cfg))
		return 1;
	return run_once(opts, &s, &to, &old_mask);
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

static int run_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	int err = tracing_option(opts, opt, arg, argc, argv);

	if (err != 1)
		return err;
	err = output_option(opts, opt, arg);
	if (err != 1)
		return err;
	return opt == OPT_REPEAT ? set_repeat(opts, arg) : EXIT_USAGE;
}

static int run_finish(struct options *opts, int argc, char **argv)
{
	if (optind >= argc)
		return usage_error("%s", "no COMMAND given after --");
	opts->argv = &argv[optind];
	return 0;
}

static const struct option run_options[] = {
    COMMON_LONG_OPTIONS,
    TRACING_LONG_OPTIONS,
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"wall-clock", no_argument, NULL, OPT_WALL_CLOCK},
    {},
};

/* clang-format off */
static const char run_usage[] =
	"USAGE: boot-trace run [OPTIONS] [--] COMMAND [ARGS...]\n"
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
	"  sudo boot-trace run --port 0x80 --port 0xf4 --labels qboot -- qemu-system-x86_64 ...\n"
	"  sudo boot-trace run --mmio -- firecracker --no-api --config-file vm.json --boot-timer\n";
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
