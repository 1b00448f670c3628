// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* boot-trace record: attach to running VMMs (-p) or to every KVM guest on the host (-a). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "procfs.h"
#include "session.h"

static int seed_kvm_process(pid_t pid, void *ctx)
{
	session_seed_process(ctx, pid);
	return 0;
}

int cmd_record(const struct options *opts)
{
	struct session s;
	sigset_t mask;
	int sig = 0, err = 0;

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
	if (opts->all) {
		procfs_for_each_pid(seed_kvm_process, &s);
	} else {
		for (int i = 0; i < opts->nr_pids && !err; i++)
			err = session_add_process(&s, opts->pids[i]);
		if (err == -ESRCH) {
			fprintf(stderr, "boot-trace: process %d exited before tracing started\n",
				opts->pids[0]);
		}
	}
	if (!opts->quiet)
		fprintf(stderr, "boot-trace: tracing %s; Ctrl-C to stop\n",
			opts->all ? "every KVM guest" : "the given processes");
	session_loop(&s, opts->pids, opts->nr_pids, 0, &sig);
	return session_close(&s) ? 1 : 0;
}
