/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What /proc says about processes that already hold KVM VMs when tracing starts. */
#ifndef PROCFS_H
#define PROCFS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

struct kvm_fd {
	int fd;
	bool is_vm; /* anon_inode:kvm-vm; else anon_inode:kvm-vcpu:N */
	uint32_t vcpu;
};

/* Fill fds with up to max KVM fds of pid; returns how many, or -errno (-ESRCH: no such pid). */
int procfs_kvm_fds(pid_t pid, struct kvm_fd *fds, int max);

/* The process's name (bounded, terminated); "?" if it cannot be read. */
void procfs_comm(pid_t pid, char *buf, size_t len);

/* The process (thread group) of thread tid, or -1 if it cannot be read. */
pid_t procfs_tgid(pid_t tid);

/*
 * The process's command line, arguments joined by spaces, control characters replaced, cut
 * to len - 1 bytes; "" if it cannot be read.
 */
void procfs_cmdline(pid_t pid, char *buf, size_t len);

/*
 * A command line as its process holds it (arguments separated by NULs, maybe cut short) made
 * one printable line: NULs become spaces, control characters and invalid UTF-8 '?' (as
 * text_sanitize()); at most dst_len - 1 bytes. dst may be args.
 */
void cmdline_printable(char *dst, size_t dst_len, const char *args, size_t args_len);

/*
 * Has pid exited (a zombie included)? Where pidfd_open() is missing (valgrind). A child that
 * has exited is left for waitpid().
 */
bool procfs_exited(pid_t pid);

/* Call fn for every process on the host; stops at the first non-zero return. */
int procfs_for_each_pid(int (*fn)(pid_t pid, void *ctx), void *ctx);

#endif
