// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * testrun: what boot-trace's BPF programs cost per run, in the kernel, measured without a
 * guest (no /dev/kvm needed): the "testrun" section of `make bench` (scripts/bench.sh,
 * bench/testrun.sh, bench/README.md).
 *
 *   testrun [-n RUNS] [-r ROUNDS] [-c CPU] [-v VARIANT,...]
 *   testrun -l
 *
 * Loads the write programs' object (writes.skel.h) as the daemon does (port 0x80, a 2 MiB ring
 * buffer, every process traced), once without and once with a console (a UART at 0x3f8),
 * and the variants of bench/bench.bpf.c (bench.skel.h, with kvm_entry_raw), and runs each program
 * RUNS times (default 1000000) with BPF_PROG_TEST_RUN on raw tracepoint arguments, in ROUNDS rounds
 * (default 200) that take the variants in turn, in an order rotated every round (so that
 * the host's drift hits them alike: compare variants within a round). A raw
 * tracepoint program takes no repeat count: one call is one run. The process is pinned to
 * CPU (default: the last one it may run on); the ring buffers are read between blocks of
 * runs, never while a block is timed. -v runs only those variants (and the empty program);
 * -l lists them.
 *
 * Prints "VARIANT ROUND METRIC VALUE" lines (comments start with '#'):
 *   run_ns   mean ns per run, from BPF run-time statistics (BPF_ENABLE_STATS, on while that
 *            pass runs; they add two clock reads to every run: the empty program shows them)
 *   call_ns  mean wall ns per BPF_PROG_TEST_RUN call with the statistics off: the system call
 *            and the test-run machinery are in it (the empty program's figure is that part)
 *   records  ring buffer records per run
 *   bytes    console bytes per run (the string write)
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "boot_trace.h" /* before the skeletons: their .rodata holds its types */
#include "writes.skel.h"
#include "bench.skel.h"

#define BLOCK	      1024 /* runs between two reads of the ring buffer (< half of 2 MiB) */
#define RING_BYTES    (2u << 20)
#define UNTRACED_PORT 0x81
#define CONSOLE_PORT  0x3f8
#define LINE_MAX_LEN  256 /* a console line from the kernel's memory, its line end included */

enum obj { REAL, REAL_CONSOLE, BENCH, NR_OBJS };
enum data { D_TEXT, D_LINE_BYTES, D_LINE };

struct variant {
	const char *name;
	enum obj obj;
	const char *prog;
	unsigned int rw, port, count; /* kvm_pio's arguments (size is 1) */
	enum data data;		      /* what the data pointer points at */
	bool awaiting;		      /* vms_awaiting_entry = 1 meanwhile */
	bool exit_seen;		      /* kvm_exit_seen = 1 meanwhile */
	bool idle;		      /* reader_idle = 1 before every run: each record wakes */
	int cache;		      /* bench_cache(): -1 leave, 0 off, 1 on (this CPU) */
	bool tgid_traced;	      /* this process in the bench object's traced_tgids */
	bool exit;		      /* kvm_exit's arguments (a vCPU, a RIP) */
	const char *what;
	int fd;
};

/* clang-format off */
static struct variant variants[] = {
	{"empty", BENCH, "bench_empty", .cache = -1,
	 .what = "a program that returns at once (the floor)"},
	{"pio-untraced-port", REAL, "kvm_pio_raw", 1, UNTRACED_PORT, 1, .cache = -1,
	 .what = "kvm_pio_raw: an out to port 0x81 (not traced; an ISA port)"},
	{"pio-untraced-port-high", REAL, "kvm_pio_raw", 1, CONSOLE_PORT, 1, .cache = -1,
	 .what = "kvm_pio_raw: an out to port 0x3f8, no console configured"},
	{"pio-port-in", REAL, "kvm_pio_raw", 0, CONSOLE_PORT + 5, 1, .cache = -1,
	 .what = "kvm_pio_raw: an in from port 0x3fd (a UART status poll)"},
	{"pio-untraced-port-console", REAL_CONSOLE, "kvm_pio_console_raw", 1, UNTRACED_PORT, 1, .cache = -1,
	 .what = "kvm_pio_console_raw: port 0x81, with a console (--console 0x3f8)"},
	{"pio-untraced-port-awaiting", REAL, "kvm_pio_console_raw", 1, UNTRACED_PORT, 1, .awaiting = true,
	 .cache = -1, .what = "kvm_pio_console_raw: port 0x81 while a new VM has not run (--phases)"},
	{"pio-traced-write", REAL, "kvm_pio_raw", 1, 0x80, 1, .cache = -1,
	 .what = "kvm_pio_raw: a one-byte write to port 0x80, recorded"},
	{"pio-traced-write-rip", REAL, "kvm_pio_raw", 1, 0x80, 1, .exit_seen = true, .cache = -1,
	 .what = "kvm_pio_raw: port 0x80 once kvm_exit has fired (--rip: a last_exit lookup)"},
	{"pio-traced-write-wakeup", REAL, "kvm_pio_raw", 1, 0x80, 1, .idle = true, .cache = -1,
	 .what = "kvm_pio_raw: port 0x80 with the reader asleep: every record wakes it"},
	{"pio-console-byte", REAL_CONSOLE, "kvm_pio_console_raw", 1, CONSOLE_PORT, 1, D_LINE_BYTES,
	 .cache = -1, .what = "kvm_pio_console_raw: a console line, one byte per out"},
	{"pio-console-string", REAL_CONSOLE, "kvm_pio_console_raw", 1, CONSOLE_PORT, 0, D_LINE, .cache = -1,
	 .what = "kvm_pio_console_raw: a console line in one string write (rep outsb)"},
	{"entry-steady", BENCH, "kvm_entry_raw", .cache = -1,
	 .what = "kvm_entry_raw: no VM awaits its first entry (the steady state)"},
	{"entry-awaiting", BENCH, "kvm_entry_raw", .awaiting = true, .cache = -1,
	 .what = "kvm_entry_raw: a new VM awaits its first entry"},
	{"exit-all", BENCH, "bench_exit_all", .exit = true, .cache = -1,
	 .what = "kvm_exit_tp as a raw program, every process (the daemon)"},
	{"exit-filtered-other", BENCH, "bench_exit_filtered", .exit = true, .cache = -1,
	 .what = "kvm_exit_tp as a raw program, -p: another process's exit"},
	{"exit-filtered-traced", BENCH, "bench_exit_filtered", .exit = true, .cache = -1,
	 .tgid_traced = true, .what = "kvm_exit_tp as a raw program, -p: the traced process's exit"},
	{"exit-all-read-rip", BENCH, "bench_exit_all_read_rip", .exit = true, .cache = -1,
	 .what = "a raw kvm_exit program reading the RIP from struct kvm_vcpu"},
	{"step-port-before-note", BENCH, "bench_pio_port_before_note", 1, UNTRACED_PORT, 1,
	 .cache = 0, .what = "kvm_pio_raw's checks without note_port_access(), port 0x81"},
	{"step-port-untraced-thread", BENCH, "bench_pio_port", 1, UNTRACED_PORT, 1, .cache = 0,
	 .what = "... with it, a thread not in the vCPU cache (port 0x81)"},
	{"step-port", BENCH, "bench_pio_port", 1, 0x80, 1, .cache = 1,
	 .what = "... a traced vCPU thread (cached): up to the port check"},
	{"step-identity-slow", BENCH, "bench_pio_identity_slow", 1, 0x80, 1, .cache = 1,
	 .what = "+ pio_identify(), its slow path without a vCPU (as in a test run)"},
	{"step-identity", BENCH, "bench_pio_identity", 1, 0x80, 1, .cache = 1,
	 .what = "+ the identity from the vCPU cache (a flood's steady state)"},
	{"step-value", BENCH, "bench_pio_value", 1, 0x80, 1, .cache = 1,
	 .what = "+ the value read"},
	{"step-reserve", BENCH, "bench_pio_reserve", 1, 0x80, 1, .cache = 1,
	 .what = "+ a record reserved (discarded)"},
	{"step-stamp", BENCH, "bench_pio_stamp", 1, 0x80, 1, .cache = 1,
	 .what = "+ stamped (discarded)"},
	{"step-fill", BENCH, "bench_pio_fill", 1, 0x80, 1, .cache = 1,
	 .what = "+ filled (discarded)"},
	{"step-submit", BENCH, "bench_pio_submit", 1, 0x80, 1, .cache = 1,
	 .what = "+ submitted, no wake-up decision"},
	{"step-wakeup", BENCH, "bench_pio_wakeup", 1, 0x80, 1, .cache = 1,
	 .what = "+ the wake-up decision: the whole traced write"},
	{"clock-once", BENCH, "bench_clock1", .cache = -1,
	 .what = "a program that reads the clock (bpf_ktime_get_ns) once"},
	{"clock-twice", BENCH, "bench_clock2", .cache = -1,
	 .what = "... twice"},
};
/* clang-format on */
#define NR_VARIANTS (sizeof(variants) / sizeof(variants[0]))

static struct writes_bpf *real[2];
static struct bench_bpf *bench;
static struct ring_buffer *rings[NR_OBJS];
/* Each object's globals of the real object's .bss (mmap'ed: the programs' own). */
static struct globals {
	__u32 *awaiting, *exit_seen, *reader_idle;
} globals[NR_OBJS];
static unsigned long long records;
static uint64_t text_addr, line_addr;
static unsigned int line_len;
static long line_pos; /* of the next byte a console-byte run writes */

static int on_record(void *ctx, void *data, size_t size)
{
	records++;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "testrun: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int run_once(int fd, const uint64_t *args)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = 5 * sizeof(*args));

	return bpf_prog_test_run_opts(fd, &opts) ? -errno : (int)opts.retval;
}

/* Run time and runs of a program so far (BPF run-time statistics). */
static void prog_stats(int fd, uint64_t *ns, uint64_t *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("cannot read a program's statistics", errno);
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
}

/* A symbol's address from /proc/kallsyms (0 if not there, or hidden from us). */
static uint64_t kallsym(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256], type;
	unsigned long long addr;
	uint64_t found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			found = addr;
	fclose(f);
	return found;
}

/* 4096 bytes of kernel memory at addr, by bench_peek; false if unreadable. */
static bool peek(uint64_t addr, uint8_t *out)
{
	uint64_t args[5] = {addr};
	int fd = bpf_program__fd(bench->progs.bench_peek);

	if (run_once(fd, args) != 0)
		return false;
	memcpy(out, bench->bss->peek_buf, sizeof(bench->bss->peek_buf));
	return true;
}

/*
 * A console line in the kernel's memory for the console variants: the kernel's banner (the
 * text of /proc/version, which a booting Linux prints first) in its read-only data, else
 * any 79 bytes without CR or LF followed by an LF in its text.
 */
static const char *find_line(void)
{
	static uint8_t buf[4096];
	char want[LINE_MAX_LEN] = "";
	uint64_t rodata = kallsym("__start_rodata");
	FILE *f = fopen("/proc/version", "r");
	size_t wlen = 0;

	if (f) {
		if (fgets(want, sizeof(want), f))
			wlen = strlen(want);
		fclose(f);
	}
	/* Steps overlap by LINE_MAX_LEN so that no line is cut between two peeks. */
	for (uint64_t a = rodata;
	     rodata && wlen && want[wlen - 1] == '\n' && a < rodata + (64u << 20);
	     a += sizeof(buf) - LINE_MAX_LEN) {
		if (!peek(a, buf))
			continue;
		for (size_t i = 0; i + wlen <= sizeof(buf); i++)
			if (!memcmp(buf + i, want, wlen)) {
				line_addr = a + i;
				line_len = wlen;
				return "the kernel's banner (as in /proc/version)";
			}
	}
	for (uint64_t a = text_addr; a < text_addr + (16u << 20); a += sizeof(buf) - LINE_MAX_LEN) {
		size_t run = 0;

		if (!peek(a, buf))
			continue;
		for (size_t i = 0; i < sizeof(buf) - LINE_MAX_LEN; i++) {
			if (buf[i] == '\n' && run >= 79) {
				line_addr = a + i - 79;
				line_len = 80;
				return "79 bytes of kernel text and an LF";
			}
			run = buf[i] == '\n' || buf[i] == '\r' ? 0 : run + 1;
		}
	}
	return NULL;
}

/* As tracer.c configures it for the daemon (both skeletons have the real object's globals). */
#define CONFIGURE(skel, console)                                                                   \
	do {                                                                                       \
		(skel)->rodata->trace_ports[0] = 0x80;                                             \
		(skel)->rodata->nr_trace_ports = 1;                                                \
		(skel)->rodata->filter_tgids = false; /* every process */                          \
		(skel)->rodata->ringbuf_bytes = RING_BYTES;                                        \
		(skel)->rodata->trace_phases = true;                                               \
		(skel)->rodata->trace_rip = true;                                                  \
		if (console) {                                                                     \
			(skel)->rodata->console_ports[0] = CONSOLE_PORT;                           \
			(skel)->rodata->console_kinds[0] = BT_CONSOLE_UART;                        \
			(skel)->rodata->nr_consoles = 1;                                           \
		}                                                                                  \
		bpf_map__set_max_entries((skel)->maps.events, RING_BYTES);                         \
	} while (0)

#define GLOBALS(skel)                                                                              \
	((struct globals){&(skel)->bss->vms_awaiting_entry, &(skel)->bss->kvm_exit_seen,           \
			  &(skel)->bss->reader_idle})

static void load(void)
{
	struct bpf_program *prog;
	int err;

	for (int i = 0; i < 2; i++) {
		real[i] = writes_bpf__open();
		if (!real[i])
			die("cannot open boot-trace's BPF object", errno);
		CONFIGURE(real[i], i == 1);
		bpf_object__for_each_program (prog, real[i]->obj)
			bpf_program__set_autoload(prog, false);
		bpf_program__set_autoload(real[i]->progs.kvm_pio_raw, true);
		bpf_program__set_autoload(real[i]->progs.kvm_pio_console_raw, true);
		err = writes_bpf__load(real[i]);
		if (err)
			die("cannot load boot-trace's BPF programs", err);
		globals[i] = GLOBALS(real[i]);
	}
	bench = bench_bpf__open();
	if (!bench)
		die("cannot open the bench BPF object", errno);
	/* Its copy of the real object is configured as the first instance above. */
	CONFIGURE(bench, false);
	bpf_object__for_each_program (prog, bench->obj)
		bpf_program__set_autoload(prog,
					  !strncmp(bpf_program__name(prog), "bench_", 6) ||
					      !strcmp(bpf_program__name(prog), "kvm_entry_raw"));
	err = bench_bpf__load(bench);
	if (err)
		die("cannot load the bench BPF programs", err);
	globals[BENCH] = GLOBALS(bench);
	rings[REAL] = ring_buffer__new(bpf_map__fd(real[0]->maps.events), on_record, NULL, NULL);
	rings[REAL_CONSOLE] =
	    ring_buffer__new(bpf_map__fd(real[1]->maps.events), on_record, NULL, NULL);
	rings[BENCH] = ring_buffer__new(bpf_map__fd(bench->maps.events), on_record, NULL, NULL);
	if (!rings[REAL] || !rings[REAL_CONSOLE] || !rings[BENCH])
		die("cannot read the ring buffers", errno);
	for (size_t i = 0; i < NR_VARIANTS; i++) {
		struct bpf_object *obj =
		    variants[i].obj == BENCH ? bench->obj : real[variants[i].obj]->obj;

		prog = bpf_object__find_program_by_name(obj, variants[i].prog);
		if (!prog)
			die(variants[i].prog, ENOENT);
		variants[i].fd = bpf_program__fd(prog);
	}
}

/* Set the variant's state up (on), or back as it was (off). */
static void setup(const struct variant *v, bool on)
{
	uint32_t tgid = getpid();
	uint8_t one = 1;
	uint64_t args[5] = {0};

	*globals[v->obj].awaiting = on && v->awaiting;
	*globals[v->obj].exit_seen = on && v->exit_seen;
	*globals[v->obj].reader_idle = 0;
	if (on && v->cache >= 0) {
		args[0] = v->cache;
		if (run_once(bpf_program__fd(bench->progs.bench_cache), args) < 0)
			die("cannot set the vCPU cache", errno);
	}
	/* With --rip, the thread's latest exit is found (the lookup hits; the clock is read). */
	if (on && v->exit_seen) {
		struct {
			__u64 ts_ns, rip;
		} ex = {mono_ns(), 0xfff0};
		uint32_t tid = gettid();

		if (bpf_map_update_elem(bpf_map__fd(real[v->obj]->maps.last_exit), &tid, &ex,
					BPF_ANY))
			die("cannot set the latest exit", errno);
	}
	if (on && v->tgid_traced)
		bpf_map_update_elem(bpf_map__fd(bench->maps.traced_tgids), &tgid, &one, BPF_ANY);
	else
		bpf_map_delete_elem(bpf_map__fd(bench->maps.traced_tgids), &tgid);
}

/*
 * runs runs of a variant: time (statistics' or wall) into ns, runs into n, and each block's
 * wall time per run into wall[] (nw of them). A console line written one byte per run also
 * reports its line ends apart (end_*: the runs whose byte is the LF; the others without).
 */
struct tally {
	uint64_t ns, n, end_ns, end_n, records;
	double *wall, *end_wall;
	size_t nw, end_nw;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of the blocks' wall time per run: a block the scheduler cut into does not count. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void measure(struct variant *v, long runs, bool stats, struct tally *t)
{
	uint64_t args[5] = {v->rw, v->port, 1, v->count, text_addr};
	__u32 *idle = globals[v->obj].reader_idle;
	long done = 0;

	free(t->wall);
	free(t->end_wall);
	memset(t, 0, sizeof(*t));
	t->wall = calloc(runs, sizeof(double));
	t->end_wall = calloc(runs, sizeof(double));
	if (!t->wall || !t->end_wall)
		die("cannot allocate", ENOMEM);
	if (v->data == D_LINE) {
		args[3] = line_len;
		args[4] = line_addr;
	}
	if (v->exit) { /* kvm_exit's (vcpu, ...): a kernel address, and the RIP for the variants */
		args[0] = text_addr;
		args[1] = 0xfff0;
	}
	records = 0;
	setup(v, true);
	while (done < runs) {
		long block = runs - done < BLOCK ? runs - done : BLOCK;
		uint64_t ns0, c0, ns1, c1, t0, t1;
		bool end = false;

		if (v->data == D_LINE_BYTES) {
			/* The line's bytes in order, then its LF alone, from where the last run
			 * was. */
			long pos = line_pos % line_len, left = line_len - 1 - pos;

			end = left == 0;
			block = end ? 1 : (left < block ? left : block);
			if (block > runs - done)
				block = runs - done;
			args[4] = line_addr + pos;
		}
		prog_stats(v->fd, &ns0, &c0);
		t0 = mono_ns();
		for (long i = 0; i < block; i++) {
			if (v->idle)
				*idle = 1;
			if (run_once(v->fd, args) < 0)
				die(v->name, errno);
			if (v->data == D_LINE_BYTES) {
				args[4]++;
				line_pos++;
			}
		}
		t1 = mono_ns();
		prog_stats(v->fd, &ns1, &c1);
		if (stats && c1 - c0 != (uint64_t)block) {
			fprintf(stderr, "testrun: %s: %llu runs counted of %ld: statistics off?\n",
				v->name, (unsigned long long)(c1 - c0), block);
			exit(1);
		}
		if (end) {
			t->end_ns += stats ? ns1 - ns0 : t1 - t0;
			t->end_n += block;
			t->end_wall[t->end_nw++] = (double)(t1 - t0) / block;
		} else {
			t->ns += stats ? ns1 - ns0 : t1 - t0;
			t->n += block;
			t->wall[t->nw++] = (double)(t1 - t0) / block;
		}
		done += block;
		ring_buffer__consume(rings[v->obj]);
	}
	setup(v, false);
	t->records = records;
}

static void emit(const char *name, int round, const char *metric, double value)
{
	printf("%s %d %s %.2f\n", name, round, metric, value);
}

/*
 * run_ns: the statistics' mean over all runs. call_ns: the median over blocks; for a line
 * written byte by byte, its bytes weighted as they come (line_len - 1 and one line end).
 */
static void report(const struct variant *v, int round, bool stats, struct tally *t)
{
	char name[128];

	if (stats && v->data == D_LINE_BYTES) {
		/* Per byte of the line, and its two kinds of bytes apart. */
		emit(v->name, round, "run_ns", (double)(t->ns + t->end_ns) / (t->n + t->end_n));
		snprintf(name, sizeof(name), "%s-midline", v->name);
		emit(name, round, "run_ns", (double)t->ns / t->n);
		snprintf(name, sizeof(name), "%s-lineend", v->name);
		emit(name, round, "run_ns", (double)t->end_ns / t->end_n);
	} else if (v->data == D_LINE_BYTES) {
		double mid = median(t->wall, t->nw), end = median(t->end_wall, t->end_nw);

		emit(v->name, round, "call_ns", (mid * (line_len - 1) + end) / line_len);
		snprintf(name, sizeof(name), "%s-midline", v->name);
		emit(name, round, "call_ns", mid);
		snprintf(name, sizeof(name), "%s-lineend", v->name);
		emit(name, round, "call_ns", end);
	} else if (stats) {
		emit(v->name, round, "run_ns", (double)t->ns / t->n);
	} else {
		emit(v->name, round, "call_ns", median(t->wall, t->nw));
	}
	if (stats)
		emit(v->name, round, "records", (double)t->records / (t->n + t->end_n));
	if (stats && v->data == D_LINE)
		emit(v->name, round, "bytes", line_len);
}

/* In the comma-separated list only (all if none); the empty program always is. */
static bool selected(const struct variant *v, const char *only)
{
	size_t len = strlen(v->name);

	if (!only || v == &variants[0])
		return true;
	for (const char *p = only; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == len && !strncmp(p, v->name, len))
			return true;
	return false;
}

static void usage(void)
{
	fprintf(stderr, "USAGE: testrun [-n RUNS] [-r ROUNDS] [-c CPU] [-v VARIANT,...]\n"
			"       testrun -l\n");
	exit(2);
}

static bool stats_enabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int on = 0;

	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = 0;
		fclose(f);
	}
	return on;
}

/* The last CPU this process may run on (a container's cpuset may leave out the last one). */
static long last_allowed_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return sysconf(_SC_NPROCESSORS_ONLN) - 1;
	for (long cpu = CPU_SETSIZE - 1; cpu > 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return 0;
}

int main(int argc, char **argv)
{
	long runs = 1000000, rounds = 200, cpu = last_allowed_cpu();
	const char *line_what, *only = NULL;
	cpu_set_t set;
	int c;

	while ((c = getopt(argc, argv, "n:r:c:v:l")) != -1) {
		switch (c) {
		case 'v':
			only = optarg;
			break;
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cpu = strtol(optarg, NULL, 10);
			break;
		case 'l':
			for (size_t i = 0; i < NR_VARIANTS; i++)
				printf("%-28s %s\n", variants[i].name, variants[i].what);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc || runs < rounds || rounds < 1 || cpu < 0 || cpu >= CPU_SETSIZE)
		usage();
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to the CPU", errno);
	text_addr = kallsym("_stext");
	if (!text_addr)
		die("no _stext in /proc/kallsyms (root is needed)", ENOENT);
	load();
	line_what = find_line();
	if (!line_what)
		die("no console line found in the kernel's memory", ENOENT);
	printf("# %ld runs of each variant in %ld rounds\n", runs, rounds);
	printf(
	    "# on CPU %ld; data pointer: _stext (0x%llx); console line: %s, %u bytes at 0x%llx\n",
	    cpu, (unsigned long long)text_addr, line_what, line_len, (unsigned long long)line_addr);
	/* The statistics' pass, then the wall-time pass: each takes every variant every round. */
	for (int pass = 0; pass < 2; pass++) {
		int stats_fd = -1;

		if (pass == 0) {
			stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
			if (stats_fd < 0)
				die("cannot enable BPF run-time statistics", errno);
		} else if (stats_enabled()) {
			printf(
			    "# the statistics stayed on (kernel.bpf_stats_enabled): call_ns include"
			    " them\n");
		}
		for (int r = 1; r <= rounds; r++) {
			for (size_t k = 0; k < NR_VARIANTS; k++) {
				struct variant *v = &variants[(k + r - 1) % NR_VARIANTS];
				static struct tally t;

				if (!selected(v, only))
					continue;
				measure(v, runs / rounds, pass == 0, &t);
				report(v, r, pass == 0, &t);
			}
			fflush(stdout);
		}
		if (stats_fd >= 0)
			close(stats_fd);
	}
	return 0;
}
