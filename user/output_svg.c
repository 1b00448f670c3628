// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The svg format: a boot chart in the spirit of `systemd-analyze plot`. Per VM: a header
 * line, a row of coloured stage bars, and one row per vCPU with a tick (and its value) for
 * every code, on a time axis from the VM's start. A legend names the colours; every bar and
 * tick has a tooltip. The chart is drawn when the trace closes, so the writer keeps the
 * codes it is given (up to MAX_TICKS per VM).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "labels.h"
#include "output.h"
#include "text.h"

#define MAX_TICKS   20000 /* codes drawn per VM; the rest are counted in its header */
#define CHART_WIDTH 1400
#define LABEL_WIDTH 190 /* row labels, left of the plot */
#define RIGHT_PAD   40
#define PLOT_WIDTH  (CHART_WIDTH - LABEL_WIDTH - RIGHT_PAD)
#define HEADER_H    26
#define STAGE_ROW_H 30
#define VCPU_ROW_H  46
#define VM_GAP	    18
#define TOP	    116 /* title, legend and axis labels above the first VM */
#define CHAR_W	    6.8 /* average advance of a 12px sans-serif character */
/*
 * The time axis ends at most this far from a VM's start (31 years): stamps from a file can be
 * anything, and the axis arithmetic below must neither overflow nor divide by zero.
 */
#define MAX_SPAN_NS 1000000000000000000ull

static const char *const stage_colors[STAGE_NR] = {
    [STAGE_FIRMWARE] = "#4e79a7",  [STAGE_BOOTLOADER] = "#f28e2b", [STAGE_KERNEL] = "#e15759",
    [STAGE_USERSPACE] = "#59a14f", [STAGE_CUSTOM] = "#b07aa1",
};

struct tick {
	uint64_t ts_ns;
	uint32_t value;
	uint32_t vcpu;
	pid_t tid;
	uint8_t size;
	uint16_t port;
};

struct vcpu_row {
	uint32_t vcpu;
	pid_t tid;
	char comm[BT_COMM_LEN + 1];
};

struct chart_vm {
	struct vm vm; /* identity, times and exit status as last seen */
	struct boot_stats stats;
	struct tick *ticks;
	size_t nr_ticks, cap_ticks, not_drawn;
	struct vcpu_row *rows;
	int nr_rows;
};

struct chart {
	struct chart_vm *vms;
	int nr_vms;
	bool failed; /* out of memory: the chart would be wrong */
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

static struct chart_vm *chart_vm_of(struct output *out, const struct vm *vm)
{
	struct chart *c = out->priv;
	struct chart_vm *grown;

	for (int i = 0; i < c->nr_vms; i++)
		if (c->vms[i].vm.pid == vm->pid && c->vms[i].vm.id == vm->id)
			return &c->vms[i];
	grown = realloc(c->vms, (c->nr_vms + 1) * sizeof(*grown));
	if (!grown) {
		c->failed = true;
		return NULL;
	}
	c->vms = grown;
	memset(&c->vms[c->nr_vms], 0, sizeof(c->vms[0]));
	return &c->vms[c->nr_vms++];
}

/* Keep what the chart shows of a VM, as last reported. */
static void update_vm(struct chart_vm *cv, const struct vm *vm)
{
	cv->vm = *vm;
	cv->vm.next = NULL;
}

static int svg_open(struct output *out)
{
	out->priv = calloc(1, sizeof(struct chart));
	return out->priv ? 0 : -ENOMEM;
}

static void svg_vm(struct output *out, const struct vm *vm)
{
	struct chart_vm *cv = chart_vm_of(out, vm);

	if (cv)
		update_vm(cv, vm);
}

static void add_row(struct chart_vm *cv, const struct bt_event *ev)
{
	struct vcpu_row *grown;

	for (int i = 0; i < cv->nr_rows; i++)
		if (cv->rows[i].vcpu == ev->vcpu &&
		    (ev->vcpu != BT_VCPU_UNKNOWN || cv->rows[i].tid == (pid_t)ev->tid))
			return;
	grown = realloc(cv->rows, (cv->nr_rows + 1) * sizeof(*grown));
	if (!grown)
		return;
	cv->rows = grown;
	grown = &cv->rows[cv->nr_rows++];
	memset(grown, 0, sizeof(*grown));
	grown->vcpu = ev->vcpu;
	grown->tid = ev->tid;
	memcpy(grown->comm, ev->comm, BT_COMM_LEN);
}

static void svg_event(struct output *out, const struct vm *vm, const struct bt_event *ev)
{
	struct chart_vm *cv = chart_vm_of(out, vm);
	struct tick *grown;

	if (!cv)
		return;
	update_vm(cv, vm);
	boot_stats_add(&cv->stats, ev->value, ev->ts_ns);
	add_row(cv, ev);
	if (cv->nr_ticks == MAX_TICKS) {
		cv->not_drawn++;
		return;
	}
	if (cv->nr_ticks == cv->cap_ticks) {
		size_t cap = cv->cap_ticks ? 2 * cv->cap_ticks : 64;

		grown = realloc(cv->ticks, cap * sizeof(*grown));
		if (!grown) {
			((struct chart *)out->priv)->failed = true;
			return;
		}
		cv->ticks = grown;
		cv->cap_ticks = cap;
	}
	cv->ticks[cv->nr_ticks++] = (struct tick){.ts_ns = ev->ts_ns,
						  .value = ev->value,
						  .vcpu = ev->vcpu,
						  .tid = ev->tid,
						  .size = ev->size,
						  .port = ev->port};
}

static void svg_vm_summary(struct output *out, const struct vm *vm)
{
	svg_vm(out, vm);
	output_log_ops.vm_summary(out, vm);
}

static void svg_summary(struct output *out, const struct vm_table *vms,
			const struct trace_totals *totals)
{
	output_log_ops.summary(out, vms, totals);
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

	if (cv->vm.start_ns)
		return cv->vm.start_ns;
	for (int st = 0; st < STAGE_NR; st++)
		if (cv->stats.stage[st].codes && cv->stats.stage[st].first_ns < first)
			first = cv->stats.stage[st].first_ns;
	return first == UINT64_MAX ? 0 : first;
}

static uint64_t vm_last(const struct chart_vm *cv)
{
	uint64_t last = 0;

	for (int st = 0; st < STAGE_NR; st++)
		if (cv->stats.stage[st].codes && cv->stats.stage[st].last_ns > last)
			last = cv->stats.stage[st].last_ns;
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
	return HEADER_H + STAGE_ROW_H + cv->nr_rows * VCPU_ROW_H + VM_GAP;
}

static void draw_legend(FILE *fp, int y)
{
	double x = LABEL_WIDTH;

	for (int st = 0; st < STAGE_NR; st++) {
		const char *name = stage_label(st);

		fprintf(fp,
			"<rect class=\"legend\" x=\"%.1f\" y=\"%d\" width=\"14\" height=\"14\" "
			"rx=\"2\" fill=\"%s\"/>\n",
			x, y - 11, stage_colors[st]);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 20, y, name);
		x += 20 + strlen(name) * CHAR_W + 28;
	}
	fprintf(fp,
		"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" "
		"stroke-width=\"2\"/>\n",
		x + 7, y - 13, x + 7, y + 2);
	fprintf(fp, "<text x=\"%.1f\" y=\"%d\">code written to the port (its value above)</text>\n",
		x + 16, y);
}

/* Vertical grid lines through one VM's rows (not through its header text). */
static void draw_grid(FILE *fp, int y1, int y2, uint64_t span, uint64_t step, double scale)
{
	for (uint64_t t = 0; t <= span; t += step)
		fprintf(fp, "<line class=\"grid\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n",
			LABEL_WIDTH + t * scale, y1, LABEL_WIDTH + t * scale, y2);
}

static void draw_vm(FILE *fp, const struct chart_vm *cv, int y, double scale, uint64_t span,
		    uint64_t step)
{
	struct stage_row rows[STAGE_NR];
	int n = boot_summary(&cv->stats, rows);
	uint64_t base = vm_base(cv), user_ns;
	char reason[48], t1[32], t2[32];

	/* Header: who, how it ended, time to userspace. */
	fprintf(fp, "<text class=\"vm\" x=\"10\" y=\"%d\">", y + 17);
	xml_escape(fp, cv->vm.comm);
	if (cv->vm.id == BT_VM_UNKNOWN)
		fprintf(fp, "[%d] vm?", cv->vm.pid);
	else
		fprintf(fp, "[%d] vm%" PRIu32, cv->vm.pid, cv->vm.id);
	fprintf(fp, " \u2014 %" PRIu64 " codes, %s%s", cv->stats.events,
		vm_end_reason(&cv->vm, reason, sizeof(reason)),
		vm_boot_complete(&cv->vm) ? "" : " (incomplete)");
	if (boot_userspace_ns(&cv->stats, &user_ns)) {
		human_time(t1, sizeof(t1), user_ns - base);
		fprintf(fp, " \u2014 time to Userspace %s", t1);
	}
	if (!cv->vm.start_ns)
		fprintf(fp, " \u2014 VM start not seen: times from its first write");
	if (cv->not_drawn)
		fprintf(fp, " \u2014 %zu codes not drawn", cv->not_drawn);
	fputs("</text>\n", fp);
	y += HEADER_H;
	for (int r = 0; r < cv->nr_rows; r++)
		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH, y + STAGE_ROW_H + r * VCPU_ROW_H + 2, PLOT_WIDTH,
			VCPU_ROW_H - 4);
	draw_grid(fp, y, y + STAGE_ROW_H + cv->nr_rows * VCPU_ROW_H, span, step, scale);

	fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">boot stages</text>\n", LABEL_WIDTH - 10,
		y + 19);
	for (int i = 0; i < n; i++) {
		const char *name = stage_label(rows[i].stage);
		double x = LABEL_WIDTH + (rows[i].first_ns - base) * scale;
		double w = rows[i].duration_ns * scale;
		char text[64];

		if (w < 1.5)
			w = 1.5; /* a stage with one code still shows */
		human_time(t1, sizeof(t1), rows[i].first_ns - base);
		human_time(t2, sizeof(t2), rows[i].duration_ns);
		fprintf(fp,
			"<rect class=\"stage\" data-stage=\"%s\" x=\"%.2f\" y=\"%d\" "
			"width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: from %s, lasting %s, "
			"%" PRIu32 " code%s</title></rect>\n",
			name, x, y + 3, w, STAGE_ROW_H - 6, stage_colors[rows[i].stage], name, t1,
			t2, rows[i].codes, rows[i].codes == 1 ? "" : "s");
		snprintf(text, sizeof(text), "%s %s", name, t2);
		if (strlen(text) * CHAR_W + 8 <= w)
			fprintf(fp, "<text class=\"bar\" x=\"%.2f\" y=\"%d\">%s</text>\n", x + 4,
				y + 19, text);
		else if (strlen(name) * CHAR_W + 8 <= w)
			fprintf(fp, "<text class=\"bar\" x=\"%.2f\" y=\"%d\">%s</text>\n", x + 4,
				y + 19, name);
	}
	y += STAGE_ROW_H;

	for (int r = 0; r < cv->nr_rows; r++) {
		const struct vcpu_row *row = &cv->rows[r];
		double lane_end[2] = {-1e9, -1e9};

		fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			LABEL_WIDTH, y + 2, PLOT_WIDTH, VCPU_ROW_H - 4);
		if (row->vcpu == BT_VCPU_UNKNOWN)
			fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">vCPU ? (",
				LABEL_WIDTH - 10, y + 28);
		else
			fprintf(fp, "<text class=\"row\" x=\"%d\" y=\"%d\">vCPU %" PRIu32 " (",
				LABEL_WIDTH - 10, y + 28, row->vcpu);
		xml_escape(fp, row->comm);
		fputs(")</text>\n", fp);
		for (size_t i = 0; i < cv->nr_ticks; i++) {
			const struct tick *t = &cv->ticks[i];
			uint32_t code = t->value & 0xff;
			enum boot_stage st = stage_of_code(code);
			double x = LABEL_WIDTH + (t->ts_ns - base) * scale;
			char value[16];
			int lane;

			if (t->vcpu != row->vcpu || t->ts_ns < base ||
			    (t->vcpu == BT_VCPU_UNKNOWN && t->tid != row->tid))
				continue;
			if (t->size > 1)
				snprintf(value, sizeof(value), "0x%" PRIx32, t->value);
			else
				snprintf(value, sizeof(value), "0x%" PRIx32, code);
			human_time(t1, sizeof(t1), t->ts_ns - base);
			fprintf(fp,
				"<line class=\"tick\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
				"stroke=\"%s\"><title>%s code %s at %s",
				x, y + 24, x, y + VCPU_ROW_H - 4, stage_colors[st], stage_label(st),
				value, t1);
			if (t->port != 0x80)
				fprintf(fp, " (port 0x%x)", t->port);
			fputs("</title></line>\n", fp);
			/* Values in two staggered lanes; one that fits in neither is left out. */
			for (lane = 0; lane < 2; lane++)
				if (x - strlen(value) * CHAR_W / 2 > lane_end[lane] + 3)
					break;
			if (lane == 2)
				continue;
			lane_end[lane] = x + strlen(value) * CHAR_W / 2;
			fprintf(fp, "<text class=\"value\" x=\"%.2f\" y=\"%d\">%s</text>\n", x,
				y + (lane ? 11 : 22), value);
		}
		y += VCPU_ROW_H;
	}
}

/* vCPU rows in vCPU order, the unattributed ones last. */
static int by_vcpu(const void *a, const void *b)
{
	const struct vcpu_row *x = a, *y = b;

	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void draw(FILE *fp, const struct chart *c)
{
	uint64_t span = 0, step;
	int height = TOP + 30, y, drawn = 0;
	double scale;
	char label[32];

	for (int i = 0; i < c->nr_vms; i++) {
		uint64_t base = vm_base(&c->vms[i]), last = vm_last(&c->vms[i]);

		if (c->vms[i].nr_rows > 1) /* rows is NULL when there are none */
			qsort(c->vms[i].rows, c->vms[i].nr_rows, sizeof(struct vcpu_row), by_vcpu);
		if (!c->vms[i].stats.events)
			continue; /* a VM that wrote no code has nothing to draw */
		if (last > base && last - base > span)
			span = last - base;
		height += vm_height(&c->vms[i]);
		drawn++;
	}
	if (span > MAX_SPAN_NS)
		span = MAX_SPAN_NS;
	span += span / 20 + 1; /* room after the last code */
	step = grid_step(span);
	span = (span + step - 1) / step * step;
	scale = (double)PLOT_WIDTH / span;

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
	fprintf(fp, "<text class=\"subtitle\" x=\"10\" y=\"48\">boot-trace %s: %d VM%s",
		BOOT_TRACE_VERSION, drawn, drawn == 1 ? "" : "s");
	if (c->nr_vms > drawn)
		fprintf(fp, " (%d more without codes)", c->nr_vms - drawn);
	fputs("; time from each VM's creation (KVM_CREATE_VM), stamped in the host kernel</text>\n",
	      fp);
	draw_legend(fp, 76);

	/* The time axis, above the first VM. */
	for (uint64_t t = 0; t <= span; t += step) {
		double x = LABEL_WIDTH + t * scale;

		grid_label(label, sizeof(label), t, step);
		fprintf(fp, "<text class=\"axis\" x=\"%.2f\" y=\"%d\">%s</text>\n", x, TOP - 12,
			label);
	}
	y = TOP;
	for (int i = 0; i < c->nr_vms; i++) {
		if (!c->vms[i].stats.events)
			continue;
		draw_vm(fp, &c->vms[i], y, scale, span, step);
		y += vm_height(&c->vms[i]);
	}
	if (!drawn)
		fprintf(fp, "<text x=\"10\" y=\"%d\">No boot codes in this trace.</text>\n",
			y + 20);
	fputs("</svg>\n", fp);
}

static void svg_close(struct output *out)
{
	struct chart *c = out->priv;

	if (!c)
		return;
	if (c->failed)
		fprintf(stderr, "boot-trace: out of memory: the boot chart is incomplete\n");
	draw(out->fp, c);
	for (int i = 0; i < c->nr_vms; i++) {
		free(c->vms[i].ticks);
		free(c->vms[i].rows);
	}
	free(c->vms);
	free(c);
	out->priv = NULL;
}

const struct output_ops output_svg_ops = {
    .open = svg_open,
    .vm_start = svg_vm,
    .event = svg_event,
    .vm_end = svg_vm,
    .vm_summary = svg_vm_summary,
    .summary = svg_summary,
    .close = svg_close,
};
