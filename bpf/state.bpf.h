// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What boot-trace's two BPF objects share: the configuration, the globals, every map, and
 * the record helpers. writes.bpf.c holds the programs on the port and MMIO exits, which must
 * be attached before the trace is ready; lifecycle.bpf.c the rest (VM and vCPU creation,
 * process fork and exit, kvm_entry, kvm_exit), loaded once writes are being captured. Two
 * objects rather than one object opened twice: libbpf parses and relocates all of an object
 * at every open, so each start-up step handles only what it loads (bench/README.md).
 *
 * userspace (tracer.c) creates the maps with the writes object and hands them, .rodata and
 * .bss included, to the lifecycle object: both compile this file, so both lay these out
 * alike (the build checks it: scripts/check-shared-data.sh).
 */
#ifndef BT_STATE_BPF_H
#define BT_STATE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "boot_trace.h"

#define KVMIO		0xAE
#define KVM_CREATE_VM	0xAE01 /* _IO(KVMIO, 0x01) */
#define KVM_CREATE_VCPU 0xAE41 /* _IO(KVMIO, 0x41) */
#define KVM_PIO_OUT	1
#define NR_IOCTL	16 /* __NR_ioctl, x86-64 */
#define EEXIST		17

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The records of the classic kvm tracepoints (fallbacks and enrichment), by CO-RE: where kvm
 * is a module, vmlinux.h has no such types, and the kernel's own layout is found at load.
 */
struct trace_event_raw_kvm_pio___bt {
	unsigned int rw, port, size, count, val;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_mmio___bt {
	__u32 type, len;
	__u64 gpa, val;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_exit___bt {
	unsigned long guest_rip;
} __attribute__((preserve_access_index));

/* The start of struct kvm_vcpu (a local type for the same reason: kvm may be a module). */
struct preempt_notifier___bt {
	struct hlist_node link;
} __attribute__((preserve_access_index));

struct kvm_vcpu___bt {
	void *kvm;
	struct preempt_notifier___bt preempt_notifier;
	int vcpu_id;
} __attribute__((preserve_access_index));

/*
 * The kernel's own types, cut down to the fields read here (CO-RE matches them by name, less
 * the ___bt suffix). vmlinux.h's would bring into each object the BTF of every type they
 * reach (task_struct's: ~450 types, 40 KB), which libbpf and the kernel parse at every start.
 */
struct mm_struct___bt {
	unsigned long arg_start, arg_end;
} __attribute__((preserve_access_index));

struct fdtable___bt {
	unsigned int max_fds;
	void **fd; /* struct file ** */
	unsigned long *open_fds;
} __attribute__((preserve_access_index));

struct files_struct___bt {
	unsigned int next_fd;
	struct fdtable___bt *fdt;
} __attribute__((preserve_access_index));

struct signal_struct___bt {
	atomic_t live;
	int group_exit_code;
} __attribute__((preserve_access_index));

struct task_struct___bt {
	int pid, tgid, exit_code;
	char comm[16];
	struct hlist_head preempt_notifiers;
	struct mm_struct___bt *mm;
	struct files_struct___bt *files;
	struct signal_struct___bt *signal;
} __attribute__((preserve_access_index));

struct pt_regs___bt {
	unsigned long di, si, orig_ax;
} __attribute__((preserve_access_index));

/* The current task: a trusted pointer, whose fields are plain (BTF-checked) loads. */
static __always_inline struct task_struct___bt *current_task(void)
{
	return (struct task_struct___bt *)bpf_get_current_task_btf();
}

/* Set by userspace before load. */
const volatile __u16 trace_ports[BT_MAX_PORTS] = {0x80};
const volatile __u32 nr_trace_ports = 1;
const volatile bool filter_tgids = false;     /* only processes in traced_tgids */
const volatile bool follow_forks = false;     /* children of traced processes are traced */
const volatile __u64 ringbuf_bytes = 0;	      /* for the half-full wake-up */
const volatile __u64 mmio_gpa = 0;	      /* --mmio: the address (programs off without it) */
const volatile bool mmio_match_value = false; /* --mmio ADDR=VALUE: only this value */
const volatile __u8 mmio_value = 0;
/* No VM creation is seen on this kernel: each VM gets an id where its first write is. */
const volatile bool name_unseen_vms = false;
/* --console / --debugcon: base ports and kinds (BT_CONSOLE_*). */
const volatile __u16 console_ports[BT_MAX_CONSOLES] = {};
const volatile __u8 console_kinds[BT_MAX_CONSOLES] = {};
const volatile __u32 nr_consoles = 0;
/* --phases: a VM's first vCPU and first guest entry (or exit) are reported. */
const volatile bool trace_phases = false;
/* --rip: kvm_exit_tp is loaded and a traced write looks its RIP up in last_exit. */
const volatile bool trace_rip = false;
/* A new console line's state (a map update needs its value in memory). */
const struct bt_console_line empty_line = {};

__u32 next_vm_id = 0;
/* Set by the reader just before it blocks; the next record wakes it (submit_record()). */
__u32 reader_idle = 0;
/* Bumped when a VM-owning process exits or userspace renames a VM: see vcpu_cache. */
__u32 vm_generation = 0;
/* Set once kvm:kvm_exit has fired: until then there is no guest RIP to look up. */
__u32 kvm_exit_seen = 0;
/*
 * VMs created since attach whose first guest entry is not seen yet (map awaiting_entry).
 * While it is 0, the entry program and the port-exit check stop at this one load: on a
 * hardware host kvm:kvm_entry fires on every entry of every guest.
 */
__u32 vms_awaiting_entry = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BT_CNT_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * Processes to trace when filter_tgids is set. The tgid maps hold a few entries: not
 * preallocated, so that creating them does not add to the start-up time.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

/* Processes that created a VM: their exit is reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} vm_tgids SEC(".maps");

/*
 * The per-process maps are walked with bpf_for_each_map_elem() at a VMM's exit, deleting as
 * they go: not preallocated, so a deleted element is freed after RCU, never reused under the
 * walk.
 */

/* Our VMs, by the kernel's struct kvm: every write looks its VM up here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64); /* struct kvm * */
	__type(value, struct bt_vm_info);
} vms SEC(".maps");

/*
 * VM fds whose struct kvm is not known yet: a VM created since attach, until its first vCPU
 * binds it (KVM_CREATE_VCPU names the VM fd), or one userspace found in /proc.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bt_fd_key);
	__type(value, __u32); /* vm_id */
} vm_fds SEC(".maps");

/*
 * A process's VM whose fd is not known (the kernel's fd table was not as expected at
 * KVM_CREATE_VM), or its only VM found in /proc: the next unknown struct kvm of the process
 * is that VM.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);   /* tgid */
	__type(value, __u32); /* vm_id */
} pending_vm SEC(".maps");

/*
 * Guest RIP of the latest exit per thread, where kvm:kvm_exit fires. An LRU map is
 * allocated whole at start-up (4096 entries took a quarter of a millisecond here); a vCPU
 * thread evicted by 1024 busier ones only loses the RIP of its next write.
 */
struct exit_info {
	__u64 ts_ns;
	__u64 rip;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct exit_info);
} last_exit SEC(".maps");

/* The identity of the last vCPU thread on this CPU: struct bt_vcpu_cache (boot_trace.h). */
#define NO_PORT BT_NO_PORT

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bt_vcpu_cache);
} vcpu_cache SEC(".maps");

/* The bytes of one string access (pio_data is one page). */
struct pio_buf {
	__u8 data[BT_PIO_DATA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pio_buf);
} scratch SEC(".maps");

/*
 * The line each console of each VM is writing: one ring record per line, not per byte (a
 * Linux boot prints tens of KB). Userspace takes an unterminated line (a "login: " prompt)
 * out of here when its VM ends or its console has been quiet a while (tracer.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bt_console_key);
	__type(value, struct bt_console_line);
} console_lines SEC(".maps");

/* VMs whose first guest entry is awaited (see vms_awaiting_entry). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);   /* vm_id */
	__type(value, __u32); /* tgid */
} awaiting_entry SEC(".maps");

static __always_inline void count_n(enum bt_counter idx, __u64 n)
{
	__u32 key = idx;
	__u64 *val = bpf_map_lookup_elem(&counters, &key);

	if (val)
		*val += n;
}

static __always_inline void count(enum bt_counter idx)
{
	count_n(idx, 1);
}

static __always_inline bool tgid_traced(__u32 tgid)
{
	return !filter_tgids || bpf_map_lookup_elem(&traced_tgids, &tgid);
}

/*
 * A record of the current task. Identity and name are read from the task with plain
 * (BTF-checked) loads: on hosts with return-thunk mitigations every helper call is dear, and
 * this runs for every traced write.
 */
static __always_inline struct bt_event *reserve_size(struct task_struct___bt *task, __u16 type,
						     __u64 size, __u64 ts_ns)
{
	struct bt_event *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e) {
		/* A lost write counts apart from a lost VM/vCPU/process record. */
		if (type == BT_EV_PIO || type == BT_EV_MMIO)
			count(BT_CNT_DROPPED);
		else if (type != BT_EV_CONSOLE) /* emit_line() counts its bytes */
			count(BT_CNT_LIFECYCLE_DROPPED);
		return NULL;
	}
	/* A stamp taken already (a clock read costs ~25-100 ns here: bench section 9). */
	e->ts_ns = ts_ns ?: bpf_ktime_get_ns();
	e->aux = 0;
	e->tgid = task->tgid;
	e->tid = task->pid;
	e->vm_id = BT_VM_UNKNOWN;
	e->vcpu = BT_VCPU_UNKNOWN;
	e->value = 0;
	e->port = 0;
	e->type = type;
	e->index = 0;
	e->size = 0;
	e->flags = 0;
	e->prev_port = 0;
	e->reserved = 0;
	/* Unlocked, as bpf_get_current_comm() reads it; userspace terminates the string. */
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	return e;
}

static __always_inline struct bt_event *reserve(struct task_struct___bt *task, __u16 type)
{
	return reserve_size(task, type, sizeof(struct bt_event), 0);
}

#endif /* BT_STATE_BPF_H */
