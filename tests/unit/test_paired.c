// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests: the paired statistics run --ab decides with (stats/paired.h). The reference
 * values were computed independently, with scipy 1.10 (Debian's python3-scipy) and by brute
 * force, by this script:
 *
 *   import itertools, numpy as np; from scipy import stats
 *   def brute(d):  # every sign flip of Pratt's ranks, counted
 *       d = np.asarray(d, float); r = stats.rankdata(np.abs(d)); nz = d != 0
 *       r, s = r[nz], d[nz] > 0; w = r[s].sum()
 *       return w, sum((r * np.array(f)).sum() >= w - 1e-9
 *                     for f in itertools.product((0, 1), repeat=len(r))) / 2 ** len(r)
 *   stats.wilcoxon(d, alternative='greater', method='exact')        # no ties, no zeros
 *   stats.wilcoxon(d, alternative='greater', method='approx', zero_method='pratt',
 *                  correction=True)                                 # more than 50 pairs
 *   np.median(d); k = max k with stats.binom.cdf(k - 1, n, 0.5) <= 0.025:
 *   interval [d(k), d(n+1-k)], coverage 1 - 2 * stats.binom.cdf(k - 1, n, 0.5)
 *
 * scipy's exact distribution assumes no ties and no zeros (it switches to the normal
 * approximation when there are zeros): where there are, the reference is the brute force.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>
#include "paired.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct p_case {
	const char *name;
	const double *d;
	size_t n;
	double w_plus, p;
	bool exact;
	const char *source;
};

#define CASE(name, w, p, exact, src, ...)                                                          \
	{                                                                                          \
		name, (const double[]){__VA_ARGS__}, N(((const double[]){__VA_ARGS__})), w, p,     \
		    exact, src                                                                     \
	}

static const struct p_case exact_cases[] = {
    CASE("all 10 positive: 1/2^10", 55, 0.0009765625, true, "scipy exact, brute force", 1, 2, 3, 4,
	 5, 6, 7, 8, 9, 10),
    CASE("mixed signs", 33, 0.01953125, true, "scipy exact, brute force", 3.1, -1.2, 4.5, 2.2, -0.7,
	 5.3, 6.1, 1.9),
    CASE("scipy's documented example", 96, 0.0206298828125, true, "scipy exact, brute force", 6, 8,
	 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75),
    CASE("one pair, B slower", 1, 0.5, true, "scipy exact, brute force", 5),
    CASE("one pair, B faster", 0, 1.0, true, "scipy exact, brute force", -5),
    CASE("7 pairs all slower: the fewest below 0.01", 28, 0.0078125, true,
	 "scipy exact, brute force", 1, 2, 3, 4, 5, 6, 7),
    CASE("zeros and ties", 29.5, 0.046875, true, "brute force", 0, 0, 1, 2, 2, 3, -1, 4),
    CASE("every magnitude tied", 12, 0.1875, true, "brute force", 2, 2, 2, -2, 2),
    CASE("all differences zero", 0, 1.0, true, "brute force", 0, 0, 0, 0, 0, 0, 0),
    CASE("nanoseconds, ties and a zero", 45.5, 0.033203125, true, "brute force", 120000, -35000,
	 120000, 80000, 0, 15000, -15000, 250000, 80000, 5000),
};

static void check_case(const char *name, const double *d, size_t n, double want_w, double want_p,
		       bool want_exact)
{
	bool exact;
	double w, p = wilcoxon_p(d, n, &exact, &w);

	/* To 1e-12 of the value: the tail of the approximation is tiny, yet agrees. */
	if (!(fabs(p - want_p) <= 1e-12 * want_p) || w != want_w || exact != want_exact)
		fail_msg("%s: p = %.17g, W+ = %g, exact %d; want %.17g, %g, %d", name, p, w, exact,
			 want_p, want_w, want_exact);
}

static void test_exact_sign_flip_distribution(void **state)
{
	for (size_t i = 0; i < N(exact_cases); i++)
		check_case(exact_cases[i].name, exact_cases[i].d, exact_cases[i].n,
			   exact_cases[i].w_plus, exact_cases[i].p, exact_cases[i].exact);
}

/* More than PAIRED_EXACT_MAX pairs: scipy's approx, zero_method='pratt', correction=True. */
static void test_normal_approximation(void **state)
{
	double sixty[60], zeros[80], up[80];

	for (int i = 0; i < 60; i++)
		sixty[i] = (i * 37) % 101 - 40; /* one zero, ties */
	for (int i = 0; i < 80; i++) {
		zeros[i] = i % 9 ? (i * 53) % 103 - 30 : 0; /* ten zeros, ties */
		up[i] = i + 1;
	}
	check_case("60 pairs", sixty, 60, 1222, 0.011907398940212383, false);
	check_case("80 pairs, 10 zeros", zeros, 80, 2522, 4.083058292417879e-06, false);
	check_case("80 pairs all slower", up, 80, 3240, 3.999766240704662e-15, false);
}

static void test_median_interval(void **state)
{
	const double n10[] = {-1.2, -0.7, 0.4, 1.9, 2.2, 3.1, 4.5, 5.3, 6.1, 7.7};
	const double n6[] = {1, 2, 3, 4, 5, 6}, n5[] = {1, 2, 3, 4, 5};
	double n100[100], lo, hi, cov;

	/* n = 10: k = 2, [d(2), d(9)], coverage 1 - 2 * 11/1024. */
	assert_int_equal(median_ci(n10, 10, 0.95, &lo, &hi, &cov), 0);
	assert_true(lo == -0.7 && hi == 6.1);
	assert_true(fabs(cov - 0.978515625) < 1e-12);
	/* n = 6: [min, max] covers 1 - 2/64; n = 5: 1 - 2/32 < 95 %, no interval. */
	assert_int_equal(median_ci(n6, 6, 0.95, &lo, &hi, &cov), 0);
	assert_true(lo == 1 && hi == 6 && fabs(cov - 0.96875) < 1e-12);
	assert_int_equal(median_ci(n5, 5, 0.95, &lo, &hi, &cov), -1);
	assert_true(isnan(lo) && isnan(hi) && isnan(cov));
	/* n = 100 (sorted (37 i mod 101) - 40): k = 40, [-1, 20]. */
	for (int i = 0; i < 100; i++)
		n100[i] = (i * 37) % 101 - 40;
	for (int i = 1; i < 100; i++) /* insertion sort: the order statistics */
		for (int j = i; j > 0 && n100[j - 1] > n100[j]; j--) {
			double t = n100[j];

			n100[j] = n100[j - 1];
			n100[j - 1] = t;
		}
	assert_int_equal(median_ci(n100, 100, 0.95, &lo, &hi, &cov), 0);
	assert_true(lo == -1 && hi == 20);
	assert_true(fabs(cov - 0.9647997997822951) < 1e-12);
}

static void test_paired_compare(void **state)
{
	/* B - A: 3.1, -1.2, 4.5, 2.2, -0.7, 5.3, 6.1, 1.9, -0.4, 7.7 (to rounding). */
	const double a[] = {100, 101, 99, 100, 102, 98, 100, 101, 99, 100};
	const double b[] = {103.1, 99.8, 103.5, 102.2, 101.3, 103.3, 106.1, 102.9, 98.6, 107.7};
	struct paired_comparison c;

	assert_int_equal(paired_compare(a, b, 10, 0.01, &c), 0);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.n_missing, 0);
	assert_true(c.decidable);
	assert_true(c.exact);
	assert_true(fabs(c.median_a - 100) < 1e-9);
	assert_true(fabs(c.median_b - 103) < 1e-9);
	/* numpy: median(b - a) 2.65, interval [d(2), d(9)] = [-0.7, 6.1] (to rounding). */
	assert_true(fabs(c.median_diff - 2.65) < 1e-9);
	assert_true(fabs(c.ci_low + 0.7) < 1e-9 && fabs(c.ci_high - 6.1) < 1e-9);
	/* scipy: wilcoxon(b - a, alternative='greater', method='exact'): W+ = 49, p = 0.013671875,
	 * not below 0.01. */
	assert_true(fabs(c.p_value - 0.013671875) < 1e-12);
	assert_true(c.w_plus == 49);
}

static void test_degenerate_pairs(void **state)
{
	const double one_a[] = {10}, one_b[] = {12};
	const double eq[] = {5, 5, 5, 5, 5, 5, 5, 5};
	/* The stage missing in some boots: A's 3rd, B's 5th, both in the 7th. */
	const double a[] = {10, 11, NAN, 10, 12, 11, NAN, 10, 11, 12, 10, 11};
	const double b[] = {20, 21, 22, 20, NAN, 22, NAN, 20, 21, 23, 21, 22};
	const double none_a[] = {NAN, 1}, none_b[] = {2, NAN};
	struct paired_comparison c;

	/* One pair: an answer (p = 1/2), never a verdict, no interval. */
	assert_int_equal(paired_compare(one_a, one_b, 1, 0.01, &c), 0);
	assert_true(c.n == 1 && !c.decidable && c.p_value == 0.5 && c.median_diff == 2);
	assert_true(isnan(c.ci_low) && isnan(c.ci_high));
	/* All equal: every difference 0, nothing slower. */
	assert_int_equal(paired_compare(eq, eq, 8, 0.01, &c), 0);
	assert_true(c.decidable && c.p_value == 1.0 && c.median_diff == 0 && c.n_zero == 8);
	assert_true(c.ci_low == 0 && c.ci_high == 0);
	/* Missing values: 9 pairs left, every one slower by 10 or 11 (ties): W+ is the total,
	 * which one flip in 2^9 reaches (scipy: 0.001953125). */
	assert_int_equal(paired_compare(a, b, 12, 0.01, &c), 0);
	assert_int_equal(c.n, 9);
	assert_int_equal(c.n_missing, 3);
	assert_true(fabs(c.p_value - 1.0 / 512) < 1e-15);
	assert_true(c.median_diff == 10);
	/* No pair with both sides: nothing to compare. */
	assert_int_equal(paired_compare(none_a, none_b, 2, 0.01, &c), -EINVAL);
	assert_int_equal(c.n_missing, 2);
	/* 7 pairs are the fewest that can reach p < 0.01 (1/128); 5 at 0.05 is 1/32 < 0.05. */
	assert_int_equal(paired_min_pairs(0.01), 7);
	assert_int_equal(paired_min_pairs(0.05), 5);
	assert_int_equal(paired_min_pairs(0.03125), 6); /* p == alpha is not below it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_sign_flip_distribution),
	    cmocka_unit_test(test_normal_approximation),
	    cmocka_unit_test(test_median_interval),
	    cmocka_unit_test(test_paired_compare),
	    cmocka_unit_test(test_degenerate_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
