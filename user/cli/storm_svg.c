// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The chart of a --parallel sweep (run_storm.c): one panel per stage and one for the time to
 * Userspace, each with its own time axis from 0 (a 2 ms stage and a 200 ms one are both read
 * at a glance), K on the horizontal axis at even steps, the p50 as a solid line and the p90
 * as a dashed one; each point's figures in its tooltip. Self-contained SVG 1.1, no script.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "output.h"
#include "run_modes.h"

#define PANEL_W	 300
#define PANEL_H	 200
#define COLUMNS	 3
#define MARGIN_L 64 /* in a panel: the time labels */
#define MARGIN_R 16
#define MARGIN_T 30 /* the stage's name */
#define MARGIN_B 34 /* the K labels */
#define HEADER_H 56

/* Written like every output file (output.c's safe-file rules). */
static const struct output_ops chart_ops = {};

/* A round top for an axis: 1, 2 or 5 times a power of ten, at least v. */
static double nice_top(double v)
{
	double p, f;

	if (!(v > 0))
		return 1;
	p = pow(10, floor(log10(v)));
	f = v / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* A time in the unit that suits the axis top: "12.5 ms". */
static void format_time(char *buf, size_t len, double ns, double top)
{
	if (top >= 1e9)
		snprintf(buf, len, "%g s", ns / 1e9);
	else if (top >= 1e6)
		snprintf(buf, len, "%g ms", ns / 1e6);
	else if (top >= 1e3)
		snprintf(buf, len, "%g us", ns / 1e3);
	else
		snprintf(buf, len, "%g ns", ns);
}

/* The line of one percentile through the K that have boots. */
static void write_line(FILE *fp, const struct storm_chart *ch, const double *v, int s, double x0,
		       double dx, double y0, double h, double top, const char *cls)
{
	int drawn = 0;

	fprintf(fp, "  <polyline class=\"%s\" points=\"", cls);
	for (int i = 0; i < ch->nr_k; i++) {
		double val = v[s * ch->nr_k + i];

		if (isnan(val))
			continue;
		fprintf(fp, "%s%.1f,%.1f", drawn++ ? " " : "", x0 + i * dx, y0 + h - val / top * h);
	}
	fputs("\"/>\n", fp);
}

static void write_panel(FILE *fp, const struct storm_chart *ch, int s, double px, double py)
{
	double x0 = px + MARGIN_L, y0 = py + MARGIN_T, w = PANEL_W - MARGIN_L - MARGIN_R;
	double h = PANEL_H - MARGIN_T - MARGIN_B, top = 0, dx;
	char label[32];

	for (int i = 0; i < ch->nr_k; i++) {
		double v = ch->p90[s * ch->nr_k + i], m = ch->p50[s * ch->nr_k + i];

		if (!isnan(v) && v > top)
			top = v;
		if (!isnan(m) && m > top)
			top = m;
	}
	top = nice_top(top);
	dx = ch->nr_k > 1 ? w / (ch->nr_k - 1) : 0;
	if (ch->nr_k == 1)
		x0 += w / 2;

	fprintf(fp, "  <g class=\"panel\" data-stage=\"");
	xml_escape(fp, ch->stages[s]);
	fputs("\">\n", fp);
	fprintf(fp, "  <text class=\"stage\" x=\"%.1f\" y=\"%.1f\">", px + MARGIN_L, py + 18.0);
	xml_escape(fp, ch->stages[s]);
	fputs("</text>\n", fp);
	/* The time axis: 0, half and the top, with grid lines. */
	for (int t = 0; t <= 2; t++) {
		double y = y0 + h - t * h / 2;

		format_time(label, sizeof(label), top * t / 2, top);
		fprintf(
		    fp,
		    "  <line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
		    "  <text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		    px + MARGIN_L, y, px + PANEL_W - MARGIN_R, y, px + MARGIN_L - 6, y + 4, label);
	}
	/* K at even steps. */
	for (int i = 0; i < ch->nr_k; i++)
		fprintf(fp,
			"  <text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"middle\">%u</text>\n",
			x0 + i * dx, y0 + h + 16, ch->k[i]);
	fprintf(fp,
		"  <text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">boots at "
		"once (K)</text>\n",
		px + MARGIN_L + w / 2, y0 + h + 30);
	if (top == 1) { /* nice_top() of nothing: no K had boots with this stage */
		bool any = false;

		for (int i = 0; i < ch->nr_k; i++)
			any |= !isnan(ch->p50[s * ch->nr_k + i]);
		if (!any)
			fprintf(fp,
				"  <text class=\"note\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">no boots</text>\n",
				px + MARGIN_L + w / 2, y0 + h / 2);
	}
	write_line(fp, ch, ch->p90, s, x0, dx, y0, h, top, "p90");
	write_line(fp, ch, ch->p50, s, x0, dx, y0, h, top, "p50");
	for (int i = 0; i < ch->nr_k; i++) {
		int at = s * ch->nr_k + i;
		char p50[32], p90[32];

		if (isnan(ch->p50[at]))
			continue;
		format_time(p50, sizeof(p50), ch->p50[at], 1e9);
		format_time(p90, sizeof(p90), ch->p90[at], 1e9);
		fprintf(fp,
			"  <circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" data-k=\"%u\" "
			"data-p50-ns=\"%.0f\" data-p90-ns=\"%.0f\"><title>",
			x0 + i * dx, y0 + h - ch->p50[at] / top * h, ch->k[i], ch->p50[at],
			ch->p90[at]);
		xml_escape(fp, ch->stages[s]);
		fprintf(fp, ", K=%u: p50 %s, p90 %s (%zu boots)</title></circle>\n", ch->k[i], p50,
			p90, ch->n[at]);
	}
	fputs("  </g>\n", fp);
}

int storm_svg_write(const char *path, const struct storm_chart *ch)
{
	int cols = ch->nr_stages < COLUMNS ? ch->nr_stages : COLUMNS;
	int rows = (ch->nr_stages + COLUMNS - 1) / COLUMNS;
	int width = cols * PANEL_W + 20, height = HEADER_H + rows * PANEL_H + 10;
	struct output out;
	FILE *fp;

	if (output_open(&out, &chart_ops, path, 0))
		return -1;
	fp = out.fp;
	fprintf(
	    fp,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n"
	    "  <style>\n"
	    "    .title { font-size: 14px; font-weight: bold; }\n"
	    "    .stage { font-size: 12px; font-weight: bold; }\n"
	    "    .tick, .axis, .note { fill: #444; }\n"
	    "    .grid { stroke: #ddd; stroke-width: 1; }\n"
	    "    .p50 { fill: none; stroke: #1f77b4; stroke-width: 2; }\n"
	    "    .p90 { fill: none; stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 5 3; }\n"
	    "    .point { fill: #1f77b4; }\n"
	    "  </style>\n"
	    "  <rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "  <text class=\"title\" x=\"10\" y=\"20\">Boot storm: each stage against the "
	    "boots started at once (K), %u boots for each K</text>\n"
	    "  <line class=\"p50\" x1=\"10\" y1=\"38\" x2=\"40\" y2=\"38\"/>\n"
	    "  <text class=\"note\" x=\"46\" y=\"42\">p50</text>\n"
	    "  <line class=\"p90\" x1=\"90\" y1=\"38\" x2=\"120\" y2=\"38\"/>\n"
	    "  <text class=\"note\" x=\"126\" y=\"42\">p90</text>\n",
	    width, height, width, height, ch->boots);
	for (int s = 0; s < ch->nr_stages; s++)
		write_panel(fp, ch, s, 10 + (s % COLUMNS) * PANEL_W,
			    HEADER_H + (s / COLUMNS) * PANEL_H);
	fputs("</svg>\n", fp);
	return output_close(&out) ? -1 : 0;
}
