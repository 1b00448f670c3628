/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The BPF side's lifecycle: probe, load, attach, feed the ring buffer to a callback. */
#ifndef TRACER_H
#define TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "boot_trace.h"

struct tracer;

struct tracer_config {
	const uint16_t *ports;
	int nr_ports;
	unsigned int buffer_kib;
	bool filter_tgids; /* trace only processes added with tracer_trace_process() */
	bool follow_forks; /* ...and the processes they fork */
	bool mmio;	   /* trace one-byte MMIO writes to mmio_gpa (kvm:kvm_mmio) */
	uint64_t mmio_gpa;
	bool mmio_match_value; /* ...of mmio_value only */
	uint8_t mmio_value;
	/*
	 * --rip: the guest RIP of each write, from kvm:kvm_exit. That tracepoint fires on every
	 * exit of every guest on a hardware host (100k+ a second a vCPU): opt-in, so that the
	 * guests of a host the daemon watches pay nothing for it unless asked.
	 */
	bool rip;
	/* --console / --debugcon: base ports and kinds (BT_CONSOLE_UART, BT_CONSOLE_DEBUGCON) */
	const uint16_t *console_ports;
	const uint8_t *console_kinds;
	int nr_consoles;
	/*
	 * --phases: a VM's first vCPU and first guest entry. kvm:kvm_entry fires on every entry of
	 * every guest on a hardware host; the program stops at one load unless a VM created since
	 * attach has yet to run.
	 */
	bool phases;
	bool verbose;
	bool quiet; /* no notice about a fallback */
	/* Called for every record; data is untrusted in size. */
	int (*on_record)(void *ctx, void *data, size_t size);
	void *ctx;
};

/* What the probe found. */
struct tracer_features {
	bool raw_tp;	/* raw kvm_pio/kvm_mmio: string I/O bytes readable */
	bool core_btf;	/* CO-RE against the built-in BTF subset (fast start) */
	bool kvm_exit;	/* kvm:kvm_exit attached (fires on hardware backends) */
	bool vm_create; /* VM creation seen (x86 KVM tracepoints inside the ioctls) */
	bool kvm_entry; /* kvm:kvm_entry attached (--phases; fires on hardware backends) */
};

/*
 * tracer_open() loads what the writes need; nothing is traced yet, so the processes to trace
 * can be added first. tracer_start() traces the writes, then VM creation, exits and forks:
 * VMs that exist already are for the caller to find (in /proc) after it. Both return 0 or
 * -errno after printing a one-line error.
 */
int tracer_open(struct tracer **tracer, const struct tracer_config *cfg);
int tracer_start(struct tracer *tracer);
void tracer_close(struct tracer *tracer);

const struct tracer_features *tracer_features(const struct tracer *tracer);

/* Trace this process (filter_tgids mode). */
int tracer_trace_process(struct tracer *tracer, pid_t pid);

/* The most processes the kernel side can trace at once (its traced_tgids map). */
#define TRACED_PIDS_MAX 4096

/*
 * The traced processes (filter_tgids mode): those given to tracer_trace_process() and all
 * they forked since, that have not exited; at most max of them into pids. Returns how many.
 */
int tracer_traced_pids(struct tracer *tracer, pid_t *pids, int max);

/* Send sig to each traced process, once. Returns how many it was sent to, or -ENOMEM. */
int tracer_signal_traced(struct tracer *tracer, int sig);

/* A fresh VM id from the same counter the kernel side uses for KVM_CREATE_VM. */
uint32_t tracer_new_vm_id(struct tracer *tracer);

/*
 * Hand over, as console records (on_record), the unterminated lines still in the kernel: of
 * process pid (0: of every process) and, if vm_id is given, of that VM only (whose console
 * state is then dropped: the VM is closed), whose last byte is at least quiet_ns old (0: any).
 * A line of a process that is gone is handed over whatever its age. Returns how many.
 */
int tracer_flush_console(struct tracer *tracer, pid_t pid, const uint32_t *vm_id,
			 uint64_t quiet_ns);

/* Forget the kernel state of a VM its process closed (its struct kvm may be reused). */
void tracer_forget_vm(struct tracer *tracer, pid_t pid, int fd, uint32_t vm_id);

/*
 * Teach the kernel side a VM fd that existed before tracing started; only_vm: the process
 * has no other VM, so its writes are this VM's. -EEXIST if the VM was created since
 * tracer_start() (its creation was seen).
 */
int tracer_add_vm_fd(struct tracer *tracer, pid_t pid, int fd, uint32_t vm_id, bool only_vm);

/*
 * Drop the kernel state of every process that is gone: for those whose records (VM creation
 * and exit both) were lost to a full ring buffer, which userspace never heard of.
 */
void tracer_forget_dead(struct tracer *tracer);

/*
 * fd that becomes readable when records are waiting; then call tracer_consume(). It hands over
 * at most TRACER_CONSUME_BATCH records, so that a flood cannot keep the caller from its
 * signals; when it returns that many, more may be waiting.
 */
#define TRACER_CONSUME_BATCH 4096
int tracer_ring_fd(const struct tracer *tracer);
int tracer_consume(struct tracer *tracer);

/*
 * The reader is about to block (idle) or is polling on its own (busy): while it is busy,
 * records do not wake it (see submit_record() in writes.bpf.c).
 */
void tracer_set_reader_idle(struct tracer *tracer, bool idle);

/* Records reserved in the ring buffer but not consumed yet (committed or not). */
bool tracer_ring_pending(const struct tracer *tracer);

/*
 * Stop tracing (detach the programs: the trace ends here, whatever still floods in) and hand
 * over every record already in the buffer. 0 or -errno.
 */
int tracer_stop(struct tracer *tracer);

/* Per-CPU counters summed (enum bt_counter). */
uint64_t tracer_counter(const struct tracer *tracer, enum bt_counter idx);

#endif
