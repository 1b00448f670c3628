// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "samples.h"

int samples_add(struct samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		uint64_t *grown = realloc(s->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

void samples_free(struct samples *s)
{
	free(s->v);
	*s = (struct samples){};
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double samples_percentile(struct samples *s, double p)
{
	double rank, frac;
	size_t lo;

	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(s->v[0]), by_value);
	rank = p / 100.0 * (s->n - 1);
	lo = (size_t)rank;
	if (lo + 1 >= s->n)
		return s->v[s->n - 1];
	frac = rank - lo;
	return s->v[lo] + frac * ((double)s->v[lo + 1] - (double)s->v[lo]);
}

bool samples_stats(struct samples *s, struct sample_stats *out)
{
	double sum = 0, sq = 0;

	*out = (struct sample_stats){.n = s->n};
	if (!s->n)
		return false;
	out->median = samples_percentile(s, 50);
	out->p90 = samples_percentile(s, 90);
	out->p99 = samples_percentile(s, 99);
	out->min = s->v[0];
	out->max = s->v[s->n - 1];
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	out->mean = sum / s->n;
	for (size_t i = 0; i < s->n; i++)
		sq += (s->v[i] - out->mean) * (s->v[i] - out->mean);
	out->stddev = s->n > 1 ? sqrt(sq / (s->n - 1)) : 0;
	out->cv = out->mean > 0 ? out->stddev / out->mean : 0;
	return true;
}

struct indexed {
	uint64_t v;
	size_t at; /* where it was added */
};

static int by_indexed_value(const void *a, const void *b)
{
	uint64_t x = ((const struct indexed *)a)->v, y = ((const struct indexed *)b)->v;

	return x < y ? -1 : x > y;
}

/* Sample standard deviation of v[0..n). */
static double stddev_of(const struct indexed *v, size_t n)
{
	double mean = 0, sq = 0;

	for (size_t i = 0; i < n; i++)
		mean += (double)v[i].v / n;
	for (size_t i = 0; i < n; i++)
		sq += ((double)v[i].v - mean) * ((double)v[i].v - mean);
	return n > 1 ? sqrt(sq / (n - 1)) : 0;
}

static double median_of_sorted(const struct indexed *v, size_t n)
{
	return n % 2 ? v[n / 2].v : ((double)v[n / 2 - 1].v + v[n / 2].v) / 2;
}

bool samples_modes(const struct samples *s, bool *high, double *low_median, double *high_median)
{
	size_t n = s->n, min_group = n / 5 > 2 ? n / 5 : 2, best = 0;
	struct indexed *v;
	double best_gap = 0;

	if (n < 6)
		return false;
	v = malloc(n * sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct indexed){s->v[i], i};
	qsort(v, n, sizeof(*v), by_indexed_value);
	/* The widest gap that splits the boots into two tight groups. */
	for (size_t k = min_group; k + min_group <= n; k++) {
		double gap = (double)v[k].v - v[k - 1].v;
		double spread = fmax(stddev_of(v, k), stddev_of(v + k, n - k));

		if (gap > 3 * spread && gap > 0.1 * median_of_sorted(v, k) && gap > best_gap) {
			best_gap = gap;
			best = k;
		}
	}
	if (best) {
		for (size_t i = 0; i < n; i++)
			high[v[i].at] = i >= best;
		*low_median = median_of_sorted(v, best);
		*high_median = median_of_sorted(v + best, n - best);
	}
	free(v);
	return best != 0;
}

struct samples *boot_samples_stage(const struct boot_samples *bs, const char *label)
{
	/* The index is a cache: building it changes nothing bs holds. */
	struct label_index **index = (struct label_index **)&bs->index;
	int i = label_index_find(index, bs->stage, sizeof(*bs->stage), bs->nr, label);

	return i >= 0 ? &bs->stage[i].s : NULL;
}

/* The samples of a stage, added in its place (label_rank(), then first seen) if new. */
static struct samples *stage_samples(struct boot_samples *bs, const char *label)
{
	struct samples *s = boot_samples_stage(bs, label);
	int rank = label_rank(label), at;

	if (s)
		return s;
	if (bs->nr == bs->cap) {
		int cap = bs->cap ? 2 * bs->cap : 8;
		struct stage_samples *grown = realloc(bs->stage, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		bs->stage = grown;
		bs->cap = cap;
	}
	for (at = bs->nr; at > 0 && label_rank(bs->stage[at - 1].label) > rank; at--)
		;
	memmove(&bs->stage[at + 1], &bs->stage[at], (bs->nr - at) * sizeof(bs->stage[0]));
	bs->stage[at] = (struct stage_samples){.label = label};
	bs->nr++;
	label_index_inserted(&bs->index, bs->stage, sizeof(*bs->stage), bs->nr, at);
	return &bs->stage[at].s;
}

int boot_samples_add(struct boot_samples *bs, const struct boot_stages *stats, uint64_t start_ns)
{
	struct stage_row *rows;
	int n = boot_summary(stats, &rows), err = 0;
	uint64_t user_ns;

	if (n <= 0)
		return n;
	for (int i = 0; i < n && !err; i++) {
		struct samples *s = stage_samples(bs, rows[i].label);

		err = s ? samples_add(s, rows[i].duration_ns) : -ENOMEM;
	}
	free(rows);
	if (!err && start_ns && boot_userspace_ns(stats, &user_ns) && user_ns >= start_ns)
		err = samples_add(&bs->userspace, user_ns - start_ns);
	bs->boots++;
	return err;
}

void boot_samples_free(struct boot_samples *bs)
{
	for (int i = 0; i < bs->nr; i++)
		samples_free(&bs->stage[i].s);
	label_index_free(&bs->index);
	free(bs->stage);
	samples_free(&bs->userspace);
	*bs = (struct boot_samples){};
}
