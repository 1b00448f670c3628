// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* boot-trace record: attach to running VMMs (-p) or to every KVM guest on the host (-a). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "args.h"
#include "commands.h"
#include "text.h"
#include "procfs.h"
#include "tracing.h"

static int seed_kvm_process(pid_t pid, void *ctx)
{
	session_seed_process(ctx, pid);
	return 0;
}

/* Has pid exited (a zombie included)? Its pidfd is readable once it has. */
static bool process_exited(pid_t pid)
{
	struct pollfd pfd = {.events = POLLIN};
	bool exited;

	pfd.fd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ENOSYS ? procfs_exited(pid) : errno == ESRCH;
	exited = poll(&pfd, 1, 0) == 1;
	close(pfd.fd);
	return exited;
}

/*
 * Attach to each -p process. One that exited before its attach completed (between the check
 * in cmd_record and here) is named; returns how many are traced, or -1 on another error.
 */
static int add_processes(struct session *s, const struct options *opts)
{
	int live = 0;

	for (int i = 0; i < opts->nr_pids; i++) {
		pid_t pid = opts->pids[i];
		int err = session_add_process(s, pid);

		if (!err && process_exited(pid)) {
			fprintf(stderr, "boot-trace: process %d exited before tracing started\n",
				pid);
			continue;
		}
		if (err) {
			fprintf(stderr, "boot-trace: cannot attach to process %d: %s\n", pid,
				strerror(-err));
			return -1;
		}
		live++;
	}
	return live;
}

int cmd_record(const struct options *opts)
{
	struct session_config cfg;
	struct trace_outputs to;
	struct session s;
	int sig = 0, live = 0;

	/* Name a wrong pid before touching the kernel. */
	for (int i = 0; i < opts->nr_pids; i++) {
		if (kill(opts->pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "boot-trace: no process with pid %d\n", opts->pids[i]);
			return 1;
		}
	}
	block_stop_signals(false, NULL);

	tracing_config(opts, &cfg, !opts->all, true);
	if (session_open(&s, &cfg))
		return 1;
	if (trace_outputs_open(&to, opts, opts->output, true)) {
		session_close(&s);
		return 1;
	}
	session_set_outputs(&s, to.outs, to.nr);
	if (!opts->all)
		live = add_processes(&s, opts);
	if ((!opts->all && live <= 0) || session_start(&s)) {
		/* Nothing traced: no summary, and no empty trace left behind. */
		trace_outputs_discard(&to);
		session_close(&s);
		trace_outputs_close(&to);
		return 1;
	}
	/* Their VMs from /proc, now that a VM created meanwhile would be seen being created. */
	if (opts->all)
		procfs_for_each_pid(seed_kvm_process, &s);
	else
		for (int i = 0; i < opts->nr_pids; i++)
			session_seed_process(&s, opts->pids[i]);
	if (!opts->quiet)
		fprintf(stderr, "boot-trace: tracing %s; Ctrl-C to stop\n",
			opts->all ? "every KVM guest" : "the given processes");
	session_loop(&s, opts->pids, opts->nr_pids, 0, &sig);
	session_close(&s);
	if (trace_outputs_close(&to))
		return 1;
	/* Some -p process could not be traced: said above; the others were. */
	return live < opts->nr_pids && !opts->all ? 1 : 0;
}

/* ---- command line ---------------------------------------------------------------------- */

static int add_pid(struct options *opts, const char *arg)
{
	unsigned long pid;

	if (parse_ulong(arg, 0x3fffffff, &pid) || pid == 0)
		return usage_error("invalid pid '%s'", arg);
	if (opts->nr_pids == MAX_PIDS)
		return usage_error("too many pids at '%s': at most 64", arg);
	opts->pids[opts->nr_pids++] = pid;
	return 0;
}

static int record_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	int err = tracing_option(opts, opt, arg, argc, argv);

	if (err != 1)
		return err;
	err = output_option(opts, opt, arg);
	if (err != 1)
		return err;
	if (opt == 'p')
		return add_pid(opts, arg);
	opts->all = true; /* 'a' */
	return 0;
}

static int record_finish(struct options *opts, int argc, char **argv)
{
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!opts->nr_pids && !opts->all)
		return usage_error("%s", "record needs -p PID or -a");
	if (opts->nr_pids && opts->all)
		return usage_error("%s", "-p and -a cannot be combined");
	return 0;
}

static const struct option record_options[] = {
    COMMON_LONG_OPTIONS,
    TRACING_LONG_OPTIONS,
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"pid", required_argument, NULL, 'p'},
    {"all", no_argument, NULL, 'a'},
    {"wall-clock", no_argument, NULL, OPT_WALL_CLOCK},
    {},
};

/* clang-format off */
static const char record_usage[] =
	"USAGE: boot-trace record [OPTIONS] -p PID [-p PID]...\n"
	"       boot-trace record [OPTIONS] -a\n"
	"\n"
	"Trace running VMMs (-p, and what they fork) or every KVM guest on the host (-a), until\n"
	"SIGINT, SIGTERM or SIGHUP, or until every -p process has exited; then print each VM's\n"
	"summary.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID         trace process PID (repeatable, up to 64)\n"
	"  -a, --all             trace every KVM guest on the host\n"
	"  -o, --output FILE     write the trace to FILE (default: stdout)\n"
	"  -f, --format FORMAT   log (default), jsonl, chrome (Chrome/Perfetto trace), csv or svg\n"
	"  -q, --quiet           no boot summary (losses are still reported)\n"
	TRACING_USAGE
	WALL_CLOCK_USAGE
	COMMON_USAGE
	"\n"
	"EXAMPLES:\n"
	"  sudo boot-trace record -p 4242          # one running VMM\n"
	"  sudo boot-trace record -a --port 0x80 --port 0xf4\n"
	"  sudo boot-trace record -a -f jsonl -o host.jsonl\n"
	"  sudo boot-trace record -a --console --debugcon=0x402   # unmodified guests' text\n";
/* clang-format on */

const struct command_parser record_parser = {
    .cmd = CMD_RECORD,
    .name = "record",
    .optstring = TRACING_OPTSTRING "o:f:p:a",
    .longopts = record_options,
    .option = record_option,
    .finish = record_finish,
    .usage = record_usage,
};
