/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Is NEW slower than BASE? Boot times are skewed, noisy and sometimes bimodal, and a CI gate
 * sees few boots: the decision is a one-sided Mann-Whitney U test (rank-based, no assumption
 * of normality; exact for small samples without ties, else the normal approximation with tie
 * and continuity corrections), and the size of the change is the difference of the medians,
 * with a bootstrap confidence interval (percentile method, fixed seed: the same inputs give
 * the same interval; past 4000 boots a side, a normal interval from each median's
 * order-statistic standard error, as cheap as the sort).
 */
#ifndef COMPARE_H
#define COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include "samples.h"

#define COMPARE_TEST_NAME  "Mann-Whitney U, one-sided"
#define COMPARE_CI_LEVEL   95 /* percent */
#define COMPARE_BOOTSTRAPS 2000
#define DEFAULT_ALPHA	   0.01

struct comparison {
	size_t n_base, n_new;
	double median_base, median_new; /* ns */
	double diff_ns;			/* median_new - median_base */
	double ci_low_ns, ci_high_ns;	/* its COMPARE_CI_LEVEL % bootstrap interval */
	double p_value;			/* of "NEW is slower", one-sided */
	bool exact;			/* p from the exact distribution of U */
	/* The smallest p the sample sizes allow (ties aside) is below alpha: a verdict is
	 * possible. With fewer boots no change can be significant. */
	bool decidable;
};

/*
 * Compare two non-empty samples (sorting them). 0, or -ENOMEM / -EINVAL (an empty sample).
 */
int samples_compare(struct samples *base, struct samples *new, double alpha, struct comparison *c);

/* The one-sided p-value of U (NEW's rank sum form) alone, for tests: see compare.c. */
double mann_whitney_p(const double *base, size_t n_base, const double *new, size_t n_new,
		      bool *exact);

/* The fewest boots per side (equal sizes) whose best p is below alpha. */
size_t compare_min_boots(double alpha);

#endif
