/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Per-VM boot stage statistics, gathered event by event and summarised at the end. A stage
 * is a label (labels.h): with the debug-port map the five ranges, with other maps each
 * label; labels of the same name from different ports are one stage.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "labels.h"

/*
 * Labels by name in an array of the caller's whose elements each begin with their label's
 * name (a const char *): searched in place while there are few, through a hash index
 * (uthash) built beside the array once there are more, so that a trace with thousands of
 * labels costs no more per event than one with five. The index holds positions, not
 * pointers: the array may be reallocated.
 */
struct label_index;

/* The position of label in array[0..nr) (elements of size bytes), or -1. */
int label_index_find(struct label_index **index, const void *array, size_t size, int nr,
		     const char *label);
/*
 * array[pos] was just inserted (array[pos + 1..nr) were moved up by one to make room; pos is
 * nr - 1 for an append). Keeps the index in step, or drops it to be built again.
 */
void label_index_inserted(struct label_index **index, const void *array, size_t size, int nr,
			  int pos);
void label_index_free(struct label_index **index);

struct stage_stats {
	const char *label; /* first, for label_index; lives as long as the program (labels.h) */
	uint64_t first_ns; /* host CLOCK_MONOTONIC of the stage's first code */
	uint64_t last_ns;
	uint32_t codes;
};

struct boot_stages {
	struct stage_stats *stage; /* in order of first appearance in the trace */
	int nr, cap;
	struct label_index *index; /* of stage[], once there are many */
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

/* Add what src counted to dst, as if dst had seen src's codes too. 0 or -ENOMEM. */
int boot_stages_merge(struct boot_stages *dst, const struct boot_stages *src);

/*
 * The stages seen, ordered by their first code, in *rows (allocated, free() it; NULL when
 * there are none). Returns how many, or -ENOMEM.
 */
int boot_summary(const struct boot_stages *stats, struct stage_row **rows);

/* Time of the first code whose label ends the boot (Userspace, linux_start_user, ...). */
bool boot_userspace_ns(const struct boot_stages *stats, uint64_t *ts_ns);

#endif
