// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* boot-trace record: attach to running VMMs (-p) or to every KVM guest on the host (-a). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "commands.h"
#include "procfs.h"
#include "session.h"

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
	struct session s;
	sigset_t mask;
	int sig = 0, live = 0;

	/* Name a wrong pid before touching the kernel. */
	for (int i = 0; i < opts->nr_pids; i++) {
		if (kill(opts->pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "boot-trace: no process with pid %d\n", opts->pids[i]);
			return 1;
		}
	}
	/* As in run: a background job's ignored SIGINT must still stop us. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if (session_open(&s, opts, !opts->all, true))
		return 1;
	if (!opts->all)
		live = add_processes(&s, opts);
	if ((!opts->all && live <= 0) || session_start(&s)) {
		/* Nothing traced: no summary, and no empty trace left behind. */
		for (int i = 0; i < s.nr_outs; i++) {
			s.outs[i].quiet = true;
			s.outs[i].discard = true;
		}
		session_close(&s);
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
	if (session_close(&s))
		return 1;
	/* Some -p process could not be traced: said above; the others were. */
	return live < opts->nr_pids && !opts->all ? 1 : 0;
}
