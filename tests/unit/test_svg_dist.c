// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests: the boot chart's distributions panel. Which boot each sample is of
 * (boot_dists_build()), the dots' fixed jitter, and that two modes samples_modes() finds are
 * two groups of dots far apart on the chart, even at the smallest gap it calls two modes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "output.h"
#include "samples.h"
#include "svg_chart.h"

static const struct label *debug_port(uint32_t code)
{
	return label_of_code(&label_map_debug_port, code);
}

/* Boots without a stage or without a time to Userspace: each sample still names its boot. */
static void test_whose_samples(void **state)
{
	struct boot_stages b[4] = {};
	const struct boot_stages *stats[4] = {&b[0], &b[1], &b[2], &b[3]};
	const uint64_t start[4] = {500, 0, 0, 90};
	struct boot_dists d;

	boot_stages_add(&b[0], debug_port(0x00), 1000);
	boot_stages_add(&b[0], debug_port(0x40), 3000);
	boot_stages_add(&b[0], debug_port(0x60), 7000);
	boot_stages_add(&b[0], debug_port(0x61), 9000);
	/* b[1]: no stage; b[2]: the kernel alone, start not seen (no time to Userspace) */
	boot_stages_add(&b[2], debug_port(0x40), 100);
	boot_stages_add(&b[2], debug_port(0x41), 600);
	boot_stages_add(&b[3], debug_port(0x00), 100);
	boot_stages_add(&b[3], debug_port(0x40), 110);
	boot_stages_add(&b[3], debug_port(0x60), 150);
	assert_int_equal(boot_dists_build(&d, stats, start, 4), 0);
	assert_int_equal(d.boots, 3);
	assert_int_equal(d.nr, 4);
	assert_string_equal(d.row[0].label, "Firmware");
	assert_string_equal(d.row[1].label, "Kernel");
	assert_string_equal(d.row[2].label, "Userspace");
	assert_null(d.row[3].label); /* the time to Userspace, last */
	/* Firmware: 1000 to 3000 in boot 0, 100 to 110 in boot 3. */
	assert_int_equal(d.row[0].n, 2);
	assert_int_equal(d.row[0].v[0], 2000);
	assert_int_equal(d.row[0].boot[0], 0);
	assert_int_equal(d.row[0].v[1], 10);
	assert_int_equal(d.row[0].boot[1], 3);
	/* Kernel: in boots 0, 2 and 3, in their order; its figures from samples_stats(). */
	assert_int_equal(d.row[1].n, 3);
	assert_int_equal(d.row[1].v[0], 4000);
	assert_int_equal(d.row[1].v[1], 500);
	assert_int_equal(d.row[1].v[2], 40);
	assert_int_equal(d.row[1].boot[0], 0);
	assert_int_equal(d.row[1].boot[1], 2);
	assert_int_equal(d.row[1].boot[2], 3);
	assert_int_equal(d.row[1].st.n, 3);
	assert_true(d.row[1].st.median == 500);
	assert_int_equal(d.row[1].st.min, 40);
	assert_int_equal(d.row[1].st.max, 4000);
	assert_null(d.row[1].high); /* three boots: no modes */
	/* Userspace: its last code in boot 0, one code (0 ns) in boot 3. */
	assert_int_equal(d.row[2].v[0], 2000);
	assert_int_equal(d.row[2].v[1], 0);
	assert_int_equal(d.row[2].boot[1], 3);
	/* The time to Userspace: from each start seen (7000 - 500, 150 - 90). */
	assert_int_equal(d.row[3].n, 2);
	assert_int_equal(d.row[3].v[0], 6500);
	assert_int_equal(d.row[3].boot[0], 0);
	assert_int_equal(d.row[3].v[1], 60);
	assert_int_equal(d.row[3].boot[1], 3);
	assert_true(svg_dist_shown(&d));
	assert_int_equal(svg_dist_height(&d), HEADER_H + 20 + 4 * 68 + VM_GAP);
	boot_dists_free(&d);
	for (int i = 0; i < 4; i++)
		boot_stages_free(&b[i]);
}

/* One boot: no panel, the chart as it was. None: nothing at all. */
static void test_one_boot_no_panel(void **state)
{
	struct boot_stages b = {};
	const struct boot_stages *stats[1] = {&b};
	const uint64_t start[1] = {1};
	struct boot_dists d;

	assert_int_equal(boot_dists_build(&d, stats, start, 0), 0);
	assert_int_equal(d.nr, 0);
	assert_false(svg_dist_shown(&d));
	boot_dists_free(&d);
	boot_stages_add(&b, debug_port(0x40), 100);
	boot_stages_add(&b, debug_port(0x41), 600);
	assert_int_equal(boot_dists_build(&d, stats, start, 1), 0);
	assert_int_equal(d.boots, 1);
	assert_false(svg_dist_shown(&d));
	assert_int_equal(svg_dist_height(&d), 0);
	boot_dists_free(&d);
	boot_stages_free(&b);
}

/* The jitter: fixed, in [0, 1), and any first N dots of a row spread over the band. */
static void test_jitter(void **state)
{
	double v[200];

	assert_true(svg_dist_jitter(0) == 0.5);
	for (size_t n = 1; n <= 200; n++) {
		double gap = 1;

		v[n - 1] = svg_dist_jitter(n - 1);
		assert_true(v[n - 1] >= 0 && v[n - 1] < 1);
		assert_true(svg_dist_jitter(n - 1) == v[n - 1]);
		/* The closest two of the first n: at least 0.39 / n apart (golden ratio). */
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				gap = fmin(gap, fabs(v[i] - v[j]));
		assert_true(n == 1 || gap >= 0.39 / n);
	}
}

/*
 * Boots whose kernel takes low or high (of 20: the 8 in slow[] high), and a Firmware stage of
 * one mode. Returns the panel drawn.
 */
static char *draw_two_modes(uint64_t low, uint64_t high, struct boot_dists *d)
{
	static const int slow[20] = {0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1};
	struct boot_stages b[20] = {};
	const struct boot_stages *stats[20];
	const char *names[20], *color[4] = {"#4e79a7", "#e15759", "#59a14f", NULL};
	uint64_t start[20];
	char *buf = NULL;
	size_t len;
	FILE *fp;

	for (int i = 0; i < 20; i++) {
		uint64_t s = 1000000000ull * (i + 1), k = slow[i] ? high : low;

		/* A little noise, within each mode: +- 0.4 %. */
		k += k / 250 * (i % 3) - k / 250;
		start[i] = s;
		stats[i] = &b[i];
		names[i] = "vmm-min[7] vm1";
		boot_stages_add(&b[i], debug_port(0x00), s + 1000);
		boot_stages_add(&b[i], debug_port(0x40), s + 5000000 + 1000 * i);
		boot_stages_add(&b[i], debug_port(0x41), s + 5000000 + 1000 * i + k / 2);
		boot_stages_add(&b[i], debug_port(0x60), s + 5000000 + 1000 * i + k);
	}
	assert_int_equal(boot_dists_build(d, stats, start, 20), 0);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	svg_dist_draw(fp, d, color, names, 100);
	fclose(fp);
	for (int i = 0; i < 20; i++)
		boot_stages_free(&b[i]);
	return buf;
}

/* The x of each dot of the stage's row, in the order drawn; how many. */
static int dots_of(const char *svg, const char *stage, double *x, int max)
{
	char key[64];
	const char *row, *end, *at;
	int n = 0;

	snprintf(key, sizeof(key), "<g class=\"dist\" data-stage=\"%s\"", stage);
	row = strstr(svg, key);
	assert_non_null(row);
	end = strstr(row, "</g>");
	for (at = strstr(row, "<circle class=\"dot\" cx=\""); at && at < end && n < max;
	     at = strstr(at + 1, "<circle class=\"dot\" cx=\""))
		x[n++] = strtod(at + strlen("<circle class=\"dot\" cx=\""), NULL);
	return n;
}

/*
 * Two modes are two groups of dots, far apart: 100 and 300 ms, and the smallest gap
 * samples_modes() calls two modes (a tenth of the low mode's median) still leaves some 80 pixels
 * between them, as svg_dist.c says of its linear axis from 0.
 */
static void test_two_modes_two_groups(void **state)
{
	static const struct {
		uint64_t low, high;
		double min_px;
	} cases[] = {{100000000, 300000000, 500}, {100000000, 111500000, 80}};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct boot_dists d;
		char *svg = draw_two_modes(cases[c].low, cases[c].high, &d);
		double x[20], low_max = 0, high_min = 1e9;
		const struct sample_dist *k = &d.row[1];

		assert_string_equal(k->label, "Kernel");
		assert_non_null(k->high);
		assert_int_equal(k->n_high, 8);
		assert_null(d.row[0].high); /* Firmware: one mode */
		assert_int_equal(dots_of(svg, "Kernel", x, 20), 20);
		for (int i = 0; i < 20; i++) {
			/* The dots are drawn in the order of the boots: dot i is boot i. */
			assert_int_equal(k->boot[i], i);
			if (k->high[i])
				high_min = fmin(high_min, x[i]);
			else
				low_max = fmax(low_max, x[i]);
		}
		assert_true(high_min - low_max >= cases[c].min_px);
		assert_true(low_max >= LABEL_WIDTH && high_min <= LABEL_WIDTH + PLOT_WIDTH);
		assert_non_null(strstr(svg, "2 modes: 12 boots near "));
		assert_non_null(
		    strstr(svg, "data-stage=\"Kernel\" data-n=\"20\" data-modes=\"2\""));
		assert_non_null(
		    strstr(svg, "data-stage=\"Firmware\" data-n=\"20\" data-modes=\"1\""));
		assert_non_null(strstr(svg, "<title>Kernel "));
		assert_non_null(strstr(svg, ": boot 20 of 20, vmm-min[7] vm1 (high mode)</title>"));
		free(svg);
		boot_dists_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whose_samples),
	    cmocka_unit_test(test_one_boot_no_panel),
	    cmocka_unit_test(test_jitter),
	    cmocka_unit_test(test_two_modes_two_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
