// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace kernel side, the write programs: stamp guest writes to the debug I/O port (and, with
 * --mmio, one-byte writes to one MMIO address such as Firecracker's boot timer) in the host kernel.
 *
 * kvm:kvm_pio gives port, size, count and the data, but no VM or vCPU. A port exit happens
 * inside the vCPU thread's KVM_RUN, with that vCPU loaded on the thread: KVM registered the
 * vCPU's preempt notifier on it, and the notifier is the head of struct kvm_vcpu, which holds
 * the vCPU id and its VM (identify.bpf.h). VMs are named where they are created
 * (lifecycle.bpf.c): kvm:kvm_update_master_clock fires inside KVM_CREATE_VM (x86),
 * kvm:kvm_write_tsc_offset inside KVM_CREATE_VCPU, with the VM loaded, which binds the VM to
 * the kernel's struct kvm.
 *
 * No syscall tracepoint: enabling one sends every system call of every task on the host down
 * the slow path; here it added ~1 us to every KVM_RUN of every guest (make bench). kvm:kvm_exit
 * (guest RIP) is enrichment where the backend emits it.
 */
#include "identify.bpf.h"

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
 * A global function: the verifier checks it once, not once per caller (the single-write path
 * and the string loop), which keeps start-up short.
 */
__noinline int emit_pio(struct pio_ctx *pc, __u32 value, __u32 index, __u32 flags)
{
	struct bt_event *e;

	if (!pc)
		return 0;
	e = reserve_size(current_task(), BT_EV_PIO, sizeof(*e), pc->now);
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
	if (cache->task != (__u64)current_task() || cache->untraced)
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

/*
 * Send the line and start a new one. A line lost to a full ring buffer counts its bytes.
 * A global function: verified once for both callers (one byte, a string of them).
 */
__noinline int emit_line(struct bt_console_line *line, struct pio_ctx *pc, __u32 base)
{
	struct bt_console_event *ce;

	if (!line || !pc || !line->len)
		return 0;
	ce = (struct bt_console_event *)reserve_size(current_task(), BT_EV_CONSOLE, sizeof(*ce),
						     line->first_ts);
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
		__builtin_memcpy(line->comm, current_task()->comm, sizeof(line->comm));
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
	e = reserve(current_task(), BT_EV_MMIO);
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
