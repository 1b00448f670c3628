// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The kernel side's console line assembly (bpf/writes.bpf.c: console_write, console_byte,
 * emit_line), tested without a guest: the real kvm_pio_console_raw program of the real object,
 * loaded through the verifier with a console configuration, is run by BPF_PROG_TEST_RUN with the
 * arguments kvm:kvm_pio would give it (rw, port, size, count, data); the records are read back
 * from its ring buffer, the unterminated line from its console_lines map.
 *
 * data must be a kernel address: KVM passes its pio_data page. Here it is the value of an array
 * map of our own (pio_page.bpf.c), whose kernel address that program publishes once.
 *
 * In a test run the current task is this process, with no vCPU loaded: every write is of VM 0
 * (BT_VM_UNKNOWN) and of no vCPU, as on a host where the VM's creation was not seen.
 *
 * Usage: console_testrun [--expect-wrong]. One line per case, "ok NAME" or "not ok NAME: why",
 * then "# N cases, M failed"; exit status 1 if any case failed, 2 if it could not start.
 * --expect-wrong corrupts every expected text: the cases that expect lines must then fail (the
 * checks are not vacuous).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "boot_trace.h" /* before the skeleton: its .rodata holds our types */
#include "writes.skel.h"
#include "pio_page.skel.h"

#define PIO_IN	  0
#define PIO_OUT	  1
#define PAGE	  4096
#define MAX_RECS  64
#define MARKER	  0x80	/* the traced port */
#define UART0	  0x3f8 /* --console */
#define UART1	  0x2f8 /* --console=0x2f8 */
#define DEBUGCON  0xe9	/* --debugcon */
#define DEBUGCON2 0x402 /* --debugcon=0x402 */

struct window {
	uint64_t lo, hi; /* CLOCK_MONOTONIC (bpf_ktime_get_ns()) before and after one run */
};

/* A line a case expects, in ring order. */
struct want {
	uint16_t port;
	uint32_t kind; /* BT_CONSOLE_* */
	const char *text;
	size_t len;
	uint8_t flags;	     /* BT_LINE_* */
	struct window first; /* its first byte's run (lo 0: not checked) */
	struct window last;  /* its last byte's run (lo 0: not checked) */
	uint32_t tid;	     /* its first byte's thread (0: this thread) */
	const char *comm;    /* that thread's name (NULL: this thread's) */
};

/* One load of the real object: its program and its ring. */
struct tracer {
	struct writes_bpf *bt;
	struct ring_buffer *rb;
	int prog_fd;
};

static struct tracer main_tracer, small_tracer;
static struct tracer *cur = &main_tracer; /* the one the cases write to */
static struct pio_page_bpf *pp;
static int page_fd;
static uint64_t page_kaddr;
static bool expect_wrong;
static char comm[BT_COMM_LEN];

static struct bt_console_event recs[MAX_RECS];
static size_t rec_sizes[MAX_RECS];
static int nr_recs;
static int nr_wake_recs; /* BT_WAKE_RECORD_SIZE records, skipped as the reader skips them */
static bool recs_overflow;
static uint64_t case_start;

static char why[512];
static int failed;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t my_tid(void)
{
	return syscall(SYS_gettid);
}

/* Set the reason of a failure (the first one wins); always false. */
__attribute__((format(printf, 1, 2))) static bool fail(const char *fmt, ...)
{
	va_list ap;

	if (why[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static int on_record(void *ctx, void *data, size_t size)
{
	if (size == BT_WAKE_RECORD_SIZE) {
		nr_wake_recs++;
		return 0;
	}
	if (nr_recs == MAX_RECS) {
		recs_overflow = true;
		return 0;
	}
	memset(&recs[nr_recs], 0, sizeof(recs[0]));
	memcpy(&recs[nr_recs], data, size < sizeof(recs[0]) ? size : sizeof(recs[0]));
	rec_sizes[nr_recs++] = size;
	return 0;
}

/* Take what the ring holds into recs. */
static bool drain(void)
{
	int n = ring_buffer__consume(cur->rb);

	if (n < 0)
		return fail("ring_buffer__consume: %s", strerror(-n));
	if (recs_overflow)
		return fail("more than %d records", MAX_RECS);
	return true;
}

/*
 * One guest port access as kvm:kvm_pio reports it: the bytes are put in the page, and the
 * program runs with data pointing at them. w (if not NULL): the run's time window.
 */
static bool pio(uint32_t rw, uint32_t port, uint32_t size, uint32_t count, const void *bytes,
		size_t n, struct window *w)
{
	static uint8_t page[PAGE];
	__u64 args[5] = {rw, port, size, count, page_kaddr};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	uint32_t zero = 0;
	uint64_t lo, hi;
	int err;

	if (n > sizeof(page))
		return fail("%zu bytes do not fit a page", n);
	memset(page, 0, sizeof(page));
	memcpy(page, bytes, n);
	if (bpf_map_update_elem(page_fd, &zero, page, BPF_ANY))
		return fail("filling the page: %s", strerror(errno));
	lo = now_ns();
	err = bpf_prog_test_run_opts(cur->prog_fd, &opts);
	hi = now_ns();
	if (err)
		return fail("BPF_PROG_TEST_RUN (port 0x%x): %s", port, strerror(errno));
	if (opts.retval)
		return fail("kvm_pio_console_raw returned %u", opts.retval);
	if (w) {
		w->lo = lo;
		w->hi = hi;
	}
	return true;
}

/* One byte written (outb). */
static bool outb(uint32_t port, uint8_t c, struct window *w)
{
	return pio(PIO_OUT, port, 1, 1, &c, 1, w);
}

/* n bytes written one outb at a time; first and last (if not NULL): their runs' windows. */
static bool say_n(uint32_t port, const char *s, size_t n, struct window *first, struct window *last)
{
	for (size_t i = 0; i < n; i++) {
		struct window w;

		if (!outb(port, (uint8_t)s[i], &w))
			return false;
		if (i == 0 && first)
			*first = w;
		if (last)
			*last = w;
	}
	return true;
}

static bool say(uint32_t port, const char *s)
{
	return say_n(port, s, strlen(s), NULL, NULL);
}

/* A string access (rep outs): count elements of size bytes, in one run. */
static bool outs(uint32_t port, uint32_t size, const void *bytes, uint32_t count, struct window *w)
{
	return pio(PIO_OUT, port, size, count, bytes, (size_t)count * size, w);
}

/* A case starts: nothing is left over in the ring. */
static bool begin(void)
{
	nr_recs = 0;
	nr_wake_recs = 0;
	recs_overflow = false;
	if (!drain())
		return false;
	if (nr_recs)
		return fail("%d records left over from the case before", nr_recs);
	case_start = now_ns();
	return true;
}

/* Printable text for a reason. */
static const char *show(const uint8_t *p, size_t len)
{
	static char buf[2][200];
	static int which;
	char *out = buf[which ^= 1];
	size_t o = 0;

	for (size_t i = 0; i < len && o + 8 < sizeof(buf[0]); i++)
		o += snprintf(out + o, sizeof(buf[0]) - o,
			      p[i] >= 0x20 && p[i] < 0x7f ? "%c" : "\\x%02x", p[i]);
	if (o + 8 >= sizeof(buf[0]))
		snprintf(out + o, sizeof(buf[0]) - o, "...");
	return out;
}

static bool in_window(uint64_t ts, const struct window *w)
{
	return ts >= w->lo && ts <= w->hi;
}

/* The records since begin() are exactly these lines, in this order. */
static bool expect_lines(const struct want *wants, int n)
{
	uint64_t end;

	if (!drain())
		return false;
	end = now_ns();
	if (nr_recs != n) {
		for (int i = 0; i < nr_recs; i++)
			if (recs[i].ev.type == BT_EV_CONSOLE)
				fprintf(stderr, "#   record %d: port 0x%x \"%s\"\n", i,
					recs[i].ev.port, show(recs[i].text, recs[i].len));
		return fail("%d records, %d lines expected", nr_recs, n);
	}
	for (int i = 0; i < n; i++) {
		const struct bt_console_event *r = &recs[i];
		const struct want *w = &wants[i];
		uint8_t text[BT_CONSOLE_LINE_MAX];
		size_t len = w->len ? w->len : strlen(w->text);
		uint32_t tid = w->tid ? w->tid : my_tid();
		const char *name = w->comm ? w->comm : comm;

		memcpy(text, w->text, len);
		if (expect_wrong && len)
			text[0] ^= 0x20;
		if (rec_sizes[i] != sizeof(*r))
			return fail("record %d: %zu bytes, not %zu", i, rec_sizes[i], sizeof(*r));
		if (r->ev.type != BT_EV_CONSOLE)
			return fail("record %d: type %u, not BT_EV_CONSOLE", i, r->ev.type);
		if (r->ev.port != w->port || r->ev.value != w->kind)
			return fail("record %d: port 0x%x kind %u, not 0x%x kind %u", i, r->ev.port,
				    r->ev.value, w->port, w->kind);
		if (r->len != len || memcmp(r->text, text, len))
			return fail("record %d: \"%s\" (%u bytes), not \"%s\" (%zu)", i,
				    show(r->text, r->len), r->len, show(text, len), len);
		if (r->line_flags != w->flags)
			return fail("record %d: line_flags 0x%x, not 0x%x", i, r->line_flags,
				    w->flags);
		if (r->ev.tgid != (uint32_t)getpid() || r->ev.tid != tid)
			return fail("record %d: tgid %u tid %u, not %u %u", i, r->ev.tgid,
				    r->ev.tid, getpid(), tid);
		if (r->ev.vm_id != BT_VM_UNKNOWN || r->ev.vcpu != BT_VCPU_UNKNOWN)
			return fail("record %d: vm %u vcpu %u, not the unknown VM and vCPU", i,
				    r->ev.vm_id, r->ev.vcpu);
		if (strncmp(r->ev.comm, name, sizeof(r->ev.comm)))
			return fail(
			    "record %d: comm \"%.16s\", not its first byte's thread's \"%s\"", i,
			    r->ev.comm, name);
		if (r->ev.ts_ns > r->ev.aux)
			return fail("record %d: first byte at %llu after the last at %llu", i,
				    (unsigned long long)r->ev.ts_ns, (unsigned long long)r->ev.aux);
		if (r->ev.ts_ns < case_start || r->ev.aux > end)
			return fail("record %d: stamps %llu..%llu outside the case", i,
				    (unsigned long long)r->ev.ts_ns, (unsigned long long)r->ev.aux);
		if (w->first.lo && !in_window(r->ev.ts_ns, &w->first))
			return fail("record %d: ts_ns %llu is not its first byte's (%llu..%llu)", i,
				    (unsigned long long)r->ev.ts_ns,
				    (unsigned long long)w->first.lo,
				    (unsigned long long)w->first.hi);
		if (w->last.lo && !in_window(r->ev.aux, &w->last))
			return fail("record %d: aux %llu is not its last byte's (%llu..%llu)", i,
				    (unsigned long long)r->ev.aux, (unsigned long long)w->last.lo,
				    (unsigned long long)w->last.hi);
	}
	return true;
}

/* ---- set-up -------------------------------------------------------------------------------- */

/* The page's kernel address, from pio_page.bpf.c. */
static int setup_page(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u64 args[1] = {0};
	int err;

	pp = pio_page_bpf__open_and_load();
	if (!pp)
		return -errno;
	opts.ctx_in = args;
	opts.ctx_size_in = sizeof(args);
	err = bpf_prog_test_run_opts(bpf_program__fd(pp->progs.page_address), &opts);
	if (err)
		return -errno;
	page_kaddr = pp->bss->page_kaddr;
	page_fd = bpf_map__fd(pp->maps.page);
	return page_kaddr ? 0 : -ENXIO;
}

/*
 * The real object, as tracer.c configures it for --console --console=0x2f8 --debugcon
 * --debugcon=0x402 (port 0x80 traced), with only kvm_pio_console_raw loaded. ring_bytes: the ring
 * buffer's size (0: the object's own).
 */
static int tracer_open(struct tracer *t, uint32_t ring_bytes)
{
	static const uint16_t ports[] = {UART0, UART1, DEBUGCON, DEBUGCON2};
	static const uint8_t kinds[] = {BT_CONSOLE_UART, BT_CONSOLE_UART, BT_CONSOLE_DEBUGCON,
					BT_CONSOLE_DEBUGCON};
	struct writes_bpf *bt;
	struct bpf_program *prog;
	int err;

	bt = t->bt = writes_bpf__open();
	if (!bt)
		return -errno;
	if (ring_bytes && (err = bpf_map__set_max_entries(bt->maps.events, ring_bytes)))
		return err;
	bt->rodata->trace_ports[0] = MARKER;
	bt->rodata->nr_trace_ports = 1;
	bt->rodata->filter_tgids = false;
	bt->rodata->ringbuf_bytes = bpf_map__max_entries(bt->maps.events);
	for (int i = 0; i < BT_MAX_CONSOLES; i++) {
		bt->rodata->console_ports[i] = ports[i];
		bt->rodata->console_kinds[i] = kinds[i];
	}
	bt->rodata->nr_consoles = BT_MAX_CONSOLES;
	bpf_object__for_each_program (prog, bt->obj)
		bpf_program__set_autoload(prog, prog == bt->progs.kvm_pio_console_raw);
	err = writes_bpf__load(bt);
	if (err)
		return err;
	t->prog_fd = bpf_program__fd(bt->progs.kvm_pio_console_raw);
	t->rb = ring_buffer__new(bpf_map__fd(bt->maps.events), on_record, NULL, NULL);
	return t->rb ? 0 : -errno;
}

static void tracer_close(struct tracer *t)
{
	ring_buffer__free(t->rb);
	writes_bpf__destroy(t->bt);
	memset(t, 0, sizeof(*t));
}

#define UART_LINE(t)                                                                               \
	{                                                                                          \
		.port = UART0, .kind = BT_CONSOLE_UART, .text = (t)                                \
	}
#define DEBUGCON_LINE(t)                                                                           \
	{                                                                                          \
		.port = DEBUGCON, .kind = BT_CONSOLE_DEBUGCON, .text = (t)                         \
	}

/* ---- the cases ----------------------------------------------------------------------------- */

/* LF ends a line; its stamps are its first and last text bytes'. */
static bool case_lf(void)
{
	struct want w = UART_LINE("hello");

	return begin() && say_n(UART0, "hello", 5, &w.first, &w.last) && say(UART0, "\n") &&
	       expect_lines(&w, 1);
}

/* CR LF is one line end: the LF after a CR ends nothing (the line after is whole). */
static bool case_cr_lf(void)
{
	const struct want w[] = {UART_LINE("abc"), UART_LINE("def")};

	return begin() && say(UART0, "abc\r\ndef\r\n") && expect_lines(w, 2);
}

/* A bare CR ends a line too (a progress line rewritten in place gives one line each time). */
static bool case_bare_cr(void)
{
	const struct want w[] = {UART_LINE("one"), UART_LINE("two"), UART_LINE("three")};

	return begin() && say(UART0, "one\rtwo\rthree\n") && expect_lines(w, 3);
}

/* An empty line is not sent: LF LF, CR CR, LF CR. */
static bool case_lf_lf(void)
{
	const struct want w[] = {UART_LINE("x"), UART_LINE("y"), UART_LINE("z")};

	return begin() && say(UART0, "x\n\ny\r\r\n\nz\n\r") && expect_lines(w, 3);
}

/*
 * A UART's divisor: LCR (base + 3) with DLAB (0x80) set makes THR writes divisor bytes, not
 * text, until LCR is written without it. Another UART's latch is its own.
 */
static bool case_uart_divisor(void)
{
	const struct want w[] = {{.port = UART1, .kind = BT_CONSOLE_UART, .text = "other uart"},
				 UART_LINE("after divisor")};

	return begin() && outb(UART0 + BT_UART_LCR, 0x83, NULL) && say(UART0, "\x0cZ") &&
	       outb(UART0 + 1, 0x00, NULL) /* DLM: no console port */ &&
	       say(UART1, "other uart\n") && say(UART0, "Q\n") &&
	       outb(UART0 + BT_UART_LCR, 0x03, NULL) && say(UART0, "after divisor\n") &&
	       expect_lines(w, 2);
}

/*
 * A debug console: every byte is text, and its port + 3 is not an LCR (no console at all):
 * a write of 0x83 there turns no latch on, not even in the line's state.
 */
static bool case_debugcon(void)
{
	const struct want w[] = {DEBUGCON_LINE("debugcon"), DEBUGCON_LINE("still text")};
	struct bt_console_key key = {.tgid = getpid(), .vm_id = BT_VM_UNKNOWN, .port = DEBUGCON};
	struct bt_console_line line;

	if (!begin() || !say(DEBUGCON, "debugcon\n") || !outb(DEBUGCON + 3, 'X', NULL) ||
	    !outb(DEBUGCON + 3, 0x83, NULL) || !say(DEBUGCON, "still text\n") ||
	    !expect_lines(w, 2))
		return false;
	if (bpf_map_lookup_elem(bpf_map__fd(cur->bt->maps.console_lines), &key, &line))
		return fail("no console_lines entry for port 0x%x: %s", DEBUGCON, strerror(errno));
	if (line.dlab || line.kind != BT_CONSOLE_DEBUGCON || line.len)
		return fail("console_lines for port 0x%x: dlab 0x%x kind %u len %u", DEBUGCON,
			    line.dlab, line.kind, line.len);
	return true;
}

static void pattern(char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = 'a' + i % 26;
}

/* A line of exactly BT_CONSOLE_LINE_MAX bytes is whole: not truncated. */
static bool case_line_256(void)
{
	char text[BT_CONSOLE_LINE_MAX];
	struct want w = {.port = UART0, .kind = BT_CONSOLE_UART, .text = text, .len = sizeof(text)};

	pattern(text, sizeof(text));
	return begin() && say_n(UART0, text, sizeof(text), &w.first, &w.last) && say(UART0, "\n") &&
	       expect_lines(&w, 1);
}

/*
 * A longer line: its first BT_CONSOLE_LINE_MAX bytes, flagged truncated, its last stamp the
 * last byte's (cut or not); the line after it starts clean.
 */
static bool case_line_over_256(void)
{
	char text[BT_CONSOLE_LINE_MAX + 4];
	struct want w[] = {{.port = UART0,
			    .kind = BT_CONSOLE_UART,
			    .text = text,
			    .len = BT_CONSOLE_LINE_MAX,
			    .flags = BT_LINE_TRUNCATED},
			   UART_LINE("next")};

	pattern(text, BT_CONSOLE_LINE_MAX);
	memcpy(text + BT_CONSOLE_LINE_MAX, "MORE", 4);
	return begin() && say_n(UART0, text, sizeof(text), &w[0].first, &w[0].last) &&
	       say(UART0, "\r\nnext\n") && expect_lines(w, 2);
}

/*
 * Two consoles written byte by byte in turn (a console belongs to the VM, each has its own
 * line): a UART and a debug console, each line whole.
 */
static bool case_interleaved(void)
{
	const char *a = "uart says this", *b = "debugcon says that";
	struct want w[] = {{.port = UART0, .kind = BT_CONSOLE_UART, .text = a},
			   {.port = DEBUGCON2, .kind = BT_CONSOLE_DEBUGCON, .text = b}};
	size_t la = strlen(a), lb = strlen(b);

	if (!begin())
		return false;
	for (size_t i = 0; i < la || i < lb; i++) {
		if (i < la && !say_n(UART0, a + i, 1, i == 0 ? &w[0].first : NULL, &w[0].last))
			return false;
		if (i < lb && !say_n(DEBUGCON2, b + i, 1, i == 0 ? &w[1].first : NULL, &w[1].last))
			return false;
	}
	return say(UART0, "\n") && say(DEBUGCON2, "\n") && expect_lines(w, 2);
}

struct thread_write {
	uint32_t tid;
	const char *name; /* the thread's name (NULL: the process's) */
	const char *text;
	struct window first;
	bool ok;
};

static void *write_from_thread(void *arg)
{
	struct thread_write *tw = arg;

	tw->tid = my_tid();
	if (tw->name)
		prctl(PR_SET_NAME, tw->name);
	tw->ok = say_n(UART0, tw->text, strlen(tw->text), &tw->first, NULL);
	return NULL;
}

/*
 * Two threads (two vCPUs of one VM) on one console make one line: its thread is its first
 * byte's, whichever thread ends it.
 */
static bool case_two_threads(void)
{
	struct thread_write tw = {.text = "vcpu1 then "};
	struct want w = UART_LINE("vcpu1 then vcpu0");
	pthread_t th;

	if (!begin())
		return false;
	if (pthread_create(&th, NULL, write_from_thread, &tw))
		return fail("pthread_create failed");
	pthread_join(th, NULL);
	if (!tw.ok)
		return false;
	w.tid = tw.tid;
	w.first = tw.first;
	return say_n(UART0, "vcpu0", 5, NULL, &w.last) && say(UART0, "\n") && expect_lines(&w, 1);
}

/*
 * The line's thread name is its first byte's thread's, as its tid is (decode.c names the
 * record's tid with its comm): not the name of the thread that happened to end it.
 */
static bool case_thread_name(void)
{
	struct thread_write tw = {.name = "CPU 1/KVM", .text = "started on vCPU 1, "};
	struct want w = UART_LINE("started on vCPU 1, ended on this one");
	pthread_t th;

	if (!begin())
		return false;
	if (pthread_create(&th, NULL, write_from_thread, &tw))
		return fail("pthread_create failed");
	pthread_join(th, NULL);
	if (!tw.ok)
		return false;
	w.tid = tw.tid;
	w.comm = tw.name;
	w.first = tw.first;
	return say(UART0, "ended on this one\n") && expect_lines(&w, 1);
}

/* String I/O (rep outsb): every byte of the string is text, all with the run's stamp. */
static bool case_string_io(void)
{
	const char *s = "[    0.100000] Memory: 16384K/16384K available (rep outsb)";
	struct want w = UART_LINE(s);
	struct window run;

	if (!begin() || !outs(UART0, 1, s, strlen(s), &run))
		return false;
	w.first = w.last = run;
	return say(UART0, "\n") && expect_lines(&w, 1);
}

/* Line ends inside a string end lines there; the string's tail goes on into the next write. */
static bool case_string_io_lines(void)
{
	const char *s = "one\r\ntwo\nthree";
	const struct want w[] = {UART_LINE("one"), UART_LINE("two"), UART_LINE("three, then outb")};

	return begin() && outs(UART0, 1, s, strlen(s), NULL) && say(UART0, ", then outb\n") &&
	       expect_lines(w, 3);
}

/* A string longer than a line: cut, flagged. */
static bool case_string_io_long(void)
{
	char s[300];
	struct want w = {.port = UART0,
			 .kind = BT_CONSOLE_UART,
			 .text = s,
			 .len = BT_CONSOLE_LINE_MAX,
			 .flags = BT_LINE_TRUNCATED};

	pattern(s, sizeof(s));
	return begin() && outs(UART0, 1, s, sizeof(s), NULL) && say(UART0, "\n") &&
	       expect_lines(&w, 1);
}

/* rep outsw to a debug console: each element's low byte is the text (as documented). */
static bool case_string_io_words(void)
{
	const char s[] = {'w', 0, 'o', 0, 'r', 0, 'd', 0, '\n', 0};
	const struct want w = DEBUGCON_LINE("word");

	return begin() && outs(DEBUGCON, 2, s, 5, NULL) && expect_lines(&w, 1);
}

/* An IN from a console's THR is no text (nor a line end). */
static bool case_in_not_text(void)
{
	const struct want w[] = {UART_LINE("in"), DEBUGCON_LINE("in")};
	uint8_t c = 'X', nl = '\n';

	return begin() && pio(PIO_IN, UART0, 1, 1, &c, 1, NULL) &&
	       pio(PIO_IN, DEBUGCON, 1, 1, &c, 1, NULL) && say(UART0, "i") &&
	       pio(PIO_IN, UART0, 1, 1, &nl, 1, NULL) && say(UART0, "n\n") && say(DEBUGCON, "i") &&
	       pio(PIO_IN, DEBUGCON, 1, 1, &nl, 1, NULL) && say(DEBUGCON, "n\n") &&
	       expect_lines(w, 2);
}

/*
 * Ports that are no console give nothing: a UART's other registers, another UART's base, a
 * debug console's neighbours. The traced port still gives its one port record.
 */
static bool case_not_a_console(void)
{
	static const uint16_t ports[] = {UART0 + 1,    UART0 + 2,    UART0 + 4, UART0 + 5,
					 0x2e8,	       0x3e8,	     0x81,	DEBUGCON + 1,
					 DEBUGCON - 1, DEBUGCON2 + 3};
	const struct bt_event *e = &recs[0].ev;

	if (!begin())
		return false;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (!say(ports[i], "text\n"))
			return false;
	if (!outb(MARKER, 0x42, NULL) || !drain())
		return false;
	if (nr_recs != 1)
		return fail("%d records, only the marker's expected", nr_recs);
	if (e->type != BT_EV_PIO || e->port != MARKER || e->value != 0x42 || e->size != 1)
		return fail("record: type %u port 0x%x value 0x%x, not the marker 0x42 at 0x80",
			    e->type, e->port, e->value);
	return true;
}

/* ANSI escapes go through raw: userspace cleans them. */
static bool case_ansi(void)
{
	const struct want w =
	    UART_LINE("\x1b[0m\x1b[1;32mLoading Linux ...\x1b[0m\x1b]0;title\x07");

	return begin() && say(UART0, w.text) && say(UART0, "\r\n") && expect_lines(&w, 1);
}

/* A counter of the kernel side (map "counters"), summed over the CPUs. */
static bool counter(uint32_t idx, uint64_t *sum)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(cur->bt->maps.counters);
	uint64_t *vals;

	if (ncpu <= 0)
		return fail("libbpf_num_possible_cpus: %d", ncpu);
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return fail("out of memory");
	if (bpf_map_lookup_elem(fd, &idx, vals)) {
		free(vals);
		return fail("counters lookup: %s", strerror(errno));
	}
	*sum = 0;
	for (int c = 0; c < ncpu; c++)
		*sum += vals[c];
	free(vals);
	return true;
}

static const char *const counter_names[] = {
    [BT_CNT_DROPPED] = "dropped",	    [BT_CNT_LIFECYCLE_DROPPED] = "lifecycle_dropped",
    [BT_CNT_STRING_LOST] = "string_lost",   [BT_CNT_MAP_FULL] = "map_full",
    [BT_CNT_CONSOLE_LOST] = "console_lost",
};

/* Every counter is as expected (want: BT_CNT_NR values). */
static bool counters_are(const uint64_t *want)
{
	for (uint32_t i = 0; i < BT_CNT_NR; i++) {
		uint64_t n = 0;

		if (!counter(i, &n))
			return false;
		if (n != want[i])
			return fail("counter %s is %llu, not %llu", counter_names[i],
				    (unsigned long long)n, (unsigned long long)want[i]);
	}
	return true;
}

/* A thread blocked in epoll_wait() on the ring, as the reader blocks when it is idle. */
struct sleeper {
	pthread_t thread;
	int epfd, timeout_ms, n; /* n: epoll_wait()'s result, 0 if nothing woke it in time */
	volatile pid_t tid;
};

static void *sleep_on_ring(void *arg)
{
	struct sleeper *sl = arg;
	struct epoll_event ev;

	sl->tid = my_tid();
	sl->n = epoll_wait(sl->epfd, &ev, 1, sl->timeout_ms);
	return NULL;
}

/* Its state in /proc is S (asleep): it is in epoll_wait, past its look at the empty ring. */
static bool asleep(pid_t tid)
{
	char path[64], stat[256], *paren;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	paren = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;
	fclose(f);
	return paren && paren[1] == ' ' && paren[2] == 'S';
}

/* Start a sleeper on the current ring and wait (up to 5 s) until it sleeps. */
static bool start_sleeper(struct sleeper *sl, int timeout_ms)
{
	struct epoll_event ev = {.events = EPOLLIN};

	sl->timeout_ms = timeout_ms;
	sl->tid = 0;
	sl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sl->epfd < 0 ||
	    epoll_ctl(sl->epfd, EPOLL_CTL_ADD, bpf_map__fd(cur->bt->maps.events), &ev))
		return fail("epoll on the ring: %s", strerror(errno));
	if (pthread_create(&sl->thread, NULL, sleep_on_ring, sl))
		return fail("%s", "pthread_create");
	for (int i = 0; i < 500 && !(sl->tid && asleep(sl->tid)); i++)
		usleep(10000);
	return true;
}

static int join_sleeper(struct sleeper *sl)
{
	pthread_join(sl->thread, NULL);
	close(sl->epfd);
	return sl->n;
}

/*
 * The wake-up policy (submit_record()): a record that finds the reader idle wakes it itself
 * (no wake-up record: that is for a reader that went idle during the submit) and clears the
 * flag; while the reader is busy records wake nobody. A lost wake-up leaves the idle sleeper
 * asleep for its whole 30 s.
 */
static bool case_wakeup(void)
{
	struct sleeper sl;

	/* Busy: the flag is clear, a line waits in the ring and the sleeper sleeps on. */
	if (!begin() || !start_sleeper(&sl, 1000) || !say(UART0, "busy\n"))
		return false;
	if (join_sleeper(&sl) != 0)
		return fail("%s", "a record woke a busy reader");
	if (!drain() || nr_recs != 1 || nr_wake_recs)
		return fail("busy: %d records and %d wake-ups, 1 and 0 expected", nr_recs,
			    nr_wake_recs);
	/* Idle, then a line, then a marker: each wakes the sleeper once. */
	for (int i = 0; i < 2; i++) {
		if (!begin())
			return false;
		__atomic_store_n(&cur->bt->bss->reader_idle, 1, __ATOMIC_SEQ_CST);
		if (!start_sleeper(&sl, 30000) ||
		    !(i ? outb(MARKER, 0x42, NULL) : say(UART0, "idle\n")))
			return false;
		if (join_sleeper(&sl) != 1)
			return fail("%s did not wake the idle reader", i ? "a marker" : "a line");
		if (__atomic_load_n(&cur->bt->bss->reader_idle, __ATOMIC_SEQ_CST))
			return fail("%s", "reader_idle still set after the wake-up");
		if (!drain() || nr_recs != 1 || nr_wake_recs)
			return fail("idle: %d records and %d wake-up records, 1 and 0 expected",
				    nr_recs, nr_wake_recs);
	}
	return true;
}

/* Nothing was lost or left out for want of room. */
static bool case_no_loss(void)
{
	const uint64_t want[BT_CNT_NR] = {0};

	return counters_are(want);
}

/*
 * A line with no end ("login: ") is sent by nobody: it stays in console_lines, where userspace
 * finds it (walking the keys, as tracer_flush_console() does) and takes it out; the console's
 * next line then starts anew.
 */
static bool case_unterminated(void)
{
	const char *prompt = "vm login: ";
	int fd = bpf_map__fd(cur->bt->maps.console_lines), found = 0;
	struct bt_console_key key, next, *prev = NULL, mine = {0};
	struct bt_console_line line, taken;
	struct window first = {0}, last = {0};
	struct want w = UART_LINE("next line");

	if (!begin() || !say_n(UART0, prompt, strlen(prompt), &first, &last) || !drain())
		return false;
	if (nr_recs)
		return fail("%d records for a line with no end", nr_recs);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (next.tgid != (uint32_t)getpid() || bpf_map_lookup_elem(fd, &next, &line) ||
		    !line.len)
			continue;
		found++;
		mine = next;
	}
	if (found != 1)
		return fail("%d lines of ours with bytes in console_lines, 1 expected", found);
	if (mine.port != UART0 || mine.vm_id != BT_VM_UNKNOWN)
		return fail("the line is port 0x%x vm %u's, not 0x%x vm 0's", mine.port, mine.vm_id,
			    UART0);
	if (bpf_map_lookup_and_delete_elem(fd, &mine, &taken))
		return fail("console_lines lookup and delete: %s", strerror(errno));
	if (taken.len != strlen(prompt) || memcmp(taken.text, prompt, taken.len))
		return fail("console_lines holds \"%s\" (%u bytes), not \"%s\"",
			    show(taken.text, taken.len < sizeof(taken.text) ? taken.len : 0),
			    taken.len, prompt);
	if (taken.kind != BT_CONSOLE_UART || taken.line_flags || taken.dlab ||
	    taken.tid != my_tid())
		return fail("console_lines: kind %u flags 0x%x dlab %u tid %u", taken.kind,
			    taken.line_flags, taken.dlab, taken.tid);
	if (!in_window(taken.first_ts, &first) || !in_window(taken.last_ts, &last))
		return fail("console_lines: stamps %llu..%llu not the first and last bytes'",
			    (unsigned long long)taken.first_ts, (unsigned long long)taken.last_ts);
	return say(UART0, "next line\n") && expect_lines(&w, 1);
}

/*
 * A full ring buffer (one page, in a load of its own): the lines that do not fit are lost
 * whole, their bytes counted in console_lost, and in no other counter (they are no VM or
 * process record); the line after them, once there is room, is whole.
 */
static bool case_ring_full(void)
{
	size_t rec = (8 + sizeof(struct bt_console_event) + 7) / 8 * 8; /* header, 8-aligned */
	uint32_t ring = sysconf(_SC_PAGESIZE), fit = ring / rec, lost = 3;
	struct want w[64], after = UART_LINE("after");
	uint64_t counts[BT_CNT_NR] = {[BT_CNT_CONSOLE_LOST] = 3 * lost};
	char text[64][4];
	bool ok;
	int err;

	if (fit + lost > 64)
		return fail("a page holds %u records: too many for this case", fit);
	err = tracer_open(&small_tracer, ring);
	if (err) {
		tracer_close(&small_tracer);
		return fail("loading kvm_pio_console_raw with a %u-byte ring: %s", ring,
			    strerror(-err));
	}
	cur = &small_tracer;
	ok = begin();
	for (uint32_t i = 0; ok && i < fit + lost; i++) {
		snprintf(text[i], sizeof(text[i]), "L%02u", i);
		w[i] = (struct want)UART_LINE(text[i]);
		ok = say(UART0, text[i]) && say(UART0, "\n");
	}
	ok = ok && expect_lines(w, fit) && counters_are(counts) && begin() &&
	     say(UART0, "after\n") && expect_lines(&after, 1);
	cur = &main_tracer;
	tracer_close(&small_tracer);
	return ok;
}

static const struct {
	const char *name;
	bool (*run)(void);
} cases[] = {
    {"lf", case_lf},
    {"cr-lf", case_cr_lf},
    {"bare-cr", case_bare_cr},
    {"lf-lf", case_lf_lf},
    {"uart-divisor", case_uart_divisor},
    {"debugcon", case_debugcon},
    {"line-256", case_line_256},
    {"line-over-256", case_line_over_256},
    {"interleaved", case_interleaved},
    {"two-threads", case_two_threads},
    {"thread-name", case_thread_name},
    {"string-io", case_string_io},
    {"string-io-lines", case_string_io_lines},
    {"string-io-long", case_string_io_long},
    {"string-io-words", case_string_io_words},
    {"in-not-text", case_in_not_text},
    {"not-a-console", case_not_a_console},
    {"ansi", case_ansi},
    {"unterminated", case_unterminated},
    {"wakeup", case_wakeup},
    {"no-loss", case_no_loss},
    {"ring-full", case_ring_full},
};

int main(int argc, char **argv)
{
	int err;

	if (argc == 2 && !strcmp(argv[1], "--expect-wrong")) {
		expect_wrong = true;
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--expect-wrong]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_GET_NAME, comm);
	err = setup_page();
	if (err) {
		fprintf(stderr, "console_testrun: the pio page: %s\n", strerror(-err));
		return 2;
	}
	err = tracer_open(&main_tracer, 0);
	if (err) {
		fprintf(stderr, "console_testrun: loading kvm_pio_console_raw: %s\n",
			strerror(-err));
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (cases[i].run()) {
			printf("ok %s\n", cases[i].name);
		} else {
			printf("not ok %s: %s\n", cases[i].name, why[0] ? why : "failed");
			failed++;
		}
	}
	printf("# %zu cases, %d failed\n", sizeof(cases) / sizeof(cases[0]), failed);
	tracer_close(&main_tracer);
	pio_page_bpf__destroy(pp);
	return failed ? 1 : 0;
}
