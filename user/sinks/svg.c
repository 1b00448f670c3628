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
 *
 * Guests traced by their console (event.h): a row of host phases (VM created, first entry,
 * ...) as dashed markers, named; a row per console with a tick for every line, light grey,
 * except the lines a rule matched, which take their stage's colour and their text (shortened)
 * beside the tick; each line's whole text is in its tooltip, never on the chart. "VMM set-up"
 * is a stage like the others, first in the legend; when it began before the VM's creation
 * (run saw the VMM start), the VM's time axis begins there. I/O delays (port-0x80 writes that
 * are no marker) are short grey ticks on their vCPU's row, without a value. A chart without
 * any of these is drawn as before, byte for byte.
 *
 * A chart of more than one boot (VMs with stages: run --repeat's files, a fleet) begins, under
 * the legend, with the distribution of each stage over them (svg_dist.c), its figures from
 * the statistics module (boot_dists_build()); the VMs follow, moved down, as they were.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "samples.h"
#include "svg_chart.h"
#include "text.h"

#define MAX_TICKS      20000 /* codes drawn per VM; the rest are counted in its header */
#define MAX_LINES      20000 /* console lines drawn per VM; the rest are counted too */
#define MAX_CONSOLES   8     /* console rows per VM; lines of more consoles are not drawn */
#define MAX_PHASES     64    /* phase markers per VM (a VM met again in later runs has more) */
#define PHASE_ROW_H    34
#define CONSOLE_ROW_H  46
#define LINE_LABEL_MAX 220 /* pixels of a matched console line's text beside its tick */
#define LINE_LABEL_MIN 60  /* ...which is shortened to the chart's edge down to this */
#define CONSOLE_LABELS 128 /* line labels per lane of a console row (and stages told apart) */
#define STAGE_ROW_H    30
#define VCPU_ROW_H     46
#define AXIS_H	       18  /* a VM's own time axis, above its stage bars */
#define OWN_AXIS_RATIO 10  /* a VM this many times shorter than the longest has its own axis */
#define TOP	       116 /* title, legend and axis labels above the first VM */
#define CHAR_W	       6.8 /* average advance of a 12px sans-serif character */
/*
 * The time axis ends at most this far from a VM's start (31 years): stamps from a file can be
 * anything, and the axis arithmetic below must neither overflow nor divide by zero.
 */
#define MAX_SPAN_NS 1000000000000000000ull

#define LEGEND_Y      76
#define LEGEND_LINE_H 22 /* a legend too wide for one line goes on */

/* The debug port's five stages keep their colours, in the order of its map. */
static const char *const debug_port_colors[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1",
};
#define NR_DEBUG_COLORS (int)(sizeof(debug_port_colors) / sizeof(debug_port_colors[0]))
/* Other labels (label maps, Guest-boot-time) take these in turn, as the legend lists them. */
static const char *const other_colors[] = {
    "#edc948", "#76b7b2", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#8c564b", "#e377c2",
};
#define UNKNOWN_COLOR	"#bab0ac" /* codes their port's map does not name */
#define VMM_SETUP_COLOR "#79706e" /* the host-side stage, before the guest runs */
#define CONSOLE_COLOR	"#b4b4b4" /* console lines that no rule matched */
#define IO_DELAY_COLOR	"#999"

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
	bool io_delay; /* no marker: an I/O delay after a write to after_port */
	uint16_t after_port;
};

/* A line of console text, kept (its text copied) until the chart is drawn. */
struct console_tick {
	uint64_t ts_ns;
	uint64_t last_ns;
	char *text;
	const struct label *label; /* the stage a rule matched, or NULL */
	int row;		   /* in chart_vm.consoles */
};

struct console_row {
	uint16_t port;
	bool debugcon;
};

struct phase_mark {
	uint64_t ts_ns;
	char name[24];
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
	struct console_tick *lines;
	size_t nr_lines, cap_lines, lines_not_drawn;
	struct console_row consoles[MAX_CONSOLES];
	int nr_consoles;
	struct phase_mark *phases;
	int nr_phases, cap_phases;
	size_t io_delays;
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
	/* what the chart holds besides codes, for the legend's keys and the styles */
	bool any_code, any_console, any_phase, any_io_delay, any_before_start;
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

/* Keep a console line (its text copied) on its console's row. */
static void add_line(struct chart *c, struct chart_vm *cv, const struct boot_event *ev)
{
	const struct console_line *line = &ev->console;
	struct console_tick *grown;
	int row;

	for (row = 0; row < cv->nr_consoles; row++)
		if (cv->consoles[row].port == line->port &&
		    cv->consoles[row].debugcon == line->debugcon)
			break;
	if (row == MAX_CONSOLES || cv->nr_lines == MAX_LINES) {
		cv->lines_not_drawn++;
		return;
	}
	if (cv->nr_lines == cv->cap_lines) {
		size_t cap = cv->cap_lines ? 2 * cv->cap_lines : 16;

		grown = realloc(cv->lines, cap * sizeof(*grown));
		if (!grown) {
			c->failed = true;
			return;
		}
		cv->lines = grown;
		cv->cap_lines = cap;
	}
	grown = &cv->lines[cv->nr_lines];
	*grown = (struct console_tick){.ts_ns = ev->ts_ns,
				       .last_ns = line->last_ts_ns,
				       .text = strdup(line->text ? line->text : ""),
				       .label = ev->label,
				       .row = row};
	if (!grown->text) {
		c->failed = true;
		return;
	}
	if (row == cv->nr_consoles)
		cv->consoles[cv->nr_consoles++] =
		    (struct console_row){.port = line->port, .debugcon = line->debugcon};
	cv->nr_lines++;
}

static void add_phase(struct chart *c, struct chart_vm *cv, const struct boot_event *ev)
{
	struct phase_mark *grown;

	if (cv->nr_phases == MAX_PHASES)
		return;
	if (cv->nr_phases == cv->cap_phases) {
		int cap = cv->cap_phases ? 2 * cv->cap_phases : 8;

		grown = realloc(cv->phases, cap * sizeof(*grown));
		if (!grown) {
			c->failed = true;
			return;
		}
		cv->phases = grown;
		cv->cap_phases = cap;
	}
	grown = &cv->phases[cv->nr_phases++];
	grown->ts_ns = ev->ts_ns;
	snprintf(grown->name, sizeof(grown->name), "%s", ev->phase ? ev->phase : "phase");
}

static void svg_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	const struct code_write *w = &ev->code;
	struct chart_vm *cv;
	struct tick *grown;

	if (ev->kind != EVENT_CODE && ev->kind != EVENT_CONSOLE && ev->kind != EVENT_PHASE)
		return;
	cv = chart_vm_of(out, vm);
	if (!cv)
		return;
	update_vm(cv, vm);
	/*
	 * An event after its VM's summary (read after its VM ended, or in a later run of the same
	 * file): counted all the same, as the session counts it.
	 */
	if (cv->summarized && boot_stages_observe(&cv->stats, ev))
		((struct chart *)out->priv)->failed = true;
	if (ev->kind == EVENT_CONSOLE) {
		add_line(out->priv, cv, ev);
		return;
	}
	if (ev->kind == EVENT_PHASE) {
		add_phase(out->priv, cv, ev);
		return;
	}
	add_row(out->priv, cv, ev);
	cv->io_delays += w->io_delay;
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
						  .port = w->port,
						  .io_delay = w->io_delay,
						  .after_port = w->after_port};
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
void svg_human_time(char *buf, size_t len, uint64_t ns)
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

/*
 * Where a VM's time axis begins: its creation, or an earlier host phase (run saw its VMM
 * start: "VMM set-up" begins there); without its creation, its first stage, line or phase.
 */
static uint64_t vm_base(const struct chart_vm *cv)
{
	uint64_t first = cv->start_ns ? cv->start_ns : UINT64_MAX;

	for (int i = 0; i < cv->nr_phases; i++)
		if (cv->phases[i].ts_ns < first)
			first = cv->phases[i].ts_ns;
	if (cv->start_ns)
		return first;
	for (int i = 0; i < cv->stats.nr; i++)
		if (cv->stats.stage[i].first_ns < first)
			first = cv->stats.stage[i].first_ns;
	for (size_t i = 0; i < cv->nr_lines; i++)
		if (cv->lines[i].ts_ns < first)
			first = cv->lines[i].ts_ns;
	return first == UINT64_MAX ? 0 : first;
}

/* The end of what the VM's axis shows: its last stage, console line or phase (but its end). */
static uint64_t vm_last(const struct chart_vm *cv)
{
	uint64_t last = 0;

	for (int i = 0; i < cv->stats.nr; i++)
		if (cv->stats.stage[i].last_ns > last)
			last = cv->stats.stage[i].last_ns;
	for (size_t i = 0; i < cv->nr_lines; i++) {
		uint64_t end = cv->lines[i].last_ns > cv->lines[i].ts_ns ? cv->lines[i].last_ns
									 : cv->lines[i].ts_ns;

		if (end > last)
			last = end;
	}
	for (int i = 0; i < cv->nr_phases; i++)
		if (strcmp(cv->phases[i].name, PHASE_VM_END) && cv->phases[i].ts_ns > last)
			last = cv->phases[i].ts_ns;
	return last;
}

/* A VM with anything to draw: codes, stages, console lines or phases. */
static bool vm_drawn(const struct chart_vm *cv)
{
	return cv->stats.events || cv->stats.nr || cv->nr_lines || cv->lines_not_drawn ||
	       cv->nr_phases;
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

void svg_grid_label(char *buf, size_t len, uint64_t ns, uint64_t step)
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

/* The rows between the stage bars and the vCPUs: host phases, then each console. */
static int extra_rows_h(const struct chart_vm *cv)
{
	return (cv->nr_phases ? PHASE_ROW_H : 0) + cv->nr_consoles * CONSOLE_ROW_H;
}

static int vm_height(const struct chart_vm *cv)
{
	return HEADER_H + (cv->own_axis ? AXIS_H : 0) + STAGE_ROW_H + extra_rows_h(cv) +
	       cv->nr_rows * VCPU_ROW_H + VM_GAP;
}

/* An axis for a boot this long: its span (room after the last code, rounded up to a grid
 * step), the step and the pixels per nanosecond. */
void svg_axis(uint64_t last, uint64_t *span, uint64_t *step, double *scale)
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
bool svg_fit_text(FILE *fp, const char *s, double max_px, double char_w)
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

/* A stage's place among the debug port's five (their colours), or -1. */
static int debug_port_index(const char *name)
{
	for (int i = 0; i < label_map_debug_port.nr && i < NR_DEBUG_COLORS; i++)
		if (!strcmp(label_map_debug_port.ranges[i].label.name, name))
			return i;
	return -1;
}

/* One more name at the legend's end; one not of the debug port is indexed. 0 or -ENOMEM. */
static int legend_add(struct legend *lg, int *cap, const char *name)
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
	if (debug_port_index(name) < 0) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->name = name;
		HASH_ADD_KEYPTR(hh, lg->by_name, e->name, strlen(e->name), e);
		if (!e->hh.tbl) {
			free(e);
			return -ENOMEM;
		}
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
 * The legend: "VMM set-up" when a VM has it, the debug port's five stages in their order (as
 * always, whenever one of them or no stage at all is in the chart), then every other label by
 * label_rank() ("Ready" after "Userspace"), the others in the order the VMs first show them.
 * The other labels take the other colours in legend order. 0 or -ENOMEM.
 */
static int legend_build(const struct chart *c, struct legend *lg)
{
	bool debug_port = false, any_stage = false, vmm_setup = false;
	int cap = 0, nr_colored = 0;

	for (uint32_t i = 0; i < c->nr_vms; i++) {
		const struct boot_stages *stats = &c->vms[i]->stats;

		any_stage |= stats->nr > 0;
		for (int k = 0; k < stats->nr; k++) {
			if (debug_port_index(stats->stage[k].label) >= 0)
				debug_port = true;
			if (!strcmp(stats->stage[k].label, label_vmm_setup.name))
				vmm_setup = true;
		}
	}
	if (!any_stage)
		debug_port = true;
	*lg = (struct legend){};
	if (vmm_setup && legend_add(lg, &cap, label_vmm_setup.name))
		return -ENOMEM;
	for (int r = 0; debug_port && r < label_map_debug_port.nr && r < NR_DEBUG_COLORS; r++)
		if (legend_add(lg, &cap, label_map_debug_port.ranges[r].label.name))
			return -ENOMEM;
	lg->first_other = lg->nr;
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		const struct boot_stages *stats = &c->vms[i]->stats;

		for (int k = 0; k < stats->nr; k++) {
			const char *name = stats->stage[k].label;
			struct legend_entry *e;
			int at, rank;

			if (debug_port_index(name) >= 0)
				continue;
			HASH_FIND_STR(lg->by_name, name, e);
			if (e)
				continue;
			if (legend_add(lg, &cap, name))
				return -ENOMEM;
			/* In label_rank() order, stable: most labels share one rank, and stay. */
			rank = label_rank(name);
			for (at = lg->nr - 1;
			     at > lg->first_other && label_rank(lg->names[at - 1]) > rank; at--)
				lg->names[at] = lg->names[at - 1];
			lg->names[at] = name;
		}
	}
	for (int i = 0; i < lg->nr; i++) {
		struct legend_entry *e;

		HASH_FIND_STR(lg->by_name, lg->names[i], e);
		if (!e)
			continue; /* the debug port's */
		/* Unknown keeps its grey and takes no colour from the others. */
		if (!strcmp(e->name, label_vmm_setup.name))
			e->color = VMM_SETUP_COLOR;
		else if (!strcmp(e->name, label_unknown.name))
			e->color = UNKNOWN_COLOR;
		else
			e->color = other_colors[nr_colored++ %
						(sizeof(other_colors) / sizeof(other_colors[0]))];
	}
	return 0;
}

static const char *stage_color(const struct legend *lg, const char *name)
{
	int i = debug_port_index(name);
	struct legend_entry *e;

	if (i >= 0)
		return debug_port_colors[i];
	HASH_FIND_STR(lg->by_name, name, e);
	return e ? e->color : UNKNOWN_COLOR;
}

/* A key of the legend: a mark drawn as a line, what it means. */
struct legend_key {
	const char *text;
	const char *stroke, *width, *dash; /* dash: "" for a solid line */
	int top, bottom;		   /* the mark's ends, from the text's baseline */
};

/*
 * Draw the legend from y on (fp NULL: only measure it), wrapping before the right edge: the
 * stages, then a key for each kind of mark the chart has (the codes' always, unless it has
 * only lines, phases or I/O delays). Returns how many lines it takes.
 */
static int draw_legend(FILE *fp, const struct legend *lg, const struct chart *c, int y)
{
	const struct legend_key keys[] = {
	    {"code written to the port (its value above)", "#333", "2", "", -13, 2},
	    {"console line (one a rule matched: its stage's colour, its text beside it)",
	     CONSOLE_COLOR, "2", "", -8, 2},
	    {"host phase", "#333", "1.5", " stroke-dasharray=\"3 2\"", -13, 2},
	    {"I/O delay (a port-0x80 write that is no marker)", IO_DELAY_COLOR, "1", "", -6, 2},
	};
	const bool shown[] = {
	    c->any_code || !(c->any_console || c->any_phase || c->any_io_delay),
	    c->any_console,
	    c->any_phase,
	    c->any_io_delay,
	};
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
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		double w = 16 + strlen(keys[k].text) * CHAR_W;

		if (!shown[k])
			continue;
		if (x > LABEL_WIDTH && x + w > right) {
			x = LABEL_WIDTH;
			y += LEGEND_LINE_H;
			lines++;
		}
		if (fp) {
			fprintf(fp,
				"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
				"stroke-width=\"%s\"%s/>\n",
				x + 7, y + keys[k].top, x + 7, y + keys[k].bottom, keys[k].stroke,
				keys[k].width, keys[k].dash);
			fprintf(fp, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 16, y,
				keys[k].text);
		}
		x += w + 28;
	}
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

/* The x of a stamp on the VM's axis (past a clamped axis: at its end). */
static double x_of(const struct chart_vm *cv, uint64_t base, uint64_t ts_ns)
{
	double x = LABEL_WIDTH + (ts_ns - base) * cv->scale;

	return x > LABEL_WIDTH + PLOT_WIDTH ? LABEL_WIDTH + PLOT_WIDTH : x;
}

/*
 * Where a label of w pixels goes beside a mark at x, left-aligned, in the first of two
 * lanes with room (lane_end: where each lane's last label ends); -1 when neither has room.
 */
static int label_lane(double lane_end[2], double x, double w, double *at)
{
	*at = x + 3;
	if (*at + w > CHART_WIDTH - 4)
		*at = CHART_WIDTH - 4 - w;
	if (*at < LABEL_WIDTH)
		*at = LABEL_WIDTH;
	for (int lane = 0; lane < 2; lane++)
		if (*at > lane_end[lane] + 3) {
			lane_end[lane] = *at + w;
			return lane;
		}
	return -1;
}

/* A row's name, right-aligned left of the plot, shortened to fit (its whole in a tooltip). */
void svg_row_name(FILE *fp, const char *name, int y)
{
	fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">", LABEL_WIDTH - 10, y);
	if (svg_fit_text(fp, name, LABEL_WIDTH - 20, FIT_CHAR_W)) {
		fputs("<title>", fp);
		xml_escape(fp, name);
		fputs("</title>", fp);
	}
	fputs("</text>\n", fp);
}

/* The host phases: a dashed marker each, named beside it where there is room. */
static void draw_phases(FILE *fp, const struct chart_vm *cv, uint64_t base, int y)
{
	double lane_end[2] = {-1e9, -1e9}, at;
	char t[32];

	svg_row_name(fp, "host phases", y + 21);
	for (int i = 0; i < cv->nr_phases; i++) {
		const struct phase_mark *p = &cv->phases[i];
		double x = x_of(cv, base, p->ts_ns);
		int lane;

		if (p->ts_ns < base || p->ts_ns - base > cv->span)
			continue; /* past the boot the axis shows (the VM's end, minutes later) */
		svg_human_time(t, sizeof(t), p->ts_ns - base);
		fprintf(fp,
			"<line class=\"phase\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\">"
			"<title>",
			x, y + 3, x, y + PHASE_ROW_H - 3);
		xml_escape(fp, p->name);
		fprintf(fp, " at %s</title></line>\n", t);
		lane = label_lane(lane_end, x, strlen(p->name) * SMALL_CHAR_W, &at);
		if (lane < 0)
			continue;
		fprintf(fp, "<text class=\"pname\" x=\"%.2f\" y=\"%d\">", at, y + (lane ? 28 : 15));
		xml_escape(fp, p->name);
		fputs("</text>\n", fp);
	}
}

/* "console ttyS0 0x3f8" for the PC's four UARTs, "console 0x..." else, "debugcon 0xe9". */
static void console_name(char *buf, size_t len, const struct console_row *row)
{
	static const uint16_t com[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

	if (row->debugcon) {
		snprintf(buf, len, "debugcon 0x%x", row->port);
		return;
	}
	for (size_t i = 0; i < sizeof(com) / sizeof(com[0]); i++)
		if (row->port == com[i]) {
			snprintf(buf, len, "console ttyS%zu 0x%x", i, row->port);
			return;
		}
	snprintf(buf, len, "console 0x%x", row->port);
}

/* The labels beside a console row's ticks, by lane: where each one already drawn lies. */
struct label_spans {
	double from[2][CONSOLE_LABELS], to[2][CONSOLE_LABELS];
	int nr[2];
};

/* The first lane where [at, at + w) meets no label already there, or -1 (also when full). */
static int free_lane(const struct label_spans *ls, double at, double w)
{
	for (int lane = 0; lane < 2; lane++) {
		bool clear = ls->nr[lane] < CONSOLE_LABELS;

		for (int k = 0; clear && k < ls->nr[lane]; k++)
			clear = at + w + 3 <= ls->from[lane][k] || at >= ls->to[lane][k] + 3;
		if (clear)
			return lane;
	}
	return -1;
}

/*
 * A matched line's text beside its tick, if a lane has room; shortened to fit, and to end
 * before until (a later label's place), when that leaves it LINE_LABEL_MIN.
 */
static void line_label(FILE *fp, struct label_spans *ls, const struct console_tick *l, double x,
		       double until, int y)
{
	double w, room, at = x + 3;
	size_t chars;
	int lane;

	utf8_prefix(l->text, SIZE_MAX, &chars);
	if (!chars)
		return;
	w = chars * SMALL_CHAR_W < LINE_LABEL_MAX ? chars * SMALL_CHAR_W : LINE_LABEL_MAX;
	if (at + w + 3 > until && until - 3 - at >= LINE_LABEL_MIN)
		w = until - 3 - at;
	/* Near the right edge: shortened more rather than away from its tick, down to a point. */
	room = CHART_WIDTH - 4 - at;
	if (w > room && room >= LINE_LABEL_MIN)
		w = room;
	else if (w > room)
		at = CHART_WIDTH - 4 - w;
	lane = free_lane(ls, at, w);
	if (lane < 0)
		return;
	ls->from[lane][ls->nr[lane]] = at;
	ls->to[lane][ls->nr[lane]++] = at + w;
	fprintf(fp, "<text class=\"ctext\" x=\"%.2f\" y=\"%d\">", at, y + (lane ? 25 : 13));
	svg_fit_text(fp, l->text, w, SMALL_CHAR_W);
	fputs("</text>\n", fp);
}

/*
 * A console's row: a light tick for every line, then (on top) the lines a rule matched, in
 * their stage's colour, with their text beside them where there is room: the first line of
 * each stage first (in two lanes, each shortened to end before the one after next begins, so
 * that stages close in time are all named), then the others. Every tick has the line's whole
 * text in its tooltip.
 */
static void draw_console(FILE *fp, const struct chart_vm *cv, const struct legend *lg,
			 uint64_t base, int y, int row)
{
	const struct label *seen[CONSOLE_LABELS];
	struct label_spans *ls = calloc(1, sizeof(*ls));
	bool *first = calloc(cv->nr_lines + 1, sizeof(*first));
	double first_x[CONSOLE_LABELS + 2];
	int nr_seen = 0, nth = 0;
	char name[64], t[32];

	fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		LABEL_WIDTH, y + 2, PLOT_WIDTH, CONSOLE_ROW_H - 4);
	console_name(name, sizeof(name), &cv->consoles[row]);
	svg_row_name(fp, name, y + 28);
	for (int pass = 0; pass < 4; pass++)
		for (size_t i = 0; i < cv->nr_lines; i++) {
			const struct console_tick *l = &cv->lines[i];
			double x = x_of(cv, base, l->ts_ns);
			int k;

			if (l->row != row || !l->label != !pass || l->ts_ns < base)
				continue;
			/* Labels: each stage's first line (pass 2), then the rest (3). */
			if (pass >= 2) {
				if (!ls || !first || first[i] != (pass == 2))
					continue;
				line_label(fp, ls, l, x,
					   pass == 2 && nth + 2 < nr_seen ? first_x[nth + 2] : 1e9,
					   y);
				nth += pass == 2;
				continue;
			}
			svg_human_time(t, sizeof(t), l->ts_ns - base);
			if (!l->label) {
				fprintf(fp,
					"<line class=\"cline\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
					"y2=\"%d\"><title>at %s: ",
					x, y + 28, x, y + CONSOLE_ROW_H - 4, t);
				xml_escape(fp, l->text);
				fputs("</title></line>\n", fp);
				continue;
			}
			for (k = 0; k < nr_seen && seen[k] != l->label; k++)
				;
			if (k == nr_seen && nr_seen < CONSOLE_LABELS && first) {
				first_x[nr_seen] = x;
				seen[nr_seen++] = l->label;
				first[i] = true;
			}
			fprintf(
			    fp,
			    "<line class=\"cmatch\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
			    "stroke=\"%s\"><title>",
			    x, y + 4, x, y + CONSOLE_ROW_H - 4, stage_color(lg, l->label->name));
			xml_escape(fp, l->label->name);
			fprintf(fp, " at %s: ", t);
			xml_escape(fp, l->text);
			fputs("</title></line>\n", fp);
		}
	free(first);
	free(ls);
}

static int draw_vm(FILE *fp, const struct chart_vm *cv, const struct legend *lg, int y,
		   bool several_ports)
{
	const double scale = cv->scale, plot_end = LABEL_WIDTH + PLOT_WIDTH;
	const uint64_t span = cv->span, step = cv->step;
	struct stage_row *rows;
	int n = boot_summary(&cv->stats, &rows), err;
	uint64_t base = vm_base(cv), user_ns, origin = cv->start_ns ? cv->start_ns : base;
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
	HEADER_ADD(" \u2014 %" PRIu64 " codes", cv->stats.events);
	if (cv->nr_lines + cv->lines_not_drawn)
		HEADER_ADD(", %zu console lines", cv->nr_lines + cv->lines_not_drawn);
	if (cv->io_delays)
		HEADER_ADD(", %zu I/O delays", cv->io_delays);
	HEADER_ADD(", %s%s", vm_end_reason(&vm, reason, sizeof(reason)),
		   vm_boot_complete(&vm) ? "" : " (incomplete)");
	/* From the VM's creation, as the summary counts it (the axis may begin earlier). */
	if (boot_userspace_ns(&cv->stats, &user_ns) && user_ns >= origin) {
		svg_human_time(t1, sizeof(t1), user_ns - origin);
		HEADER_ADD(" \u2014 time to Userspace %s", t1);
	}
	if (!cv->start_ns)
		HEADER_ADD(" \u2014 VM start not seen: times from its first write");
	if (cv->not_drawn)
		HEADER_ADD(" \u2014 %zu codes not drawn", cv->not_drawn);
	if (cv->lines_not_drawn)
		HEADER_ADD(" \u2014 %zu console lines not drawn", cv->lines_not_drawn);
#undef HEADER_ADD
	fprintf(fp, "<text class=\"vm\" x=\"10\" y=\"%d\">", y + 17);
	if (svg_fit_text(fp, header, CHART_WIDTH - 20, FIT_HEADER_CHAR_W)) {
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
			svg_grid_label(t1, sizeof(t1), t, step);
			fprintf(fp, "<text class=\"axis\" x=\"%.2f\" y=\"%d\">%s</text>\n",
				LABEL_WIDTH + t * scale, y + 12, t1);
		}
		y += AXIS_H;
	}
	if (cv->nr_phases)
		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH, y + STAGE_ROW_H + 2, PLOT_WIDTH, PHASE_ROW_H - 4);
	for (int r = 0; r < cv->nr_consoles; r++)
		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH,
			y + STAGE_ROW_H + (cv->nr_phases ? PHASE_ROW_H : 0) + r * CONSOLE_ROW_H + 2,
			PLOT_WIDTH, CONSOLE_ROW_H - 4);
	for (int r = 0; r < cv->nr_rows; r++)
		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH, y + STAGE_ROW_H + extra_rows_h(cv) + r * VCPU_ROW_H + 2,
			PLOT_WIDTH, VCPU_ROW_H - 4);
	draw_grid(fp, y, y + STAGE_ROW_H + extra_rows_h(cv) + cv->nr_rows * VCPU_ROW_H, span, step,
		  scale);

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
		svg_human_time(t1, sizeof(t1), rows[i].first_ns - base);
		svg_human_time(t2, sizeof(t2), rows[i].duration_ns);
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
			svg_fit_text(fp, text, w - 8, FIT_BOLD_CHAR_W);
			fputs("</text>\n", fp);
		}
	}
	fputs("</g>\n", fp);
	free(rows);
	y += STAGE_ROW_H;
	if (cv->nr_phases) {
		draw_phases(fp, cv, base, y);
		y += PHASE_ROW_H;
	}
	for (int r = 0; r < cv->nr_consoles; r++) {
		draw_console(fp, cv, lg, base, y, r);
		y += CONSOLE_ROW_H;
	}

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
		svg_row_name(fp, row_label, y + 28);
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
			if (t->io_delay) {    /* no marker: short, grey, no value */
				svg_human_time(t1, sizeof(t1), t->ts_ns - base);
				fprintf(fp,
					"<line class=\"iodelay\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
					"y2=\"%d\"><title>I/O delay at %s (port 0x%x after port "
					"0x%x)</title></line>\n",
					x, y + VCPU_ROW_H - 14, x, y + VCPU_ROW_H - 4, t1, t->port,
					t->after_port);
				continue;
			}
			if (t->size > 1)
				snprintf(value, sizeof(value), "0x%" PRIx32, t->value);
			else
				snprintf(value, sizeof(value), "0x%" PRIx32, code);
			svg_human_time(t1, sizeof(t1), t->ts_ns - base);
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

/* Phases in the order they came about (a file's records need not be). */
static int by_time(const void *a, const void *b)
{
	const struct phase_mark *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

/* The distributions panel's input: the boots' figures, each row's colour, each boot's name. */
struct chart_dists {
	struct boot_dists d;
	const char **color; /* row r's: its stage's */
	char **name;	    /* boot b's: "vmm[1234] vm1" */
	unsigned int nr_names;
};

static void chart_dists_free(struct chart_dists *cd)
{
	for (unsigned int b = 0; b < cd->nr_names; b++)
		free(cd->name[b]);
	free(cd->name);
	free(cd->color);
	boot_dists_free(&cd->d);
}

/*
 * The boots of the chart, for its distributions panel: the VMs drawn that have a stage, in
 * the chart's order (a VM met again in a later run is one boot, as it is one VM drawn).
 * 0 or -ENOMEM.
 */
static int chart_dists_build(const struct chart *c, const struct legend *lg, struct chart_dists *cd)
{
	const struct boot_stages **stats = calloc(c->nr_vms + 1, sizeof(*stats));
	uint64_t *start = calloc(c->nr_vms + 1, sizeof(*start));
	unsigned int nr = 0;
	char name[64];
	int err = -ENOMEM;

	*cd = (struct chart_dists){};
	cd->name = calloc(c->nr_vms + 1, sizeof(*cd->name));
	if (!stats || !start || !cd->name)
		goto out;
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		const struct chart_vm *cv = c->vms[i];

		if (!vm_drawn(cv) || !cv->stats.nr)
			continue;
		if (cv->key.id == EVENT_VM_UNKNOWN)
			snprintf(name, sizeof(name), "%s[%d] vm?", cv->comm, cv->key.pid);
		else
			snprintf(name, sizeof(name), "%s[%d] vm%" PRIu32, cv->comm, cv->key.pid,
				 cv->key.id);
		cd->name[cd->nr_names] = strdup(name);
		if (!cd->name[cd->nr_names])
			goto out;
		cd->nr_names++;
		stats[nr] = &cv->stats;
		start[nr++] = cv->start_ns;
	}
	err = boot_dists_build(&cd->d, stats, start, nr);
	if (err)
		goto out;
	cd->color = calloc(cd->d.nr + 1, sizeof(*cd->color));
	if (!cd->color) {
		err = -ENOMEM;
		goto out;
	}
	for (int r = 0; r < cd->d.nr; r++)
		cd->color[r] = cd->d.row[r].label ? stage_color(lg, cd->d.row[r].label) : NULL;
out:
	free(stats);
	free(start);
	return err;
}

static void draw(FILE *fp, struct chart *c)
{
	uint64_t span = 0, longest, step;
	bool any_source = false;
	int top, height, y, first_source = 0;
	uint32_t drawn = 0;
	struct legend lg;
	struct chart_dists dists;
	double scale;
	char label[32];

	/* What the chart holds besides codes: the legend's keys and the styles follow. */
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		struct chart_vm *cv = c->vms[i];

		if (!vm_drawn(cv))
			continue;
		if (cv->nr_phases > 1)
			qsort(cv->phases, cv->nr_phases, sizeof(*cv->phases), by_time);
		c->any_console |= cv->nr_lines > 0;
		c->any_phase |= cv->nr_phases > 0;
		c->any_io_delay |= cv->io_delays > 0;
		c->any_code |= cv->nr_ticks > cv->io_delays;
		c->any_before_start |= cv->start_ns && vm_base(cv) < cv->start_ns;
	}
	if (legend_build(c, &lg)) {
		c->failed = true;
		legend_free(&lg);
	}
	/* A legend on more than one line pushes the VMs down, and so does the panel. */
	top = TOP + (draw_legend(NULL, &lg, c, LEGEND_Y) - 1) * LEGEND_LINE_H;
	if (chart_dists_build(c, &lg, &dists)) {
		c->failed = true;
		chart_dists_free(&dists);
	}
	top += svg_dist_height(&dists.d);
	height = top + 30;

	for (uint32_t i = 0; i < c->nr_vms; i++) {
		struct chart_vm *cv = c->vms[i];
		uint64_t base = vm_base(cv), last = vm_last(cv);

		/* Sorted in place: the row index of add_row() is stale from here on. */
		if (cv->nr_rows > 1) /* rows is NULL when there are none */
			qsort(cv->rows, cv->nr_rows, sizeof(struct vcpu_row), by_vcpu);
		if (!vm_drawn(cv))
			continue; /* a VM that wrote no code, no line, no phase: nothing to draw */
		if (last > base && last - base > span)
			span = last - base;
		for (size_t k = 0; k < cv->nr_ticks; k++) {
			int source = cv->ticks[k].mmio ? -1 : cv->ticks[k].port;

			if (cv->ticks[k].io_delay)
				continue; /* no marker: its port says nothing of the codes' */
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
	svg_axis(span, &span, &step, &scale);
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		struct chart_vm *cv = c->vms[i];
		uint64_t base = vm_base(cv), last = vm_last(cv);
		uint64_t own = last > base ? last - base : 0;

		if (!vm_drawn(cv))
			continue;
		/* One code (no span) has nothing to scale: it stays on the shared axis. */
		cv->own_axis = own && own < MAX_SPAN_NS && own * OWN_AXIS_RATIO < longest;
		if (cv->own_axis)
			svg_axis(own, &cv->span, &cv->step, &cv->scale);
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
	      "  .tick { stroke-width: 2; }\n",
	      fp);
	if (c->any_console)
		fputs("  .cline { stroke: " CONSOLE_COLOR "; stroke-width: 1; }\n"
		      "  .cmatch { stroke-width: 2; }\n"
		      "  .ctext { font-size: 11px; fill: #222; white-space: pre; }\n",
		      fp);
	if (c->any_phase)
		fputs("  .phase { stroke: #333; stroke-width: 1.5; stroke-dasharray: 3 2; }\n"
		      "  .pname { font-size: 11px; fill: #333; }\n",
		      fp);
	if (c->any_io_delay)
		fputs("  .iodelay { stroke: " IO_DELAY_COLOR "; stroke-width: 1; }\n", fp);
	if (svg_dist_shown(&dists.d))
		svg_dist_style(fp);
	fputs("</style>\n", fp);
	fprintf(fp, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", CHART_WIDTH, height);
	fputs("<text class=\"title\" x=\"10\" y=\"28\">Boot chart</text>\n", fp);
	fprintf(fp, "<text class=\"subtitle\" x=\"10\" y=\"48\">boot-trace %s: %" PRIu32 " VM%s",
		BOOT_TRACE_VERSION, drawn, drawn == 1 ? "" : "s");
	if (c->nr_vms > drawn)
		fprintf(fp, " (%" PRIu32 " more without codes)", c->nr_vms - drawn);
	fputs("; time from each VM's creation (KVM_CREATE_VM), ", fp);
	if (c->any_before_start)
		fputs("or from its VMM's start where that was seen, ", fp);
	fputs("stamped in the host kernel; a VM whose boot is under a tenth of the longest has its "
	      "own time axis</text>\n",
	      fp);
	draw_legend(fp, &lg, c, LEGEND_Y);
	/* The distributions, between the legend and the time axis of the VMs. */
	svg_dist_draw(fp, &dists.d, dists.color, (const char *const *)dists.name,
		      top - svg_dist_height(&dists.d) - 26);

	/* The time axis, above the first VM (named, below the panel's own axes). */
	if (svg_dist_shown(&dists.d))
		fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">each VM's timeline</text>\n",
			LABEL_WIDTH - 30, top - 12);
	for (uint64_t t = 0; t <= span; t += step) {
		double x = LABEL_WIDTH + t * scale;

		svg_grid_label(label, sizeof(label), t, step);
		fprintf(fp, "<text class=\"axis\" x=\"%.2f\" y=\"%d\">%s</text>\n", x, top - 12,
			label);
	}
	y = top;
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		if (!vm_drawn(c->vms[i]))
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
	chart_dists_free(&dists);
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
		for (size_t k = 0; k < c->vms[i]->nr_lines; k++)
			free(c->vms[i]->lines[k].text);
		free(c->vms[i]->lines);
		free(c->vms[i]->phases);
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
