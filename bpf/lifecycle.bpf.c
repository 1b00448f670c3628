// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace kernel side, the programs loaded after the write programs (writes.bpf.c): VM
 * and vCPU creation, process fork and exit, --phases' first guest entry and --rip's kvm_exit.
 */
#include "identify.bpf.h"

/* The current process's arguments (NUL-separated), as much as fits; 0 bytes if unreadable. */
static __always_inline void read_cmdline(struct task_struct___bt *task, struct bt_vm_event *ve)
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
static __always_inline struct pt_regs___bt *syscall_regs(struct task_struct___bt *task)
{
	return (struct pt_regs___bt *)bpf_task_pt_regs((struct task_struct *)task);
}

/* The ioctl a task is in: its command, or 0 (in another system call, or none). */
static __always_inline __u32 current_ioctl(struct pt_regs___bt *regs)
{
	return regs->orig_ax == NR_IOCTL ? (__u32)regs->si : 0;
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
static __always_inline int reserved_fd(struct task_struct___bt *task)
{
	struct files_struct___bt *files = BPF_CORE_READ(task, files);
	unsigned int fd = BPF_CORE_READ(files, next_fd) - 1;
	struct fdtable___bt *fdt = BPF_CORE_READ(files, fdt);
	unsigned long word, *open_fds = BPF_CORE_READ(fdt, open_fds);
	void **fds = BPF_CORE_READ(fdt, fd);
	void *file;

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
	struct task_struct___bt *task = current_task();
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
	struct task_struct___bt *task = current_task();
	struct pt_regs___bt *regs = syscall_regs(task);
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
int BPF_PROG(process_fork, struct task_struct___bt *parent, struct task_struct___bt *child)
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
static long forget_fd(void *map, struct bt_fd_key *key, void *value, __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long forget_vm(void *map, __u64 *kvm, struct bt_vm_info *vm, __u32 *tgid)
{
	if (vm->tgid == *tgid)
		bpf_map_delete_elem(map, kvm);
	return 0;
}

static long forget_awaited(void *map, __u32 *vm_id, __u32 *owner, __u32 *tgid)
{
	if (*owner == *tgid && bpf_map_delete_elem(map, vm_id) == 0)
		__sync_fetch_and_sub(&vms_awaiting_entry, 1);
	return 0;
}

static __always_inline void on_process_exit(void)
{
	struct task_struct___bt *task = current_task();
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
