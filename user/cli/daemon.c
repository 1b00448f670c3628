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
		fprintf(stderr, "boot-trace: cannot open lock file %s: %s\n", path, strerror(errno));
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
