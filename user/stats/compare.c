// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"

/* Exact distribution up to this many boots per side (polynomials of degree n_base * n_new). */
#define EXACT_MAX 50

struct ranked {
	double v;
	bool is_new;
};

static int by_value(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;

	return x < y ? -1 : x > y;
}

/*
 * How many of the C(m + n, m) orderings of m NEW and n BASE values give U = u, for every u:
 * the coefficients of the Gaussian binomial [m + n choose m](q) = prod (1 - q^(n+i)) /
 * (1 - q^i), i = 1..m, each step exact (the quotient is a polynomial). counts has m * n + m + 1
 * entries: the product reaches degree i * (n + 1) before its division.
 */
static void u_distribution(size_t m, size_t n, double *counts)
{
	size_t deg = 0;

	memset(counts, 0, (m * n + m + 1) * sizeof(*counts));
	counts[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		/* times (1 - q^(n+i)): the degree grows by n + i, then shrinks by i below */
		for (size_t k = deg + n + i; k >= n + i; k--)
			counts[k] -= counts[k - n - i];
		deg += n + i;
		/* divided by (1 - q^i): Q[k] = P[k] + Q[k - i] */
		for (size_t k = i; k <= deg; k++)
			counts[k] += counts[k - i];
		deg -= i;
	}
}

double mann_whitney_p(const double *base, size_t n_base, const double *new, size_t n_new,
		      bool *exact)
{
	size_t n = n_base + n_new, i, j;
	struct ranked *all = malloc(n * sizeof(*all));
	double rank_new = 0, ties = 0, u, mu, var, p;

	*exact = false;
	if (!all)
		return NAN;
	for (i = 0; i < n_base; i++)
		all[i] = (struct ranked){base[i], false};
	for (i = 0; i < n_new; i++)
		all[n_base + i] = (struct ranked){new[i], true};
	qsort(all, n, sizeof(*all), by_value);
	/* Ranks from 1; tied values share the mean of their ranks. */
	for (i = 0; i < n; i = j) {
		double t, mean_rank;

		for (j = i + 1; j < n && all[j].v == all[i].v; j++)
			;
		t = j - i;
		mean_rank = (i + 1 + j) / 2.0;
		for (size_t k = i; k < j; k++)
			rank_new += all[k].is_new ? mean_rank : 0;
		ties += t * t * t - t;
	}
	free(all);
	/* U: the pairs (new, base) where NEW is the larger, ties counting one half. */
	u = rank_new - n_new * (n_new + 1) / 2.0;

	if (ties == 0 && n_base <= EXACT_MAX && n_new <= EXACT_MAX) {
		size_t top = n_new * n_base;
		double *counts = malloc((top + n_new + 1) * sizeof(*counts));
		double above = 0, total = 0;

		if (counts) {
			u_distribution(n_new, n_base, counts);
			for (size_t k = 0; k <= top; k++) {
				total += counts[k];
				if (k >= (size_t)u)
					above += counts[k];
			}
			free(counts);
			*exact = true;
			return above / total;
		}
	}
	mu = n_base * n_new / 2.0;
	var = n_base * n_new / 12.0 * ((n + 1) - ties / ((double)n * (n - 1)));
	if (var <= 0)
		return 1.0; /* every value equal: nothing is shown slower */
	p = 0.5 * erfc((u - mu - 0.5) / sqrt(var) / M_SQRT2);
	return p > 1 ? 1 : p;
}

/*
 * Can samples of a and b boots show a change at alpha? Their best p is 1 / C(a + b, a) (in
 * logarithms: lgamma; a tiny margin keeps p == alpha, as 3 + 3 at 0.05, on the side of no).
 */
static bool can_decide(size_t a, size_t b, double alpha)
{
	double log_best_p = lgamma(a + 1.0) + lgamma(b + 1.0) - lgamma(a + b + 1.0);

	return log_best_p < log(alpha) - 1e-9;
}

size_t compare_min_boots(double alpha)
{
	size_t n = 1;

	while (!can_decide(n, n, alpha))
		n++;
	return n;
}

/* xorshift64*: a fixed-seed generator, so that an interval is the same on every run. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Percentile p (0..100) of sorted values, interpolated as samples_percentile() does. */
static double sorted_percentile(const double *v, size_t n, double p)
{
	double rank = p / 100.0 * (n - 1);
	size_t lo = (size_t)rank;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (rank - lo) * (v[lo + 1] - v[lo]);
}

/* The k-th smallest of idx[0..n) (reordered): quickselect with a three-way partition. */
static uint32_t select_kth(uint32_t *idx, size_t n, size_t k, uint64_t *state)
{
	size_t lo = 0, hi = n; /* idx[lo..hi) holds the k-th */

	for (;;) {
		uint32_t pivot = idx[lo + next_random(state) % (hi - lo)], t;
		size_t lt = lo, i = lo, gt = hi;

		/* idx[lo..lt) < pivot, idx[lt..i) == pivot, idx[gt..hi) > pivot */
		while (i < gt) {
			if (idx[i] < pivot) {
				t = idx[i], idx[i] = idx[lt], idx[lt] = t;
				lt++, i++;
			} else if (idx[i] > pivot) {
				gt--;
				t = idx[i], idx[i] = idx[gt], idx[gt] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
}

/*
 * The median of a resample (with replacement) of the sorted values v[0..n): values are in
 * index order, so it is the value at the median of the drawn indices.
 */
static double resample_median(const double *v, size_t n, uint32_t *idx, uint64_t *state)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = next_random(state) % n;
	if (n % 2)
		return v[select_kth(idx, n, n / 2, state)];
	return (v[select_kth(idx, n, n / 2 - 1, state)] + v[select_kth(idx, n, n / 2, state)]) / 2;
}

/* Beyond this many boots a side the bootstrap costs more than it tells: see below. */
#define BOOTSTRAP_MAX 4000

/*
 * The interval of median(NEW) - median(BASE), both samples sorted: the bootstrap's central
 * interval; for samples larger than BOOTSTRAP_MAX, the normal interval from each median's
 * distribution-free standard error (its order-statistic interval, +-1.96 sqrt(n) / 2 ranks).
 */
static int median_diff_ci(const double *base, size_t nb, const double *new, size_t nn,
			  struct comparison *c)
{
	uint32_t *idx;
	double *diffs, tail = (100 - COMPARE_CI_LEVEL) / 2.0;
	uint64_t state = 0x9e3779b97f4a7c15ull;

	if (nb > BOOTSTRAP_MAX || nn > BOOTSTRAP_MAX) {
		double se2 = 0, z = 1.959963984540054;

		for (int side = 0; side < 2; side++) {
			const double *v = side ? new : base;
			size_t n = side ? nn : nb;
			double half = z * sqrt(n) / 2, lo = floor(n / 2.0 - half),
			       hi = ceil(n / 2.0 + half);
			double se = (v[hi >= n ? n - 1 : (size_t)hi] - v[lo < 0 ? 0 : (size_t)lo]) /
				    (2 * z);

			se2 += se * se;
		}
		c->ci_low_ns = c->diff_ns - z * sqrt(se2);
		c->ci_high_ns = c->diff_ns + z * sqrt(se2);
		return 0;
	}
	idx = malloc((nb > nn ? nb : nn) * sizeof(*idx));
	diffs = malloc(COMPARE_BOOTSTRAPS * sizeof(*diffs));
	if (!idx || !diffs) {
		free(idx);
		free(diffs);
		return -ENOMEM;
	}
	for (int b = 0; b < COMPARE_BOOTSTRAPS; b++) {
		double mb = resample_median(base, nb, idx, &state);

		diffs[b] = resample_median(new, nn, idx, &state) - mb;
	}
	qsort(diffs, COMPARE_BOOTSTRAPS, sizeof(*diffs), by_double);
	c->ci_low_ns = sorted_percentile(diffs, COMPARE_BOOTSTRAPS, tail);
	c->ci_high_ns = sorted_percentile(diffs, COMPARE_BOOTSTRAPS, 100 - tail);
	free(idx);
	free(diffs);
	return 0;
}

int samples_compare(struct samples *base, struct samples *new, double alpha, struct comparison *c)
{
	double *b, *n;
	int err = -ENOMEM;

	memset(c, 0, sizeof(*c));
	if (!base->n || !new->n)
		return -EINVAL;
	c->n_base = base->n;
	c->n_new = new->n;
	c->median_base = samples_percentile(base, 50);
	c->median_new = samples_percentile(new, 50);
	c->diff_ns = c->median_new - c->median_base;
	c->decidable = can_decide(base->n, new->n, alpha);
	b = malloc(base->n * sizeof(*b));
	n = malloc(new->n * sizeof(*n));
	if (b && n) {
		for (size_t i = 0; i < base->n; i++)
			b[i] = base->v[i];
		for (size_t i = 0; i < new->n; i++)
			n[i] = new->v[i];
		c->p_value = mann_whitney_p(b, base->n, n, new->n, &c->exact);
		/* samples_percentile() sorted both: the copies are in order. */
		err = isnan(c->p_value) ? -ENOMEM : median_diff_ci(b, base->n, n, new->n, c);
	}
	free(b);
	free(n);
	return err;
}
