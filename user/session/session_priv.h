/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Between the session's two files: what the event loop asks of the VMs' lifecycle. */
#ifndef SESSION_PRIV_H
#define SESSION_PRIV_H

#include "session.h"

/* Read what is waiting (at most a batch), flush the outputs; how many records were read. */
int session_consume(struct session *s);

/* End the VMs of processes that are gone: see sweep_dead_vms() in session.c. */
bool session_sweep_dead_vms(struct session *s, bool always);

/* End the VMs of pid whose fd is no longer a VM, closed at end_ns (KVM said so). */
void session_end_closed_vms(struct session *s, pid_t pid, uint64_t end_ns);

/* Does pid hold a VM that is still running (pid 0: does any process)? */
bool session_has_running_vm(const struct session *s, pid_t pid);

/* SIGHUP: logrotate moved the files; open the appended ones again. */
void session_reopen_outputs(struct session *s);

#endif
