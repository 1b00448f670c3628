// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: statistics over repeated boots, and the file names of repeated runs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "commands.h"
#include "samples.h"

static void fill(struct samples *s, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(samples_add(s, v[i]), 0);
}

static void test_odd_count(void **state)
{
	static const uint64_t v[] = {50, 10, 40, 20, 30};
	struct samples s = {};
	struct sample_stats st;

	fill(&s, v, 5);
	assert_true(samples_stats(&s, &st));
	assert_int_equal(st.n, 5);
	assert_int_equal(st.min, 10);
	assert_int_equal(st.max, 50);
	assert_true(st.median == 30);
	/* numpy.percentile: rank 0.9 * 4 = 3.6: 40 + 0.6 * 10; rank 3.96 */
	assert_true(fabs(st.p90 - 46) < 1e-9);
	assert_true(fabs(st.p99 - 49.6) < 1e-9);
	assert_true(fabs(samples_percentile(&s, 95) - 48) < 1e-9);
	assert_true(st.mean == 30);
	/* sample standard deviation: sqrt(1000 / 4); cv = stddev / mean */
	assert_true(fabs(st.stddev - sqrt(250.0)) < 1e-9);
	assert_true(fabs(st.cv - sqrt(250.0) / 30) < 1e-12);
	samples_free(&s);
}

static void test_even_count_median_between(void **state)
{
	static const uint64_t v[] = {4, 1, 3, 2};
	struct samples s = {};
	struct sample_stats st;

	fill(&s, v, 4);
	assert_true(samples_stats(&s, &st));
	assert_true(st.median == 2.5);
	assert_true(fabs(st.p90 - 3.7) < 1e-9);	 /* rank 2.7 (numpy: 3.7) */
	assert_true(fabs(st.p99 - 3.97) < 1e-9); /* rank 2.97 (numpy: 3.97) */
	assert_true(samples_percentile(&s, 0) == 1);
	assert_true(samples_percentile(&s, 100) == 4);
	samples_free(&s);
}

/* Two modes: which boots fall in which, in the order they were added. */
static void test_modes(void **state)
{
	static const uint64_t two[] = {10, 12, 11, 50, 13, 52, 51, 49};
	static const uint64_t one[] = {10, 12, 11, 14, 13, 15, 12, 11};
	static const uint64_t lone_outlier[] = {10, 12, 11, 14, 13, 15, 12, 90};
	static const uint64_t equal[] = {7, 7, 7, 7, 7, 7};
	struct samples s = {};
	struct sample_stats st;
	bool high[8] = {};
	double lo, hi;

	fill(&s, two, 8);
	assert_true(samples_modes(&s, high, &lo, &hi));
	for (int i = 0; i < 8; i++)
		assert_int_equal(high[i], two[i] > 40);
	assert_true(lo == 11.5 && hi == 50.5);
	/* numpy: percentile 90 = 51.3, 99 = 51.93; statistics.stdev = 20.8806130178211 */
	assert_true(samples_stats(&s, &st));
	assert_true(fabs(st.p90 - 51.3) < 1e-9 && fabs(st.p99 - 51.93) < 1e-9);
	assert_true(fabs(st.stddev - 20.8806130178211) < 1e-9);
	assert_true(fabs(st.cv - 0.6735681618651969) < 1e-9);
	samples_free(&s);
	/* One mode; one outlier is not a mode (a group needs 2 boots); all equal; too few. */
	fill(&s, one, 8);
	assert_false(samples_modes(&s, high, &lo, &hi));
	samples_free(&s);
	fill(&s, lone_outlier, 8);
	assert_false(samples_modes(&s, high, &lo, &hi));
	samples_free(&s);
	fill(&s, equal, 6);
	assert_false(samples_modes(&s, high, &lo, &hi));
	samples_free(&s);
	fill(&s, two, 5);
	assert_false(samples_modes(&s, high, &lo, &hi));
	samples_free(&s);
}

static void test_one_and_none(void **state)
{
	struct samples s = {};
	struct sample_stats st;

	assert_false(samples_stats(&s, &st));
	assert_int_equal(st.n, 0);
	assert_int_equal(samples_add(&s, 7), 0);
	assert_true(samples_stats(&s, &st));
	assert_true(st.median == 7 && st.p90 == 7 && st.p99 == 7 && st.min == 7 && st.max == 7);
	assert_true(st.stddev == 0 && st.cv == 0);
	samples_free(&s);
}

static void test_large_values_keep_precision(void **state)
{
	/* Nanosecond durations of minutes: no overflow, no loss in the median. */
	static const uint64_t v[] = {300000000001ull, 300000000003ull, 300000000002ull};
	struct samples s = {};
	struct sample_stats st;

	fill(&s, v, 3);
	assert_true(samples_stats(&s, &st));
	assert_true(st.median == 300000000002.0);
	assert_true(fabs(st.stddev - 1) < 1e-3);
	samples_free(&s);
}

static const struct label *debug_port(uint32_t code)
{
	return label_of_code(&label_map_debug_port, code);
}

static void test_boot_samples(void **state)
{
	struct boot_stages stats = {};
	struct boot_samples bs = {};

	boot_stages_add(&stats, debug_port(0x00), 1000);
	boot_stages_add(&stats, debug_port(0x40), 3000);
	boot_stages_add(&stats, debug_port(0x60), 7000);
	boot_stages_add(&stats, debug_port(0x61), 9000);
	assert_int_equal(boot_samples_add(&bs, &stats, 500), 0);
	assert_int_equal(bs.boots, 1);
	assert_int_equal(boot_samples_stage(&bs, "Firmware")->n, 1);
	assert_int_equal(boot_samples_stage(&bs, "Firmware")->v[0], 2000);
	assert_int_equal(boot_samples_stage(&bs, "Kernel")->v[0], 4000);
	assert_int_equal(boot_samples_stage(&bs, "Userspace")->v[0], 2000);
	assert_null(boot_samples_stage(&bs, "Bootloader"));
	assert_int_equal(bs.userspace.n, 1);
	assert_int_equal(bs.userspace.v[0], 6500);
	/* Start not seen: stages count, time to Userspace does not. */
	assert_int_equal(boot_samples_add(&bs, &stats, 0), 0);
	assert_int_equal(bs.boots, 2);
	assert_int_equal(boot_samples_stage(&bs, "Kernel")->n, 2);
	assert_int_equal(bs.userspace.n, 1);
	boot_samples_free(&bs);
	boot_stages_free(&stats);
}

/* Stages are labels: the debug port's five in their order, then others as first seen. */
static void test_boot_samples_labels(void **state)
{
	struct boot_stages a = {}, b = {};
	struct boot_samples bs = {};

	/* qboot's steps and a debug-port code that comes late; the boot timer ends the boot. */
	boot_stages_add(&a, label_of_code(&label_map_qboot, 1), 1000);
	boot_stages_add(&a, label_of_code(&label_map_qboot, 6), 2000);
	boot_stages_add(&a, debug_port(0x60), 4000);
	boot_stages_add(&a, &label_guest_boot_time, 5000);
	boot_stages_add(&b, debug_port(0x00), 1500);
	boot_stages_add(&b, label_of_code(&label_map_qboot, 1), 1600);
	assert_int_equal(boot_samples_add(&bs, &a, 0), 0);
	assert_int_equal(boot_samples_add(&bs, &b, 100), 0);
	assert_int_equal(bs.nr, 5);
	assert_string_equal(bs.stage[0].label, "Firmware");
	assert_string_equal(bs.stage[1].label, "Userspace");
	assert_string_equal(bs.stage[2].label, "fw_start");
	assert_string_equal(bs.stage[3].label, "linux_start_kernel");
	assert_string_equal(bs.stage[4].label, "Guest-boot-time");
	assert_int_equal(boot_samples_stage(&bs, "fw_start")->n, 2);
	assert_int_equal(boot_samples_stage(&bs, "fw_start")->v[0], 1000);
	assert_int_equal(boot_samples_stage(&bs, "Firmware")->v[0], 100);
	/* The start of b was seen, but it has no code that ends the boot. */
	assert_int_equal(bs.userspace.n, 0);
	boot_samples_free(&bs);
	boot_stages_free(&a);
	boot_stages_free(&b);
}

/*
 * Boots of an unmodified guest: stages from console lines and the host's set-up, in boot
 * order (VMM set-up first, Ready after Userspace), each boot's durations from the entry rule.
 */
static void test_boot_samples_console_stages(void **state)
{
	struct boot_event setup = {
	    .kind = EVENT_PHASE, .label = &label_vmm_setup, .phase = PHASE_VM_CREATE};
	struct boot_event entry = {.kind = EVENT_PHASE, .phase = PHASE_FIRST_ENTRY};
	struct boot_event line = {.kind = EVENT_CONSOLE, .vcpu = EVENT_VCPU_UNKNOWN};
	struct boot_samples bs = {};

	for (uint64_t boot = 0; boot < 2; boot++) {
		struct boot_stages stats = {};
		uint64_t t = 1000000 * (boot + 1), slow = 100 * boot;

		/* Read in an order that is not the boot's: ranks, not arrival, order the rows. */
		line.label = label_intern("Ready");
		line.ts_ns = t + 900 + slow;
		assert_int_equal(boot_stages_observe(&stats, &line), 0);
		setup.ts_ns = t;
		assert_int_equal(boot_stages_observe(&stats, &setup), 0);
		entry.ts_ns = t + 30;
		assert_int_equal(boot_stages_observe(&stats, &entry), 0);
		line.label = label_intern("Firmware");
		line.ts_ns = t + 100;
		assert_int_equal(boot_stages_observe(&stats, &line), 0);
		line.label = label_intern("Userspace");
		line.ts_ns = t + 500;
		assert_int_equal(boot_stages_observe(&stats, &line), 0);
		assert_int_equal(boot_samples_add(&bs, &stats, t), 0);
		boot_stages_free(&stats);
	}
	assert_int_equal(bs.boots, 2);
	assert_int_equal(bs.nr, 4);
	assert_string_equal(bs.stage[0].label, "VMM set-up");
	assert_string_equal(bs.stage[1].label, "Firmware");
	assert_string_equal(bs.stage[2].label, "Userspace");
	assert_string_equal(bs.stage[3].label, "Ready");
	assert_int_equal(boot_samples_stage(&bs, "VMM set-up")->v[0], 30);
	assert_int_equal(boot_samples_stage(&bs, "Firmware")->v[0], 470); /* from the entry */
	assert_int_equal(boot_samples_stage(&bs, "Userspace")->v[1], 500);
	assert_int_equal(bs.userspace.n, 2);
	assert_int_equal(bs.userspace.v[0], 500);
	boot_samples_free(&bs);
}

static void test_label_rank(void **state)
{
	static const char *const order[] = {"VMM set-up", "Firmware", "Bootloader", "Kernel",
					    "Userspace",  "Ready",    "Custom"};

	for (int i = 0; i < LABEL_RANK_OTHER; i++) {
		assert_int_equal(label_rank(order[i]), i);
		assert_string_equal(label_rank_name(i), order[i]);
	}
	assert_int_equal(label_rank("fw_start"), LABEL_RANK_OTHER);
	assert_int_equal(label_rank("I/O delay"), LABEL_RANK_OTHER);
	assert_null(label_rank_name(LABEL_RANK_OTHER));
	assert_null(label_rank_name(-1));
}

static void test_repeat_path(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"boot.jsonl", "boot.3.jsonl"}, {"boot", "boot.3"},
	    {"dir.d/boot", "dir.d/boot.3"}, {"dir/boot.v2.json", "dir/boot.v2.3.json"},
	    {".hidden", ".hidden.3"},	    {"/tmp/x/.hidden", "/tmp/x/.hidden.3"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = repeat_path(cases[i].in, 3);

		assert_string_equal(p, cases[i].out);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_odd_count),
	    cmocka_unit_test(test_even_count_median_between),
	    cmocka_unit_test(test_one_and_none),
	    cmocka_unit_test(test_large_values_keep_precision),
	    cmocka_unit_test(test_boot_samples),
	    cmocka_unit_test(test_boot_samples_labels),
	    cmocka_unit_test(test_repeat_path),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_boot_samples_console_stages),
	    cmocka_unit_test(test_label_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
