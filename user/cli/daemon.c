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
#include "commands.h"
#include "procfs.h"
#include "session.h"

/* Hold an exclusive lock for the daemon's lifetime; the file says who holds it. */
static int take_lock(const char *path)
{
	char holder[32] = "";
	ssize_t n;
	int fd;

	/* The default lives in /run/boot-trace/ (systemd's RuntimeDirectory); make it if needed. */
	if (!strcmp(path, DEFAULT_LOCK_FILE))
		mkdir(DEFAULT_LOCK_DIR, 0755);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		fprintf(stderr, "boot-trace: cannot open lock file %s: %s\n", path, strerror(errno));
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

int cmd_daemon(const struct options *opts)
{
	struct session s;
	sigset_t mask;
	int lock_fd, sig = 0, err;

	lock_fd = take_lock(opts->lock_file);
	if (lock_fd < 0)
		return 1;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if (session_open(&s, opts, false, false)) {
		close(lock_fd);
		return 1;
	}
	if (session_start(&s)) {
		session_close(&s);
		close(lock_fd);
		return 1;
	}
	procfs_for_each_pid(seed_kvm_process, &s);
	fprintf(stderr, "boot-trace: daemon tracing every KVM guest (pid %d)\n", getpid());

	err = session_loop(&s, NULL, 0, 0, &sig) == LOOP_ERROR;
	err |= session_close(&s) != 0;
	fprintf(stderr, "boot-trace: daemon stopped%s\n", sig ? " by signal" : "");
	close(lock_fd);
	return err ? 1 : 0;
}
