// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A marker written right after text on a --debugcon at port 0xe9 (a port below 0x100) is a
 * marker, not an I/O delay: note_port_access() (bpf/writes.bpf.c) must not take a console
 * port for the legacy device an I/O delay follows. (Found in review: it once did, and the
 * marker after a print was lost from the stages.)
 *
 * The real kvm_pio_console_raw program of the real object runs under BPF_PROG_TEST_RUN (as in
 * tests/bpf/console_testrun.c); the per-CPU vcpu_cache is set as identify_slow() leaves it for
 * this thread (its task pointer comes from a tiny raw program), then the record goes through
 * the real decoder. Needs root and BPF: skipped otherwise.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include "boot_trace.h" /* before the skeleton: its .rodata holds our types */
#include "writes.skel.h"
#include "decode.h"
#include "labels.h"

#define DEBUGCON  0xe9
#define PAGE_SIZE 4096

/* As in bpf/writes.bpf.c. */
/* The helper map's value: this thread's task, the value's own address, then a data page. */
struct helper_value {
	__u64 task;
	__u64 self;
	__u8 page[PAGE_SIZE];
};

static struct writes_bpf *bt;
static struct ring_buffer *rb;
static int helper_map = -1, helper_prog = -1;
static __u64 my_task, page_kaddr;
static struct bt_event recs[16];
static int nr_recs;

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (nr_recs < 16 && size >= sizeof(struct bt_event))
		memcpy(&recs[nr_recs++], data, sizeof(struct bt_event));
	return 0;
}

/* r0 = lookup(map, 0); value->task = current task; value->self = value; return 0. */
static int load_helper(void)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0},
	    {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10},
	    {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4},
	    {.code = BPF_LD | BPF_DW | BPF_IMM,
	     .dst_reg = BPF_REG_1,
	     .src_reg = BPF_PSEUDO_MAP_FD,
	     .imm = helper_map},
	    {},
	    {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem},
	    {.code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 5, .imm = 0},
	    {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_0},
	    {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_current_task},
	    {.code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_0},
	    {.code = BPF_STX | BPF_MEM | BPF_DW,
	     .dst_reg = BPF_REG_6,
	     .src_reg = BPF_REG_6,
	     .off = 8},
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts);

	helper_map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "review_helper", 4,
				    sizeof(struct helper_value), 1, NULL);
	if (helper_map < 0)
		return -errno;
	insns[3].imm = helper_map;
	helper_prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "review_task", "GPL", insns,
				    sizeof(insns) / sizeof(insns[0]), &opts);
	return helper_prog < 0 ? -errno : 0;
}

static int run_helper(void)
{
	__u64 args[1] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
	struct helper_value *v = calloc(1, sizeof(*v));
	__u32 zero = 0;
	int err = -ENOMEM;

	if (!v)
		return err;
	err = bpf_prog_test_run_opts(helper_prog, &o) ? -errno : 0;
	if (!err && bpf_map_lookup_elem(helper_map, &zero, v))
		err = -errno;
	my_task = v->task;
	page_kaddr = v->self + offsetof(struct helper_value, page);
	free(v);
	return err;
}

/* One guest port write as kvm:kvm_pio gives it, its byte in the helper's page. */
static void outb(__u32 port, __u8 byte)
{
	struct helper_value *v = calloc(1, sizeof(*v));
	__u64 args[5] = {1, port, 1, 1, page_kaddr};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
	__u32 zero = 0;

	assert_non_null(v);
	assert_int_equal(bpf_map_lookup_elem(helper_map, &zero, v), 0);
	v->page[0] = byte;
	assert_int_equal(bpf_map_update_elem(helper_map, &zero, v, BPF_ANY), 0);
	free(v);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(bt->progs.kvm_pio_console_raw), &o),
			 0);
}

/* Every CPU's vcpu_cache as identify_slow() leaves it for this (traced) thread. */
static void identified_here(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct bt_vcpu_cache *v = calloc(ncpu, sizeof(*v)); /* the map's own type */
	__u32 zero = 0;

	assert_non_null(v);
	for (int i = 0; i < ncpu; i++) {
		v[i].task = my_task;
		v[i].vm_id = BT_VM_UNKNOWN;
		v[i].vcpu = BT_VCPU_UNKNOWN;
		v[i].last_port = BT_NO_PORT;
	}
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(bt->maps.vcpu_cache), &zero, v, BPF_ANY),
			 0);
	free(v);
}

static int setup(void **state)
{
	struct bpf_program *prog;
	cpu_set_t cpus;

	(void)state;
	if (geteuid() != 0)
		return 0;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	libbpf_set_print(NULL);
	/* As root a failure here fails the tests: skipping them would hide a broken object. */
	if (load_helper() || run_helper()) {
		fprintf(stderr, "cannot load or run the helper program: %s\n", strerror(errno));
		return -1;
	}
	bt = writes_bpf__open();
	if (!bt) {
		fprintf(stderr, "cannot open the writes object: %s\n", strerror(errno));
		return -1;
	}
	/* As tracer.c configures run --console --debugcon (port 0x80 traced). */
	bt->rodata->trace_ports[0] = 0x80;
	bt->rodata->nr_trace_ports = 1;
	bt->rodata->ringbuf_bytes = bpf_map__max_entries(bt->maps.events);
	bt->rodata->console_ports[0] = 0x3f8;
	bt->rodata->console_kinds[0] = BT_CONSOLE_UART;
	bt->rodata->console_ports[1] = DEBUGCON;
	bt->rodata->console_kinds[1] = BT_CONSOLE_DEBUGCON;
	bt->rodata->nr_consoles = 2;
	bt->rodata->trace_phases = true;
	bpf_object__for_each_program (prog, bt->obj)
		bpf_program__set_autoload(prog, prog == bt->progs.kvm_pio_console_raw);
	if (writes_bpf__load(bt)) {
		fprintf(stderr, "the kernel refused kvm_pio_console_raw: %s\n", strerror(errno));
		writes_bpf__destroy(bt);
		bt = NULL;
		return -1;
	}
	rb = ring_buffer__new(bpf_map__fd(bt->maps.events), on_record, NULL, NULL);
	return rb ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ring_buffer__free(rb);
	writes_bpf__destroy(bt);
	if (helper_prog >= 0)
		close(helper_prog);
	if (helper_map >= 0)
		close(helper_map);
	return 0;
}

/* Decode every port write recorded since the last call, in order, into evs (at most n). */
static int decoded_writes(struct boot_event *evs, int n)
{
	struct label_set labels = {.nr = 1, .ports = {0x80}, .maps = {NULL}};
	struct decoder d = {.labels = &labels};
	int got = 0;

	nr_recs = 0;
	ring_buffer__consume(rb);
	for (int i = 0; i < nr_recs && got < n; i++)
		if (recs[i].type == BT_EV_PIO)
			assert_int_equal(decode_record(&d, &recs[i], sizeof(recs[i]), &evs[got++]),
					 0);
	return got;
}

/* "ok\n" on the debug console at 0xe9, then the Kernel marker 0x40 to port 0x80. */
static void marker_after_debugcon_print_is_a_marker(void **state)
{
	struct boot_event ev;

	(void)state;
	if (!bt || !rb || !my_task)
		skip(); /* needs root */
	identified_here();
	outb(DEBUGCON, 'o');
	outb(DEBUGCON, 'k');
	outb(DEBUGCON, '\n');
	outb(0x80, 0x40);
	assert_int_equal(decoded_writes(&ev, 1), 1);
	assert_int_equal(ev.kind, EVENT_CODE);
	assert_false(ev.code.io_delay);
	assert_string_equal(ev.label->name, "Kernel");
}

/*
 * Linux's setup code: outb(0x80, 0x70) (NMI off), io_delay(), then a20_test()'s io_delay()
 * with no port access between: both delays, both after the CMOS port.
 */
static void delay_after_delay_is_a_delay(void **state)
{
	struct boot_event evs[2];
	(void)state;
	if (!bt || !rb || !my_task)
		skip();
	identified_here();
	outb(0x70, 0x80);
	outb(0x80, 0x00);
	outb(0x80, 0x00);
	assert_int_equal(decoded_writes(evs, 2), 2);
	for (int i = 0; i < 2; i++) {
		assert_true(evs[i].code.io_delay);
		assert_int_equal(evs[i].code.after_port, 0x70);
	}
}

/* Markers back to back (no device access before them) stay markers, the second included. */
static void marker_after_marker_is_a_marker(void **state)
{
	struct boot_event evs[2];
	(void)state;
	if (!bt || !rb || !my_task)
		skip();
	identified_here();
	outb(0x80, 0x40);
	outb(0x80, 0x41);
	assert_int_equal(decoded_writes(evs, 2), 2);
	for (int i = 0; i < 2; i++) {
		assert_false(evs[i].code.io_delay);
		assert_string_equal(evs[i].label->name, "Kernel");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(marker_after_debugcon_print_is_a_marker),
	    cmocka_unit_test(delay_after_delay_is_a_delay),
	    cmocka_unit_test(marker_after_marker_is_a_marker),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
