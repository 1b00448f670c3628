/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Is B slower than A, boot for boot? run --ab boots two commands alternately (A B A B ...), so
 * that whatever drifts on the host hits both alike, and compares each pair: the differences
 * d = B - A of a stage. The decision is a one-sided Wilcoxon signed-rank test of "d tends to
 * be positive" (rank-based, no assumption of normality). Zeros are handled as Pratt's: ranked
 * with the others, then given no sign (so they make B neither slower nor faster, yet still
 * push the other differences' ranks up). The p-value is exact up to PAIRED_EXACT_MAX pairs:
 * the distribution of the positive rank sum over every one of the 2^n sign flips, ties
 * (mid-ranks) and zeros included; beyond, the normal approximation with Pratt's zero and the
 * ties' variance corrections and a continuity correction (as scipy.stats.wilcoxon's
 * method='approx', zero_method='pratt'). The size of the change is the median of the
 * differences, with its distribution-free confidence interval from order statistics (the
 * sign test's: [d(k), d(n+1-k)], coverage at least PAIRED_CI_LEVEL %).
 */
#ifndef PAIRED_H
#define PAIRED_H

#include <stdbool.h>
#include <stddef.h>

#define PAIRED_TEST_NAME "Wilcoxon signed-rank, one-sided, paired"
#define PAIRED_CI_LEVEL	 95 /* percent, at least */
#define PAIRED_EXACT_MAX 50 /* pairs; beyond, the normal approximation */

struct paired_comparison {
	size_t n;		   /* pairs with a value on both sides */
	size_t n_missing;	   /* pairs left out: the stage missing in A's boot, B's, or both */
	size_t n_zero;		   /* differences of exactly 0 */
	double median_a, median_b; /* over the n pairs, ns */
	double median_diff;	   /* median of B - A over the pairs, ns */
	/* Its interval, coverage ci_coverage (>= PAIRED_CI_LEVEL %); NAN with fewer than 6
	 * pairs, where even [min, max] covers less (1 - 2 / 2^n). */
	double ci_low, ci_high, ci_coverage;
	double w_plus;	/* the statistic: the sum of the ranks of the positive differences */
	double p_value; /* of "B is slower", one-sided */
	bool exact;	/* p from the exact sign-flip distribution */
	/* The smallest p n pairs allow (1 / 2^n) is below alpha: a verdict is possible. */
	bool decidable;
};

/*
 * Compare a[i] and b[i] (i < n), the values of pair i; NAN on a side: the stage is missing
 * from that boot, and the pair is left out (counted in n_missing). 0, or -EINVAL when no pair
 * has both values, or -ENOMEM.
 */
int paired_compare(const double *a, const double *b, size_t n, double alpha,
		   struct paired_comparison *c);

/*
 * The one-sided p-value of the differences d[0..n) (every one finite), and the statistic
 * (w_plus, may be NULL): see above. NAN when out of memory.
 */
double wilcoxon_p(const double *d, size_t n, bool *exact, double *w_plus);

/*
 * The interval of the median of the sorted d[0..n), of coverage at least level (0..1): 0 with
 * the bounds and the exact coverage, or -1 when n is too small for any (bounds NAN).
 */
int median_ci(const double *sorted, size_t n, double level, double *low, double *high,
	      double *coverage);

/* The fewest pairs whose best p (1 / 2^n) is below alpha. */
size_t paired_min_pairs(double alpha);

#endif
