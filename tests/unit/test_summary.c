// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: stage statistics and the summary table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "labels.h"
#include "output.h"
#include "stages.h"

static const struct label *dp(uint32_t code)
{
	return label_of_code(&label_map_debug_port, code);
}

static void test_summary_orders_stages_and_durations(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;
	uint64_t user;

	boot_stages_add(&stats, dp(0x00), 1000);
	boot_stages_add(&stats, dp(0x01), 1500);
	boot_stages_add(&stats, dp(0x40), 3000);
	boot_stages_add(&stats, dp(0x41), 3500);
	boot_stages_add(&stats, dp(0x60), 7000);
	boot_stages_add(&stats, dp(0x61), 9000);

	assert_int_equal(boot_summary(&stats, &rows), 3);
	assert_string_equal(rows[0].label, "Firmware");
	assert_int_equal(rows[0].first_ns, 1000);
	assert_int_equal(rows[0].duration_ns, 2000); /* to the Kernel's first code */
	assert_int_equal(rows[0].codes, 2);
	assert_string_equal(rows[1].label, "Kernel");
	assert_int_equal(rows[1].duration_ns, 4000);
	assert_string_equal(rows[2].label, "Userspace");
	assert_int_equal(rows[2].duration_ns, 2000); /* the last stage: to its last code */
	assert_int_equal(stats.events, 6);
	assert_true(boot_userspace_ns(&stats, &user));
	assert_int_equal(user, 7000);
	free(rows);
	boot_stages_free(&stats);
}

static void test_summary_order_follows_time_not_range(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;

	/* A Custom marker first, then Firmware: the table follows the guest's order. */
	boot_stages_add(&stats, dp(0x90), 10);
	boot_stages_add(&stats, dp(0x05), 20);
	boot_stages_add(&stats, dp(0x91), 30);
	assert_int_equal(boot_summary(&stats, &rows), 2);
	assert_string_equal(rows[0].label, "Custom");
	assert_int_equal(rows[0].duration_ns, 10);
	assert_int_equal(rows[0].codes, 2);
	assert_string_equal(rows[1].label, "Firmware");
	assert_int_equal(rows[1].duration_ns, 0);
	free(rows);
	boot_stages_free(&stats);
}

static void test_summary_each_label_is_a_stage(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;
	uint64_t user;

	/* qboot's values on 0xf4, the debug port's ranges and the boot timer in one VM. */
	boot_stages_add(&stats, label_of_code(&label_map_qboot, 1), 100);
	boot_stages_add(&stats, label_of_code(&label_map_qboot, 5), 200);
	boot_stages_add(&stats, dp(0x40), 250);
	boot_stages_add(&stats, label_of_code(&label_map_qboot, 6), 300);
	boot_stages_add(&stats, dp(0x41), 320);
	boot_stages_add(&stats, label_of_code(&label_map_qboot, 7), 400);
	boot_stages_add(&stats, &label_guest_boot_time, 450);
	boot_stages_add(&stats, label_of_code(&label_map_qboot, 42), 500);
	assert_int_equal(boot_summary(&stats, &rows), 7);
	assert_string_equal(rows[0].label, "fw_start");
	assert_int_equal(rows[0].duration_ns, 100);
	assert_string_equal(rows[1].label, "fw_do_boot");
	assert_string_equal(rows[2].label, "Kernel");
	assert_int_equal(rows[2].codes, 2);
	assert_int_equal(rows[2].last_ns, 320);
	assert_string_equal(rows[3].label, "linux_start_kernel");
	assert_string_equal(rows[4].label, "linux_start_user");
	assert_string_equal(rows[5].label, "Guest-boot-time");
	assert_string_equal(rows[6].label, "Unknown");
	assert_int_equal(rows[6].duration_ns, 0);
	/* The first label that ends the boot: linux_start_user, before the boot timer. */
	assert_true(boot_userspace_ns(&stats, &user));
	assert_int_equal(user, 400);
	free(rows);
	boot_stages_free(&stats);
}

static void test_summary_same_name_from_two_maps_is_one_stage(void **state)
{
	struct label_map *map = calloc(1, sizeof(*map));
	struct boot_stages stats = {};
	struct stage_row *rows;
	char err[128];

	assert_int_equal(label_map_parse(map, "0x10-0x1f Kernel\n", 17, err, sizeof(err)), 0);
	boot_stages_add(&stats, dp(0x40), 10);
	boot_stages_add(&stats, label_of_code(map, 0x10), 20);
	assert_int_equal(boot_summary(&stats, &rows), 1);
	assert_int_equal(rows[0].codes, 2);
	free(rows);
	boot_stages_free(&stats);
	free(map);
}

static void test_summary_empty(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;
	uint64_t user;

	assert_int_equal(boot_summary(&stats, &rows), 0);
	assert_null(rows);
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
	    cmocka_unit_test(test_summary_orders_stages_and_durations),
	    cmocka_unit_test(test_summary_order_follows_time_not_range),
	    cmocka_unit_test(test_summary_each_label_is_a_stage),
	    cmocka_unit_test(test_summary_same_name_from_two_maps_is_one_stage),
	    cmocka_unit_test(test_summary_empty),
	    cmocka_unit_test(test_format_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
