/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Per-VM boot stage statistics, gathered event by event and summarised at the end. A stage
 * is a label (labels.h): with the debug-port map the five ranges, with other maps each
 * label, a console rule's stage, "VMM set-up" from the host's phases; labels of the same name
 * from different ports or sources are one stage, which starts at its earliest evidence.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
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
	uint64_t first_ns; /* host CLOCK_MONOTONIC of its earliest evidence: code, line or phase */
	uint64_t last_ns;  /* of its latest evidence */
	uint32_t codes;	   /* codes written (console lines and phases are no codes) */
	uint32_t marks;	   /* console lines and phases that marked it */
};

struct boot_stages {
	struct stage_stats *stage; /* in order of first appearance in the trace */
	int nr, cap;
	struct label_index *index; /* of stage[], once there are many */
	uint64_t events;	   /* codes that mark a stage (I/O delays are not counted) */
	uint64_t userspace_ns;	   /* first evidence whose label ends the boot; 0: none yet */
	uint64_t entry_ns;  /* the guest's first entry (first_entry or first_exit); 0: not seen */
	uint64_t lines;	    /* console lines, with a stage or not */
	uint64_t io_delays; /* I/O delay writes (event.h): in no stage */
};

/* One row of the summary table. Times are host CLOCK_MONOTONIC ns. */
struct stage_row {
	const char *label;
	uint64_t first_ns; /* its first evidence; the guest's first stage: from its first entry */
	uint64_t last_ns;  /* its last evidence */
	uint64_t duration_ns; /* to the next stage's first; the last stage to its last evidence */
	uint32_t codes;
};

/* Count one code of this label. -ENOMEM if a new stage could not be added. */
int boot_stages_add(struct boot_stages *stats, const struct label *label, uint64_t ts_ns);

/*
 * Evidence of a stage that is no code (a console line a rule matched, a host phase): the
 * stage starts at its earliest evidence, code or not ("earliest wins"), but counts no code.
 * -ENOMEM if a new stage could not be added.
 */
int boot_stages_mark(struct boot_stages *stats, const struct label *label, uint64_t ts_ns);

/* The guest's first entry (the earliest one given counts). */
void boot_stages_entry(struct boot_stages *stats, uint64_t ts_ns);

/*
 * One decoded event into the statistics, the rules of docs/formats.md in one place: a code
 * counts in its label's stage (an I/O delay in none); a console line with a stage marks it; a
 * phase with a label (vmm_start, vm_create: "VMM set-up") marks it, first_entry and
 * first_exit are the guest's first entry; nothing else counts. 0 or -ENOMEM.
 */
int boot_stages_observe(struct boot_stages *stats, const struct boot_event *ev);

void boot_stages_free(struct boot_stages *stats);

/* Add what src counted to dst, as if dst had seen src's events too. 0 or -ENOMEM. */
int boot_stages_merge(struct boot_stages *dst, const struct boot_stages *src);

/*
 * The stages seen, ordered by their first evidence, in *rows (allocated, free() it; NULL when
 * there are none). Returns how many, or -ENOMEM. With "VMM set-up" and the guest's first
 * entry known, the set-up ends at that entry: the first stage after it counts from the entry
 * (what the guest ran before its first marker or line belongs to the stage it then reports),
 * or, when there is none yet, the set-up lasts until the entry.
 */
int boot_summary(const struct boot_stages *stats, struct stage_row **rows);

/* Time of the first evidence whose label ends the boot (Userspace, linux_start_user, ...). */
bool boot_userspace_ns(const struct boot_stages *stats, uint64_t *ts_ns);

/*
 * Did the guest show a stage of its own (a code, or a console line a rule matched)? A VM with
 * the host's VMM set-up alone is no boot for the statistics and the gates.
 */
bool boot_stages_guest_seen(const struct boot_stages *stats);

#endif
