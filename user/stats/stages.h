/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Per-VM boot stage statistics, gathered event by event and summarised at the end. A stage
 * is a label (labels.h): with the debug-port map the five ranges, with other maps each
 * label; labels of the same name from different ports are one stage.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include "labels.h"

struct stage_stats {
	const char *label; /* points into a label map: lives as long as the program */
	uint64_t first_ns; /* host CLOCK_MONOTONIC of the stage's first code */
	uint64_t last_ns;
	uint32_t codes;
};

struct boot_stages {
	struct stage_stats *stage; /* in order of first appearance in the trace */
	int nr, cap;
	uint64_t events;
	uint64_t userspace_ns; /* first code whose label ends the boot; 0: none yet */
};

/* One row of the summary table. Times are host CLOCK_MONOTONIC ns. */
struct stage_row {
	const char *label;
	uint64_t first_ns;
	uint64_t last_ns;     /* the stage's last code */
	uint64_t duration_ns; /* to the next stage's first code; the last stage to its last code */
	uint32_t codes;
};

/* Count one code of this label. -ENOMEM if a new stage could not be added. */
int boot_stages_add(struct boot_stages *stats, const struct label *label, uint64_t ts_ns);
void boot_stages_free(struct boot_stages *stats);

/*
 * The stages seen, ordered by their first code, in *rows (allocated, free() it; NULL when
 * there are none). Returns how many, or -ENOMEM.
 */
int boot_summary(const struct boot_stages *stats, struct stage_row **rows);

/* Time of the first code whose label ends the boot (Userspace, linux_start_user, ...). */
bool boot_userspace_ns(const struct boot_stages *stats, uint64_t *ts_ns);

#endif
