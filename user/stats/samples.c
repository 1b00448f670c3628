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

void boot_dists_free(struct boot_dists *d)
{
	for (int i = 0; i < d->nr; i++) {
		free(d->row[i].v);
		free(d->row[i].boot);
		free(d->row[i].high);
	}
	free(d->row);
	*d = (struct boot_dists){};
}

/* A row from s (the samples in the order of the boots; sorted after). 0 or -ENOMEM. */
static int dist_row(struct sample_dist *row, const char *label, struct samples *s)
{
	*row = (struct sample_dist){.label = label, .n = s->n};
	row->v = malloc(s->n * sizeof(*row->v));
	row->boot = calloc(s->n, sizeof(*row->boot));
	row->high = calloc(s->n, sizeof(*row->high));
	if (!row->v || !row->boot || !row->high)
		return -ENOMEM;
	memcpy(row->v, s->v, s->n * sizeof(*row->v));
	/* The modes first: samples_stats() sorts s. */
	if (samples_modes(s, row->high, &row->low_median, &row->high_median)) {
		for (size_t i = 0; i < s->n; i++)
			row->n_high += row->high[i];
	} else {
		free(row->high);
		row->high = NULL;
	}
	samples_stats(s, &row->st);
	return 0;
}

int boot_dists_build(struct boot_dists *d, const struct boot_stages *const *stats,
		     const uint64_t *start_ns, unsigned int nr)
{
	struct boot_samples all = {};
	size_t *filled = NULL;
	int err = 0;

	*d = (struct boot_dists){};
	for (unsigned int i = 0; i < nr && !err; i++)
		err = boot_samples_add(&all, stats[i], start_ns[i]);
	if (err)
		goto out;
	d->boots = all.boots;
	d->row = calloc(all.nr + 1, sizeof(*d->row));
	filled = calloc(all.nr + 1, sizeof(*filled));
	if (!d->row || !filled) {
		err = -ENOMEM;
		goto out;
	}
	/* Row r is stage r, and the time to Userspace is row all.nr when a boot has it. */
	for (int r = 0; r <= all.nr && !err; r++) {
		struct samples *s = r < all.nr ? &all.stage[r].s : &all.userspace;

		if (!s->n)
			continue;
		err = dist_row(&d->row[d->nr++], r < all.nr ? all.stage[r].label : NULL, s);
	}
	/*
	 * Whose each sample is: boot_samples_add() adds one sample to each stage a boot has, in
	 * the order of the boots, so a stage's k-th is of the k-th boot with that stage. What a
	 * boot has is asked of boot_samples_add() itself, on that boot alone.
	 */
	for (unsigned int i = 0; i < nr && !err; i++) {
		struct boot_samples one = {};

		err = boot_samples_add(&one, stats[i], start_ns[i]);
		for (int k = 0; k < one.nr && !err; k++) {
			int r = label_index_find(&all.index, all.stage, sizeof(*all.stage), all.nr,
						 one.stage[k].label);

			if (r >= 0 && filled[r] < d->row[r].n)
				d->row[r].boot[filled[r]++] = i;
		}
		if (one.userspace.n && filled[all.nr] < d->row[d->nr - 1].n)
			d->row[d->nr - 1].boot[filled[all.nr]++] = i;
		boot_samples_free(&one);
	}
out:
	if (err)
		boot_dists_free(d);
	boot_samples_free(&all);
	free(filled);
	return err;
}
