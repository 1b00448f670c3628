/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * KVM's uevents: for every VM it destroys, the kernel sends a uevent from /dev/kvm's device
 * (EVENT=destroy, PID= the thread that created the VM). A VM closed by a VMM that lives on
 * is seen that way, without a syscall tracepoint.
 */
#ifndef KVM_UEVENT_H
#define KVM_UEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A non-blocking socket on the kernel's uevents, or -errno. */
int kvm_uevent_open(void);

/* What kvm_uevent_read() found. */
enum kvm_uevent {
	KVM_UEVENT_NONE,    /* nothing waiting */
	KVM_UEVENT_OTHER,   /* another device's uevent, or not from the kernel */
	KVM_UEVENT_DESTROY, /* a VM destroyed: *pid created it */
	KVM_UEVENT_LOST,    /* the socket overflowed: uevents were lost */
};

/* Read one message. */
enum kvm_uevent kvm_uevent_read(int fd, pid_t *pid);

/*
 * A uevent's text ("ACTION@DEVPATH" then KEY=VALUE fields, NUL-separated; len bytes, not
 * necessarily terminated): true, with *pid, if it is KVM's for a destroyed VM.
 */
bool kvm_uevent_parse(const char *buf, size_t len, pid_t *pid);

#endif
