// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace daemon: trace every KVM guest on the host, present and future, as a service.
 * One per host (a lock file); SIGHUP reopens the files; SIGINT/SIGTERM write the summaries
 * of VMs still running and exit 0. Ended VMs are forgotten, so memory stays flat.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "args.h"
#include "commands.h"
#include "procfs.h"
#include "tracing.h"

/*
 * The check of check_shared_dir() in sinks/output.c (static there), worded for the lock file
 * until it is shared: in a sticky, world-writable directory (/tmp) an existing file must
 * belong to us, to the directory's owner or to the user who ran us through sudo, and have
 * one link; another user may have put it there for root to overwrite.
 */
static int lock_check_shared_dir(const char *path, const struct stat *st)
{
	const char *slash = strrchr(path, '/'), *sudo = getenv("SUDO_UID");
	unsigned long sudo_uid = 0;
	struct stat dir;
	char name[4096], *end;

	if (!slash)
		snprintf(name, sizeof(name), ".");
	else
		snprintf(name, sizeof(name), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (stat(name, &dir) || !(dir.st_mode & S_ISVTX) || !(dir.st_mode & S_IWOTH))
		return 0;
	if (geteuid() == 0 && sudo && *sudo) {
		errno = 0;
		sudo_uid = strtoul(sudo, &end, 10);
		if (errno || *end || sudo_uid >= UINT32_MAX)
			sudo_uid = 0;
	}
	if (st->st_uid != geteuid() && st->st_uid != dir.st_uid &&
	    !(sudo_uid && st->st_uid == sudo_uid)) {
		fprintf(stderr,
			"boot-trace: refusing to use lock file %s: it belongs to uid %u in the "
			"shared directory %s (remove it or choose another name)\n",
			path, (unsigned int)st->st_uid, name);
		return -1;
	}
	if (st->st_nlink > 1) {
		fprintf(stderr,
			"boot-trace: refusing to use lock file %s: it has %u hard links in the "
			"shared directory %s (remove it or choose another name)\n",
			path, (unsigned int)st->st_nlink, name);
		return -1;
	}
	return 0;
}

/*
 * Hold an exclusive lock for the daemon's lifetime; the file says who holds it. It is
 * written as root, so it follows the rules of every other output (sinks/output.c): no
 * symlink, no device or FIFO (its pid is not written into /dev/null), and no file of
 * another user in a shared directory.
 */
static int take_lock(const char *path)
{
	char holder[32] = "";
	bool created = true;
	struct stat st;
	ssize_t n;
	int fd, flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;

	/* The default lives in /run/boot-trace/ (systemd's RuntimeDirectory); make it if needed. */
	if (!strcmp(path, DEFAULT_LOCK_FILE))
		mkdir(DEFAULT_LOCK_DIR, 0755);
	/* O_NONBLOCK: opening a FIFO to refuse it must not wait for a reader. */
	fd = open(path, flags | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(path, flags);
	}
	if (fd < 0 && errno == ELOOP) {
		fprintf(stderr,
			"boot-trace: refusing to use lock file %s: it is a symbolic link (not "
			"followed)\n",
			path);
		return -1;
	}
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "boot-trace: cannot open lock file %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"boot-trace: refusing to use lock file %s: it is not a regular file\n",
			path);
		close(fd);
		return -1;
	}
	if (!created && lock_check_shared_dir(path, &st)) {
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = pread(fd, holder, sizeof(holder) - 1, 0);
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		if (errno == EWOULDBLOCK || errno == EAGAIN)
			fprintf(stderr,
				"boot-trace: another daemon is already running (pid %s, lock %s)\n",
				holder[0] ? holder : "?", path);
		else
			fprintf(stderr, "boot-trace: cannot lock %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", getpid());
	return fd;
}

static int seed_kvm_process(pid_t pid, void *ctx)
{
	session_seed_process(ctx, pid);
	return 0;
}

/*
 * The log (with each VM's summary as a line of it), and the jsonl trace and metrics if asked
 * for, all appended to and reopened on SIGHUP; the final counts on stderr as well.
 */
static int open_daemon_outputs(struct trace_outputs *to, const struct options *opts)
{
	unsigned int flags = (opts->quiet ? OUTPUT_QUIET : 0) | OUTPUT_APPEND |
			     (opts->wall_clock ? OUTPUT_WALL_CLOCK : 0);
	int err;

	to->nr = 0;
	err = trace_outputs_add(to, &output_log_ops, opts->log_file,
				flags | OUTPUT_SUMMARY_IN_TRACE) ?:
	      (opts->jsonl_file ? trace_outputs_add(to, &output_jsonl_ops, opts->jsonl_file, flags)
				: 0) ?:
	      (opts->metrics_dir ? trace_outputs_add(to, &output_prom_ops, opts->metrics_dir, flags)
				 : 0) ?:
	      trace_outputs_add_stream(to, &output_summary_ops, stderr,
				       (opts->quiet ? OUTPUT_QUIET : 0) | OUTPUT_TOTALS_ONLY |
					   OUTPUT_BEST_EFFORT);
	if (err)
		trace_outputs_close(to);
	return err;
}

int cmd_daemon(const struct options *opts)
{
	struct session_config cfg;
	struct trace_outputs to;
	struct session s;
	int lock_fd, sig = 0, err;

	lock_fd = take_lock(opts->lock_file);
	if (lock_fd < 0)
		return 1;

	block_stop_signals(true, NULL);

	tracing_config(opts, &cfg, false, false);
	if (session_open(&s, &cfg)) {
		close(lock_fd);
		return 1;
	}
	if (open_daemon_outputs(&to, opts)) {
		session_close(&s);
		close(lock_fd);
		return 1;
	}
	session_set_outputs(&s, to.outs, to.nr);
	if (session_start(&s)) {
		session_close(&s);
		trace_outputs_close(&to);
		close(lock_fd);
		return 1;
	}
	procfs_for_each_pid(seed_kvm_process, &s);
	fprintf(stderr, "boot-trace: daemon tracing every KVM guest (pid %d)\n", getpid());

	err = session_loop(&s, NULL, 0, 0, &sig) == LOOP_ERROR;
	session_close(&s);
	err |= trace_outputs_close(&to) != 0;
	/* Each was said when it happened; the exit status says it again, for systemd. */
	err |= s.totals.reopen_failures != 0;
	fprintf(stderr, "boot-trace: daemon stopped%s\n", sig ? " by signal" : "");
	close(lock_fd);
	return err ? 1 : 0;
}

/* ---- command line ---------------------------------------------------------------------- */

static int daemon_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	int err = tracing_option(opts, opt, arg, argc, argv);

	if (err != 1)
		return err;
	/* --wall-clock; -o and -f never come here (not in the daemon's options). */
	err = output_option(opts, opt, arg);
	if (err != 1)
		return err;
	switch (opt) {
	case OPT_LOG_FILE:
		return set_path(&opts->log_file, "--log-file", arg);
	case OPT_JSONL:
		return set_path(&opts->jsonl_file, "--jsonl", arg);
	case OPT_METRICS_DIR:
		return set_path(&opts->metrics_dir, "--metrics-dir", arg);
	default: /* OPT_LOCK */
		return set_path(&opts->lock_file, "--lock", arg);
	}
}

static int daemon_finish(struct options *opts, int argc, char **argv)
{
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!opts->lock_file)
		opts->lock_file = DEFAULT_LOCK_FILE;
	return 0;
}

static const struct option daemon_options[] = {
    COMMON_LONG_OPTIONS,
    TRACING_LONG_OPTIONS,
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"jsonl", required_argument, NULL, OPT_JSONL},
    {"metrics-dir", required_argument, NULL, OPT_METRICS_DIR},
    {"lock", required_argument, NULL, OPT_LOCK},
    {"wall-clock", no_argument, NULL, OPT_WALL_CLOCK},
    {},
};

/* clang-format off */
static const char daemon_usage[] =
	"USAGE: boot-trace daemon [--log-file FILE] [--jsonl FILE] [--metrics-dir DIR]\n"
	"                         [--lock FILE] [OPTIONS]\n"
	"\n"
	"Trace every KVM guest on the host, present and future, as a service: a log line per\n"
	"code and one summary line per VM; SIGHUP reopens the files (logrotate); SIGINT and\n"
	"SIGTERM write the summaries of VMs still running and exit 0. One daemon per host.\n"
	"\n"
	"Options:\n"
	"      --log-file FILE   append the log to FILE (default: stdout)\n"
	"      --jsonl FILE      append jsonl records to FILE as well\n"
	"      --metrics-dir DIR keep DIR/boot_trace.prom (Prometheus textfile) current; the\n"
	"                        unit's is /var/lib/boot-trace: point node_exporter's\n"
	"                        --collector.textfile.directory there\n"
	"      --lock FILE       lock file (default " DEFAULT_LOCK_FILE ")\n"
	"  -q, --quiet           no summary lines (losses are still reported)\n"
	TRACING_USAGE
	WALL_CLOCK_USAGE
	COMMON_USAGE
	"\n"
	"EXAMPLES:\n"
	"  sudo boot-trace daemon --log-file /var/log/boot-trace/boot-trace.log \\\n"
	"       --jsonl /var/log/boot-trace/boot-trace.jsonl --metrics-dir /var/lib/boot-trace\n"
	"  systemctl enable --now boot-trace      # the unit runs the line above\n"
	"  node_exporter --collector.textfile.directory=/var/lib/boot-trace   # serves the metrics\n";
/* clang-format on */

const struct command_parser daemon_parser = {
    .cmd = CMD_DAEMON,
    .name = "daemon",
    .optstring = TRACING_OPTSTRING,
    .longopts = daemon_options,
    .option = daemon_option,
    .finish = daemon_finish,
    .usage = daemon_usage,
};
