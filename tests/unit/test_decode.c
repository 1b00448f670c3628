// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: the one decoder of ring records, and the loss counters' table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot_trace.h"
#include "decode.h"
#include "totals.h"

static struct bt_event record(uint16_t type)
{
	struct bt_event rec = {.ts_ns = 5000,
			       .tgid = 42,
			       .tid = 43,
			       .vm_id = 1,
			       .vcpu = 0,
			       .type = type,
			       .size = 1,
			       .port = 0x80};

	strcpy(rec.comm, "vcpu0");
	return rec;
}

static void test_port_write_labelled_once(void **state)
{
	const struct label_set qboot = {
	    .nr = 2, .ports = {0x80, 0xf4}, .maps = {NULL, &label_map_qboot}};
	struct bt_event rec = record(BT_EV_PIO);
	struct boot_event ev;

	rec.value = 0x3241;
	rec.size = 2;
	rec.flags = BT_PIO_RIP;
	rec.aux = 0xfff0;
	assert_int_equal(decode_record(&qboot, &rec, sizeof(rec), &ev), 0);
	assert_int_equal(ev.kind, EVENT_CODE);
	assert_int_equal(ev.ts_ns, 5000);
	assert_int_equal(ev.pid, 42);
	assert_int_equal(ev.tid, 43);
	assert_string_equal(ev.thread, "vcpu0");
	assert_false(ev.code.mmio);
	assert_int_equal(ev.code.port, 0x80);
	assert_int_equal(ev.code.value, 0x3241);
	assert_int_equal(ev.code.size, 2);
	assert_true(ev.code.rip_known);
	assert_int_equal(ev.code.rip, 0xfff0);
	/* The low byte 0x41 is in the debug port's Kernel range. */
	assert_string_equal(ev.label->name, "Kernel");
	/* Port 0xf4 is labelled by its own map. */
	rec.port = 0xf4;
	rec.value = 5;
	assert_int_equal(decode_record(&qboot, &rec, sizeof(rec), &ev), 0);
	assert_string_equal(ev.label->name, "fw_do_boot");
}

static void test_mmio_write_has_no_rip(void **state)
{
	struct bt_event rec = record(BT_EV_MMIO);
	struct boot_event ev;

	/* aux is the address of an MMIO write: never a RIP, whatever the flags say. */
	rec.aux = 0xc0000000;
	rec.value = 123;
	rec.flags = BT_PIO_RIP;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), 0);
	assert_true(ev.code.mmio);
	assert_int_equal(ev.code.gpa, 0xc0000000);
	assert_false(ev.code.rip_known);
	assert_ptr_equal(ev.label, &label_guest_boot_time);
}

static void test_string_element_and_truncation(void **state)
{
	struct bt_event rec = record(BT_EV_PIO);
	struct boot_event ev;

	rec.flags = BT_PIO_STRING | BT_PIO_TRUNCATED;
	rec.index = 7;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), 0);
	assert_true(ev.code.in_string);
	assert_int_equal(ev.code.index, 7);
	assert_true(ev.code.truncated);
	assert_false(ev.code.rip_known);
}

static void test_vm_create_and_exit(void **state)
{
	struct bt_vm_event ve = {.ev = record(BT_EV_VM_CREATE)};
	struct bt_event rec = record(BT_EV_PROC_EXIT);
	struct boot_event ev;

	ve.ev.aux = 5;
	memcpy(ve.cmdline,
	       "qemu\0-m\0"
	       "64",
	       10);
	ve.cmdline_len = 10;
	assert_int_equal(decode_record(NULL, &ve, sizeof(ve), &ev), 0);
	assert_int_equal(ev.kind, EVENT_VM_CREATE);
	assert_int_equal(ev.create.fd, 5);
	assert_int_equal(ev.create.cmdline_len, 10);
	assert_memory_equal(ev.create.cmdline,
			    "qemu\0-m\0"
			    "64",
			    10);
	assert_null(ev.label);
	/* A short record: no command line, the VM all the same. */
	assert_int_equal(decode_record(NULL, &ve, sizeof(ve.ev), &ev), 0);
	assert_null(ev.create.cmdline);
	/* An fd that cannot be one, a length past the buffer: not trusted. */
	ve.ev.aux = 1ull << 40;
	ve.cmdline_len = BT_CMDLINE_MAX + 1;
	assert_int_equal(decode_record(NULL, &ve, sizeof(ve), &ev), 0);
	assert_int_equal(ev.create.fd, -1);
	assert_null(ev.create.cmdline);
	rec.value = 9; /* killed by SIGKILL */
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), 0);
	assert_int_equal(ev.kind, EVENT_PROC_EXIT);
	assert_int_equal(ev.exit_status, 9);
}

static void test_malformed_records(void **state)
{
	struct bt_event rec = record(BT_EV_PIO);
	struct boot_event ev;

	assert_int_equal(decode_record(NULL, &rec, sizeof(rec) - 1, &ev), -EINVAL);
	assert_int_equal(decode_record(NULL, &rec, 0, &ev), -EINVAL);
	rec.type = 3; /* a vCPU's creation: no longer sent */
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), -EINVAL);
	rec.type = 0xffff;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), -EINVAL);
}

static void test_thread_name_terminated_and_printable(void **state)
{
	struct bt_event rec = record(BT_EV_PIO);
	struct boot_event ev;

	/* All 16 bytes used, a newline and a stray UTF-8 byte in them. */
	memcpy(rec.comm, "ab\ncdefghijklm\xe2z", 16);
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), 0);
	assert_int_equal(strlen(ev.thread), 15);
	assert_string_equal(ev.thread, "ab?cdefghijklm?");
}

/* The loss counters: one table for every sink and the reader. */
static void test_losses_printed_from_the_table(void **state)
{
	struct trace_totals t = {.events = 11};
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_false(totals_lost(&t));
	print_totals(fp, &t);
	fflush(fp);
	/* Drops are always named; the others only when they happened. */
	assert_string_equal(buf, "11 events, 0 dropped");
	rewind(fp);
	t.lost[LOSS_MAP_FULL] = 2;
	t.lost[LOSS_STRING_LOST] = 3;
	assert_true(totals_lost(&t));
	print_losses(fp, &t);
	fputc('\0', fp);
	fflush(fp);
	assert_string_equal(buf, "0 dropped, 3 string I/O bytes unseen, "
				 "2 VM/vCPU identities lost (kernel map full)");
	fclose(fp);
	free(buf);
	FOR_EACH_LOSS (i) {
		assert_non_null(loss_counters[i].key);
		assert_non_null(loss_counters[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_port_write_labelled_once),
	    cmocka_unit_test(test_mmio_write_has_no_rip),
	    cmocka_unit_test(test_string_element_and_truncation),
	    cmocka_unit_test(test_vm_create_and_exit),
	    cmocka_unit_test(test_malformed_records),
	    cmocka_unit_test(test_thread_name_terminated_and_printable),
	    cmocka_unit_test(test_losses_printed_from_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
