/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The VMs seen in a trace: identity, start, end and boot statistics of each. */
#ifndef VM_TABLE_H
#define VM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
/* Out of memory is an error to report, not exit(-1): an add that fails leaves the item out. */
#ifndef HASH_NONFATAL_OOM
#define HASH_NONFATAL_OOM 1
#endif
#include <uthash.h>
#include "event.h"
#include "stages.h"

enum vm_end_reason {
	VM_END_NONE,   /* still running */
	VM_END_EXIT,   /* the VMM process exited (exit_status) */
	VM_END_CLOSED, /* the VMM closed the VM's fd: VM destroyed, process lives on */
	VM_END_GONE,   /* the process vanished without an exit record (ring buffer full) */
};

#define VM_CMDLINE_MAX 512

/*
 * A VM's identity as a hash key (uthash compares keys with memcmp: no padding). The
 * writers' own per-VM state is found by it too.
 */
struct vm_key {
	uint32_t id;
	pid_t pid;
};

struct traced_vm {
	/* id and pid, in this order and adjacent, are the table's key (a struct vm_key) */
	uint32_t id;		     /* kernel-assigned; EVENT_VM_UNKNOWN: writes of an unseen VM */
	pid_t pid;		     /* the VMM process */
	char comm[EVENT_THREAD_MAX]; /* the VMM's name */
	uint64_t start_ns;	     /* KVM_CREATE_VM, host CLOCK_MONOTONIC; 0 when not seen */
	uint64_t found_ns; /* start not seen: when tracing started (found in /proc), or its
			    * first write (named by the kernel side); 0 when seen */
	uint64_t end_ns;   /* process exit; 0 while running */
	int fd;		   /* the VM's fd in its process, -1 if not known */
	enum vm_end_reason end_reason;
	uint32_t exit_status;	      /* wait(2) status of the VMM, for VM_END_EXIT */
	char cmdline[VM_CMDLINE_MAX]; /* the VMM's command line, read once, bounded */
	struct boot_stages stats;
	struct traced_vm *next; /* in order of creation: outputs list VMs in that order */
	struct traced_vm *prev;
	UT_hash_handle hh; /* the table's index, by (id, pid) */
};

/*
 * A list in order of creation, and beside it a hash index by (id, pid): finding a VM per
 * record costs the same with a million VMs as with one.
 */
struct vm_table {
	struct traced_vm *head;
	struct traced_vm **tail;
	unsigned int count;
	struct traced_vm *index; /* uthash head */
};

void vm_table_init(struct vm_table *table);
void vm_table_free(struct vm_table *table);

struct traced_vm *vm_table_find(struct vm_table *table, pid_t pid, uint32_t id);

/* Find, or append a new VM with the given identity (NULL on allocation failure). */
struct traced_vm *vm_table_get(struct vm_table *table, pid_t pid, uint32_t id, const char *comm);

/*
 * A boot is complete when its VMM exited normally or closed the VM. Killed by a signal,
 * vanished, or still running when the trace stopped, it is incomplete (the summary says so).
 */
bool vm_boot_complete(const struct traced_vm *vm);

/* Why a boot is incomplete, for humans: "killed by signal 9", "still running". */
const char *vm_end_reason(const struct traced_vm *vm, char *buf, size_t len);

/*
 * Count an event in the VM's boot statistics (boot_stages_observe(): a code, a console line
 * a rule matched, a host phase): the one place they are built, for a live session and a
 * trace read back alike. 0 or -ENOMEM.
 */
int traced_vm_observe(struct traced_vm *vm, const struct boot_event *ev);

/* "comm[pid] vmN" ("vm?" for an unknown id), as every sink names a VM. */
#define VM_NAME_MAX 64
const char *traced_vm_name(const struct traced_vm *vm, char buf[VM_NAME_MAX]);

/* Unlink and free a VM (one not in the table is left alone). */
void vm_table_remove(struct vm_table *table, struct traced_vm *vm);

#endif
