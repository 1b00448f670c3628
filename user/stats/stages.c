// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stages.h"

static struct stage_stats *stage_for(struct boot_stages *stats, const char *label)
{
	struct stage_stats *tmp;

	for (int i = 0; i < stats->nr; i++)
		if (!strcmp(stats->stage[i].label, label))
			return &stats->stage[i];
	if (stats->nr == stats->cap) {
		int cap = stats->cap ? stats->cap * 2 : 8;

		tmp = realloc(stats->stage, cap * sizeof(*tmp));
		if (!tmp)
			return NULL;
		stats->stage = tmp;
		stats->cap = cap;
	}
	tmp = &stats->stage[stats->nr++];
	*tmp = (struct stage_stats){.label = label};
	return tmp;
}

int boot_stages_add(struct boot_stages *stats, const struct label *label, uint64_t ts_ns)
{
	struct stage_stats *s = stage_for(stats, label->name);

	stats->events++;
	if (label->userspace && (!stats->userspace_ns || ts_ns < stats->userspace_ns))
		stats->userspace_ns = ts_ns;
	if (!s)
		return -ENOMEM;
	if (s->codes == 0 || ts_ns < s->first_ns)
		s->first_ns = ts_ns;
	if (s->codes == 0 || ts_ns > s->last_ns)
		s->last_ns = ts_ns;
	s->codes++;
	return 0;
}

void boot_stages_free(struct boot_stages *stats)
{
	free(stats->stage);
	memset(stats, 0, sizeof(*stats));
}

static int by_first_code(const void *a, const void *b)
{
	const struct stage_row *x = a, *y = b;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return strcmp(x->label, y->label);
}

int boot_summary(const struct boot_stages *stats, struct stage_row **out)
{
	struct stage_row *rows;
	int n = stats->nr;

	*out = NULL;
	if (!n)
		return 0;
	rows = calloc(n, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct stage_stats *s = &stats->stage[i];

		rows[i] = (struct stage_row){
		    .label = s->label,
		    .first_ns = s->first_ns,
		    .last_ns = s->last_ns,
		    .codes = s->codes,
		};
	}
	qsort(rows, n, sizeof(rows[0]), by_first_code);
	for (int i = 0; i < n; i++) {
		uint64_t end = i + 1 < n ? rows[i + 1].first_ns : rows[i].last_ns;

		rows[i].duration_ns = end - rows[i].first_ns;
	}
	*out = rows;
	return n;
}

bool boot_userspace_ns(const struct boot_stages *stats, uint64_t *ts_ns)
{
	if (!stats->userspace_ns)
		return false;
	*ts_ns = stats->userspace_ns;
	return true;
}
