/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Per-VM boot stage statistics, gathered event by event and summarised at the end. */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include "labels.h"

struct stage_stats {
	uint64_t first_ns; /* host CLOCK_MONOTONIC of the stage's first code */
	uint64_t last_ns;
	uint32_t codes;
};

struct boot_stats {
	struct stage_stats stage[STAGE_NR];
	uint64_t events;
};

/* One row of the summary table. Times are host CLOCK_MONOTONIC ns. */
struct stage_row {
	enum boot_stage stage;
	uint64_t first_ns;
	uint64_t duration_ns; /* to the next stage's first code; the last stage to its last code */
	uint32_t codes;
};

void boot_stats_add(struct boot_stats *stats, uint32_t code, uint64_t ts_ns);

/* Fill rows with the stages seen, ordered by their first code; returns how many. */
int boot_summary(const struct boot_stats *stats, struct stage_row rows[STAGE_NR]);

/* Time of the first Userspace code, if there was one. */
bool boot_userspace_ns(const struct boot_stats *stats, uint64_t *ts_ns);

#endif
