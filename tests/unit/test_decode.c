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
	struct decoder dq = {.labels = &qboot};
	struct bt_event rec = record(BT_EV_PIO);
	struct boot_event ev;

	rec.value = 0x3241;
	rec.size = 2;
	rec.flags = BT_PIO_RIP;
	rec.aux = 0xfff0;
	assert_int_equal(decode_record(&dq, &rec, sizeof(rec), &ev), 0);
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
	assert_int_equal(decode_record(&dq, &rec, sizeof(rec), &ev), 0);
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

/* An I/O delay follows a legacy device port; a marker after a marker, or late, does not. */
static void test_io_delay_told_from_markers(void **state)
{
	const struct label_set two = {.nr = 2, .ports = {0x80, 0xf4}};
	struct decoder d = {.labels = &two};
	struct bt_event rec = record(BT_EV_PIO);
	struct boot_event ev;

	rec.value = 0;
	rec.flags = BT_PIO_AFTER_IO;
	rec.prev_port = 0xa1; /* the slave PIC's mask, as Linux's setup code writes it */
	assert_int_equal(decode_record(&d, &rec, sizeof(rec), &ev), 0);
	assert_true(ev.code.io_delay);
	assert_int_equal(ev.code.after_port, 0xa1);
	assert_ptr_equal(ev.label, &label_io_delay);
	/* Not within the window (the kernel side did not flag it): a marker. */
	rec.flags = 0;
	assert_int_equal(decode_record(&d, &rec, sizeof(rec), &ev), 0);
	assert_false(ev.code.io_delay);
	assert_string_equal(ev.label->name, "Firmware");
	/* After a traced port (qboot's 0xf4), a UART (0x3f8) or at another port: markers. */
	rec.flags = BT_PIO_AFTER_IO;
	rec.prev_port = 0xf4;
	assert_int_equal(decode_record(&d, &rec, sizeof(rec), &ev), 0);
	assert_false(ev.code.io_delay);
	rec.prev_port = 0x3f8;
	assert_int_equal(decode_record(&d, &rec, sizeof(rec), &ev), 0);
	assert_false(ev.code.io_delay);
	rec.prev_port = 0x21;
	rec.port = 0xf4;
	rec.value = 5;
	assert_int_equal(decode_record(&d, &rec, sizeof(rec), &ev), 0);
	assert_false(ev.code.io_delay);
	/* Nor is one element of a string write. */
	rec.port = 0x80;
	rec.flags = BT_PIO_AFTER_IO | BT_PIO_STRING;
	assert_int_equal(decode_record(&d, &rec, sizeof(rec), &ev), 0);
	assert_false(ev.code.io_delay);
}

static struct bt_console_event console_record(const char *text)
{
	struct bt_console_event ce = {.ev = record(BT_EV_CONSOLE)};

	ce.ev.port = 0x3f8;
	ce.ev.value = BT_CONSOLE_UART;
	ce.ev.aux = 7000;
	ce.len = strlen(text);
	memcpy(ce.text, text, ce.len);
	return ce;
}

/* A console line: cleaned, matched by the rules, the VM's (no vCPU); bad ones refused. */
static void test_console_line(void **state)
{
	struct console_rules *rules;
	struct decoder d = {0};
	struct bt_console_event ce =
	    console_record("\x1b[0;32m[    0.000000] Linux version 6.1.0 (gcc)\x1b[0m\x07");
	struct boot_event ev;
	char err[256];

	assert_int_equal(console_rules_open("linux", &rules, err, sizeof(err)), 0);
	d.rules = rules;
	assert_int_equal(decode_record(&d, &ce, sizeof(ce), &ev), 0);
	assert_int_equal(ev.kind, EVENT_CONSOLE);
	assert_int_equal(ev.ts_ns, 5000);
	assert_int_equal(ev.console.last_ts_ns, 7000);
	assert_int_equal(ev.console.port, 0x3f8);
	assert_false(ev.console.debugcon);
	assert_int_equal(ev.vcpu, EVENT_VCPU_UNKNOWN);
	assert_string_equal(ev.console.text, "[    0.000000] Linux version 6.1.0 (gcc)\\x07");
	assert_non_null(ev.label);
	assert_string_equal(ev.label->name, "Kernel");
	assert_false(ev.console.truncated);
	ce.line_flags = BT_LINE_TRUNCATED | BT_LINE_UNTERMINATED;
	ce.ev.value = BT_CONSOLE_DEBUGCON;
	assert_int_equal(decode_record(&d, &ce, sizeof(ce), &ev), 0);
	assert_true(ev.console.truncated);
	assert_true(ev.console.unterminated);
	assert_true(ev.console.debugcon);
	/* Without a decoder, a short record, a length past the text, a last byte before the
	 * first, an unknown console kind: malformed. */
	assert_int_equal(decode_record(NULL, &ce, sizeof(ce), &ev), -EINVAL);
	assert_int_equal(decode_record(&d, &ce, sizeof(ce) - 1, &ev), -EINVAL);
	ce.len = BT_CONSOLE_LINE_MAX + 1;
	assert_int_equal(decode_record(&d, &ce, sizeof(ce), &ev), -EINVAL);
	ce = console_record("x");
	ce.ev.aux = 4999;
	assert_int_equal(decode_record(&d, &ce, sizeof(ce), &ev), -EINVAL);
	ce = console_record("x");
	ce.ev.value = 9;
	assert_int_equal(decode_record(&d, &ce, sizeof(ce), &ev), -EINVAL);
	/* No rule matches: no stage. */
	ce = console_record("nothing to see");
	assert_int_equal(decode_record(&d, &ce, sizeof(ce), &ev), 0);
	assert_null(ev.label);
	console_rules_close(rules);
}

static void test_phase(void **state)
{
	struct bt_event rec = record(BT_EV_PHASE);
	struct boot_event ev;

	rec.value = BT_PHASE_FIRST_EXIT;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), 0);
	assert_int_equal(ev.kind, EVENT_PHASE);
	assert_string_equal(ev.phase, PHASE_FIRST_EXIT);
	rec.value = BT_PHASE_FIRST_ENTRY;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), 0);
	assert_string_equal(ev.phase, PHASE_FIRST_ENTRY);
	rec.value = 0;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), -EINVAL);
	rec.value = 1000;
	assert_int_equal(decode_record(NULL, &rec, sizeof(rec), &ev), -EINVAL);
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
	    cmocka_unit_test(test_io_delay_told_from_markers),
	    cmocka_unit_test(test_console_line),
	    cmocka_unit_test(test_phase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
