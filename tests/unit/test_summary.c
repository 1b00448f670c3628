// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: code labels, stage statistics and the summary table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "labels.h"
#include "output.h"
#include "summary.h"

static void test_labels_by_range(void **state)
{
	static const struct {
		uint32_t code;
		const char *label;
	} cases[] = {
		{ 0x00, "Firmware" },	{ 0x1f, "Firmware" },  { 0x20, "Bootloader" },
		{ 0x3f, "Bootloader" }, { 0x40, "Kernel" },    { 0x5f, "Kernel" },
		{ 0x60, "Userspace" },	{ 0x7f, "Userspace" }, { 0x80, "Custom" },
		{ 0xff, "Custom" },
		/* Only the low byte counts, as for a wide write to the debug port. */
		{ 0x3231, "Bootloader" }, { 0x36353460, "Userspace" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(stage_label(stage_of_code(cases[i].code)), cases[i].label);
	assert_string_equal(stage_label(STAGE_NR), "Unknown");
}

static void test_summary_orders_stages_and_durations(void **state)
{
	struct boot_stats stats = {};
	struct stage_row rows[STAGE_NR];
	uint64_t user;

	boot_stats_add(&stats, 0x00, 1000);
	boot_stats_add(&stats, 0x01, 1500);
	boot_stats_add(&stats, 0x40, 3000);
	boot_stats_add(&stats, 0x41, 3500);
	boot_stats_add(&stats, 0x60, 7000);
	boot_stats_add(&stats, 0x61, 9000);

	assert_int_equal(boot_summary(&stats, rows), 3);
	assert_int_equal(rows[0].stage, STAGE_FIRMWARE);
	assert_int_equal(rows[0].first_ns, 1000);
	assert_int_equal(rows[0].duration_ns, 2000); /* to the Kernel's first code */
	assert_int_equal(rows[0].codes, 2);
	assert_int_equal(rows[1].stage, STAGE_KERNEL);
	assert_int_equal(rows[1].duration_ns, 4000);
	assert_int_equal(rows[2].stage, STAGE_USERSPACE);
	assert_int_equal(rows[2].duration_ns, 2000); /* the last stage: to its last code */
	assert_int_equal(stats.events, 6);
	assert_true(boot_userspace_ns(&stats, &user));
	assert_int_equal(user, 7000);
}

static void test_summary_order_follows_time_not_range(void **state)
{
	struct boot_stats stats = {};
	struct stage_row rows[STAGE_NR];

	/* A Custom marker first, then Firmware: the table follows the guest's order. */
	boot_stats_add(&stats, 0x90, 10);
	boot_stats_add(&stats, 0x05, 20);
	boot_stats_add(&stats, 0x91, 30);
	assert_int_equal(boot_summary(&stats, rows), 2);
	assert_int_equal(rows[0].stage, STAGE_CUSTOM);
	assert_int_equal(rows[0].duration_ns, 10);
	assert_int_equal(rows[0].codes, 2);
	assert_int_equal(rows[1].stage, STAGE_FIRMWARE);
	assert_int_equal(rows[1].duration_ns, 0);
}

static void test_summary_empty(void **state)
{
	struct boot_stats stats = {};
	struct stage_row rows[STAGE_NR];
	uint64_t user;

	assert_int_equal(boot_summary(&stats, rows), 0);
	assert_false(boot_userspace_ns(&stats, &user));
}

static void test_format_seconds(void **state)
{
	char buf[32];

	format_seconds(buf, sizeof(buf), 19004000);
	assert_string_equal(buf, "0.019004");
	/* cloud-hypervisor prints 1.5 s as "1.1500000"; we print six decimals. */
	format_seconds(buf, sizeof(buf), 1500000000);
	assert_string_equal(buf, "1.500000");
	format_seconds(buf, sizeof(buf), 12345678999);
	assert_string_equal(buf, "12.345678");
	format_seconds(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0.000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_by_range),
		cmocka_unit_test(test_summary_orders_stages_and_durations),
		cmocka_unit_test(test_summary_order_follows_time_not_range),
		cmocka_unit_test(test_summary_empty),
		cmocka_unit_test(test_format_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
