// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdlib.h>
#include "summary.h"

void boot_stats_add(struct boot_stats *stats, uint32_t code, uint64_t ts_ns)
{
	struct stage_stats *s = &stats->stage[stage_of_code(code)];

	if (s->codes == 0 || ts_ns < s->first_ns)
		s->first_ns = ts_ns;
	if (s->codes == 0 || ts_ns > s->last_ns)
		s->last_ns = ts_ns;
	s->codes++;
	stats->events++;
}

static int by_first_code(const void *a, const void *b)
{
	const struct stage_row *x = a, *y = b;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return (int)x->stage - (int)y->stage;
}

int boot_summary(const struct boot_stats *stats, struct stage_row rows[STAGE_NR])
{
	int n = 0;

	for (int st = 0; st < STAGE_NR; st++) {
		const struct stage_stats *s = &stats->stage[st];

		if (!s->codes)
			continue;
		rows[n++] = (struct stage_row){ .stage = st, .first_ns = s->first_ns, .codes = s->codes };
	}
	qsort(rows, n, sizeof(rows[0]), by_first_code);
	for (int i = 0; i < n; i++) {
		uint64_t end = i + 1 < n ? rows[i + 1].first_ns : stats->stage[rows[i].stage].last_ns;

		rows[i].duration_ns = end - rows[i].first_ns;
	}
	return n;
}

bool boot_userspace_ns(const struct boot_stats *stats, uint64_t *ts_ns)
{
	const struct stage_stats *s = &stats->stage[STAGE_USERSPACE];

	if (!s->codes)
		return false;
	*ts_ns = s->first_ns;
	return true;
}
