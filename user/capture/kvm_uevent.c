// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* KVM's VM-destroyed uevents, read from the kernel's uevent netlink socket. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include "kvm_uevent.h"

#define UEVENT_GROUP_KERNEL 1 /* the kernel's own; udev re-sends on group 2 */
#define UEVENT_BUF	    8192

int kvm_uevent_open(void)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = UEVENT_GROUP_KERNEL};
	int fd =
	    socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	int err;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The value of field KEY (with its '='), or NULL; fields are NUL-separated within len. */
static const char *field(const char *buf, size_t len, const char *key)
{
	size_t key_len = strlen(key);

	for (size_t i = 0; i < len;) {
		const char *f = buf + i;
		size_t f_len = strnlen(f, len - i);

		if (f_len > key_len && !memcmp(f, key, key_len) && i + f_len < len)
			return f + key_len;
		i += f_len + 1;
	}
	return NULL;
}

static bool is(const char *value, const char *want)
{
	return value && !strcmp(value, want);
}

bool kvm_uevent_parse(const char *buf, size_t len, pid_t *pid)
{
	const char *p;
	long v = 0;

	/* Values are taken only when NUL-terminated within len (field() checks). */
	if (!is(field(buf, len, "SUBSYSTEM="), "misc") || !is(field(buf, len, "DEVNAME="), "kvm") ||
	    !is(field(buf, len, "EVENT="), "destroy"))
		return false;
	p = field(buf, len, "PID=");
	if (!p || !*p)
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return false;
	*pid = v;
	return true;
}

enum kvm_uevent kvm_uevent_read(int fd, pid_t *pid)
{
	char buf[UEVENT_BUF];
	struct sockaddr_nl from = {};
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {
	    .msg_name = &from,
	    .msg_namelen = sizeof(from),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	};
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0)
		return errno == ENOBUFS ? KVM_UEVENT_LOST : KVM_UEVENT_NONE;
	/* Only the kernel's (a process could send on the group with CAP_NET_ADMIN), and whole. */
	if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
		return KVM_UEVENT_OTHER;
	return kvm_uevent_parse(buf, n, pid) ? KVM_UEVENT_DESTROY : KVM_UEVENT_OTHER;
}
