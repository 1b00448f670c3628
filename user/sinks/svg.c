// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The svg format: a boot chart in the spirit of `systemd-analyze plot`. Per VM: a header
 * line, a row of coloured stage bars, and one row per vCPU with a tick (and its value) for
 * every code, on a time axis from the VM's start. A legend names the colours; every bar and
 * tick has a tooltip. Time axes: VMs share one, from each VM's start, as long as the longest
 * boot; a VM whose boot is under a tenth of the longest gets its own axis (its own grid
 * labels, above its stage bars), so that a 20 ms boot beside a 1.3 s one is not a sliver. When
 * the chart holds codes of more than one port (or ports and MMIO), each value label says where
 * its code came from ("0xf4:3"). Text that does not fit its place (a stage name in a short bar,
 * a long row label or header) is shortened with an ellipsis, its whole text in a tooltip.
 * A stage is a label: the debug port's five keep their colours and legend
 * order; other labels (label maps, Guest-boot-time) follow, coloured in turn. The chart is
 * drawn when the trace closes, so the writer keeps the codes it is given (up to MAX_TICKS per
 * VM).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "text.h"

#define MAX_TICKS      20000 /* codes drawn per VM; the rest are counted in its header */
#define CHART_WIDTH    1400
#define LABEL_WIDTH    190 /* row labels, left of the plot */
#define RIGHT_PAD      40
#define PLOT_WIDTH     (CHART_WIDTH - LABEL_WIDTH - RIGHT_PAD)
#define HEADER_H       26
#define STAGE_ROW_H    30
#define VCPU_ROW_H     46
#define VM_GAP	       18
#define AXIS_H	       18  /* a VM's own time axis, above its stage bars */
#define OWN_AXIS_RATIO 10  /* a VM this many times shorter than the longest has its own axis */
#define TOP	       116 /* title, legend and axis labels above the first VM */
#define CHAR_W	       6.8 /* average advance of a 12px sans-serif character */
/* Generous advances, to shorten text that must fit: 12px, 12px bold and 13px bold. */
#define FIT_CHAR_W	  7.2
#define FIT_BOLD_CHAR_W	  7.8
#define FIT_HEADER_CHAR_W 8.0
/*
 * The time axis ends at most this far from a VM's start (31 years): stamps from a file can be
 * anything, and the axis arithmetic below must neither overflow nor divide by zero.
 */
#define MAX_SPAN_NS 1000000000000000000ull

#define LEGEND_Y      76
#define LEGEND_LINE_H 22 /* a legend too wide for one line goes on */

/* The debug port's five stages keep their colours, in label_rank() order. */
static const char *const debug_port_colors[LABEL_RANK_OTHER] = {
    "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1",
};
/* Other labels (label maps, Guest-boot-time) take these in turn, as the legend lists them. */
static const char *const other_colors[] = {
    "#edc948", "#76b7b2", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#8c564b", "#e377c2",
};
#define UNKNOWN_COLOR "#bab0ac" /* codes their port's map does not name */

struct tick {
	uint64_t ts_ns;
	uint64_t gpa; /* an --mmio write's address */
	const struct label *label;
	uint32_t value;
	uint32_t vcpu;
	pid_t tid;
	uint8_t size;
	bool mmio;
	uint16_t port;
};

struct vcpu_row {
	uint32_t vcpu;
	pid_t tid;
	char comm[EVENT_THREAD_MAX];
};

/*
 * What the chart keeps is found by hash (uthash), so that an event costs the same with a
 * million VMs or vCPUs in the file as with one.
 */
struct chart_vm {
	struct vm_key key;
	uint32_t nr; /* its place in the chart (VMs are drawn in the order they came) */
	/* what the chart shows of the VM, as last seen */
	char comm[EVENT_THREAD_MAX];
	uint64_t start_ns;
	enum vm_end_reason end_reason;
	uint32_t exit_status;
	struct boot_stages stats;
	bool summarized; /* stats has its VM's summary: a code after it is added here */
	struct tick *ticks;
	size_t nr_ticks, cap_ticks, not_drawn;
	struct vcpu_row *rows;
	int nr_rows, cap_rows;
	/* its time axis, set when the chart is drawn */
	uint64_t span, step;
	double scale;
	bool own_axis;
	UT_hash_handle hh;
};

/* A VM's vCPU row: by vCPU; the threads of an unknown vCPU have a row each, by tid. */
struct row_key {
	uint32_t vm; /* chart_vm.nr */
	uint32_t vcpu;
	pid_t tid; /* 0 for a known vCPU */
};

struct row_index {
	struct row_key key;
	int row; /* in chart_vm.rows */
	UT_hash_handle hh;
};

struct chart {
	struct chart_vm **vms; /* in order */
	struct chart_vm *by_key;
	struct row_index *rows;
	uint32_t nr_vms, cap_vms;
	bool several_ports; /* codes of more than one port (or ports and MMIO) */
	bool failed;	    /* out of memory: the chart would be wrong */
};

/* A stage in the legend, by name, with its colour. */
struct legend_entry {
	const char *name;
	const char *color;
	UT_hash_handle hh;
};

/* The stages the chart shows, in legend order; each label's colour follows from it. */
struct legend {
	const char **names;
	int nr;
	int first_other;	      /* names[first_other..] are not the debug port's */
	struct legend_entry *by_name; /* the other labels, by name */
};

void xml_escape(FILE *fp, const char *s)
{
	while (*s) {
		unsigned char c = *s;
		size_t len = utf8_seq_len(s);

		/* XML 1.0 has no way to write most control characters: replace them. */
		if (c == '&')
			fputs("&amp;", fp);
		else if (c == '<')
			fputs("&lt;", fp);
		else if (c == '>')
			fputs("&gt;", fp);
		else if (c == '"')
			fputs("&quot;", fp);
		else if (c == '\'')
			fputs("&apos;", fp);
		else if (len == 0 || (c < 0x20 && c != '\t' && c != '\n'))
			fputc('?', fp); /* a control byte, or a stray byte of invalid UTF-8 */
		else
			fwrite(s, 1, len, fp);
		s += len ?: 1;
	}
}

static struct chart_vm *chart_vm_of(struct output *out, const struct traced_vm *vm)
{
	struct chart *c = out->priv;
	struct vm_key key = {.id = vm->id, .pid = vm->pid};
	struct chart_vm *cv;

	HASH_FIND(hh, c->by_key, &key, sizeof(key), cv);
	if (cv)
		return cv;
	if (c->nr_vms == c->cap_vms) {
		uint32_t cap = c->cap_vms ? 2 * c->cap_vms : 16;
		struct chart_vm **grown = realloc(c->vms, cap * sizeof(*grown));

		if (!grown)
			goto oom;
		c->vms = grown;
		c->cap_vms = cap;
	}
	cv = calloc(1, sizeof(*cv));
	if (!cv)
		goto oom;
	cv->key = key;
	cv->nr = c->nr_vms;
	HASH_ADD(hh, c->by_key, key, sizeof(key), cv);
	if (!cv->hh.tbl) {
		free(cv);
		goto oom;
	}
	c->vms[c->nr_vms++] = cv;
	return cv;
oom:
	c->failed = true;
	return NULL;
}

/* Keep what the chart shows of a VM, as last reported (its own statistics are cv->stats). */
static void update_vm(struct chart_vm *cv, const struct traced_vm *vm)
{
	memcpy(cv->comm, vm->comm, sizeof(cv->comm));
	/* A VM met again in a later run: its times count from its first start, as its codes. */
	if (vm->start_ns && (!cv->start_ns || vm->start_ns < cv->start_ns))
		cv->start_ns = vm->start_ns;
	cv->end_reason = vm->end_reason;
	cv->exit_status = vm->exit_status;
}

static int svg_open(struct output *out)
{
	out->priv = calloc(1, sizeof(struct chart));
	return out->priv ? 0 : -ENOMEM;
}

static void svg_vm(struct output *out, const struct traced_vm *vm)
{
	struct chart_vm *cv = chart_vm_of(out, vm);

	if (cv)
		update_vm(cv, vm);
}

/* A row for the event's vCPU (or thread), if it has none yet: rows come in first-seen order. */
static void add_row(struct chart *c, struct chart_vm *cv, const struct boot_event *ev)
{
	struct row_key key = {
	    .vm = cv->nr,
	    .vcpu = ev->vcpu,
	    .tid = ev->vcpu == EVENT_VCPU_UNKNOWN ? ev->tid : 0,
	};
	struct row_index *ri;
	struct vcpu_row *row;

	HASH_FIND(hh, c->rows, &key, sizeof(key), ri);
	if (ri)
		return;
	if (cv->nr_rows == cv->cap_rows) {
		int cap = cv->cap_rows ? 2 * cv->cap_rows : 4;

		row = realloc(cv->rows, cap * sizeof(*row));
		if (!row)
			return;
		cv->rows = row;
		cv->cap_rows = cap;
	}
	ri = calloc(1, sizeof(*ri));
	if (!ri)
		return;
	ri->key = key;
	ri->row = cv->nr_rows;
	HASH_ADD(hh, c->rows, key, sizeof(key), ri);
	if (!ri->hh.tbl) {
		free(ri);
		return;
	}
	row = &cv->rows[cv->nr_rows++];
	memset(row, 0, sizeof(*row));
	row->vcpu = ev->vcpu;
	row->tid = ev->tid;
	memcpy(row->comm, ev->thread, sizeof(row->comm));
}

static void svg_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	struct chart_vm *cv;
	struct tick *grown;

	if (ev->kind != EVENT_CODE)
		return;
	cv = chart_vm_of(out, vm);
	if (!cv)
		return;
	update_vm(cv, vm);
	add_row(out->priv, cv, ev);
	/* A code after its VM's summary (a write read after its VM ended): counted all the same. */
	if (cv->summarized && boot_stages_add(&cv->stats, ev->label, ev->ts_ns))
		((struct chart *)out->priv)->failed = true;
	if (cv->nr_ticks == MAX_TICKS) {
		cv->not_drawn++;
		return;
	}
	if (cv->nr_ticks == cv->cap_ticks) {
		size_t cap = cv->cap_ticks ? 2 * cv->cap_ticks : 4; /* most VMs write few */

		grown = realloc(cv->ticks, cap * sizeof(*grown));
		if (!grown) {
			((struct chart *)out->priv)->failed = true;
			return;
		}
		cv->ticks = grown;
		cv->cap_ticks = cap;
	}
	cv->ticks[cv->nr_ticks++] = (struct tick){.ts_ns = ev->ts_ns,
						  .gpa = w->gpa,
						  .label = ev->label,
						  .value = w->value,
						  .vcpu = ev->vcpu,
						  .tid = ev->tid,
						  .size = w->size,
						  .mmio = w->mmio,
						  .port = w->port};
}

/* The VM's statistics are final: the chart takes them (a VM met again in a later run of the
 * same file is drawn once, with both runs' codes). */
static void svg_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct chart_vm *cv = chart_vm_of(out, vm);

	if (!cv)
		return;
	update_vm(cv, vm);
	if (boot_stages_merge(&cv->stats, &vm->stats))
		((struct chart *)out->priv)->failed = true;
	cv->summarized = true;
}

/* A VM starts (again, in a later run of the same file): its codes count from its summary. */
static void svg_vm_start(struct output *out, const struct traced_vm *vm)
{
	struct chart_vm *cv = chart_vm_of(out, vm);

	if (cv) {
		update_vm(cv, vm);
		cv->summarized = false;
	}
}

/* "12.345 ms": a duration for people, exact to the microsecond. */
static void human_time(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, len, "%" PRIu64 " µs", ns / 1000);
	else if (ns < 10000000000ull)
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " ms", ns / 1000000,
			 ns % 1000000 / 1000);
	else
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s", ns / 1000000000,
			 ns % 1000000000 / 1000000);
}

static uint64_t vm_base(const struct chart_vm *cv)
{
	uint64_t first = UINT64_MAX;

	if (cv->start_ns)
		return cv->start_ns;
	for (int i = 0; i < cv->stats.nr; i++)
		if (cv->stats.stage[i].first_ns < first)
			first = cv->stats.stage[i].first_ns;
	return first == UINT64_MAX ? 0 : first;
}

static uint64_t vm_last(const struct chart_vm *cv)
{
	uint64_t last = 0;

	for (int i = 0; i < cv->stats.nr; i++)
		if (cv->stats.stage[i].last_ns > last)
			last = cv->stats.stage[i].last_ns;
	return last;
}

/* A round grid step (1, 2 or 5 times a power of ten) giving at most about 10 lines. */
static uint64_t grid_step(uint64_t span)
{
	uint64_t step = 1;

	for (;;) {
		if (span / step <= 10)
			return step;
		if (span / (2 * step) <= 10)
			return 2 * step;
		if (span / (5 * step) <= 10)
			return 5 * step;
		step *= 10;
	}
}

static void grid_label(char *buf, size_t len, uint64_t ns, uint64_t step)
{
	if (step >= 1000000000)
		snprintf(buf, len, "%" PRIu64 " s", ns / 1000000000);
	else if (step >= 1000000)
		snprintf(buf, len, "%" PRIu64 " ms", ns / 1000000);
	else if (step >= 1000)
		snprintf(buf, len, "%" PRIu64 " µs", ns / 1000);
	else
		snprintf(buf, len, "%" PRIu64 " ns", ns);
}

static int vm_height(const struct chart_vm *cv)
{
	return HEADER_H + (cv->own_axis ? AXIS_H : 0) + STAGE_ROW_H + cv->nr_rows * VCPU_ROW_H +
	       VM_GAP;
}

/* An axis for a boot this long: its span (room after the last code, rounded up to a grid
 * step), the step and the pixels per nanosecond. */
static void axis_of(uint64_t last, uint64_t *span, uint64_t *step, double *scale)
{
	if (last > MAX_SPAN_NS)
		last = MAX_SPAN_NS;
	last += last / 20 + 1; /* room after the last code */
	*step = grid_step(last);
	*span = (last + *step - 1) / *step * *step;
	*scale = (double)PLOT_WIDTH / *span;
}

/* The bytes of s's first n characters (an invalid byte counts as one, as xml_escape()'s "?"). */
static size_t utf8_prefix(const char *s, size_t n, size_t *chars)
{
	size_t off = 0, len;

	for (*chars = 0; s[off] && *chars < n; (*chars)++) {
		len = utf8_seq_len(s + off);
		off += len ?: 1;
	}
	return off;
}

/*
 * s, escaped, in at most max_px at char_w pixels a character: shortened with an ellipsis when
 * it does not fit, nothing when not even one character and the ellipsis do. True if shortened.
 */
static bool fit_text(FILE *fp, const char *s, double max_px, double char_w)
{
	size_t fits = max_px > 0 ? (size_t)(max_px / char_w) : 0, chars, bytes;
	char *head;

	utf8_prefix(s, SIZE_MAX, &chars);
	if (chars <= fits) {
		xml_escape(fp, s);
		return false;
	}
	if (fits < 2)
		return true;
	bytes = utf8_prefix(s, fits - 1, &chars);
	head = strndup(s, bytes);
	if (head)
		xml_escape(fp, head);
	free(head);
	fputs("\u2026", fp);
	return true;
}

/* One more name in the legend; an other label gets its colour. 0 or -ENOMEM. */
static int legend_add(struct legend *lg, int *cap, const char *name, int *nr_colored)
{
	struct legend_entry *e;

	if (lg->nr == *cap) {
		int grown_cap = *cap ? 2 * *cap : 16;
		const char **grown = realloc(lg->names, grown_cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		lg->names = grown;
		*cap = grown_cap;
	}
	if (label_rank(name) < LABEL_RANK_OTHER) {
		lg->names[lg->nr++] = name;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->name = name;
	/* Unknown keeps its grey and takes no colour from the others. */
	if (strcmp(name, label_unknown.name))
		e->color = other_colors[(*nr_colored)++ %
					(sizeof(other_colors) / sizeof(other_colors[0]))];
	else
		e->color = UNKNOWN_COLOR;
	HASH_ADD_KEYPTR(hh, lg->by_name, e->name, strlen(e->name), e);
	if (!e->hh.tbl) {
		free(e);
		return -ENOMEM;
	}
	lg->names[lg->nr++] = name;
	return 0;
}

static void legend_free(struct legend *lg)
{
	while (lg->by_name) {
		struct legend_entry *e = lg->by_name;

		HASH_DEL(lg->by_name, e);
		free(e);
	}
	free(lg->names);
	*lg = (struct legend){};
}

/*
 * The legend: the debug port's five stages in their order (as always, whenever one of them
 * or no stage at all is in the chart), then every other label in the order the VMs first
 * show it. 0 or -ENOMEM.
 */
static int legend_build(const struct chart *c, struct legend *lg)
{
	bool debug_port = false, any_stage = false;
	int cap = 0, nr_colored = 0;

	for (uint32_t i = 0; i < c->nr_vms; i++) {
		const struct boot_stages *stats = &c->vms[i]->stats;

		any_stage |= stats->nr > 0;
		for (int k = 0; k < stats->nr; k++)
			if (label_rank(stats->stage[k].label) < LABEL_RANK_OTHER)
				debug_port = true;
	}
	if (!any_stage)
		debug_port = true;
	*lg = (struct legend){};
	for (int r = 0; debug_port && r < LABEL_RANK_OTHER; r++)
		if (legend_add(lg, &cap, label_map_debug_port.ranges[r].label.name, &nr_colored))
			return -ENOMEM;
	lg->first_other = lg->nr;
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		const struct boot_stages *stats = &c->vms[i]->stats;

		for (int k = 0; k < stats->nr; k++) {
			const char *name = stats->stage[k].label;
			struct legend_entry *e;

			if (label_rank(name) < LABEL_RANK_OTHER)
				continue;
			HASH_FIND_STR(lg->by_name, name, e);
			if (!e && legend_add(lg, &cap, name, &nr_colored))
				return -ENOMEM;
		}
	}
	return 0;
}

static const char *stage_color(const struct legend *lg, const char *name)
{
	int rank = label_rank(name);
	struct legend_entry *e;

	if (rank < LABEL_RANK_OTHER)
		return debug_port_colors[rank];
	HASH_FIND_STR(lg->by_name, name, e);
	return e ? e->color : UNKNOWN_COLOR;
}

/*
 * Draw the legend from y on (fp NULL: only measure it), wrapping before the right edge.
 * Returns how many lines it takes.
 */
static int draw_legend(FILE *fp, const struct legend *lg, int y)
{
	static const char key[] = "code written to the port (its value above)";
	double x = LABEL_WIDTH, right = CHART_WIDTH - RIGHT_PAD;
	int lines = 1;

	for (int i = 0; i < lg->nr; i++) {
		const char *name = lg->names[i];
		double w = 20 + strlen(name) * CHAR_W;

		if (x > LABEL_WIDTH && x + w > right) {
			x = LABEL_WIDTH;
			y += LEGEND_LINE_H;
			lines++;
		}
		if (fp) {
			fprintf(fp,
				"<rect class=\"legend\" x=\"%.1f\" y=\"%d\" width=\"14\" "
				"height=\"14\" rx=\"2\" fill=\"%s\"/>\n",
				x, y - 11, stage_color(lg, name));
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\">", x + 20, y);
			xml_escape(fp, name);
			fputs("</text>\n", fp);
		}
		x += w + 28;
	}
	if (x > LABEL_WIDTH && x + 16 + strlen(key) * CHAR_W > right) {
		x = LABEL_WIDTH;
		y += LEGEND_LINE_H;
		lines++;
	}
	if (!fp)
		return lines;
	fprintf(fp,
		"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" "
		"stroke-width=\"2\"/>\n",
		x + 7, y - 13, x + 7, y + 2);
	fprintf(fp, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 16, y, key);
	return lines;
}

/* Vertical grid lines through one VM's rows (not through its header text). */
static void draw_grid(FILE *fp, int y1, int y2, uint64_t span, uint64_t step, double scale)
{
	for (uint64_t t = 0; t <= span; t += step)
		fprintf(fp, "<line class=\"grid\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n",
			LABEL_WIDTH + t * scale, y1, LABEL_WIDTH + t * scale, y2);
}

/* The row a tick belongs to, in rows sorted by_vcpu(): a bsearch() comparison. */
static int tick_row_cmp(const void *key, const void *elem)
{
	const struct tick *t = key;
	const struct vcpu_row *row = elem;

	if (t->vcpu != row->vcpu)
		return t->vcpu < row->vcpu ? -1 : 1;
	if (t->vcpu != EVENT_VCPU_UNKNOWN)
		return 0; /* a known vCPU has one row, whatever its threads */
	return t->tid < row->tid ? -1 : t->tid > row->tid;
}

/*
 * The VM's ticks grouped by row (its rows sorted), each row's in the order they came:
 * row r's are order[first[r]] to order[first[r + 1] - 1]. Ticks without a row are left out.
 * 0 or -ENOMEM.
 */
static int ticks_by_row(const struct chart_vm *cv, uint32_t **order, uint32_t **first)
{
	int32_t *row_of = malloc(cv->nr_ticks * sizeof(*row_of) + 1); /* + 1: not malloc(0) */
	uint32_t *fill;

	*order = malloc(cv->nr_ticks * sizeof(**order) + 1);
	*first = calloc(cv->nr_rows + 2, sizeof(**first));
	if (!row_of || !*order || !*first) {
		free(row_of);
		free(*order);
		free(*first);
		*order = *first = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < cv->nr_ticks; i++) {
		const struct vcpu_row *row = NULL;

		if (cv->nr_rows) /* none only when out of memory */
			row = bsearch(&cv->ticks[i], cv->rows, cv->nr_rows, sizeof(*row),
				      tick_row_cmp);
		row_of[i] = row ? row - cv->rows : -1;
		if (row)
			(*first)[row_of[i] + 2]++;
	}
	/* Counting sort: first[r + 2] counts row r's ticks, then first[r + 1] fills row r. */
	for (int r = 0; r < cv->nr_rows; r++)
		(*first)[r + 2] += (*first)[r + 1];
	fill = *first;
	for (size_t i = 0; i < cv->nr_ticks; i++)
		if (row_of[i] >= 0)
			(*order)[fill[row_of[i] + 1]++] = i;
	free(row_of);
	return 0;
}

static int draw_vm(FILE *fp, const struct chart_vm *cv, const struct legend *lg, int y,
		   bool several_ports)
{
	const double scale = cv->scale, plot_end = LABEL_WIDTH + PLOT_WIDTH;
	const uint64_t span = cv->span, step = cv->step;
	struct stage_row *rows;
	int n = boot_summary(&cv->stats, &rows), err;
	uint64_t base = vm_base(cv), user_ns;
	char reason[48], t1[32], t2[32], header[256], row_label[64];
	size_t len;
	/* Only what vm_end_reason() and vm_boot_complete() read. */
	const struct traced_vm vm = {.end_reason = cv->end_reason, .exit_status = cv->exit_status};
	uint32_t *order, *first;

	/* Header: who, how it ended, time to userspace; shortened to the chart's width. */
	len = strlen(cv->comm) < sizeof(header) ? strlen(cv->comm) : sizeof(header) - 1;
	memcpy(header, cv->comm, len);
	header[len] = '\0';
#define HEADER_ADD(...)                                                                            \
	do {                                                                                       \
		len = strlen(header);                                                              \
		snprintf(header + len, sizeof(header) - len, __VA_ARGS__);                         \
	} while (0)
	if (cv->key.id == EVENT_VM_UNKNOWN)
		HEADER_ADD("[%d] vm?", cv->key.pid);
	else
		HEADER_ADD("[%d] vm%" PRIu32, cv->key.pid, cv->key.id);
	HEADER_ADD(" \u2014 %" PRIu64 " codes, %s%s", cv->stats.events,
		   vm_end_reason(&vm, reason, sizeof(reason)),
		   vm_boot_complete(&vm) ? "" : " (incomplete)");
	if (boot_userspace_ns(&cv->stats, &user_ns) && user_ns >= base) {
		human_time(t1, sizeof(t1), user_ns - base);
		HEADER_ADD(" \u2014 time to Userspace %s", t1);
	}
	if (!cv->start_ns)
		HEADER_ADD(" \u2014 VM start not seen: times from its first write");
	if (cv->not_drawn)
		HEADER_ADD(" \u2014 %zu codes not drawn", cv->not_drawn);
#undef HEADER_ADD
	fprintf(fp, "<text class=\"vm\" x=\"10\" y=\"%d\">", y + 17);
	if (fit_text(fp, header, CHART_WIDTH - 20, FIT_HEADER_CHAR_W)) {
		fputs("<title>", fp);
		xml_escape(fp, header);
		fputs("</title>", fp);
	}
	fputs("</text>\n", fp);
	y += HEADER_H;
	if (cv->own_axis) {
		fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">own time axis</text>\n",
			LABEL_WIDTH - 30, y + 12);
		for (uint64_t t = 0; t <= span; t += step) {
			grid_label(t1, sizeof(t1), t, step);
			fprintf(fp, "<text class=\"axis\" x=\"%.2f\" y=\"%d\">%s</text>\n",
				LABEL_WIDTH + t * scale, y + 12, t1);
		}
		y += AXIS_H;
	}
	for (int r = 0; r < cv->nr_rows; r++)
		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH, y + STAGE_ROW_H + r * VCPU_ROW_H + 2, PLOT_WIDTH,
			VCPU_ROW_H - 4);
	draw_grid(fp, y, y + STAGE_ROW_H + cv->nr_rows * VCPU_ROW_H, span, step, scale);

	fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">boot stages</text>\n", LABEL_WIDTH - 10,
		y + 19);
	fputs("<g>\n", fp);
	for (int i = 0; i < n; i++) {
		const char *name = rows[i].label;
		double x = LABEL_WIDTH + (rows[i].first_ns - base) * scale;
		double w = rows[i].duration_ns * scale;
		char text[64];

		if (x > plot_end - 1.5)
			x = plot_end - 1.5; /* past a clamped axis: at its end */
		if (x + w > plot_end)
			w = plot_end - x;
		if (w < 1.5)
			w = 1.5; /* a stage with one code still shows */
		human_time(t1, sizeof(t1), rows[i].first_ns - base);
		human_time(t2, sizeof(t2), rows[i].duration_ns);
		/* Names from label files may hold any printable character: escaped. */
		fputs("<rect class=\"stage\" data-stage=\"", fp);
		xml_escape(fp, name);
		fprintf(fp,
			"\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>",
			x, y + 3, w, STAGE_ROW_H - 6, stage_color(lg, name));
		xml_escape(fp, name);
		fprintf(fp, ": from %s, lasting %s, %" PRIu32 " code%s</title></rect>\n", t1, t2,
			rows[i].codes, rows[i].codes == 1 ? "" : "s");
		/* Name and duration, or the name, shortened if need be; clipped to the bar. */
		snprintf(text, sizeof(text), "%s %s", name, t2);
		utf8_prefix(text, SIZE_MAX, &len);
		if (len * FIT_BOLD_CHAR_W + 8 > w)
			snprintf(text, sizeof(text), "%s", name);
		if (w - 8 >= 2 * FIT_BOLD_CHAR_W) {
			fprintf(fp,
				"<clipPath id=\"bar%" PRIu32 "-%d\"><rect x=\"%.2f\" y=\"%d\" "
				"width=\"%.2f\" height=\"%d\"/></clipPath>",
				cv->nr, i, x, y + 3, w, STAGE_ROW_H - 6);
			fprintf(fp,
				"<text class=\"bar\" x=\"%.2f\" y=\"%d\" "
				"clip-path=\"url(#bar%" PRIu32 "-%d)\">",
				x + 4, y + 19, cv->nr, i);
			fit_text(fp, text, w - 8, FIT_BOLD_CHAR_W);
			fputs("</text>\n", fp);
		}
	}
	fputs("</g>\n", fp);
	free(rows);
	y += STAGE_ROW_H;

	err = ticks_by_row(cv, &order, &first); /* without it, rows without their ticks */
	for (int r = 0; r < cv->nr_rows; r++) {
		const struct vcpu_row *row = &cv->rows[r];
		double lane_end[2] = {-1e9, -1e9};

		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH, y + 2, PLOT_WIDTH, VCPU_ROW_H - 4);
		/* The row's name, shortened to the room left of the plot. */
		if (row->vcpu == EVENT_VCPU_UNKNOWN)
			snprintf(row_label, sizeof(row_label), "vCPU ? (%s)", row->comm);
		else
			snprintf(row_label, sizeof(row_label), "vCPU %" PRIu32 " (%s)", row->vcpu,
				 row->comm);
		fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">", LABEL_WIDTH - 10, y + 28);
		if (fit_text(fp, row_label, LABEL_WIDTH - 20, FIT_CHAR_W)) {
			fputs("<title>", fp);
			xml_escape(fp, row_label);
			fputs("</title>", fp);
		}
		fputs("</text>\n", fp);
		for (uint32_t i = err ? 0 : first[r]; !err && i < first[r + 1]; i++) {
			const struct tick *t = &cv->ticks[order[i]];
			uint32_t code = t->value & 0xff;
			double x = LABEL_WIDTH + (t->ts_ns - base) * scale;
			char value[32];
			double half, at;
			int lane;

			if (t->ts_ns < base)
				continue;
			if (x > plot_end)
				x = plot_end; /* past a clamped axis: at its end */
			if (t->size > 1)
				snprintf(value, sizeof(value), "0x%" PRIx32, t->value);
			else
				snprintf(value, sizeof(value), "0x%" PRIx32, code);
			human_time(t1, sizeof(t1), t->ts_ns - base);
			fprintf(fp,
				"<line class=\"tick\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
				"stroke=\"%s\"><title>",
				x, y + 24, x, y + VCPU_ROW_H - 4, stage_color(lg, t->label->name));
			xml_escape(fp, t->label->name);
			fprintf(fp, " code %s at %s", value, t1);
			if (t->mmio)
				fprintf(fp, " (MMIO 0x%" PRIx64 ")", t->gpa);
			else if (t->port != 0x80 || several_ports)
				fprintf(fp, " (port 0x%x)", t->port);
			fputs("</title></line>\n", fp);
			/* Codes of several ports: the label says whose ("0xf4:3", "mmio:7b"). */
			if (several_ports && t->mmio)
				snprintf(value, sizeof(value), "mmio:%" PRIx32,
					 t->size > 1 ? t->value : code);
			else if (several_ports)
				snprintf(value, sizeof(value), "0x%x:%" PRIx32, t->port,
					 t->size > 1 ? t->value : code);
			/* Values in two staggered lanes, inside the plot and the chart; one that
			 * fits in neither lane is left out. */
			half = strlen(value) * CHAR_W / 2;
			at = x;
			if (at + half > CHART_WIDTH - 4)
				at = CHART_WIDTH - 4 - half;
			if (at - half < LABEL_WIDTH)
				at = LABEL_WIDTH + half;
			for (lane = 0; lane < 2; lane++)
				if (at - half > lane_end[lane] + 3)
					break;
			if (lane == 2)
				continue;
			lane_end[lane] = at + half;
			fprintf(fp, "<text class=\"value\" x=\"%.2f\" y=\"%d\">%s</text>\n", at,
				y + (lane ? 11 : 22), value);
		}
		y += VCPU_ROW_H;
	}
	free(order);
	free(first);
	return err;
}

/* vCPU rows in vCPU order, the unattributed ones last. */
static int by_vcpu(const void *a, const void *b)
{
	const struct vcpu_row *x = a, *y = b;

	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void draw(FILE *fp, struct chart *c)
{
	uint64_t span = 0, longest, step;
	bool any_source = false;
	int top, height, y, first_source = 0;
	uint32_t drawn = 0;
	struct legend lg;
	double scale;
	char label[32];

	if (legend_build(c, &lg)) {
		c->failed = true;
		legend_free(&lg);
	}
	/* A legend on more than one line pushes the VMs down. */
	top = TOP + (draw_legend(NULL, &lg, LEGEND_Y) - 1) * LEGEND_LINE_H;
	height = top + 30;

	for (uint32_t i = 0; i < c->nr_vms; i++) {
		struct chart_vm *cv = c->vms[i];
		uint64_t base = vm_base(cv), last = vm_last(cv);

		/* Sorted in place: the row index of add_row() is stale from here on. */
		if (cv->nr_rows > 1) /* rows is NULL when there are none */
			qsort(cv->rows, cv->nr_rows, sizeof(struct vcpu_row), by_vcpu);
		if (!cv->stats.events)
			continue; /* a VM that wrote no code has nothing to draw */
		if (last > base && last - base > span)
			span = last - base;
		for (size_t k = 0; k < cv->nr_ticks; k++) {
			int source = cv->ticks[k].mmio ? -1 : cv->ticks[k].port;

			if (!any_source)
				first_source = source;
			any_source = true;
			c->several_ports |= source != first_source;
		}
		drawn++;
	}
	/*
	 * One axis for the VMs as long as the longest, within a factor OWN_AXIS_RATIO; a shorter
	 * VM has its own, or its bars would be a sliver.
	 */
	longest = span;
	axis_of(span, &span, &step, &scale);
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		struct chart_vm *cv = c->vms[i];
		uint64_t base = vm_base(cv), last = vm_last(cv);
		uint64_t own = last > base ? last - base : 0;

		if (!cv->stats.events)
			continue;
		/* One code (no span) has nothing to scale: it stays on the shared axis. */
		cv->own_axis = own && own < MAX_SPAN_NS && own * OWN_AXIS_RATIO < longest;
		if (cv->own_axis)
			axis_of(own, &cv->span, &cv->step, &cv->scale);
		else
			cv->span = span, cv->step = step, cv->scale = scale;
		height += vm_height(cv);
	}

	fprintf(fp,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
		"font-size=\"12\">\n",
		CHART_WIDTH, height, CHART_WIDTH, height);
	fputs("<style>\n"
	      "  .title { font-size: 18px; font-weight: bold; }\n"
	      "  .subtitle { fill: #555; }\n"
	      "  .vm { font-size: 13px; font-weight: bold; }\n"
	      "  .row { text-anchor: end; }\n"
	      "  .bar { fill: #fff; font-weight: bold; pointer-events: none; }\n"
	      "  .value { text-anchor: middle; font-size: 11px; fill: #222; }\n"
	      "  .axis { text-anchor: middle; fill: #444; }\n"
	      "  .grid { stroke: #ddd; }\n"
	      "  .lane { fill: #f6f6f6; }\n"
	      "  .tick { stroke-width: 2; }\n"
	      "</style>\n",
	      fp);
	fprintf(fp, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", CHART_WIDTH, height);
	fputs("<text class=\"title\" x=\"10\" y=\"28\">Boot chart</text>\n", fp);
	fprintf(fp, "<text class=\"subtitle\" x=\"10\" y=\"48\">boot-trace %s: %" PRIu32 " VM%s",
		BOOT_TRACE_VERSION, drawn, drawn == 1 ? "" : "s");
	if (c->nr_vms > drawn)
		fprintf(fp, " (%" PRIu32 " more without codes)", c->nr_vms - drawn);
	fputs("; time from each VM's creation (KVM_CREATE_VM), stamped in the host kernel; a VM "
	      "whose boot is under a tenth of the longest has its own time axis</text>\n",
	      fp);
	draw_legend(fp, &lg, LEGEND_Y);

	/* The time axis, above the first VM. */
	for (uint64_t t = 0; t <= span; t += step) {
		double x = LABEL_WIDTH + t * scale;

		grid_label(label, sizeof(label), t, step);
		fprintf(fp, "<text class=\"axis\" x=\"%.2f\" y=\"%d\">%s</text>\n", x, top - 12,
			label);
	}
	y = top;
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		if (!c->vms[i]->stats.events)
			continue;
		if (draw_vm(fp, c->vms[i], &lg, y, c->several_ports))
			c->failed = true;
		y += vm_height(c->vms[i]);
	}
	if (!drawn)
		fprintf(fp, "<text x=\"10\" y=\"%d\">No boot codes in this trace.</text>\n",
			y + 20);
	fputs("</svg>\n", fp);
	legend_free(&lg);
}

static void svg_close(struct output *out)
{
	struct chart *c = out->priv;

	if (!c)
		return;
	/* Not a chart of a bad trace, not even on stdout: it would only mislead. */
	if (!out->discard)
		draw(out->fp, c);
	if (c->failed && !out->discard)
		fprintf(stderr, "boot-trace: out of memory: the boot chart is incomplete\n");
	while (c->rows) {
		struct row_index *ri = c->rows;

		HASH_DEL(c->rows, ri);
		free(ri);
	}
	HASH_CLEAR(hh, c->by_key); /* the VMs themselves are freed from c->vms */
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		free(c->vms[i]->ticks);
		free(c->vms[i]->rows);
		boot_stages_free(&c->vms[i]->stats);
		free(c->vms[i]);
	}
	free(c->vms);
	free(c);
	out->priv = NULL;
}

const struct output_ops output_svg_ops = {
    .open = svg_open,
    .vm_start = svg_vm_start,
    .event = svg_event,
    .vm_end = svg_vm,
    .vm_summary = svg_vm_summary,
    .close = svg_close,
};
