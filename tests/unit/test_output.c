// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: what the log and jsonl writers and the summary table print for one VM. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "output.h"
#include "capture.h"

/* Each hook, as the session calls it: a writer need not have them all. */
static void emit_event(struct capture *c, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct output *out = &c->out;

	outputs_event(&out, 1, vm, ev);
}

static struct traced_vm test_vm(void)
{
	struct traced_vm vm = {.id = 1, .pid = 4242, .start_ns = 5000000000ull};

	strcpy(vm.comm, "vmm-min");
	return vm;
}

/* The label the decoder gives a write: by its port's map in set (NULL: debug-port). */
static void relabel(struct boot_event *ev, const struct label_set *set)
{
	ev->label = label_of_write(set, ev->code.mmio, ev->code.port, ev->code.value);
}

static struct boot_event pio(uint64_t ts, uint32_t value, uint8_t size)
{
	struct boot_event ev = {.kind = EVENT_CODE,
				.ts_ns = ts,
				.pid = 4242,
				.tid = 4243,
				.vm_id = 1,
				.vcpu = 0,
				.code = {.port = 0x80, .size = size, .value = value}};

	strcpy(ev.thread, "vcpu0");
	relabel(&ev, NULL);
	return ev;
}

/* The same write to the --mmio address (Firecracker's boot timer). */
static void make_mmio(struct boot_event *ev, uint64_t gpa, uint32_t value,
		      const struct label_set *set)
{
	ev->code.mmio = true;
	ev->code.port = 0;
	ev->code.gpa = gpa;
	ev->code.value = value;
	relabel(ev, set);
}

static void test_log_line_is_cloud_hypervisor_text(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(5000000000ull + 19004123, 0x0, 1);
	struct capture c;

	capture_open(&c, &output_log_ops);
	emit_event(&c, &vm, &ev);
	assert_string_equal(capture_close(&c),
			    "[     5.019004123] vmm-min[4242] vm1 vcpu0: "
			    "[Debug I/O port: Firmware code 0x0] 0.019004 seconds\n");
	free(c.buf);
}

static void test_log_line_past_one_second_and_wide_write(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(5000000000ull + 1500000000ull, 0x3241, 2);
	struct capture c;

	/* vCPU unknown: the thread's name is the best hint left. */
	ev.vcpu = EVENT_VCPU_UNKNOWN;
	capture_open(&c, &output_log_ops);
	emit_event(&c, &vm, &ev);
	assert_string_equal(capture_close(&c),
			    "[     6.500000000] vmm-min[4242] vm1 vcpu? (vcpu0): [Debug I/O port: "
			    "Kernel code 0x41] 1.500000 seconds (2-byte write 0x3241)\n");
	free(c.buf);
}

static void test_log_unknown_start(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(7000000000ull, 0x61, 1);
	struct capture c;

	vm.start_ns = 0;
	vm.id = EVENT_VM_UNKNOWN;
	ev.code.port = 0xf4;
	relabel(&ev, NULL); /* no map: debug-port */
	capture_open(&c, &output_log_ops);
	emit_event(&c, &vm, &ev);
	assert_string_equal(capture_close(&c),
			    "[     7.000000000] vmm-min[4242] vm? vcpu0: "
			    "[Debug I/O port 0xf4: Userspace code 0x61] ? seconds\n");
	free(c.buf);
}

static void test_log_thread_name_where_it_tells_more(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(5000000000ull + 1000, 0x61, 1);
	struct capture c;

	strcpy(vm.comm, "qemu-system-x86");
	strcpy(ev.thread, "CPU 1/KVM");
	ev.vcpu = 1;
	capture_open(&c, &output_log_ops);
	emit_event(&c, &vm, &ev);
	/* Without debug-threads=on QEMU's vCPU threads carry the process name: not repeated. */
	strcpy(ev.thread, "qemu-system-x86");
	emit_event(&c, &vm, &ev);
	assert_string_equal(
	    capture_close(&c),
	    "[     5.000001000] qemu-system-x86[4242] vm1 vcpu1 (CPU 1/KVM): [Debug I/O "
	    "port: Userspace code 0x61] 0.000001 seconds\n"
	    "[     5.000001000] qemu-system-x86[4242] vm1 vcpu1: [Debug I/O port: "
	    "Userspace code 0x61] 0.000001 seconds\n");
	free(c.buf);
}

static void test_log_label_maps_and_mmio(void **state)
{
	struct label_set set = {.nr = 2, .ports = {0x80, 0xf4}, .maps = {NULL, &label_map_qboot}};
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(5000000000ull + 2000000, 7, 1);
	struct capture c;

	capture_open(&c, &output_log_ops);
	ev.code.port = 0xf4;
	relabel(&ev, &set);
	emit_event(&c, &vm, &ev);
	make_mmio(&ev, 0xc0000000, 123, &set);
	emit_event(&c, &vm, &ev);
	assert_string_equal(capture_close(&c),
			    "[     5.002000000] vmm-min[4242] vm1 vcpu0: [Debug I/O port 0xf4: "
			    "linux_start_user code 0x7] 0.002000 seconds\n"
			    "[     5.002000000] vmm-min[4242] vm1 vcpu0: [MMIO 0xc0000000: "
			    "Guest-boot-time value 123] 0.002000 seconds\n");
	free(c.buf);
}

static void test_jsonl_mmio_event(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(5000000000ull + 7, 123, 1);
	struct json_object *obj, *field;
	struct capture c;

	make_mmio(&ev, 0xc0000000, 123, NULL);
	capture_open(&c, &output_jsonl_ops);
	emit_event(&c, &vm, &ev);
	capture_close(&c);
	obj = json_tokener_parse(c.buf);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "port", &field));
	assert_null(field);
	assert_true(json_object_object_get_ex(obj, "gpa", &field));
	assert_int_equal(json_object_get_int64(field), 0xc0000000);
	assert_true(json_object_object_get_ex(obj, "value", &field));
	assert_int_equal(json_object_get_int(field), 123);
	assert_true(json_object_object_get_ex(obj, "label", &field));
	assert_string_equal(json_object_get_string(field), "Guest-boot-time");
	assert_false(json_object_object_get_ex(obj, "rip", &field));
	json_object_put(obj);
	free(c.buf);
}

static void test_jsonl_event_fields_and_escaping(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(5000000123ull, 0x142, 1);
	struct json_object *obj, *field;
	struct capture c;

	/* A process may name itself anything: quotes and control characters included. */
	strcpy(vm.comm, "a\"b\\c\n\x01");
	memcpy(ev.thread, "CPU 0/KVM\"\t\0", 12);
	capture_open(&c, &output_jsonl_ops);
	emit_event(&c, &vm, &ev);
	capture_close(&c);
	assert_non_null(strchr(c.buf, '\n'));
	assert_ptr_equal(strchr(c.buf, '\n'), c.buf + c.len - 1); /* one line */
	obj = json_tokener_parse(c.buf);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "comm", &field));
	assert_string_equal(json_object_get_string(field), "a\"b\\c\n\x01");
	assert_true(json_object_object_get_ex(obj, "thread", &field));
	assert_string_equal(json_object_get_string(field), "CPU 0/KVM\"\t");
	assert_true(json_object_object_get_ex(obj, "since_start_ns", &field));
	assert_int_equal(json_object_get_int64(field), 123);
	assert_true(json_object_object_get_ex(obj, "code", &field));
	assert_int_equal(json_object_get_int(field), 0x42);
	assert_true(json_object_object_get_ex(obj, "label", &field));
	assert_string_equal(json_object_get_string(field), "Kernel");
	assert_true(json_object_object_get_ex(obj, "vcpu", &field));
	assert_int_equal(json_object_get_int(field), 0);
	json_object_put(obj);
	free(c.buf);
}

static void test_jsonl_unknowns_are_null(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = pio(100, 0x1, 1);
	struct json_object *obj, *field;
	struct capture c;

	vm.start_ns = 0;
	ev.vcpu = EVENT_VCPU_UNKNOWN;
	capture_open(&c, &output_jsonl_ops);
	emit_event(&c, &vm, &ev);
	capture_close(&c);
	obj = json_tokener_parse(c.buf);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "since_start_ns", &field));
	assert_null(field);
	assert_true(json_object_object_get_ex(obj, "vcpu", &field));
	assert_null(field);
	json_object_put(obj);
	free(c.buf);
}

/* One boot of test_vm(): Firmware, Kernel, Userspace codes, then a clean exit. */
static void feed_boot(struct capture *c, struct traced_vm *vm)
{
	static const uint32_t codes[] = {0x00, 0x40, 0x60};
	static const uint64_t offs[] = {1000000, 3000000, 7000000};
	struct trace_totals totals = {.events = 3, .lost = {[LOSS_DROPPED] = 2}};
	struct output *out = &c->out;
	struct vm_table vms;

	vm_table_init(&vms);
	outputs_vm_start(&out, 1, vm);
	for (int i = 0; i < 3; i++) {
		struct boot_event ev = pio(vm->start_ns + offs[i], codes[i], 1);

		assert_int_equal(traced_vm_observe(vm, &ev), 0);
		outputs_event(&out, 1, vm, &ev);
	}
	vm->end_ns = vm->start_ns + 9000000;
	vm->end_reason = VM_END_EXIT;
	outputs_vm_end(&out, 1, vm);
	outputs_vm_summary(&out, 1, vm);
	outputs_summary(&out, 1, &vms, &totals);
}

/* The log is the trace only: the summary table is a sink of its own (see below). */
static void test_log_prints_no_tables(void **state)
{
	struct traced_vm vm = test_vm();
	struct capture c;

	capture_open(&c, &output_log_ops);
	feed_boot(&c, &vm);
	assert_string_equal(capture_close(&c),
			    "[     5.000000000] vmm-min[4242] vm1: VM created\n"
			    "[     5.001000000] vmm-min[4242] vm1 vcpu0: [Debug I/O port: "
			    "Firmware code 0x0] 0.001000 seconds\n"
			    "[     5.003000000] vmm-min[4242] vm1 vcpu0: [Debug I/O port: "
			    "Kernel code 0x40] 0.003000 seconds\n"
			    "[     5.007000000] vmm-min[4242] vm1 vcpu0: [Debug I/O port: "
			    "Userspace code 0x60] 0.007000 seconds\n"
			    "[     5.009000000] vmm-min[4242] vm1: VMM exited (exit status 0)\n");
	free(c.buf);
	boot_stages_free(&vm.stats);
}

#define BOOT_TABLE                                                                                 \
	"boot-trace: vmm-min[4242] vm1: 3 codes, exit status 0\n"                                  \
	"  stage           first (s)   duration (s)   codes\n"                                     \
	"  Firmware         0.001000       0.002000       1\n"                                     \
	"  Kernel           0.003000       0.004000       1\n"                                     \
	"  Userspace        0.007000       0.000000       1\n"                                     \
	"  time to Userspace: 0.007000 s\n"

/* The human summary: a table per VM, then the counts, losses named. */
static void test_summary_table(void **state)
{
	struct traced_vm vm = test_vm();
	struct capture c;

	capture_open(&c, &output_summary_ops);
	feed_boot(&c, &vm);
	assert_string_equal(capture_close(&c), BOOT_TABLE "boot-trace: 3 events, 2 dropped\n");
	free(c.buf);
	boot_stages_free(&vm.stats);

	/* The daemon's stderr: the final counts only. */
	vm = test_vm();
	capture_open_flags(&c, &output_summary_ops, OUTPUT_TOTALS_ONLY);
	feed_boot(&c, &vm);
	assert_string_equal(capture_close(&c), "boot-trace: 3 events, 2 dropped\n");
	free(c.buf);
	boot_stages_free(&vm.stats);

	/* -q: no table, but losses still (nothing is lost silently). */
	vm = test_vm();
	capture_open_flags(&c, &output_summary_ops, OUTPUT_QUIET);
	feed_boot(&c, &vm);
	assert_string_equal(capture_close(&c), "boot-trace: 3 events, 2 dropped\n");
	free(c.buf);
	boot_stages_free(&vm.stats);
}

static void test_summary_table_without_codes_or_counts(void **state)
{
	struct trace_totals totals = {.events = 3, .losses_unknown = true};
	struct trace_totals none = {.events = 3};
	struct traced_vm vm = test_vm();
	struct output *out;
	struct vm_table vms;
	struct capture c;

	vm_table_init(&vms);
	vm.start_ns = 0;
	vm.found_ns = 6000000000ull;
	vm.id = EVENT_VM_UNKNOWN;
	capture_open(&c, &output_summary_ops);
	out = &c.out;
	/* A trace read back without its summary record: losses unknown, and said so. */
	outputs_vm_summary(&out, 1, &vm);
	outputs_summary(&out, 1, &vms, &totals);
	assert_string_equal(capture_close(&c),
			    "boot-trace: vmm-min[4242] vm?: 0 codes, still running (incomplete) "
			    "(VM start not seen: times from the first write)\n"
			    "boot-trace: 3 events (no summary record: losses unknown)\n");
	free(c.buf);

	/* -q and nothing lost, or losses unknown: nothing at all. */
	capture_open_flags(&c, &output_summary_ops, OUTPUT_QUIET);
	out = &c.out;
	outputs_vm_summary(&out, 1, &vm);
	outputs_summary(&out, 1, &vms, &none);
	outputs_summary(&out, 1, &vms, &totals);
	assert_string_equal(capture_close(&c), "");
	free(c.buf);
}

/* jsonl -q: the trace without summary records (the losses are the summary table's). */
static void test_jsonl_quiet_has_no_summaries(void **state)
{
	struct traced_vm vm = test_vm();
	struct capture c;

	capture_open_flags(&c, &output_jsonl_ops, OUTPUT_QUIET);
	feed_boot(&c, &vm);
	capture_close(&c);
	assert_null(strstr(c.buf, "summary"));
	assert_non_null(strstr(c.buf, "{\"type\":\"vm_end\""));
	free(c.buf);
	boot_stages_free(&vm.stats);

	vm = test_vm();
	capture_open(&c, &output_jsonl_ops);
	feed_boot(&c, &vm);
	capture_close(&c);
	assert_non_null(strstr(c.buf, "{\"type\":\"vm_summary\""));
	assert_non_null(strstr(c.buf, "{\"type\":\"summary\",\"events\":3,\"dropped\":2,"));
	free(c.buf);
	boot_stages_free(&vm.stats);
}

/* The daemon's log: losses at the end of a VM's summary line, and the totals stamped last. */
static void test_log_daemon_names_losses(void **state)
{
	struct trace_totals totals = {.events = 11,
				      .lost = {[LOSS_DROPPED] = 7, [LOSS_MAP_FULL] = 2}};
	struct traced_vm vm = test_vm();
	struct vm_table vms;
	struct capture c;
	char *text;

	vm.end_ns = vm.start_ns + 1000;
	vm.end_reason = VM_END_EXIT;
	capture_open_flags(&c, &output_log_ops, OUTPUT_APPEND | OUTPUT_SUMMARY_IN_TRACE);
	c.out.totals = &totals;
	output_log_ops.vm_summary(&c.out, &vm);
	vm_table_init(&vms);
	output_log_ops.summary(&c.out, &vms, &totals);
	text = capture_close(&c);
	assert_non_null(strstr(text, "vmm-min[4242] vm1: boot summary: exit status 0, 0 codes; "
				     "host-wide since the daemon started: 7 dropped, 2 VM/vCPU "
				     "identities lost (kernel map full)\n["));
	assert_non_null(strstr(text,
			       "] boot-trace: 11 events, 7 dropped, 2 VM/vCPU identities lost "
			       "(kernel map full)\n"));
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_log_line_is_cloud_hypervisor_text),
	    cmocka_unit_test(test_log_line_past_one_second_and_wide_write),
	    cmocka_unit_test(test_log_unknown_start),
	    cmocka_unit_test(test_log_thread_name_where_it_tells_more),
	    cmocka_unit_test(test_log_label_maps_and_mmio),
	    cmocka_unit_test(test_jsonl_mmio_event),
	    cmocka_unit_test(test_jsonl_event_fields_and_escaping),
	    cmocka_unit_test(test_jsonl_unknowns_are_null),
	    cmocka_unit_test(test_log_daemon_names_losses),
	    cmocka_unit_test(test_log_prints_no_tables),
	    cmocka_unit_test(test_summary_table),
	    cmocka_unit_test(test_summary_table_without_codes_or_counts),
	    cmocka_unit_test(test_jsonl_quiet_has_no_summaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
