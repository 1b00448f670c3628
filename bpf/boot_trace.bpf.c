// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace kernel side: stamp guest writes to the debug I/O port (and, with --mmio, one-byte
 * writes to one MMIO address such as Firecracker's boot timer) in the host kernel.
 *
 * kvm:kvm_pio gives port, size, count and the data, but no VM or vCPU. A port exit happens
 * inside the vCPU thread's KVM_RUN, with that vCPU loaded on the thread: KVM registered the
 * vCPU's preempt notifier on it, and the notifier is the head of struct kvm_vcpu, which holds
 * the vCPU id and its VM. VMs are named where they are created: kvm:kvm_update_master_clock
 * fires inside KVM_CREATE_VM (x86), kvm:kvm_write_tsc_offset inside KVM_CREATE_VCPU, with the
 * VM loaded, which binds the VM to the kernel's struct kvm.
 *
 * No syscall tracepoint: enabling one sends every system call of every task on the host down
 * the slow path; here it added ~1 us to every KVM_RUN of every guest (make bench). kvm:kvm_exit
 * (guest RIP) is enrichment where the backend emits it.
 */
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
struct kvm_vcpu___bt {
	void *kvm;
	struct preempt_notifier preempt_notifier;
	int vcpu_id;
} __attribute__((preserve_access_index));

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

static __always_inline bool port_traced(__u32 port)
{
	for (__u32 i = 0; i < BT_MAX_PORTS; i++) {
		if (i >= nr_trace_ports)
			return false;
		if (trace_ports[i] == port)
			return true;
	}
	return false;
}

static __always_inline bool tgid_traced(__u32 tgid)
{
	return !filter_tgids || bpf_map_lookup_elem(&traced_tgids, &tgid);
}

/*
 * Wake-up policy. A wake-up (irq_work, then the reader's context switch) costs more than the
 * rest of the program, so records wake the reader only when it is idle: it sets reader_idle
 * just before it blocks, and the first record after that wakes it (clearing the flag, so only
 * that record pays). While records keep coming the reader is busy: it polls again on its own
 * short flush timer (session_loop.c) and no record wakes it, so a flood costs no wake-ups at
 * all, and an isolated marker still reaches the log at once. A buffer half full wakes it in
 * any case (a small -b, or a reader behind): looked at on about one record in 16, picked by
 * the stamp's bits 10-13 plus the element's index (a helper call saved; exits jitter by far
 * more than the 1 µs of bit 10, so no guest's rhythm can keep it away).
 *
 * No lost wake-up: the reader stores reader_idle (a full barrier), then reads the producer
 * position. Here the flag is looked at before the submit (the usual case: that record wakes
 * the reader) and once more after it: the producer position was advanced by the reservation,
 * the submit's exchange of the record's header (bpf_ringbuf_commit(): xchg, in every kernel
 * since 5.8) is a full barrier, and the second look is after it. So either that look sees the
 * flag, or the reader sees the record (maybe not yet committed: it then polls again shortly,
 * see tracer_ring_pending()). A record already submitted cannot carry that late wake-up: a
 * record of its own does (BT_WAKE_RECORD_SIZE bytes, skipped by the reader); if it cannot be
 * written, the flag is set again for the next record.
 */
/* ts_ns: the record's stamp, passed in: the record is not ours to read once submitted. */
static __always_inline void submit_record(void *rec, __u64 ts_ns, __u32 index)
{
	__u64 wake = 0, flags = BPF_RB_NO_WAKEUP;

	if ((reader_idle && __atomic_exchange_n(&reader_idle, 0, __ATOMIC_SEQ_CST)) ||
	    ((((ts_ns >> 10) + index) & 15) == 0 &&
	     bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= ringbuf_bytes / 2))
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
	if (flags == BPF_RB_NO_WAKEUP && reader_idle &&
	    __atomic_exchange_n(&reader_idle, 0, __ATOMIC_SEQ_CST) &&
	    bpf_ringbuf_output(&events, &wake, BT_WAKE_RECORD_SIZE, BPF_RB_FORCE_WAKEUP))
		__atomic_exchange_n(&reader_idle, 1,
				    __ATOMIC_SEQ_CST); /* BPF has no atomic store */
}

/*
 * A record of the current task. Identity and name are read from the task with plain
 * (BTF-checked) loads: on hosts with return-thunk mitigations every helper call is dear, and
 * this runs for every traced write.
 */
static __always_inline struct bt_event *reserve_size(struct task_struct *task, __u16 type,
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

static __always_inline struct bt_event *reserve(struct task_struct *task, __u16 type)
{
	return reserve_size(task, type, sizeof(struct bt_event), 0);
}

/* The current process's arguments (NUL-separated), as much as fits; 0 bytes if unreadable. */
static __always_inline void read_cmdline(struct task_struct *task, struct bt_vm_event *ve)
{
	__u64 start = BPF_CORE_READ(task, mm, arg_start), end = BPF_CORE_READ(task, mm, arg_end);
	__u64 len = end > start ? end - start : 0;

	if (len > BT_CMDLINE_MAX)
		len = BT_CMDLINE_MAX;
	ve->cmdline_len = 0;
	if (len && !bpf_probe_read_user(ve->cmdline, len, (const void *)start))
		ve->cmdline_len = len;
}

/* The task's syscall registers: inside an ioctl, its fd (di), command (si) and argument (dx). */
static __always_inline struct pt_regs *syscall_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/* The ioctl a task is in: its command, or 0 (in another system call, or none). */
static __always_inline __u32 current_ioctl(struct pt_regs *regs)
{
	return regs->orig_ax == NR_IOCTL ? (__u32)regs->si : 0;
}

/*
 * The vCPU loaded on the current thread: KVM registers its preempt notifier while the vCPU
 * is loaded (vcpu_load), and is the only user of preempt notifiers. One read gets the head
 * of struct kvm_vcpu, where the VM pointer and the id are.
 */
struct loaded_vcpu {
	__u64 kvm; /* struct kvm *, 0 if no vCPU is loaded */
	__u32 vcpu_id;
};

#define VCPU_HEAD_BYTES 64

/*
 * The head of the task's preempt notifiers (0 if none): read, not loaded through the task
 * pointer, since the verifier answers a pointer load from a trusted pointer with linear
 * searches of the kernel's BTF, which made loading the programs take ~10 ms longer here.
 */
static __always_inline __u64 loaded_notifier(struct task_struct *task)
{
	__u64 first = 0;

	bpf_probe_read_kernel(&first, sizeof(first), &task->preempt_notifiers.first);
	return first;
}

static __always_inline void loaded_vcpu(__u64 notifier, struct loaded_vcpu *lv)
{
	__u64 link_off = bpf_core_field_offset(struct kvm_vcpu___bt, preempt_notifier) +
			 bpf_core_field_offset(struct preempt_notifier, link);
	__u64 kvm_off = bpf_core_field_offset(struct kvm_vcpu___bt, kvm);
	__u64 id_off = bpf_core_field_offset(struct kvm_vcpu___bt, vcpu_id);
	__u8 head[VCPU_HEAD_BYTES];

	lv->kvm = 0;
	lv->vcpu_id = BT_VCPU_UNKNOWN;
	if (!notifier || kvm_off > VCPU_HEAD_BYTES - 8 || id_off > VCPU_HEAD_BYTES - 4)
		return;
	if (bpf_probe_read_kernel(head, sizeof(head), (void *)(notifier - link_off)))
		return;
	lv->kvm = *(__u64 *)&head[kvm_off & (VCPU_HEAD_BYTES - 8)];
	lv->vcpu_id = *(__u32 *)&head[id_off & (VCPU_HEAD_BYTES - 4)];
}

/* A VM not bound to its struct kvm yet: the process's pending one, if any (taken). */
static __always_inline __u32 take_pending_vm(__u32 tgid)
{
	__u32 *pending = bpf_map_lookup_elem(&pending_vm, &tgid), vm_id;

	if (!pending)
		return BT_VM_UNKNOWN;
	vm_id = *pending;
	bpf_map_delete_elem(&pending_vm, &tgid);
	return vm_id;
}

/*
 * Remember which VM a struct kvm is (BT_VM_UNKNOWN too: it is looked for once only).
 * flags: BPF_NOEXIST where another vCPU of the VM may have bound it just now and knew
 * better; BPF_ANY where the entry can only be stale (a closed VM's struct kvm, reused).
 */
static __always_inline void bind_vm(__u64 kvm, __u32 vm_id, __u32 tgid, __u64 flags)
{
	struct bt_vm_info info = {.vm_id = vm_id, .tgid = tgid};
	__u8 one = 1;
	long err;

	err = bpf_map_update_elem(&vms, &kvm, &info, flags);
	/* vm_tgids too: the process's exit is then reported, and its state freed. */
	if ((err && err != -EEXIST) || bpf_map_update_elem(&vm_tgids, &tgid, &one, BPF_ANY))
		count(BT_CNT_MAP_FULL);
	/* A thread and a vCPU at the addresses of a closed VM's may be cached: see vcpu_cache. */
	__sync_fetch_and_add(&vm_generation, 1);
}

/* Scalars only: emit_pio() takes it as a global function's argument. */
struct pio_ctx {
	__u32 tgid;
	__u32 port;
	__u32 size;
	__u32 vm_id;
	__u32 vcpu;
	__u64 rip;
	__u64 notifier;	   /* the loaded vCPU's preempt notifier */
	__u32 generation;  /* vm_generation when the write was identified */
	__u32 prev_port;   /* the thread's port access before this one, or NO_PORT */
	__u64 now;	   /* the clock, if read already (note_port_access), else 0 */
	__u32 first_value; /* the classic tracepoint's value (no data pointer there) */
	bool has_rip;
};

/*
 * A global function: the verifier checks it once, not once per caller (the single-write path
 * and the string loop), which keeps start-up short.
 */
__noinline int emit_pio(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	struct bt_event *e;

	if (!pc)
		return 0;
	e = reserve_size(bpf_get_current_task_btf(), BT_EV_PIO, sizeof(*e), pc->now);
	if (!e)
		return 0;
	e->vm_id = pc->vm_id;
	e->vcpu = pc->vcpu;
	e->port = pc->port;
	e->size = pc->size;
	e->value = value;
	e->index = index;
	e->flags = flags;
	/* An I/O delay follows an access to a device port: userspace tells (decode.c). */
	if (pc->prev_port != NO_PORT && pc->prev_port != pc->port) {
		e->prev_port = pc->prev_port;
		e->flags |= BT_PIO_AFTER_IO;
	}
	if (pc->has_rip) {
		e->aux = pc->rip;
		e->flags |= BT_PIO_RIP;
	}
	submit_record(e, e->ts_ns, index);
	return 0;
}

/*
 * The first write of a vCPU thread (on this CPU): read the loaded vCPU, find its VM, bind a
 * VM met for the first time, fill the cache; 0 if the process is not traced. A global
 * function, verified once on its own rather than along every path of its caller.
 */
__noinline int identify_slow(struct pio_ctx *pc)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 zero = 0;
	struct bt_vcpu_cache *cache = bpf_map_lookup_elem(&vcpu_cache, &zero);
	struct bt_vm_info *vm = NULL;
	struct loaded_vcpu lv;

	if (!pc)
		return 0;
	loaded_vcpu(pc->notifier, &lv);
	pc->vcpu = lv.vcpu_id;
	if (lv.kvm)
		vm = bpf_map_lookup_elem(&vms, &lv.kvm);
	if (vm) {
		pc->vm_id = vm->vm_id;
	} else if (!tgid_traced(pc->tgid)) {
		if (cache && lv.kvm) {
			cache->task = (__u64)task;
			cache->notifier = pc->notifier;
			cache->generation = pc->generation;
			cache->last_port = NO_PORT;
			cache->untraced = true;
		}
		return 0;
	} else if (lv.kvm) {
		/* A VM met first here: created before attach, or its vCPUs' creation unseen. */
		pc->vm_id = take_pending_vm(pc->tgid);
		if (pc->vm_id == BT_VM_UNKNOWN && name_unseen_vms)
			pc->vm_id = __sync_fetch_and_add(&next_vm_id, 1) + 1;
		bind_vm(lv.kvm, pc->vm_id, pc->tgid, BPF_NOEXIST);
	}
	if (cache && lv.kvm) {
		cache->task = (__u64)task;
		cache->notifier = pc->notifier;
		cache->generation = pc->generation;
		cache->vm_id = pc->vm_id;
		cache->vcpu = pc->vcpu;
		/* Not this access: it may be no port access (an entry, an MMIO write). */
		cache->last_port = NO_PORT;
		cache->untraced = false;
	}
	return 1;
}

/*
 * Fill in VM, vCPU and RIP; false if this process is not traced. A struct kvm in the vms
 * map belongs to a traced process (only those are bound, and they are forgotten when the
 * process exits), so the slow path needs one map lookup, not two; the per-CPU cache makes
 * the writes that follow need none.
 */
static __always_inline bool pio_identify(struct pio_ctx *pc, __u32 port, __u32 size)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 notifier = loaded_notifier(task);
	__u32 tid = task->pid, zero = 0;
	struct bt_vcpu_cache *cache = bpf_map_lookup_elem(&vcpu_cache, &zero);
	struct exit_info *ex;

	pc->tgid = task->tgid;
	pc->port = port;
	pc->size = size;
	pc->prev_port = NO_PORT;
	pc->now = 0;
	pc->first_value = 0;
	pc->has_rip = false;
	pc->notifier = notifier;
	pc->vm_id = BT_VM_UNKNOWN;
	pc->vcpu = BT_VCPU_UNKNOWN;
	/* Read before the slow path binds anything: a bind meanwhile then misses the cache. */
	pc->generation = vm_generation;
	if (cache && notifier && cache->task == (__u64)task && cache->notifier == notifier &&
	    cache->generation == pc->generation) {
		if (cache->untraced)
			return false;
		pc->vm_id = cache->vm_id;
		pc->vcpu = cache->vcpu;
	} else {
		/*
		 * The slow path binds the VM: milliseconds on an emulated host for a thread's
		 * first write, so the stamp is taken before it (a fast path's comes from the note).
		 */
		pc->now = bpf_ktime_get_ns();
		if (!identify_slow(pc))
			return false;
	}
	/* Without --rip last_exit is not created (tracer.c): this must be dead code then. */
	if (!trace_rip || !kvm_exit_seen)
		return true; /* or attached where the tracepoint exists, but it never fired yet */
	ex = bpf_map_lookup_elem(&last_exit, &tid);
	if (ex && bpf_ktime_get_ns() - ex->ts_ns < 1000000) {
		pc->rip = ex->rip;
		pc->has_rip = true;
	}
	return true;
}

static __always_inline __u32 element_value(const __u8 *p, __u32 size)
{
	__u32 v = p[0];

	if (size >= 2)
		v |= (__u32)p[1] << 8;
	if (size == 4)
		v |= (__u32)p[2] << 16 | (__u32)p[3] << 24;
	return v;
}

struct string_ctx {
	struct pio_ctx *pc;
	struct pio_buf *buf;
	__u32 count;
};

static long emit_string_element(__u32 i, void *arg)
{
	struct string_ctx *sc = arg;
	__u32 size = sc->pc->size;
	__u64 off = (__u64)i * size; /* 64-bit: keeps its bound in older verifiers (6.1) */

	if (i >= sc->count || off > BT_PIO_DATA_MAX - 4)
		return 1;
	emit_pio(sc->pc, element_value(&sc->buf->data[off], size), i, BT_PIO_STRING);
	return 0;
}

/* The index of the console that port belongs to (THR, or a UART's LCR), or -1. */
static __always_inline int console_of(__u32 port)
{
	for (__u32 i = 0; i < BT_MAX_CONSOLES; i++) {
		if (i >= nr_consoles)
			return -1;
		if (console_ports[i] == port ||
		    (console_kinds[i] == BT_CONSOLE_UART && console_ports[i] + BT_UART_LCR == port))
			return i;
	}
	return -1;
}

/*
 * Note this port access of the current thread, and return the one before it if it was less
 * than BT_IO_DELAY_WINDOW_NS ago (else NO_PORT). Only what an I/O delay needs: a port below
 * BT_LEGACY_PORTS_END (or the delay port itself) by a thread whose vCPU is in this CPU's
 * cache, i.e. a traced vCPU that was identified here. Any other port only clears the slot:
 * a per-CPU store, no helper call, so an untraced guest pays next to nothing.
 */
__noinline int note_port_access(__u32 port, __u64 *clock)
{
	__u32 zero = 0, prev;
	struct bt_vcpu_cache *cache = bpf_map_lookup_elem(&vcpu_cache, &zero);
	__u64 now;

	if (!cache || !clock)
		return NO_PORT;
	if (port >= BT_LEGACY_PORTS_END) {
		cache->last_port = NO_PORT;
		return NO_PORT;
	}
	if (cache->task != (__u64)bpf_get_current_task_btf() || cache->untraced)
		return NO_PORT;
	if (nr_consoles && console_of(port) >= 0) { /* a print (0xe9): no device */
		cache->last_port = NO_PORT;
		return NO_PORT;
	}
	now = *clock = bpf_ktime_get_ns();
	prev = now - cache->last_port_ns < BT_IO_DELAY_WINDOW_NS ? cache->last_port : NO_PORT;
	/*
	 * A delay right after a delay (Linux's setup: realmode_switch_hook()'s, then
	 * a20_test()'s) carries the device access before the first one on, so that the second
	 * is told as a delay too; a write to the delay port after anything else is noted.
	 */
	if (port != BT_IO_DELAY_PORT || prev == NO_PORT || prev == port)
		cache->last_port = port;
	cache->last_port_ns = now;
	return prev;
}

/* A host-side phase of the identified VM. */
static __always_inline void emit_phase(struct pio_ctx *pc, __u32 phase)
{
	struct bt_event *e = reserve(bpf_get_current_task_btf(), BT_EV_PHASE);

	if (!e)
		return;
	e->vm_id = pc->vm_id;
	e->vcpu = pc->vcpu;
	e->value = phase;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/*
 * The VM ran guest code: its first entry (or, where kvm_entry never fires, its first port
 * exit) is reported once. The map delete decides which CPU is first.
 */
__noinline int guest_ran(struct pio_ctx *pc, __u32 phase)
{
	__u32 vm_id;

	/* Without --phases the map is not created (tracer.c): this must be dead code then. */
	if (!pc || !trace_phases)
		return 0;
	vm_id = pc->vm_id;
	if (vm_id == BT_VM_UNKNOWN || bpf_map_delete_elem(&awaiting_entry, &vm_id))
		return 0;
	__sync_fetch_and_sub(&vms_awaiting_entry, 1);
	emit_phase(pc, phase);
	return 0;
}

/*
 * Send the line and start a new one. A line lost to a full ring buffer counts its bytes.
 * A global function: verified once for both callers (one byte, a string of them).
 */
__noinline int emit_line(struct bt_console_line *line, struct pio_ctx *pc, __u32 base)
{
	struct bt_console_event *ce;

	if (!line || !pc || !line->len)
		return 0;
	ce = (struct bt_console_event *)reserve_size(bpf_get_current_task_btf(), BT_EV_CONSOLE,
						     sizeof(*ce), line->first_ts);
	if (!ce) {
		count_n(BT_CNT_CONSOLE_LOST, line->len);
	} else {
		ce->ev.ts_ns = line->first_ts;
		ce->ev.aux = line->last_ts;
		ce->ev.tid = line->tid;
		__builtin_memcpy(ce->ev.comm, line->comm, sizeof(ce->ev.comm));
		ce->ev.vm_id = pc->vm_id;
		ce->ev.port = base;
		ce->ev.value = line->kind;
		ce->len = line->len > BT_CONSOLE_LINE_MAX ? BT_CONSOLE_LINE_MAX : line->len;
		ce->line_flags = line->line_flags;
		__builtin_memset(ce->reserved, 0, sizeof(ce->reserved));
		__builtin_memcpy(ce->text, line->text, sizeof(ce->text));
		submit_record(ce, line->first_ts, 0);
	}
	line->len = 0;
	line->line_flags = 0;
	return 0;
}

/* One byte of text: CR, LF and so CR LF end a line (an empty line is not sent). */
static __always_inline void console_byte(struct bt_console_line *line, __u8 c, __u64 ts, __u32 tid,
					 struct pio_ctx *pc, __u32 base)
{
	if (c == '\n' || c == '\r') {
		emit_line(line, pc, base);
		return;
	}
	if (!line->len) {
		line->first_ts = ts;
		line->tid = tid;
		__builtin_memcpy(line->comm, bpf_get_current_task_btf()->comm, sizeof(line->comm));
	}
	line->last_ts = ts;
	if (line->len < BT_CONSOLE_LINE_MAX)
		line->text[line->len++ & (BT_CONSOLE_LINE_MAX - 1)] = c;
	else
		line->line_flags |= BT_LINE_TRUNCATED;
}

struct console_ctx {
	struct bt_console_line *line;
	struct pio_buf *buf;
	struct pio_ctx *pc;
	__u64 ts;
	__u32 count, size, tid, base;
};

/* String I/O: element i's low byte is text (a UART's THR is one byte wide). */
static long console_string_byte(__u32 i, void *arg)
{
	struct console_ctx *cc = arg;
	__u64 off = (__u64)i * cc->size; /* see emit_string_element() */

	if (i >= cc->count || off >= BT_PIO_DATA_MAX)
		return 1;
	console_byte(cc->line, cc->buf->data[off], cc->ts, cc->tid, cc->pc, cc->base);
	return 0;
}

/*
 * A write to a console's port: an LCR write sets the UART's divisor latch; a THR write while
 * the latch is on is a divisor byte; anything else is text, every element of a string write
 * included. What the VMM makes of it is not relied upon. data 0: the classic tracepoint, which
 * gives the first element only (pc->first_value); the rest of a string write is counted unseen.
 */
__noinline int console_write(struct pio_ctx *pc, __u32 con, __u32 port, __u32 nr, __u64 data)
{
	struct bt_console_key key = {};
	struct bt_console_line *line;
	struct console_ctx cc;
	__u32 zero = 0;
	__u64 bytes; /* 64-bit: a 32-bit product loses its bound in older verifiers (6.1) */
	__u8 c;

	/* Without a console the map is not created (tracer.c): this must be dead code then. */
	if (!pc || con >= BT_MAX_CONSOLES || !nr_consoles)
		return 0;
	key.tgid = pc->tgid;
	key.vm_id = pc->vm_id;
	key.port = console_ports[con];
	line = bpf_map_lookup_elem(&console_lines, &key);
	if (!line) {
		bpf_map_update_elem(&console_lines, &key, &empty_line, BPF_NOEXIST);
		line = bpf_map_lookup_elem(&console_lines, &key);
		if (!line) { /* map full: the bytes are lost (an LCR write is none) */
			if (port == key.port)
				count_n(BT_CNT_CONSOLE_LOST, nr ?: 1);
			return 0;
		}
		line->kind = console_kinds[con];
	}
	c = pc->first_value;
	if (port != key.port) { /* a UART's LCR */
		if (!data || !bpf_probe_read_kernel(&c, 1, (const void *)data))
			line->dlab = c & BT_UART_LCR_DLAB;
		return 0;
	}
	if (line->kind == BT_CONSOLE_UART && line->dlab)
		return 0;
	cc.ts = pc->now ?: bpf_ktime_get_ns();
	cc.tid = (__u32)bpf_get_current_pid_tgid();
	if (!data) {
		console_byte(line, c, cc.ts, cc.tid, pc, key.port);
		if (nr > 1)
			count_n(BT_CNT_STRING_LOST, nr - 1);
		return 0;
	}
	if (nr <= 1) {
		if (!bpf_probe_read_kernel(&c, 1, (const void *)data))
			console_byte(line, c, cc.ts, cc.tid, pc, key.port);
		return 0;
	}
	cc.buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!cc.buf)
		return 0;
	cc.size = pc->size;
	cc.count = nr;
	if (!cc.size)
		return 0;
	if (cc.count > BT_PIO_DATA_MAX / cc.size)
		cc.count = BT_PIO_DATA_MAX / cc.size;
	bytes = (__u64)cc.count * cc.size;
	if (bytes > BT_PIO_DATA_MAX ||
	    bpf_probe_read_kernel(cc.buf->data, bytes, (const void *)data))
		return 0;
	cc.line = line;
	cc.pc = pc;
	cc.base = key.port;
	bpf_loop(cc.count, console_string_byte, &cc, 0);
	return 0;
}

/* A one-byte write to the --mmio address: filter, identify, record. */
static __always_inline void handle_mmio(__u32 type, __u32 len, __u64 gpa, __u8 value)
{
	struct bt_event *e;
	struct pio_ctx pc;

	if (type != BT_MMIO_WRITE || len != 1 || gpa != mmio_gpa)
		return;
	if (mmio_match_value && value != mmio_value)
		return;
	/* Same identity as a port write: MMIO exits happen inside KVM_RUN too. */
	if (!pio_identify(&pc, 0, 1))
		return;
	e = reserve(bpf_get_current_task_btf(), BT_EV_MMIO);
	if (!e)
		return;
	e->vm_id = pc.vm_id;
	e->vcpu = pc.vcpu;
	e->size = 1;
	e->value = value;
	e->aux = gpa;
	submit_record(e, e->ts_ns, 0);
}

/*
 * Raw tracepoints need no BTF (so no vmlinux BTF is parsed at start-up: see tracer.c). Every
 * kernel with a BPF ring buffer passes the MMIO value by pointer.
 */
SEC("raw_tp/kvm_mmio")
int BPF_PROG(kvm_mmio_raw, int type, int len, __u64 gpa, const void *val)
{
	__u8 value = 0;

	/* Cheap checks first: most MMIO is not the boot timer. */
	if (type != BT_MMIO_WRITE || len != 1 || gpa != mmio_gpa)
		return 0;
	if (!val || bpf_probe_read_kernel(&value, 1, val))
		return 0;
	handle_mmio(type, len, gpa, value);
	return 0;
}

/* Classic kvm:kvm_mmio: its record holds the value itself. */
SEC("tracepoint/kvm/kvm_mmio")
int kvm_mmio_tp(struct trace_event_raw_kvm_mmio___bt *ctx)
{
	handle_mmio(ctx->type, ctx->len, ctx->gpa, ctx->val & 0xff);
	return 0;
}

/*
 * A port exit. The raw tracepoint's data pointer gives every element of a string access.
 * full: consoles and the first-exit phase too. It is a constant of each program below: the
 * program without them (the usual one) is a third of the size, and loads in half the time.
 */
static __always_inline int pio_exit(unsigned int rw, unsigned int port, unsigned int size,
				    unsigned int count, const void *data, bool full)
{
	__u64 now = 0;
	__u32 prev_port = note_port_access(port, &now), zero = 0, value = 0;
	__u64 bytes; /* see console_write() */
	/* Only while a VM created since attach has not run yet (one load otherwise). */
	bool awaiting = full && vms_awaiting_entry, out = rw == KVM_PIO_OUT, traced;
	struct string_ctx sc;
	struct pio_ctx pc;
	__u8 flags = 0;
	int con = -1;

	if (size != 1 && size != 2 && size != 4)
		return 0;
	traced = out && port_traced(port);
	if (full && out && !traced)
		con = console_of(port);
	if (!traced && con < 0 && !awaiting)
		return 0;
	/* One identity for all three (each inlined copy costs verifier time at start-up). */
	if (!pio_identify(&pc, port, size))
		return 0;
	if (awaiting)
		guest_ran(&pc, BT_PHASE_FIRST_EXIT);
	if (!traced) {
		if (full && con >= 0)
			console_write(&pc, con, port, count, (__u64)data);
		return 0;
	}
	pc.prev_port = prev_port;
	if (now) /* the note's clock read, at the program's start */
		pc.now = now;

	/* One emit_pio() here and one in the string loop: each inlined copy costs verifier time. */
	if (count > 1) {
		sc.pc = &pc;
		sc.buf = bpf_map_lookup_elem(&scratch, &zero);
		if (!sc.buf)
			return 0;
		sc.count = count;
		if (sc.count > BT_PIO_DATA_MAX / size)
			sc.count = BT_PIO_DATA_MAX / size;
		bytes = (__u64)sc.count * size;
		if (bytes > BT_PIO_DATA_MAX)
			return 0; /* cannot happen: keeps the verifier's bound */
		if (!bpf_probe_read_kernel(sc.buf->data, bytes, data)) {
			bpf_loop(sc.count, emit_string_element, &sc, 0);
			return 0;
		}
		flags = BT_PIO_STRING | BT_PIO_TRUNCATED;
		count_n(BT_CNT_STRING_LOST, count - 1);
	} else if (bpf_probe_read_kernel(&value, sizeof(value), data)) {
		flags = BT_PIO_TRUNCATED;
	} else if (size < 4) {
		/* 4 bytes read (data is KVM's pio_data page), size bytes meant. */
		value &= (1u << (size * 8)) - 1;
	}
	emit_pio(&pc, flags ? 0 : value, 0, flags);
	return 0;
}

SEC("raw_tp/kvm_pio")
int BPF_PROG(kvm_pio_raw, unsigned int rw, unsigned int port, unsigned int size, unsigned int count,
	     const void *data)
{
	return pio_exit(rw, port, size, count, data, false);
}

/* With --console, --debugcon or --phases, instead of kvm_pio_raw. */
SEC("raw_tp/kvm_pio")
int BPF_PROG(kvm_pio_console_raw, unsigned int rw, unsigned int port, unsigned int size,
	     unsigned int count, const void *data)
{
	return pio_exit(rw, port, size, count, data, true);
}

/*
 * Classic tracepoint fallback (kernels that refuse the raw one): val holds the first element
 * only; the rest of a string access is counted as lost.
 */
SEC("tracepoint/kvm/kvm_pio")
int kvm_pio_tp(struct trace_event_raw_kvm_pio___bt *ctx)
{
	/* The record's fields read once, up front: a context pointer cannot be offset later. */
	__u32 rw = ctx->rw, port = ctx->port, size = ctx->size, count = ctx->count, val = ctx->val;
	bool awaiting = vms_awaiting_entry, out = rw == KVM_PIO_OUT, traced;
	struct pio_ctx pc;
	int con = -1;

	if (size != 1 && size != 2 && size != 4)
		return 0;
	traced = out && port_traced(port); /* as in kvm_pio_raw */
	if (out && !traced)
		con = console_of(port);
	if (!traced && con < 0 && !awaiting)
		return 0;
	if (!pio_identify(&pc, port, size))
		return 0;
	if (awaiting)
		guest_ran(&pc, BT_PHASE_FIRST_EXIT);
	if (!traced && con < 0)
		return 0;
	if (con >= 0) {
		pc.first_value = val;
		console_write(&pc, con, port, count, 0);
		return 0;
	}
	emit_pio(&pc, val, 0, count > 1 ? BT_PIO_STRING | BT_PIO_TRUNCATED : 0);
	if (count > 1)
		count_n(BT_CNT_STRING_LOST, count - 1);
	return 0;
}

/*
 * --phases: a VM's first guest entry, where the backend emits kvm_entry (hardware hosts: on
 * every entry of every guest, so it stops at one load unless a new VM has yet to run).
 */
SEC("raw_tp/kvm_entry")
int kvm_entry_raw(void *ctx)
{
	struct pio_ctx pc;

	if (!vms_awaiting_entry)
		return 0;
	if (pio_identify(&pc, 0, 0))
		guest_ran(&pc, BT_PHASE_FIRST_ENTRY);
	return 0;
}

/* Enrichment where the backend emits it (not on every KVM: see README). */
SEC("tracepoint/kvm/kvm_exit")
int kvm_exit_tp(struct trace_event_raw_kvm_exit___bt *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct exit_info ex;

	/* The filter first: under -p, every other process's exits stop here. */
	if (!tgid_traced(pid_tgid >> 32))
		return 0;
	ex.ts_ns = bpf_ktime_get_ns();
	ex.rip = ctx->guest_rip;
	if (!kvm_exit_seen)
		kvm_exit_seen = 1;
	bpf_map_update_elem(&last_exit, &tid, &ex, BPF_ANY);
	return 0;
}

/*
 * The fd KVM_CREATE_VM is about to return, or -1. KVM reserves it before it creates the VM,
 * and installs the file after: so now it is open in the bitmap, with no file yet, and the
 * reservation left next_fd just past it (unless another thread of the process opened or
 * closed an fd meanwhile: then the checks fail, and the VM is bound another way).
 */
static __always_inline int reserved_fd(struct task_struct *task)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	unsigned int fd = BPF_CORE_READ(files, next_fd) - 1;
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	unsigned long word, *open_fds = BPF_CORE_READ(fdt, open_fds);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return -1;
	if (bpf_probe_read_kernel(&word, sizeof(word), open_fds + fd / 64) ||
	    !(word & (1ul << (fd % 64))))
		return -1;
	if (bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || file)
		return -1;
	return fd;
}

/* kvm:kvm_update_master_clock fires inside KVM_CREATE_VM (and elsewhere: filtered out). */
static __always_inline void on_vm_created(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid, vm_id;
	struct bt_vm_event *ve;
	__u8 one = 1;
	int fd;

	if (current_ioctl(syscall_regs(task)) != KVM_CREATE_VM || !tgid_traced(tgid))
		return;
	vm_id = __sync_fetch_and_add(&next_vm_id, 1) + 1;
	fd = reserved_fd(task);
	if (fd >= 0) {
		struct bt_fd_key key = {.tgid = tgid, .fd = fd};

		if (bpf_map_update_elem(&vm_fds, &key, &vm_id, BPF_ANY))
			count(BT_CNT_MAP_FULL);
	} else if (bpf_map_update_elem(&pending_vm, &tgid, &vm_id, BPF_ANY)) {
		count(BT_CNT_MAP_FULL);
	}
	if (bpf_map_update_elem(&vm_tgids, &tgid, &one, BPF_ANY))
		count(BT_CNT_MAP_FULL);
	ve = (struct bt_vm_event *)reserve_size(task, BT_EV_VM_CREATE, sizeof(*ve), 0);
	if (!ve)
		return;
	ve->ev.vm_id = vm_id;
	ve->ev.aux = fd >= 0 ? fd : ~0ull;
	read_cmdline(task, ve);
	bpf_ringbuf_submit(ve, BPF_RB_FORCE_WAKEUP);
}

/*
 * --phases: a VM's first vCPU is made (the VM is bound to its struct kvm now); its first
 * guest entry is awaited from here on.
 */
static __always_inline void first_vcpu(__u32 tgid, __u32 vm_id, __u32 vcpu_id)
{
	struct pio_ctx pc = {.tgid = tgid, .vm_id = vm_id, .vcpu = vcpu_id};
	long err;

	if (!trace_phases || vm_id == BT_VM_UNKNOWN)
		return;
	err = bpf_map_update_elem(&awaiting_entry, &vm_id, &tgid, BPF_NOEXIST);
	if (err == -EEXIST)
		return; /* reported already: a VM whose binding failed (map full) comes here again
			 */
	if (!err)
		__sync_fetch_and_add(&vms_awaiting_entry, 1);
	else
		count(BT_CNT_MAP_FULL); /* its first entry will not be reported */
	emit_phase(&pc, BT_PHASE_FIRST_VCPU);
}

/*
 * kvm:kvm_write_tsc_offset fires inside KVM_CREATE_VCPU with the new vCPU loaded: its
 * struct kvm is bound to the VM of the fd the ioctl was made on.
 */
static __always_inline void on_vcpu_created(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = syscall_regs(task);
	struct bt_fd_key key = {.tgid = task->tgid, .fd = regs->di};
	struct bt_vm_info *bound;
	struct loaded_vcpu lv;
	__u32 *vm_id;

	if (current_ioctl(regs) != KVM_CREATE_VCPU || !tgid_traced(key.tgid))
		return;
	loaded_vcpu(loaded_notifier(task), &lv);
	if (!lv.kvm)
		return;
	bound = bpf_map_lookup_elem(&vms, &lv.kvm);
	vm_id = bpf_map_lookup_elem(&vm_fds, &key);
	if (vm_id) {
		/* Bound already by an earlier vCPU, or else what is bound is a closed VM. */
		if (!bound || bound->vm_id != *vm_id || bound->tgid != key.tgid) {
			bind_vm(lv.kvm, *vm_id, key.tgid, BPF_ANY);
			first_vcpu(key.tgid, *vm_id, lv.vcpu_id);
		}
	} else if (!bound) {
		__u32 pending = take_pending_vm(key.tgid);

		bind_vm(lv.kvm, pending, key.tgid, BPF_NOEXIST);
		first_vcpu(key.tgid, pending, lv.vcpu_id);
	}
}

SEC("raw_tp/kvm_update_master_clock")
int vm_create_raw(void *ctx)
{
	on_vm_created();
	return 0;
}

SEC("tracepoint/kvm/kvm_update_master_clock")
int vm_create_tp(void *ctx)
{
	on_vm_created();
	return 0;
}

SEC("raw_tp/kvm_write_tsc_offset")
int vcpu_create_raw(void *ctx)
{
	on_vcpu_created();
	return 0;
}

SEC("tracepoint/kvm/kvm_write_tsc_offset")
int vcpu_create_tp(void *ctx)
{
	on_vcpu_created();
	return 0;
}

/* `boot-trace run` follows the command through fork and exec. */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!follow_forks || ptgid == ctgid)
		return 0;
	if (bpf_map_lookup_elem(&traced_tgids, &ptgid))
		bpf_map_update_elem(&traced_tgids, &ctgid, &one, BPF_ANY);
	return 0;
}

/* The end of a VM-owning or traced process ends its VMs; its kernel state goes with it. */
static long forget_fd(struct bpf_map *map, struct bt_fd_key *key, void *value, __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long forget_vm(struct bpf_map *map, __u64 *kvm, struct bt_vm_info *vm, __u32 *tgid)
{
	if (vm->tgid == *tgid)
		bpf_map_delete_elem(map, kvm);
	return 0;
}

static long forget_awaited(struct bpf_map *map, __u32 *vm_id, __u32 *owner, __u32 *tgid)
{
	if (*owner == *tgid && bpf_map_delete_elem(map, vm_id) == 0)
		__sync_fetch_and_sub(&vms_awaiting_entry, 1);
	return 0;
}

static __always_inline void on_process_exit(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct bt_event *e;

	/* Fires per thread; the process is gone when its last thread exits. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return;
	/*
	 * Any process: an untraced one's threads may be cached as such (vcpu_cache), and their
	 * task and vCPU memory could come back as a traced VM's.
	 */
	if (filter_tgids)
		__sync_fetch_and_add(&vm_generation, 1);
	if (!bpf_map_lookup_elem(&vm_tgids, &tgid) && !bpf_map_lookup_elem(&traced_tgids, &tgid))
		return;
	/* Forgotten here, not by the reader: its exit record might be dropped. */
	bpf_for_each_map_elem(&vms, forget_vm, &tgid, 0);
	bpf_for_each_map_elem(&vm_fds, forget_fd, &tgid, 0);
	if (trace_phases && vms_awaiting_entry)
		bpf_for_each_map_elem(&awaiting_entry, forget_awaited, &tgid, 0);
	bpf_map_delete_elem(&pending_vm, &tgid);
	bpf_map_delete_elem(&vm_tgids, &tgid);
	__sync_fetch_and_add(&vm_generation, 1); /* its vCPUs may be cached: see vcpu_cache */
	bpf_map_delete_elem(&traced_tgids, &tgid);
	e = reserve(task, BT_EV_PROC_EXIT);
	if (!e)
		return;
	/* wait(2) status. Some kernels fire this before setting exit_code; the group's is set. */
	e->value = BPF_CORE_READ(task, exit_code) ?: BPF_CORE_READ(task, signal, group_exit_code);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* Raw where it can be: attaching it is cheaper than a perf event, and it is on the start path. */
SEC("raw_tp/sched_process_exit")
int process_exit_raw(void *ctx)
{
	on_process_exit();
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int process_exit_tp(void *ctx)
{
	on_process_exit();
	return 0;
}
