// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define HASH_NONFATAL_OOM 1 /* as in vm_table.h: an add that fails leaves the item out */
#include <uthash.h>
#include "stages.h"

#define LABEL_SCAN_MAX 16 /* up to this many, a search in place is as fast as a hash */

struct label_pos {
	const char *label; /* the key: the name it points to */
	int pos;
	UT_hash_handle hh;
};

struct label_index {
	struct label_pos *by_name;
};

static const char *label_at(const void *array, size_t size, int i)
{
	return *(const char *const *)((const char *)array + i * size);
}

void label_index_free(struct label_index **index)
{
	if (!*index)
		return;
	while ((*index)->by_name) {
		struct label_pos *p = (*index)->by_name;

		HASH_DEL((*index)->by_name, p);
		free(p);
	}
	free(*index);
	*index = NULL;
}

static int index_add(struct label_index *index, const char *label, int pos)
{
	struct label_pos *p = malloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = (struct label_pos){.label = label, .pos = pos};
	HASH_ADD_KEYPTR(hh, index->by_name, p->label, strlen(p->label), p);
	if (!p->hh.tbl) {
		free(p);
		return -ENOMEM;
	}
	return 0;
}

/* The index of array[0..nr), or NULL when out of memory. */
static struct label_index *index_build(const void *array, size_t size, int nr)
{
	struct label_index *index = calloc(1, sizeof(*index));

	for (int i = 0; index && i < nr; i++) {
		if (index_add(index, label_at(array, size, i), i)) {
			label_index_free(&index);
			return NULL;
		}
	}
	return index;
}

int label_index_find(struct label_index **index, const void *array, size_t size, int nr,
		     const char *label)
{
	struct label_pos *p;

	if (!*index && nr > LABEL_SCAN_MAX)
		*index = index_build(array, size, nr);
	if (!*index) { /* few, or out of memory */
		for (int i = 0; i < nr; i++)
			if (!strcmp(label_at(array, size, i), label))
				return i;
		return -1;
	}
	HASH_FIND_STR((*index)->by_name, label, p);
	return p ? p->pos : -1;
}

void label_index_inserted(struct label_index **index, const void *array, size_t size, int nr,
			  int pos)
{
	if (!*index)
		return; /* built when there are enough */
	/* The ones after it moved up. */
	for (struct label_pos *p = (*index)->by_name; pos < nr - 1 && p; p = p->hh.next)
		p->pos += p->pos >= pos;
	if (index_add(*index, label_at(array, size, pos), pos))
		label_index_free(index); /* searched in place until built again */
}

static struct stage_stats *stage_for(struct boot_stages *stats, const char *label)
{
	int i =
	    label_index_find(&stats->index, stats->stage, sizeof(*stats->stage), stats->nr, label);
	struct stage_stats *tmp;

	if (i >= 0)
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
	label_index_inserted(&stats->index, stats->stage, sizeof(*tmp), stats->nr, stats->nr - 1);
	return tmp;
}

/* Evidence of a stage at ts_ns: a code (counted) or a mark (a console line, a phase). */
static int stage_note(struct boot_stages *stats, const struct label *label, uint64_t ts_ns,
		      bool code)
{
	struct stage_stats *s;
	bool fresh;

	if (label->userspace && (!stats->userspace_ns || ts_ns < stats->userspace_ns))
		stats->userspace_ns = ts_ns;
	s = stage_for(stats, label->name);
	if (!s)
		return -ENOMEM;
	fresh = !s->codes && !s->marks;
	if (fresh || ts_ns < s->first_ns)
		s->first_ns = ts_ns;
	if (fresh || ts_ns > s->last_ns)
		s->last_ns = ts_ns;
	if (code)
		s->codes++;
	else
		s->marks++;
	return 0;
}

int boot_stages_add(struct boot_stages *stats, const struct label *label, uint64_t ts_ns)
{
	stats->events++;
	return stage_note(stats, label, ts_ns, true);
}

int boot_stages_mark(struct boot_stages *stats, const struct label *label, uint64_t ts_ns)
{
	return stage_note(stats, label, ts_ns, false);
}

void boot_stages_entry(struct boot_stages *stats, uint64_t ts_ns)
{
	if (!stats->entry_ns || ts_ns < stats->entry_ns)
		stats->entry_ns = ts_ns;
}

static bool is_entry(const char *phase)
{
	return phase && (!strcmp(phase, PHASE_FIRST_ENTRY) || !strcmp(phase, PHASE_FIRST_EXIT));
}

int boot_stages_observe(struct boot_stages *stats, const struct boot_event *ev)
{
	switch (ev->kind) {
	case EVENT_CODE:
		if (ev->code.io_delay) {
			stats->io_delays++;
			return 0;
		}
		return ev->label ? boot_stages_add(stats, ev->label, ev->ts_ns) : 0;
	case EVENT_CONSOLE:
		stats->lines++;
		return ev->label ? boot_stages_mark(stats, ev->label, ev->ts_ns) : 0;
	case EVENT_PHASE:
		if (ev->label)
			return boot_stages_mark(stats, ev->label, ev->ts_ns);
		if (is_entry(ev->phase))
			boot_stages_entry(stats, ev->ts_ns);
		return 0;
	default:
		return 0;
	}
}

int boot_stages_merge(struct boot_stages *dst, const struct boot_stages *src)
{
	dst->events += src->events;
	dst->lines += src->lines;
	dst->io_delays += src->io_delays;
	if (src->userspace_ns && (!dst->userspace_ns || src->userspace_ns < dst->userspace_ns))
		dst->userspace_ns = src->userspace_ns;
	if (src->entry_ns)
		boot_stages_entry(dst, src->entry_ns);
	for (int i = 0; i < src->nr; i++) {
		const struct stage_stats *from = &src->stage[i];
		struct stage_stats *to = stage_for(dst, from->label);
		bool fresh;

		if (!to)
			return -ENOMEM;
		fresh = !to->codes && !to->marks;
		if (fresh || from->first_ns < to->first_ns)
			to->first_ns = from->first_ns;
		if (fresh || from->last_ns > to->last_ns)
			to->last_ns = from->last_ns;
		to->codes += from->codes;
		to->marks += from->marks;
	}
	return 0;
}

void boot_stages_free(struct boot_stages *stats)
{
	label_index_free(&stats->index);
	free(stats->stage);
	memset(stats, 0, sizeof(*stats));
}

static bool is_vmm_setup(const char *label)
{
	return !strcmp(label, label_vmm_setup.name);
}

/* By first evidence; on a tie the host's set-up first, then by name. */
static int by_first(const void *a, const void *b)
{
	const struct stage_row *x = a, *y = b;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	if (is_vmm_setup(x->label) != is_vmm_setup(y->label))
		return is_vmm_setup(x->label) ? -1 : 1;
	return strcmp(x->label, y->label);
}

/*
 * The set-up ends at the guest's first entry: the stage after it (rows are in order) counts
 * from there; with none, the set-up itself lasts until then. Stamps that contradict this (an
 * entry before the set-up began, a guest stage before the entry) are left as they are.
 */
static void end_setup_at_entry(struct stage_row *rows, int n, uint64_t entry_ns)
{
	int s = 0;

	while (s < n && !is_vmm_setup(rows[s].label))
		s++;
	if (s == n || !entry_ns || entry_ns < rows[s].first_ns)
		return;
	if (s + 1 < n) {
		if (rows[s + 1].first_ns > entry_ns)
			rows[s + 1].first_ns = entry_ns;
	} else if (rows[s].last_ns < entry_ns) {
		rows[s].last_ns = entry_ns;
	}
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
	qsort(rows, n, sizeof(rows[0]), by_first);
	end_setup_at_entry(rows, n, stats->entry_ns);
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

bool boot_stages_guest_seen(const struct boot_stages *stats)
{
	for (int i = 0; i < stats->nr; i++)
		if (strcmp(stats->stage[i].label, label_vmm_setup.name))
			return true;
	return false;
}
