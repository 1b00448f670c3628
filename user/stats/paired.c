// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "paired.h"

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int by_magnitude(const void *a, const void *b)
{
	return by_double(&(double){fabs(*(const double *)a)}, &(double){fabs(*(const double *)b)});
}

/*
 * P(W >= w2) where W is the sum of the ranks r2[0..m) each taken with probability 1/2 (a sign
 * flip), every quantity doubled so that mid-ranks are integers: the distribution of the sum,
 * built one rank at a time (a knapsack of probabilities over 0..sum(r2)).
 */
static double exact_tail(const uint64_t *r2, size_t m, uint64_t w2)
{
	uint64_t total = 0, top = 0;
	double *prob, p = 0;

	for (size_t i = 0; i < m; i++)
		total += r2[i];
	prob = calloc(total + 1, sizeof(*prob));
	if (!prob)
		return NAN;
	prob[0] = 1;
	for (size_t i = 0; i < m; i++) {
		top += r2[i];
		for (uint64_t s = top; s >= r2[i]; s--)
			prob[s] = (prob[s] + prob[s - r2[i]]) / 2;
		for (uint64_t s = 0; s < r2[i]; s++)
			prob[s] /= 2;
	}
	for (uint64_t s = w2; s <= total; s++)
		p += prob[s];
	free(prob);
	return p > 1 ? 1 : p;
}

double wilcoxon_p(const double *d, size_t n, bool *exact, double *w_plus)
{
	double *mag = malloc((n ?: 1) * sizeof(*mag)), mean = 0, var = 0, z, p;
	uint64_t *r2 = malloc((n ?: 1) * sizeof(*r2)), w2 = 0;
	size_t m = 0, i, j;

	*exact = false;
	if (w_plus)
		*w_plus = 0;
	if (!mag || !r2) {
		free(mag);
		free(r2);
		return NAN;
	}
	memcpy(mag, d, n * sizeof(*mag));
	qsort(mag, n, sizeof(*mag), by_magnitude);
	/*
	 * Ranks of |d| from 1, ties sharing the mean of their ranks; doubled, rank i..j-1 (from
	 * 0) is i + 1 + j. Zeros (the smallest) take their ranks and are then left out: Pratt's.
	 * The sign of each value is its own: the ranks are those of the sorted copy, whose
	 * values are the same multiset, so W+ sums the ranks of the positive ones there.
	 */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && fabs(mag[j]) == fabs(mag[i]); j++)
			;
		for (size_t k = i; k < j; k++) {
			if (mag[k] == 0)
				continue;
			r2[m++] = i + 1 + j;
			if (mag[k] > 0)
				w2 += i + 1 + j;
		}
	}
	free(mag);
	if (w_plus)
		*w_plus = w2 / 2.0;
	if (m == 0) { /* every difference 0: nothing is shown slower */
		free(r2);
		*exact = n <= PAIRED_EXACT_MAX;
		return 1.0;
	}
	if (n <= PAIRED_EXACT_MAX) {
		p = exact_tail(r2, m, w2);
		free(r2);
		*exact = !isnan(p);
		return p;
	}
	/* Under the null each rank is + or - alike: mean sum(r)/2, variance sum(r^2)/4 (which is
	 * the textbook n(n+1)(2n+1)/24 less the ties' and the zeros' corrections). */
	for (i = 0; i < m; i++) {
		mean += r2[i] / 4.0;
		var += (double)r2[i] * r2[i] / 16.0;
	}
	free(r2);
	z = (w2 / 2.0 - mean - 0.5) / sqrt(var);
	p = 0.5 * erfc(z / M_SQRT2);
	return p > 1 ? 1 : p;
}

int median_ci(const double *sorted, size_t n, double level, double *low, double *high,
	      double *coverage)
{
	double tail = (1 - level) / 2, below = 0, log_half_n = n * log(0.5);
	size_t k = 0;

	/*
	 * The interval [d(k), d(n+1-k)] (1-based) misses the median when k or more of the n
	 * values fall on one side of it: twice P(Binomial(n, 1/2) <= k - 1). k is the largest
	 * with that at most 1 - level.
	 */
	for (size_t i = 0; i < n; i++) {
		double term =
		    exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) + log_half_n);

		if (below + term > tail * (1 + 1e-12))
			break;
		below += term;
		k = i + 1;
	}
	if (k == 0 || 2 * k > n) {
		*low = *high = *coverage = NAN;
		return -1;
	}
	/* below is P(X <= k - 1). */
	*low = sorted[k - 1];
	*high = sorted[n - k];
	*coverage = 1 - 2 * below;
	return 0;
}

size_t paired_min_pairs(double alpha)
{
	size_t n = 1;

	/* A tiny margin keeps p == alpha (5 pairs at 1/32) on the side of no. */
	while (n * log(2.0) <= -log(alpha) + 1e-9)
		n++;
	return n;
}

/* The median of the sorted v[0..n), n > 0. */
static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int paired_compare(const double *a, const double *b, size_t n, double alpha,
		   struct paired_comparison *c)
{
	double *va = malloc((n ?: 1) * sizeof(*va)), *vb = malloc((n ?: 1) * sizeof(*vb));
	double *d = malloc((n ?: 1) * sizeof(*d));
	int err = -ENOMEM;
	size_t m = 0;

	memset(c, 0, sizeof(*c));
	c->ci_low = c->ci_high = c->ci_coverage = NAN;
	if (!va || !vb || !d)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (isnan(a[i]) || isnan(b[i])) {
			c->n_missing++;
			continue;
		}
		va[m] = a[i];
		vb[m] = b[i];
		d[m] = b[i] - a[i];
		c->n_zero += d[m] == 0;
		m++;
	}
	c->n = m;
	err = -EINVAL;
	if (!m)
		goto out;
	err = -ENOMEM;
	c->p_value = wilcoxon_p(d, m, &c->exact, &c->w_plus);
	if (isnan(c->p_value))
		goto out;
	c->decidable = m >= paired_min_pairs(alpha);
	qsort(va, m, sizeof(*va), by_double);
	qsort(vb, m, sizeof(*vb), by_double);
	qsort(d, m, sizeof(*d), by_double);
	c->median_a = median_sorted(va, m);
	c->median_b = median_sorted(vb, m);
	c->median_diff = median_sorted(d, m);
	median_ci(d, m, PAIRED_CI_LEVEL / 100.0, &c->ci_low, &c->ci_high, &c->ci_coverage);
	err = 0;
out:
	free(va);
	free(vb);
	free(d);
	return err;
}
