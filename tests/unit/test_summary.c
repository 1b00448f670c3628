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

/* ---- console lines, host phases and I/O delays: events into the statistics ----------- */

static void observe(struct boot_stages *stats, struct boot_event ev)
{
	assert_int_equal(boot_stages_observe(stats, &ev), 0);
}

static struct boot_event code_at(uint32_t value, uint64_t ts)
{
	return (struct boot_event){.kind = EVENT_CODE,
				   .ts_ns = ts,
				   .label = dp(value),
				   .code = {.port = 0x80, .size = 1, .value = value}};
}

/* A line the rules gave a stage (NULL: none), as the decoder and the reader give it. */
static struct boot_event line_at(const char *stage, uint64_t ts)
{
	return (struct boot_event){.kind = EVENT_CONSOLE,
				   .ts_ns = ts,
				   .vcpu = EVENT_VCPU_UNKNOWN,
				   .label = stage ? label_intern(stage) : NULL,
				   .console = {.port = 0x3f8, .last_ts_ns = ts + 5, .text = "x"}};
}

static struct boot_event phase_at(const char *name, uint64_t ts)
{
	bool setup = !strcmp(name, PHASE_VMM_START) || !strcmp(name, PHASE_VM_CREATE);

	return (struct boot_event){.kind = EVENT_PHASE,
				   .ts_ns = ts,
				   .label = setup ? &label_vmm_setup : NULL,
				   .phase = name};
}

static struct boot_event io_delay_at(uint64_t ts)
{
	return (struct boot_event){
	    .kind = EVENT_CODE,
	    .ts_ns = ts,
	    .label = &label_io_delay,
	    .code = {.port = 0x80, .size = 1, .value = 0, .io_delay = true, .after_port = 0x61}};
}

/* A guest that writes no code: its console lines are its stages, without counting as codes. */
static void test_console_only_stages(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;
	uint64_t user;

	observe(&stats, line_at("Firmware", 100));
	observe(&stats, line_at("Firmware", 150)); /* a stage is not restarted by a later line */
	observe(&stats, line_at(NULL, 170));	   /* no rule matched: no stage */
	observe(&stats, line_at("Bootloader", 200));
	observe(&stats, line_at("Kernel", 300));
	observe(&stats, line_at("Userspace", 400));
	observe(&stats, line_at("Ready", 500));
	assert_int_equal(boot_summary(&stats, &rows), 5);
	assert_string_equal(rows[0].label, "Firmware");
	assert_int_equal(rows[0].first_ns, 100);
	assert_int_equal(rows[0].last_ns, 150);
	assert_int_equal(rows[0].duration_ns, 100);
	assert_string_equal(rows[1].label, "Bootloader");
	assert_string_equal(rows[2].label, "Kernel");
	assert_string_equal(rows[3].label, "Userspace");
	assert_int_equal(rows[3].duration_ns, 100);
	assert_string_equal(rows[4].label, "Ready");
	assert_int_equal(rows[4].duration_ns, 0); /* the last stage: to its last line */
	for (int i = 0; i < 5; i++)
		assert_int_equal(rows[i].codes, 0);
	assert_int_equal(stats.events, 0); /* codes only */
	assert_int_equal(stats.lines, 7);
	/* "Run /init as init process" ends the boot as a Userspace code does. */
	assert_true(boot_userspace_ns(&stats, &user));
	assert_int_equal(user, 400);
	free(rows);
	boot_stages_free(&stats);
}

/* A stage marked by both: it starts at its earliest evidence, whichever source that is. */
static void test_console_and_codes_earliest_wins(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;
	uint64_t user;

	/* The console is earlier: "Linux version" before the kernel's own marker. */
	observe(&stats, code_at(0x00, 100));
	observe(&stats, line_at("Kernel", 300));
	observe(&stats, code_at(0x40, 350));
	/* The code is earlier: the marker before "Run /init as init process". */
	observe(&stats, code_at(0x60, 600));
	observe(&stats, line_at("Userspace", 650));
	observe(&stats, line_at("Ready", 900));
	assert_int_equal(boot_summary(&stats, &rows), 4);
	assert_string_equal(rows[0].label, "Firmware");
	assert_int_equal(rows[0].duration_ns, 200); /* to the Kernel's line */
	assert_string_equal(rows[1].label, "Kernel");
	assert_int_equal(rows[1].first_ns, 300);
	assert_int_equal(rows[1].last_ns, 350);
	assert_int_equal(rows[1].codes, 1); /* the line is no code */
	assert_int_equal(rows[1].duration_ns, 300);
	assert_string_equal(rows[2].label, "Userspace");
	assert_int_equal(rows[2].first_ns, 600);
	assert_int_equal(rows[2].last_ns, 650);
	assert_int_equal(rows[2].codes, 1);
	assert_string_equal(rows[3].label, "Ready");
	assert_int_equal(rows[3].codes, 0);
	assert_int_equal(stats.events, 3);
	assert_true(boot_userspace_ns(&stats, &user));
	assert_int_equal(user, 600);
	free(rows);
	/* The same order of sources the other way round gives the same stages. */
	boot_stages_free(&stats);
	observe(&stats, line_at("Userspace", 650));
	observe(&stats, code_at(0x60, 600));
	assert_int_equal(boot_summary(&stats, &rows), 1);
	assert_int_equal(rows[0].first_ns, 600);
	assert_int_equal(rows[0].last_ns, 650);
	assert_int_equal(rows[0].duration_ns, 50);
	free(rows);
	boot_stages_free(&stats);
}

/* Linux's I/O delays write 0x00 to port 0x80 mid-boot: no "Firmware" again, no stage at all. */
static void test_io_delay_makes_no_stage(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;

	observe(&stats, code_at(0x00, 100));
	observe(&stats, code_at(0x40, 300));
	observe(&stats, io_delay_at(50)); /* even before Firmware's first code */
	observe(&stats, io_delay_at(350));
	observe(&stats, code_at(0x41, 400));
	assert_int_equal(boot_summary(&stats, &rows), 2);
	assert_string_equal(rows[0].label, "Firmware");
	assert_int_equal(rows[0].first_ns, 100);
	assert_int_equal(rows[0].last_ns, 100);
	assert_int_equal(rows[0].codes, 1);
	assert_string_equal(rows[1].label, "Kernel");
	assert_int_equal(rows[1].codes, 2);
	assert_int_equal(stats.events, 3);
	assert_int_equal(stats.io_delays, 2);
	free(rows);
	boot_stages_free(&stats);
}

/*
 * VMM set-up from the VMM's start (the earliest of vmm_start and vm_create) to the first
 * entry; the guest's first stage counts from that entry, not from its first line or code.
 */
static void test_vmm_setup_ends_at_first_entry(void **state)
{
	struct boot_stages stats = {};
	struct stage_row *rows;

	observe(&stats, phase_at(PHASE_VM_CREATE, 50));
	observe(&stats, phase_at(PHASE_VMM_START, 10)); /* read later, earlier: it wins */
	observe(&stats, phase_at(PHASE_FIRST_VCPU, 60));
	observe(&stats, phase_at(PHASE_FIRST_ENTRY, 80));
	observe(&stats, line_at("Firmware", 200));
	observe(&stats, code_at(0x40, 300));
	observe(&stats, phase_at(PHASE_VM_END, 900));
	assert_int_equal(boot_summary(&stats, &rows), 3);
	assert_string_equal(rows[0].label, "VMM set-up");
	assert_int_equal(rows[0].first_ns, 10);
	assert_int_equal(rows[0].duration_ns, 70);
	assert_int_equal(rows[0].codes, 0);
	assert_string_equal(rows[1].label, "Firmware");
	assert_int_equal(rows[1].first_ns, 80); /* from the entry */
	assert_int_equal(rows[1].last_ns, 200);
	assert_int_equal(rows[1].duration_ns, 220);
	assert_string_equal(rows[2].label, "Kernel");
	assert_int_equal(rows[2].first_ns, 300);
	assert_int_equal(stats.entry_ns, 80);
	free(rows);
	boot_stages_free(&stats);

	/* No kvm_entry here: the earliest exit seen stands for it, the earlier of two counts. */
	observe(&stats, phase_at(PHASE_VM_CREATE, 50));
	observe(&stats, phase_at(PHASE_FIRST_EXIT, 95));
	observe(&stats, phase_at(PHASE_FIRST_EXIT, 90));
	observe(&stats, code_at(0x00, 120));
	assert_int_equal(boot_summary(&stats, &rows), 2);
	assert_int_equal(rows[0].duration_ns, 40);
	assert_int_equal(rows[1].first_ns, 90);
	free(rows);
	boot_stages_free(&stats);

	/* No guest stage yet: the set-up lasts until the entry. */
	observe(&stats, phase_at(PHASE_VM_CREATE, 50));
	observe(&stats, phase_at(PHASE_FIRST_ENTRY, 90));
	observe(&stats, line_at(NULL, 95)); /* a line no rule matched */
	assert_int_equal(boot_summary(&stats, &rows), 1);
	assert_string_equal(rows[0].label, "VMM set-up");
	assert_int_equal(rows[0].last_ns, 90);
	assert_int_equal(rows[0].duration_ns, 40);
	free(rows);
	boot_stages_free(&stats);
}

/* Without an entry phase (e.g. its record lost) the set-up ends at the guest's first stage. */
static void test_vmm_setup_without_entry(void **state)
{
	struct boot_stages stats = {}, merged = {};
	struct stage_row *rows;

	observe(&stats, phase_at(PHASE_VM_CREATE, 50));
	observe(&stats, line_at("Firmware", 200));
	observe(&stats, line_at("Kernel", 260));
	assert_int_equal(boot_summary(&stats, &rows), 3);
	assert_string_equal(rows[0].label, "VMM set-up");
	assert_int_equal(rows[0].duration_ns, 150);
	assert_int_equal(rows[1].first_ns, 200);
	free(rows);
	/* Merged statistics keep the lines, the marks and the entry. */
	observe(&merged, phase_at(PHASE_FIRST_ENTRY, 70));
	assert_int_equal(boot_stages_merge(&merged, &stats), 0);
	assert_int_equal(merged.lines, 2);
	assert_int_equal(merged.entry_ns, 70);
	assert_int_equal(boot_summary(&merged, &rows), 3);
	assert_int_equal(rows[0].duration_ns, 20);
	assert_int_equal(rows[1].first_ns, 70);
	assert_int_equal(rows[1].duration_ns, 190);
	free(rows);
	/* An entry before the set-up began contradicts the stamps: nothing moves. */
	boot_stages_free(&merged);
	observe(&merged, phase_at(PHASE_FIRST_ENTRY, 20));
	assert_int_equal(boot_stages_merge(&merged, &stats), 0);
	assert_int_equal(boot_summary(&merged, &rows), 3);
	assert_int_equal(rows[0].duration_ns, 150);
	free(rows);
	boot_stages_free(&merged);
	boot_stages_free(&stats);
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
	    cmocka_unit_test(test_console_only_stages),
	    cmocka_unit_test(test_console_and_codes_earliest_wins),
	    cmocka_unit_test(test_io_delay_makes_no_stage),
	    cmocka_unit_test(test_vmm_setup_ends_at_first_entry),
	    cmocka_unit_test(test_vmm_setup_without_entry),
	    cmocka_unit_test(test_format_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
