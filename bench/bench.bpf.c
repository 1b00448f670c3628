// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Variants of boot-trace's BPF programs for `make bench`'s testrun section (bench/testrun.c):
 * raw-tracepoint programs that BPF_PROG_TEST_RUN can run without a guest, each doing part of
 * what a real program does, so that the cost of each step is known.
 *
 * The real objects' sources are included whole: their maps, configuration and every helper
 * function (note_port_access, pio_identify, submit_record, ...) are the very ones boot-trace
 * runs, and so is kvm_entry_raw, which testrun runs from here. What
 * is written again here (the body of kvm_pio_raw's traced single write, emit_pio() with
 * reserve_size() cut into steps, kvm_exit_tp as a raw tracepoint program) MIRRORS
 * bpf/writes.bpf.c and bpf/lifecycle.bpf.c and must be kept in step with them: the "submit, with
 * the wake-up decision" variant should cost what kvm_pio_raw costs on a traced write, less the
 * identity (see bench/README.md). Every program here is named bench_*: testrun loads those (and
 * kvm_entry_raw).
 */
#include "writes.bpf.c"	   /* bpf/: the write programs */
#include "lifecycle.bpf.c" /* bpf/: the rest */

/* How far a variant of kvm_pio_raw goes before it returns. */
enum step {
	STEP_PORT,     /* the checks before the port is known to be traced */
	STEP_IDENTITY, /* + VM and vCPU of the thread */
	STEP_VALUE,    /* + the value read from KVM's data page */
	STEP_RESERVE,  /* + a ring buffer record reserved (and discarded) */
	STEP_STAMP,    /* + its time stamp (discarded) */
	STEP_FILL,     /* + every field filled (discarded) */
	STEP_SUBMIT,   /* + submitted, without the wake-up decision (BPF_RB_NO_WAKEUP) */
	STEP_WAKEUP,   /* + submitted by submit_record(): all of kvm_pio_raw's traced write */
};

/* What bench_peek copies (testrun finds a console line in the kernel's memory with it). */
__u8 peek_buf[4096];

SEC("raw_tp")
int bench_empty(void *ctx)
{
	return 0;
}

SEC("raw_tp")
int BPF_PROG(bench_peek, const void *addr)
{
	return bpf_probe_read_kernel(peek_buf, sizeof(peek_buf), addr);
}

/* The clock alone, read once and twice in a run (every record and note_port_access read it). */
__u64 clock_sink;

SEC("raw_tp")
int bench_clock1(void *ctx)
{
	clock_sink = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp")
int bench_clock2(void *ctx)
{
	clock_sink = bpf_ktime_get_ns();
	clock_sink += bpf_ktime_get_ns();
	return 0;
}

/*
 * This CPU's vcpu_cache: on (prime != 0) as for a vCPU thread of a traced VM in a flood (the
 * current task, the current vm_generation; the notifier is the test process's, none), or
 * off: as for a thread of a guest that is not traced.
 */
SEC("raw_tp")
int BPF_PROG(bench_cache, __u64 prime)
{
	__u32 zero = 0;
	struct bt_vcpu_cache *cache = bpf_map_lookup_elem(&vcpu_cache, &zero);

	if (!cache)
		return 0;
	cache->task = prime ? (__u64)current_task() : 0;
	cache->notifier = loaded_notifier(current_task());
	cache->generation = vm_generation;
	cache->vm_id = 1;
	cache->vcpu = 0;
	cache->last_port = NO_PORT;
	cache->last_port_ns = 0;
	return 0;
}

/*
 * pio_identify()'s fast path, taken: the thread's vCPU is the one in this CPU's cache. The
 * real code also requires a loaded vCPU (a notifier), which a test run has not: the only
 * difference.
 */
static __always_inline bool identify_cached(struct pio_ctx *pc, __u32 port, __u32 size)
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
	pc->has_rip = false;
	pc->notifier = notifier;
	pc->vm_id = BT_VM_UNKNOWN;
	pc->vcpu = BT_VCPU_UNKNOWN;
	pc->generation = vm_generation;
	if (cache && cache->task == (__u64)task && cache->notifier == notifier &&
	    cache->generation == pc->generation) {
		pc->vm_id = cache->vm_id;
		pc->vcpu = cache->vcpu;
	} else if (!identify_slow(pc)) {
		return false;
	}
	if (!trace_rip || !kvm_exit_seen)
		return true;
	ex = bpf_map_lookup_elem(&last_exit, &tid);
	if (ex && bpf_ktime_get_ns() - ex->ts_ns < 1000000) {
		pc->rip = ex->rip;
		pc->has_rip = true;
	}
	return true;
}

/* emit_pio() with reserve_size() inlined, returning after step stop. */
static __always_inline int emit_upto(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags,
				     enum step stop)
{
	struct task_struct___bt *task = current_task();
	struct bt_event *e;

	if (!pc)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(struct bt_event), 0);
	if (!e) {
		count(BT_CNT_DROPPED);
		return 0;
	}
	if (stop == STEP_RESERVE) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	e->ts_ns = pc->now ?: bpf_ktime_get_ns(); /* the note's clock read, where it took one */
	if (stop == STEP_STAMP) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	e->aux = 0;
	e->tgid = task->tgid;
	e->tid = task->pid;
	e->vm_id = BT_VM_UNKNOWN;
	e->vcpu = BT_VCPU_UNKNOWN;
	e->value = 0;
	e->port = 0;
	e->type = BT_EV_PIO;
	e->index = 0;
	e->size = 0;
	e->flags = 0;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	e->vm_id = pc->vm_id;
	e->vcpu = pc->vcpu;
	e->port = pc->port;
	e->size = pc->size;
	e->value = value;
	e->index = index;
	e->flags = flags;
	if (pc->prev_port != NO_PORT && pc->prev_port != pc->port) {
		e->prev_port = pc->prev_port;
		e->flags |= BT_PIO_AFTER_IO;
	}
	if (pc->has_rip) {
		e->aux = pc->rip;
		e->flags |= BT_PIO_RIP;
	}
	if (stop == STEP_FILL) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	if (stop == STEP_SUBMIT)
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	else
		submit_record(e, e->ts_ns, index);
	return 0;
}

/* Global functions, as emit_pio() is: the call is part of the cost. */
__noinline int emit_reserve(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	return emit_upto(pc, value, index, flags, STEP_RESERVE);
}

__noinline int emit_stamp(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	return emit_upto(pc, value, index, flags, STEP_STAMP);
}

__noinline int emit_fill(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	return emit_upto(pc, value, index, flags, STEP_FILL);
}

__noinline int emit_submit(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	return emit_upto(pc, value, index, flags, STEP_SUBMIT);
}

__noinline int emit_wakeup(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	return emit_upto(pc, value, index, flags, STEP_WAKEUP);
}

/*
 * kvm_pio_raw up to step stop, for one write (a string write returns after the identity).
 * note: with note_port_access() (as now), or without (as before it). cached: the identity
 * of a thread in this CPU's cache (a flood's steady state), or pio_identify() itself (in a
 * test run: its slow path, with no vCPU loaded, so without the vCPU read and VM lookup).
 */
static __always_inline int pio_upto(unsigned int rw, unsigned int port, unsigned int size,
				    unsigned int count, const void *data, enum step stop, bool note,
				    bool cached)
{
	__u64 now = 0;
	__u32 prev_port = note ? note_port_access(port, &now) : NO_PORT, value = 0;
	bool identified = false, traced;
	struct pio_ctx pc;
	__u8 flags = 0;
	int con = -1;

	if (size != 1 && size != 2 && size != 4)
		return 0;
	if (vms_awaiting_entry) {
		if (!pio_identify(&pc, port, size))
			return 0;
		identified = true;
		guest_ran(&pc, BT_PHASE_FIRST_EXIT);
	}
	if (rw != KVM_PIO_OUT)
		return 0;
	traced = port_traced(port);
	if (!traced) {
		con = console_of(port);
		if (con < 0)
			return 0;
	}
	if (stop == STEP_PORT)
		return 0;
	if (!identified &&
	    !(cached ? identify_cached(&pc, port, size) : pio_identify(&pc, port, size)))
		return 0;
	if (!traced)
		return 0; /* a console: not in this breakdown */
	pc.prev_port = prev_port;
	pc.now = now;
	if (stop == STEP_IDENTITY || count > 1)
		return 0;
	if (bpf_probe_read_kernel(&value, sizeof(value), data))
		flags = BT_PIO_TRUNCATED;
	else if (size < 4)
		value &= (1u << (size * 8)) - 1;
	if (stop == STEP_VALUE)
		return 0;
	value = flags ? 0 : value;
	switch (stop) {
	case STEP_RESERVE:
		return emit_reserve(&pc, value, 0, flags);
	case STEP_STAMP:
		return emit_stamp(&pc, value, 0, flags);
	case STEP_FILL:
		return emit_fill(&pc, value, 0, flags);
	case STEP_SUBMIT:
		return emit_submit(&pc, value, 0, flags);
	default:
		return emit_wakeup(&pc, value, 0, flags);
	}
}

#define PIO_VARIANT(name, stop, note, cached)                                                      \
	SEC("raw_tp")                                                                              \
	int BPF_PROG(name, unsigned int rw, unsigned int port, unsigned int size,                  \
		     unsigned int count, const void *data)                                         \
	{                                                                                          \
		return pio_upto(rw, port, size, count, data, stop, note, cached);                  \
	}

PIO_VARIANT(bench_pio_port_before_note, STEP_PORT, false, false)
PIO_VARIANT(bench_pio_port, STEP_PORT, true, false)
PIO_VARIANT(bench_pio_identity_slow, STEP_IDENTITY, true, false)
PIO_VARIANT(bench_pio_identity, STEP_IDENTITY, true, true)
PIO_VARIANT(bench_pio_value, STEP_VALUE, true, true)
PIO_VARIANT(bench_pio_reserve, STEP_RESERVE, true, true)
PIO_VARIANT(bench_pio_stamp, STEP_STAMP, true, true)
PIO_VARIANT(bench_pio_fill, STEP_FILL, true, true)
PIO_VARIANT(bench_pio_submit, STEP_SUBMIT, true, true)
PIO_VARIANT(bench_pio_wakeup, STEP_WAKEUP, true, true)

/*
 * kvm_exit_tp as a raw tracepoint program (test runs do not run classic tracepoint programs):
 * the same tgid filter, clock and LRU update. filter: as `record -p` / `run` load it
 * (filter_tgids), or as the daemon does (every process). The guest RIP is an argument here;
 * the classic tracepoint hands it over in its record (assembled before the program runs,
 * which a test run does not show).
 */
static __always_inline int exit_body(__u64 rip, bool filter)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, tgid = pid_tgid >> 32;
	struct exit_info ex;

	if (filter && !bpf_map_lookup_elem(&traced_tgids, &tgid))
		return 0;
	ex.ts_ns = bpf_ktime_get_ns(); /* after the filter, as kvm_exit_tp */
	ex.rip = rip;
	if (!kvm_exit_seen)
		kvm_exit_seen = 1;
	bpf_map_update_elem(&last_exit, &tid, &ex, BPF_ANY);
	return 0;
}

SEC("raw_tp")
int BPF_PROG(bench_exit_all, struct kvm_vcpu *vcpu, __u64 rip)
{
	return exit_body(rip, false);
}

SEC("raw_tp")
int BPF_PROG(bench_exit_filtered, struct kvm_vcpu *vcpu, __u64 rip)
{
	return exit_body(rip, true);
}

/*
 * What a raw kvm_exit program would do instead: the raw tracepoint passes the vCPU, and the
 * RIP is read from it (vcpu->arch.regs[VCPU_REGS_RIP], current whenever KVM has read it).
 */
SEC("raw_tp")
int BPF_PROG(bench_exit_all_read_rip, struct kvm_vcpu *vcpu)
{
	__u64 rip = 0;

	bpf_probe_read_kernel(&rip, sizeof(rip), &vcpu->arch.regs[VCPU_REGS_RIP]);
	return exit_body(rip, false);
}
