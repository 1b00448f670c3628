// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests: the statistics diff decides with. The p-values are scipy 1.10's
 * (scipy.stats.mannwhitneyu(new, base, alternative='greater', use_continuity=True), with
 * method='exact' where there are no ties and 'asymptotic' where there are).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>
#include "compare.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_p(const double *base, size_t nb, const double *new, size_t nn, double want,
		    bool want_exact)
{
	bool exact;
	double p = mann_whitney_p(base, nb, new, nn, &exact);

	if (!(fabs(p - want) <= 1e-9)) /* so that a NaN fails too */
		fail_msg("p = %.17g, scipy says %.17g", p, want);
	assert_int_equal(exact, want_exact);
}

static void test_exact_distribution(void **state)
{
	const double base5[] = {10, 11, 12, 13, 14}, interleaved[] = {10.5, 11.5, 12.5, 13.5, 14.5};
	const double later[] = {20, 21, 22, 23, 24}, small_a[] = {1, 2, 3}, small_b[] = {4, 5, 6};
	const double uneq_base[] = {5, 9, 13, 2, 7, 11}, uneq_new[] = {8, 15, 12, 20};
	const double one_a[] = {5}, one_b[] = {6};

	check_p(base5, 5, interleaved, 5, 0.34523809523809523, true);
	/* Every NEW above every BASE: 1 / C(10, 5). */
	check_p(base5, 5, later, 5, 0.003968253968253968, true);
	/* ...and the other way round: nothing is slower. */
	check_p(later, 5, base5, 5, 1.0, true);
	/* Three boots a side cannot go below 1 / C(6, 3) = 0.05. */
	check_p(small_a, 3, small_b, 3, 0.05, true);
	check_p(uneq_base, 6, uneq_new, 4, 0.05714285714285714, true);
	check_p(one_a, 1, one_b, 1, 0.5, true);
}

static void test_normal_approximation_with_ties(void **state)
{
	const double base[] = {1, 2, 2, 3, 3, 3, 4}, new[] = {2, 3, 3, 4, 4, 5, 5};
	const double same[] = {7, 7, 7, 7};
	double big_base[60], big_new[55];

	check_p(base, N(base), new, N(new), 0.04301815719753675, false);
	/* All equal: no variance, nothing shown slower (scipy says 1 too). */
	check_p(same, 4, same, 4, 1.0, false);
	for (int i = 0; i < 60; i++)
		big_base[i] = (i * 37) % 101;
	for (int i = 0; i < 55; i++)
		big_new[i] = (i * 53) % 103 + 9;
	check_p(big_base, 60, big_new, 55, 0.13079288884144502, false);
}

static struct samples sample_of(const uint64_t *v, size_t n)
{
	struct samples s = {};

	for (size_t i = 0; i < n; i++)
		assert_int_equal(samples_add(&s, v[i]), 0);
	return s;
}

static void test_compare_medians_interval_and_verdict(void **state)
{
	const uint64_t base_v[] = {100, 104, 98, 101, 99, 103, 97, 102};
	const uint64_t slow_v[] = {150, 149, 155, 151, 148, 152, 153, 147};
	struct samples base = sample_of(base_v, N(base_v)), slow = sample_of(slow_v, N(slow_v));
	struct comparison c, again;

	assert_int_equal(samples_compare(&base, &slow, DEFAULT_ALPHA, &c), 0);
	assert_int_equal(c.n_base, 8);
	assert_true(c.decidable);
	assert_true(c.exact);
	/* Medians 100.5 and 150.5: the difference 50, inside its interval. */
	assert_true(fabs(c.median_base - 100.5) < 1e-9 && fabs(c.median_new - 150.5) < 1e-9);
	assert_true(fabs(c.diff_ns - 50) < 1e-9);
	assert_true(c.ci_low_ns <= 50 && 50 <= c.ci_high_ns);
	assert_true(c.ci_low_ns > 40 && c.ci_high_ns < 60);
	/* Every slow boot above every base one: 1 / C(16, 8). */
	assert_true(fabs(c.p_value - 1.0 / 12870) < 1e-12);
	/* The bootstrap has a fixed seed: the same interval every time. */
	assert_int_equal(samples_compare(&base, &slow, DEFAULT_ALPHA, &again), 0);
	assert_true(again.ci_low_ns == c.ci_low_ns && again.ci_high_ns == c.ci_high_ns);
	/* The same boots: no change, no evidence. */
	assert_int_equal(samples_compare(&base, &base, DEFAULT_ALPHA, &c), 0);
	assert_true(c.diff_ns == 0 && c.p_value > 0.4);
	samples_free(&base);
	samples_free(&slow);
}

static void test_degenerate_samples(void **state)
{
	const uint64_t one[] = {42}, three[] = {1, 2, 3}, equal[] = {5, 5, 5, 5, 5, 5};
	struct samples a = sample_of(one, 1), b = sample_of(three, 3), e = sample_of(equal, 6);
	struct samples none = {};
	struct comparison c;

	/* One sample each: an answer, but never a verdict. */
	assert_int_equal(samples_compare(&a, &a, DEFAULT_ALPHA, &c), 0);
	assert_false(c.decidable);
	assert_true(c.ci_low_ns == 0 && c.ci_high_ns == 0);
	assert_int_equal(samples_compare(&b, &b, DEFAULT_ALPHA, &c), 0);
	assert_false(c.decidable);
	assert_int_equal(samples_compare(&e, &e, DEFAULT_ALPHA, &c), 0);
	assert_true(c.decidable && c.p_value == 1.0 && c.diff_ns == 0);
	/* A stage missing on one side is not a comparison. */
	assert_int_equal(samples_compare(&none, &a, DEFAULT_ALPHA, &c), -EINVAL);
	/* 5 boots a side is the least that can reach p < 0.01 (1 / 252); 4 cannot (1 / 70). */
	assert_int_equal(compare_min_boots(0.01), 5);
	assert_int_equal(compare_min_boots(0.05), 4);
	samples_free(&a);
	samples_free(&b);
	samples_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_distribution),
	    cmocka_unit_test(test_normal_approximation_with_ties),
	    cmocka_unit_test(test_compare_medians_interval_and_verdict),
	    cmocka_unit_test(test_degenerate_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
