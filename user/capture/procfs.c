// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include "procfs.h"
#include "text.h"

#define KVM_VM_LINK   "anon_inode:kvm-vm"
#define KVM_VCPU_LINK "anon_inode:kvm-vcpu:"

int procfs_kvm_fds(pid_t pid, struct kvm_fd *fds, int max)
{
	char dir_path[64], link_path[320], target[128];
	struct dirent *de;
	unsigned long num;
	int n = 0;
	DIR *dir;

	snprintf(dir_path, sizeof(dir_path), "/proc/%d/fd", pid);
	dir = opendir(dir_path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(dir)) && n < max) {
		ssize_t len;

		if (parse_ulong(de->d_name, 0x7fffffff, &num))
			continue;
		snprintf(link_path, sizeof(link_path), "%s/%s", dir_path, de->d_name);
		len = readlink(link_path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (!strcmp(target, KVM_VM_LINK)) {
			fds[n++] = (struct kvm_fd){.fd = num, .is_vm = true};
		} else if (!strncmp(target, KVM_VCPU_LINK, strlen(KVM_VCPU_LINK))) {
			unsigned long vcpu;

			if (parse_ulong(target + strlen(KVM_VCPU_LINK), 0xfffffffe, &vcpu))
				continue;
			fds[n++] = (struct kvm_fd){.fd = num, .vcpu = vcpu};
		}
	}
	closedir(dir);
	return n;
}

/* Read at most len - 1 bytes of /proc/PID/NAME into buf: how many, or -1. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	return n;
}

void procfs_comm(pid_t pid, char *buf, size_t len)
{
	ssize_t n = read_proc(pid, "comm", buf, len);

	if (n <= 0) {
		snprintf(buf, len, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

pid_t procfs_tgid(pid_t tid)
{
	char buf[1024], *line;
	unsigned long tgid;
	ssize_t n = read_proc(tid, "status", buf, sizeof(buf));

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	line = strstr(buf, "\nTgid:\t");
	if (!line)
		return -1;
	line += strlen("\nTgid:\t");
	line[strcspn(line, "\n")] = '\0';
	return parse_ulong(line, 0x7fffffff, &tgid) || !tgid ? -1 : (pid_t)tgid;
}

void procfs_cmdline(pid_t pid, char *buf, size_t len)
{
	ssize_t n = read_proc(pid, "cmdline", buf, len);

	cmdline_printable(buf, len, buf, n > 0 ? n : 0);
}

void cmdline_printable(char *dst, size_t dst_len, const char *args, size_t args_len)
{
	size_t n = args_len < dst_len - 1 ? args_len : dst_len - 1;

	while (n > 0 && args[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		dst[i] = args[i] ? args[i] : ' ';
	dst[n] = '\0';
	text_sanitize(dst); /* control characters and invalid UTF-8 */
}

int procfs_for_each_pid(int (*fn)(pid_t pid, void *ctx), void *ctx)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	unsigned long pid;
	int err = 0;

	if (!dir)
		return -errno;
	while (!err && (de = readdir(dir)))
		if (!parse_ulong(de->d_name, 0x3fffffff, &pid))
			err = fn(pid, ctx);
	closedir(dir);
	return err;
}

bool procfs_exited(pid_t pid)
{
	siginfo_t info = {};
	char path[64], buf[256], *state;
	ssize_t n;
	int fd;

	/* A child of ours that has exited: leave it for waitpid(). */
	if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0)
		return info.si_pid == pid;
	if (kill(pid, 0) && errno == ESRCH)
		return true;
	/* Someone else's zombie: "PID (comm) Z ...", comm may hold spaces and parentheses. */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	state = strrchr(buf, ')');
	return state && (state[1] == ' ') && (state[2] == 'Z' || state[2] == 'X');
}
