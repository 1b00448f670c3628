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
	out->p95 = samples_percentile(s, 95);
	out->min = s->v[0];
	out->max = s->v[s->n - 1];
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	out->mean = sum / s->n;
	for (size_t i = 0; i < s->n; i++)
		sq += (s->v[i] - out->mean) * (s->v[i] - out->mean);
	out->stddev = s->n > 1 ? sqrt(sq / (s->n - 1)) : 0;
	return true;
}

struct samples *boot_samples_stage(const struct boot_samples *bs, const char *label)
{
	for (int i = 0; i < bs->nr; i++)
		if (!strcmp(bs->stage[i].label, label))
			return &bs->stage[i].s;
	return NULL;
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
	free(bs->stage);
	samples_free(&bs->userspace);
	*bs = (struct boot_samples){};
}
