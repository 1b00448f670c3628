// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: what the log and jsonl writers print for one VM's records. */
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

struct capture {
	struct output out;
	char *buf;
	size_t len;
};

static void capture_open(struct capture *c, const struct output_ops *ops)
{
	memset(c, 0, sizeof(*c));
	c->out.ops = ops;
	c->out.fp = open_memstream(&c->buf, &c->len);
	c->out.summary_fp = c->out.fp;
	assert_non_null(c->out.fp);
}

static char *capture_close(struct capture *c)
{
	fclose(c->out.fp);
	return c->buf;
}

static struct traced_vm test_vm(void)
{
	struct traced_vm vm = { .id = 1, .pid = 4242, .start_ns = 5000000000ull };

	strcpy(vm.comm, "vmm-min");
	return vm;
}

static struct bt_event pio(uint64_t ts, uint32_t value, uint8_t size)
{
	struct bt_event ev = { .ts_ns = ts, .tgid = 4242, .tid = 4243, .vm_id = 1, .vcpu = 0,
			       .value = value, .port = 0x80, .type = BT_EV_PIO, .size = size };

	strcpy(ev.comm, "vcpu0");
	return ev;
}

static void test_log_line_is_cloud_hypervisor_text(void **state)
{
	struct traced_vm vm = test_vm();
	struct bt_event ev = pio(5000000000ull + 19004123, 0x0, 1);
	struct capture c;

	capture_open(&c, &output_log_ops);
	output_log_ops.event(&c.out, &vm, &ev);
	assert_string_equal(capture_close(&c), "[     5.019004123] vmm-min[4242] vm1 vcpu0: "
					       "[Debug I/O port: Firmware code 0x0] 0.019004 seconds\n");
	free(c.buf);
}

static void test_log_line_past_one_second_and_wide_write(void **state)
{
	struct traced_vm vm = test_vm();
	struct bt_event ev = pio(5000000000ull + 1500000000ull, 0x3241, 2);
	struct capture c;

	/* vCPU unknown: the thread's name is the best hint left. */
	ev.vcpu = BT_VCPU_UNKNOWN;
	capture_open(&c, &output_log_ops);
	output_log_ops.event(&c.out, &vm, &ev);
	assert_string_equal(capture_close(&c),
			    "[     6.500000000] vmm-min[4242] vm1 vcpu? (vcpu0): [Debug I/O port: "
			    "Kernel code 0x41] 1.500000 seconds (2-byte write 0x3241)\n");
	free(c.buf);
}

static void test_log_unknown_start(void **state)
{
	struct traced_vm vm = test_vm();
	struct bt_event ev = pio(7000000000ull, 0x61, 1);
	struct capture c;

	vm.start_ns = 0;
	vm.id = BT_VM_UNKNOWN;
	ev.port = 0xf4;
	capture_open(&c, &output_log_ops);
	output_log_ops.event(&c.out, &vm, &ev);
	assert_string_equal(capture_close(&c), "[     7.000000000] vmm-min[4242] vm? vcpu0: "
					       "[Debug I/O port 0xf4: Userspace code 0x61] ? seconds\n");
	free(c.buf);
}

static void test_log_thread_name_where_it_tells_more(void **state)
{
	struct traced_vm vm = test_vm();
	struct bt_event ev = pio(5000000000ull + 1000, 0x61, 1);
	struct capture c;

	strcpy(vm.comm, "qemu-system-x86");
	strcpy(ev.comm, "CPU 1/KVM");
	ev.vcpu = 1;
	capture_open(&c, &output_log_ops);
	output_log_ops.event(&c.out, &vm, &ev);
	/* Without debug-threads=on QEMU's vCPU threads carry the process name: not repeated. */
	strcpy(ev.comm, "qemu-system-x86");
	output_log_ops.event(&c.out, &vm, &ev);
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
	struct bt_event ev = pio(5000000000ull + 2000000, 7, 1);
	struct capture c;

	capture_open(&c, &output_log_ops);
	c.out.labels = &set;
	ev.port = 0xf4;
	output_log_ops.event(&c.out, &vm, &ev);
	ev.type = BT_EV_MMIO;
	ev.port = 0;
	ev.value = 123;
	ev.aux = 0xc0000000;
	output_log_ops.event(&c.out, &vm, &ev);
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
	struct bt_event ev = pio(5000000000ull + 7, 123, 1);
	struct json_object *obj, *field;
	struct capture c;

	ev.type = BT_EV_MMIO;
	ev.port = 0;
	ev.aux = 0xc0000000;
	capture_open(&c, &output_jsonl_ops);
	output_jsonl_ops.event(&c.out, &vm, &ev);
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
	struct bt_event ev = pio(5000000123ull, 0x142, 1);
	struct json_object *obj, *field;
	struct capture c;

	/* A process may name itself anything: quotes and control characters included. */
	strcpy(vm.comm, "a\"b\\c\n\x01");
	memcpy(ev.comm, "CPU 0/KVM\"\t\0", 12);
	capture_open(&c, &output_jsonl_ops);
	output_jsonl_ops.event(&c.out, &vm, &ev);
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
	struct bt_event ev = pio(100, 0x1, 1);
	struct json_object *obj, *field;
	struct capture c;

	vm.start_ns = 0;
	ev.vcpu = BT_VCPU_UNKNOWN;
	capture_open(&c, &output_jsonl_ops);
	output_jsonl_ops.event(&c.out, &vm, &ev);
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

/* The daemon's log: losses at the end of a VM's summary line, and the totals stamped last. */
static void test_log_daemon_names_losses(void **state)
{
	struct trace_totals totals = {.events = 11, .dropped = 7, .map_full = 2};
	struct traced_vm vm = test_vm();
	struct vm_table vms;
	struct capture c;
	char *text;

	vm.end_ns = vm.start_ns + 1000;
	vm.end_reason = VM_END_EXIT;
	capture_open(&c, &output_log_ops);
	c.out.summary_in_trace = true;
	c.out.summary_fp = NULL;
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
