/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The decoded event: what the session, the statistics and every sink see. It is made in one
 * place from a ring record (decode.c) and in one place from a recorded trace (replay/), with
 * its label resolved there, once. Nothing past the decoder includes the kernel's record.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "labels.h"

#define EVENT_THREAD_MAX   16 /* a thread name, NUL included (the kernel's TASK_COMM_LEN) */
#define EVENT_VCPU_UNKNOWN 0xffffffffu
#define EVENT_VM_UNKNOWN   0u /* a VM whose creation was not seen and that has no id yet */

enum event_kind {
	EVENT_CODE,	 /* a guest wrote a code: to a traced port, or to the --mmio address */
	EVENT_CONSOLE,	 /* a line of text a guest printed on a console port */
	EVENT_PHASE,	 /* a host-side phase of a VM's boot (VM created, first entry, ...) */
	EVENT_VM_CREATE, /* KVM_CREATE_VM: a VM starts */
	EVENT_PROC_EXIT, /* a traced or VM-owning process exited */
	EVENT_LOSS,	 /* records lost before they could be decoded */
};

/* A code written by a guest. */
struct code_write {
	bool mmio; /* a one-byte write to the MMIO address gpa; else a write to port */
	uint16_t port;
	uint64_t gpa;
	uint8_t size;	/* access size in bytes */
	uint32_t value; /* as written; its low byte is the code */
	bool in_string; /* one element of a string (rep outs) access: element index */
	uint16_t index;
	bool truncated; /* string data unreadable: only its first element was seen */
	bool rip_known; /* the guest's RIP at the exit, from kvm:kvm_exit */
	uint64_t rip;
	/*
	 * Not a marker: an I/O delay (Linux's real-mode setup code and io_delay=0x80 kernels
	 * write port 0x80 right after touching a legacy device port, after_port). Its label is
	 * label_io_delay, which is no stage. See docs/design.md.
	 */
	bool io_delay;
	uint16_t after_port;
};

/* A line of console text. */
struct console_line {
	uint16_t port;
	bool debugcon;	     /* a raw debug console (--debugcon), else a UART (--console) */
	uint64_t last_ts_ns; /* stamp of its last byte (ts_ns: of its first) */
	const char *text;    /* printable, escapes stripped; lives as long as the event */
	bool truncated;	     /* longer than the cap: the rest was cut */
	bool unterminated;   /* no line end: emitted at the VM's end or after a quiet time */
};

/* Host-side phases of a VM's boot (EVENT_PHASE), by name. */
#define PHASE_VMM_START	  "vmm_start"	/* run: the command was started */
#define PHASE_VM_CREATE	  "vm_create"	/* KVM_CREATE_VM */
#define PHASE_FIRST_VCPU  "first_vcpu"	/* its first KVM_CREATE_VCPU */
#define PHASE_FIRST_ENTRY "first_entry" /* its first guest entry (kvm:kvm_entry) */
#define PHASE_FIRST_EXIT  "first_exit"	/* no kvm_entry here: its earliest guest exit seen */
#define PHASE_VM_END	  "vm_end"	/* its VMM exited or closed it */

/* KVM_CREATE_VM, with what the kernel side read at that moment. */
struct vm_create {
	int fd;		     /* the VM's fd in its process, -1 if unknown */
	const char *cmdline; /* the VMM's arguments, NUL-separated, maybe cut short; may be NULL */
	size_t cmdline_len;
};

struct boot_event {
	enum event_kind kind;
	uint64_t ts_ns;		       /* host CLOCK_MONOTONIC */
	pid_t pid;		       /* the VMM process */
	uint32_t tid;		       /* the thread: a vCPU's for a code (as the kernel gave it) */
	uint32_t vm_id;		       /* EVENT_VM_UNKNOWN: not known */
	uint32_t vcpu;		       /* EVENT_VCPU_UNKNOWN: not known */
	char thread[EVENT_THREAD_MAX]; /* the thread's name, printable UTF-8, terminated */
	/* The stage it marks (every code; a console line or phase that starts one); or NULL. */
	const struct label *label;
	union {
		struct code_write code;	     /* EVENT_CODE */
		struct console_line console; /* EVENT_CONSOLE */
		const char *phase;	     /* EVENT_PHASE: its name */
		struct vm_create create;     /* EVENT_VM_CREATE */
		uint32_t exit_status;	     /* EVENT_PROC_EXIT: wait(2) status */
		uint64_t lost;		     /* EVENT_LOSS: how many records */
	};
};

#endif
