// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Which VM and vCPU the current thread is, for both objects: a port or MMIO exit
 * (writes.bpf.c), a guest entry and a new vCPU (lifecycle.bpf.c).
 */
#ifndef BT_IDENTIFY_BPF_H
#define BT_IDENTIFY_BPF_H

#include "state.bpf.h"

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
static __always_inline __u64 loaded_notifier(struct task_struct___bt *task)
{
	__u64 first = 0;

	bpf_probe_read_kernel(&first, sizeof(first), &task->preempt_notifiers.first);
	return first;
}

static __always_inline void loaded_vcpu(__u64 notifier, struct loaded_vcpu *lv)
{
	__u64 link_off = bpf_core_field_offset(struct kvm_vcpu___bt, preempt_notifier) +
			 bpf_core_field_offset(struct preempt_notifier___bt, link);
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

/* Scalars only: global functions (emit_pio(), guest_ran(), ...) take it as an argument. */
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
 * The first write of a vCPU thread (on this CPU): read the loaded vCPU, find its VM, bind a
 * VM met for the first time, fill the cache; 0 if the process is not traced. A global
 * function, verified once on its own rather than along every path of its caller.
 */
__noinline int identify_slow(struct pio_ctx *pc)
{
	struct task_struct___bt *task = current_task();
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
	struct task_struct___bt *task = current_task();
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

/* A host-side phase of the identified VM. */
static __always_inline void emit_phase(struct pio_ctx *pc, __u32 phase)
{
	struct bt_event *e = reserve(current_task(), BT_EV_PHASE);

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

#endif /* BT_IDENTIFY_BPF_H */
