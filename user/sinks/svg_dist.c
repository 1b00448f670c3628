// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The boot chart's distributions panel: when the chart holds more than one boot (a run
 * --repeat trace, several files), a row per stage (label_rank() order, then the time to
 * Userspace) with a dot for each boot's duration of it, the p50 (solid) and p90 (dashed)
 * marks, n, and the two modes samples_modes() finds, shaded and named ("2 modes: 12 boots near
 * 110 ms, 8 near 310 ms"). Every dot's tooltip names its boot (VM id and pid). The figures are
 * the statistics module's (boot_dists_build()), computed once; this file only draws them.
 *
 * The axis: linear, from 0, each row its own. Linear and from 0, because the smallest gap
 * samples_modes() calls two modes is a tenth of the low mode's median, and a row's axis ends
 * at most about 1.26 times its slowest boot (svg_axis(): 5 % of room, then up to the next
 * grid step): between two tight modes such a gap is then at least ~7 % of the row, some 80
 * pixels between the groups' edges, where a log axis shared by 2 ms and 2 s stages would
 * give it under 20. From 0, because a row that began at its fastest boot would spread 1 % of
 * noise over the whole width and look bimodal. Each row its own, because stages differ a
 * thousandfold (a 2 ms stage on a 2 s axis is a dot), as the sweep chart's panels do
 * (storm_svg.c).
 *
 * Dots are spread up and down within the row so that boots of about the same duration do
 * not hide each other; by a fixed sequence (svg_dist_jitter()), not at random, so that the
 * same trace always draws the same chart.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "output.h"
#include "samples.h"
#include "svg_chart.h"

#define DIST_MIN_BOOTS 2  /* a panel from this many boots with stages */
#define DIST_NOTE_H    20 /* the line under the panel's header, what the marks mean */
#define DIST_ROW_H     68
#define DIST_TEXT_Y    12 /* in a row: the figures' baseline */
#define DIST_BAND_Y    18 /* ...the band of dots */
#define DIST_BAND_H    32
#define DIST_AXIS_Y    63 /* ...the axis labels' baseline */
#define DOT_R	       3.5
#define USER_COLOR     "#555555" /* the time to Userspace, no stage */

double svg_dist_jitter(size_t k)
{
	/* Fibonacci hashing: k times 2^16 / golden ratio, mod 2^16. Consecutive boots land far
	 * apart and the first n of a row spread evenly; integers: every platform draws alike. */
	return (double)((k * 40503u + 32768u) & 0xffff) / 65536.0;
}

bool svg_dist_shown(const struct boot_dists *d)
{
	return d->boots >= DIST_MIN_BOOTS && d->nr > 0;
}

int svg_dist_height(const struct boot_dists *d)
{
	return svg_dist_shown(d) ? HEADER_H + DIST_NOTE_H + d->nr * DIST_ROW_H + VM_GAP : 0;
}

void svg_dist_style(FILE *fp)
{
	fputs("  .dot { stroke: #fff; stroke-width: 0.8; fill-opacity: 0.85; }\n"
	      "  .p50 { stroke: #222; stroke-width: 2; }\n"
	      "  .p90 { stroke: #222; stroke-width: 1.5; stroke-dasharray: 4 3; }\n"
	      "  .mode { fill: #f2c94c; fill-opacity: 0.3; stroke: #c9a227; }\n"
	      "  .dstat { font-size: 11px; fill: #222; white-space: pre; }\n",
	      fp);
}

/* "110 ms", "1.3 s": where a mode lies, to about three digits. */
static void near_time(char *buf, size_t len, double ns)
{
	if (ns >= 999.5e9)
		snprintf(buf, len, "%.0f s", ns / 1e9);
	else if (ns >= 999.5e6)
		snprintf(buf, len, "%.3g s", ns / 1e9);
	else if (ns >= 999.5e3)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g µs", ns / 1e3);
}

static double x_of(double ns, double scale)
{
	double x = LABEL_WIDTH + ns * scale;

	return x > LABEL_WIDTH + PLOT_WIDTH ? LABEL_WIDTH + PLOT_WIDTH : x;
}

/* A vertical mark across the band: the p50 or the p90. */
static void mark(FILE *fp, const char *cls, const char *name, double ns, double scale, int y)
{
	char t[32];

	svg_human_time(t, sizeof(t), llround(ns));
	fprintf(fp,
		"<line class=\"%s\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"><title>%s %s"
		"</title></line>\n",
		cls, x_of(ns, scale), y + DIST_BAND_Y - 3, x_of(ns, scale),
		y + DIST_BAND_Y + DIST_BAND_H + 3, name, t);
}

/* A mode's shade, from its fastest boot to its slowest, with its boots in the tooltip. */
static void shade(FILE *fp, const struct sample_dist *row, bool high, double scale, int y)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int listed = 0;
	char t[32];
	double x1, x2;

	for (size_t i = 0; i < row->n; i++) {
		if (row->high[i] != high)
			continue;
		lo = row->v[i] < lo ? row->v[i] : lo;
		hi = row->v[i] > hi ? row->v[i] : hi;
	}
	x1 = x_of(lo, scale) - DOT_R - 2;
	x2 = x_of(hi, scale) + DOT_R + 2;
	svg_human_time(t, sizeof(t), llround(high ? row->high_median : row->low_median));
	fprintf(fp,
		"<rect class=\"mode\" data-mode=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
		"height=\"%d\" rx=\"3\"><title>%s mode: %zu boots, median %s; boots",
		high ? "high" : "low", x1, y + DIST_BAND_Y + 1, x2 - x1, DIST_BAND_H - 2,
		high ? "high" : "low", high ? row->n_high : row->n - row->n_high, t);
	/* Numbered as the chart draws them (boot k of n), the first 50. */
	for (size_t i = 0; i < row->n && listed < 50; i++)
		if (row->high[i] == high)
			fprintf(fp, "%s %u", listed++ ? "," : "", row->boot[i] + 1);
	if (listed == 50 && (high ? row->n_high : row->n - row->n_high) > 50)
		fputs(", ...", fp);
	fputs("</title></rect>\n", fp);
}

static void draw_row(FILE *fp, const struct sample_dist *row, const char *color,
		     const char *const *boot_name, unsigned int boots, int y)
{
	const char *name = row->label ? row->label : "time to Userspace";
	uint64_t span, step;
	double scale;
	char t[32], p50[32], p90[32], text[256], lo[32], hi[32];
	size_t len;

	svg_axis(row->st.max, &span, &step, &scale);
	fputs("<g class=\"dist\" data-stage=\"", fp);
	xml_escape(fp, name);
	fprintf(fp, "\" data-n=\"%zu\" data-modes=\"%d\">\n", row->n, row->high ? 2 : 1);
	svg_row_name(fp, name, y + DIST_BAND_Y + DIST_BAND_H / 2 + 4);
	/* The figures above the band. */
	svg_human_time(p50, sizeof(p50), llround(row->st.median));
	svg_human_time(p90, sizeof(p90), llround(row->st.p90));
	len = snprintf(text, sizeof(text), "n %zu   p50 %s   p90 %s", row->n, p50, p90);
	if (row->high) {
		near_time(lo, sizeof(lo), row->low_median);
		near_time(hi, sizeof(hi), row->high_median);
		snprintf(text + len, sizeof(text) - len,
			 "   2 modes: %zu boot%s near %s, %zu near %s", row->n - row->n_high,
			 row->n - row->n_high == 1 ? "" : "s", lo, row->n_high, hi);
	}
	fprintf(fp, "<text class=\"dstat\" x=\"%d\" y=\"%d\">", LABEL_WIDTH, y + DIST_TEXT_Y);
	svg_fit_text(fp, text, PLOT_WIDTH, SMALL_CHAR_W);
	fputs("</text>\n", fp);
	/* The band, its grid and axis labels. */
	fprintf(fp, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
		LABEL_WIDTH, y + DIST_BAND_Y, PLOT_WIDTH, DIST_BAND_H);
	for (uint64_t v = 0; v <= span; v += step) {
		svg_grid_label(t, sizeof(t), v, step);
		fprintf(fp,
			"<line class=\"grid\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>"
			"<text class=\"axis\" x=\"%.2f\" y=\"%d\">%s</text>\n",
			x_of(v, scale), y + DIST_BAND_Y, x_of(v, scale),
			y + DIST_BAND_Y + DIST_BAND_H, x_of(v, scale), y + DIST_AXIS_Y, t);
	}
	if (row->high) {
		shade(fp, row, false, scale, y);
		shade(fp, row, true, scale, y);
	}
	/* The marks under the dots: the data on top, every dot's tooltip within reach. */
	mark(fp, "p50", "p50", row->st.median, scale, y);
	mark(fp, "p90", "p90", row->st.p90, scale, y);
	/* The dots: spread over the band's height less a dot's size at each edge. */
	for (size_t i = 0; i < row->n; i++) {
		double cy = y + DIST_BAND_Y + DOT_R + 1 +
			    svg_dist_jitter(i) * (DIST_BAND_H - 2 * DOT_R - 2);

		svg_human_time(t, sizeof(t), row->v[i]);
		fprintf(fp,
			"<circle class=\"dot\" cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%s\" "
			"data-boot=\"%u\"><title>",
			x_of(row->v[i], scale), cy, DOT_R, color, row->boot[i] + 1);
		xml_escape(fp, name);
		fprintf(fp, " %s: boot %u of %u, ", t, row->boot[i] + 1, boots);
		xml_escape(fp, boot_name[row->boot[i]]);
		if (row->high)
			fprintf(fp, " (%s mode)", row->high[i] ? "high" : "low");
		fputs("</title></circle>\n", fp);
	}
	fputs("</g>\n", fp);
}

void svg_dist_draw(FILE *fp, const struct boot_dists *d, const char *const *color,
		   const char *const *boot_name, int y)
{
	char header[96];
	int bimodal = 0;

	if (!svg_dist_shown(d))
		return;
	for (int r = 0; r < d->nr; r++)
		bimodal += d->row[r].high != NULL;
	snprintf(header, sizeof(header), "Distributions over %u boots", d->boots);
	if (bimodal)
		snprintf(header + strlen(header), sizeof(header) - strlen(header),
			 " \u2014 %d stage%s with two modes", bimodal, bimodal == 1 ? "" : "s");
	fprintf(fp, "<g class=\"dists\">\n<text class=\"vm\" x=\"10\" y=\"%d\">%s</text>\n", y + 17,
		header);
	fprintf(fp,
		"<text class=\"subtitle\" x=\"10\" y=\"%d\">Each stage's duration in every boot, a "
		"dot per boot (spread up and down only to keep dots apart), on the row's own axis "
		"from 0; solid line: p50, dashed: p90; shaded: two modes</text>\n",
		y + HEADER_H + 10);
	y += HEADER_H + DIST_NOTE_H;
	for (int r = 0; r < d->nr; r++, y += DIST_ROW_H)
		draw_row(fp, &d->row[r], color[r] ? color[r] : USER_COLOR, boot_name, d->boots, y);
	/* A rule between the panel and the VMs, whose time axis comes next. */
	fprintf(fp, "<line class=\"grid\" x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n</g>\n",
		y + VM_GAP / 2, CHART_WIDTH - 10, y + VM_GAP / 2);
}
