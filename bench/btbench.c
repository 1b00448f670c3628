// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * btbench: the few measurements of `make bench` (scripts/bench.sh) that a shell cannot make
 * precisely enough.
 *
 *   btbench tsc-hz
 *	The TSC frequency, calibrated against CLOCK_MONOTONIC (guests' TSC counts at this rate).
 *   btbench mono
 *	The CLOCK_MONOTONIC time in ns (the clock of `lines` and of boot-trace's stamps).
 *   btbench lines [-o FILE] [-m MATCH] -- COMMAND...
 *	Run COMMAND with its stdout on a pipe; write each line it prints (with -m, each that
 *	contains MATCH), prefixed with the CLOCK_MONOTONIC time at which it became readable
 *	("<ns> <line>"). Exit with its status.
 *   btbench ready -m MARK [-H HOLD_MS] [-T TIMEOUT_S] -- COMMAND...
 *	Launch COMMAND (a tracer) and wait for the first line containing MARK; the number right
 *	after MARK is the in-kernel CLOCK_MONOTONIC stamp of the first write it captured. Prints
 *	"ready_ns=<stamp - launch> readable_ns=<line read - launch>", keeps reading for HOLD_MS,
 *	then sends SIGINT to COMMAND's process group and waits for it.
 *   btbench cpu -o FILE -- COMMAND...
 *	Run COMMAND (a VMM) as a child and write "pid=P status=S cpu_ns=C wall_ns=W maxrss_kb=R"
 *	to FILE: its CPU time (user + system, all threads: exact, the kernel scales both to the
 *	scheduler's runtime), wall time and peak RSS. Wrapped inside a tracer's command line, it
 *	measures the traced VMM alone. Exits with COMMAND's status.
 *   btbench with-bpf-stats -- COMMAND...
 *	Run COMMAND while BPF run-time statistics are enabled (BPF_ENABLE_STATS: switched off
 *	again when this process exits, whatever happens to it).
 *   btbench empty-prog TRACEPOINT
 *	Attach a BPF program that does nothing (return 0) to the raw tracepoint until killed:
 *	what any BPF program there costs, the floor under a tracer's cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <x86intrin.h>

#define LINE_MAX_LEN 65536

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "USAGE: btbench tsc-hz\n"
			"       btbench mono\n"
			"       btbench lines [-o FILE] [-m MATCH] -- COMMAND...\n"
			"       btbench ready -m MARK [-H HOLD_MS] [-T TIMEOUT_S] -- COMMAND...\n"
			"       btbench cpu -o FILE -- COMMAND...\n"
			"       btbench with-bpf-stats -- COMMAND...\n"
			"       btbench empty-prog TRACEPOINT\n");
	exit(2);
}

static long parse_num(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "btbench: %s: '%s' is not a number\n", opt, s);
		exit(2);
	}
	return v;
}

/* Median of 5 calibrations over 100 ms each. */
static int cmd_tsc_hz(void)
{
	double hz[5];

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = mono_ns(), c0 = __rdtsc(), t1, c1;
		struct timespec d = {0, 100000000};

		nanosleep(&d, NULL);
		t1 = mono_ns();
		c1 = __rdtsc();
		hz[i] = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	}
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (hz[j] < hz[i]) {
				double t = hz[i];

				hz[i] = hz[j];
				hz[j] = t;
			}
	printf("%.0f\n", hz[2]);
	return 0;
}

/* Start argv with stdout on a pipe, in a process group of its own. */
static pid_t spawn_piped(char **argv, int *read_fd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		perror("btbench: pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("btbench: fork");
		exit(1);
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "btbench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[1]);
	*read_fd = fds[0];
	return pid;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* A line reader over a pipe: feed() appends what read() returned, next() yields whole lines. */
struct lines {
	char buf[LINE_MAX_LEN];
	size_t len, start;
};

static char *lines_next(struct lines *l)
{
	char *nl = memchr(l->buf + l->start, '\n', l->len - l->start);
	char *line;

	if (!nl) {
		memmove(l->buf, l->buf + l->start, l->len - l->start);
		l->len -= l->start;
		l->start = 0;
		if (l->len == sizeof(l->buf)) /* an over-long line: cut it */
			l->len = 0;
		return NULL;
	}
	*nl = '\0';
	line = l->buf + l->start;
	l->start = nl + 1 - l->buf;
	return line;
}

static ssize_t lines_feed(struct lines *l, int fd)
{
	ssize_t n;

	do
		n = read(fd, l->buf + l->len, sizeof(l->buf) - l->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		l->len += n;
	return n;
}

static int cmd_lines(int argc, char **argv)
{
	static struct lines l;
	const char *match = NULL;
	FILE *out = stdout;
	int c, fd;
	pid_t pid;

	while ((c = getopt(argc, argv, "+o:m:")) != -1) {
		switch (c) {
		case 'o':
			out = fopen(optarg, "w");
			if (!out) {
				fprintf(stderr, "btbench: cannot write %s: %s\n", optarg,
					strerror(errno));
				return 1;
			}
			break;
		case 'm':
			match = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	pid = spawn_piped(argv + optind, &fd);
	for (;;) {
		ssize_t n = lines_feed(&l, fd);
		uint64_t now = mono_ns();
		char *line;

		if (n <= 0)
			break;
		while ((line = lines_next(&l)))
			if (!match || strstr(line, match))
				fprintf(out, "%llu %s\n", (unsigned long long)now, line);
	}
	fflush(out);
	return wait_status(pid);
}

static int cmd_ready(int argc, char **argv)
{
	static struct lines l;
	const char *mark = NULL;
	long hold_ms = 500, timeout_s = 60;
	uint64_t t0, deadline, stop_at = 0, first_ts = 0, first_read = 0;
	bool signalled = false;
	int c, fd, status;
	pid_t pid;

	while ((c = getopt(argc, argv, "+m:H:T:")) != -1) {
		switch (c) {
		case 'm':
			mark = optarg;
			break;
		case 'H':
			hold_ms = parse_num("-H", optarg);
			break;
		case 'T':
			timeout_s = parse_num("-T", optarg);
			break;
		default:
			usage();
		}
	}
	if (!mark || optind >= argc)
		usage();

	t0 = mono_ns();
	pid = spawn_piped(argv + optind, &fd);
	deadline = t0 + timeout_s * 1000000000ull;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = mono_ns(), until = stop_at && !signalled ? stop_at : deadline;
		int wait_ms = now >= until ? 0 : (int)((until - now) / 1000000 + 1);
		char *line;
		ssize_t n;

		if (signalled)
			wait_ms = -1; /* the tracer is stopping: read to EOF */
		if (poll(&pfd, 1, wait_ms) == 0) {
			if (!signalled) {
				kill(-pid, SIGINT);
				signalled = true;
			}
			continue;
		}
		n = lines_feed(&l, fd);
		now = mono_ns();
		if (n <= 0)
			break;
		while (!first_ts && (line = lines_next(&l))) {
			char *p = strstr(line, mark), *end;
			unsigned long long ts;

			if (!p)
				continue;
			ts = strtoull(p + strlen(mark), &end, 10);
			if (end == p + strlen(mark))
				continue;
			first_ts = ts;
			first_read = now;
			stop_at = now + hold_ms * 1000000ull;
		}
		if (first_ts)
			l.len = l.start = 0; /* after the first event, only EOF matters */
	}
	status = wait_status(pid);
	if (!first_ts) {
		fprintf(stderr, "btbench: no line with '%s' from %s (status %d)\n", mark,
			argv[optind], status);
		return 1;
	}
	printf("ready_ns=%lld readable_ns=%lld status=%d\n", (long long)(first_ts - t0),
	       (long long)(first_read - t0), status);
	return 0;
}

static int cmd_cpu(int argc, char **argv)
{
	const char *path = NULL;
	struct rusage ru;
	uint64_t t0, cpu_ns;
	int c, status, code;
	FILE *out;
	pid_t pid;

	while ((c = getopt(argc, argv, "+o:")) != -1) {
		if (c != 'o')
			usage();
		path = optarg;
	}
	if (!path || optind >= argc)
		usage();
	t0 = mono_ns();
	pid = fork();
	if (pid < 0) {
		perror("btbench: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "btbench: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return 1;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
		 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "btbench: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(out, "pid=%d status=%d cpu_ns=%llu wall_ns=%llu maxrss_kb=%ld\n", pid, code,
		(unsigned long long)cpu_ns, (unsigned long long)(mono_ns() - t0), ru.ru_maxrss);
	fclose(out);
	return code;
}

static int cmd_with_bpf_stats(int argc, char **argv)
{
	union bpf_attr attr;
	int fd, i = 1;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "--"))
		i = 2;
	if (i >= argc)
		usage();
	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	fd = syscall(SYS_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
	if (fd < 0)
		fprintf(stderr, "btbench: cannot enable BPF statistics: %s\n", strerror(errno));
	pid = fork();
	if (pid == 0) {
		if (fd >= 0)
			close(fd);
		execvp(argv[i], argv + i);
		fprintf(stderr, "btbench: cannot run %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		perror("btbench: fork");
		return 1;
	}
	return wait_status(pid);
}

static int cmd_empty_prog(int argc, char **argv)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	int prog, link;

	if (argc != 2)
		usage();
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (uintptr_t) "GPL";
	prog = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog < 0) {
		fprintf(stderr, "btbench: cannot load the empty program: %s\n", strerror(errno));
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = (uintptr_t)argv[1];
	attr.raw_tracepoint.prog_fd = prog;
	link = syscall(SYS_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
	if (link < 0) {
		fprintf(stderr, "btbench: cannot attach to %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;)
		pause(); /* until a signal ends the process, and the attachment with it */
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	/* Each command parses its own options, from its own argv[0]. */
	argc--;
	argv++;
	if (!strcmp(argv[0], "tsc-hz"))
		return cmd_tsc_hz();
	if (!strcmp(argv[0], "mono"))
		return printf("%llu\n", (unsigned long long)mono_ns()) < 0;
	if (!strcmp(argv[0], "lines"))
		return cmd_lines(argc, argv);
	if (!strcmp(argv[0], "ready"))
		return cmd_ready(argc, argv);
	if (!strcmp(argv[0], "cpu"))
		return cmd_cpu(argc, argv);
	if (!strcmp(argv[0], "with-bpf-stats"))
		return cmd_with_bpf_stats(argc, argv);
	if (!strcmp(argv[0], "empty-prog"))
		return cmd_empty_prog(argc, argv);
	usage();
}
