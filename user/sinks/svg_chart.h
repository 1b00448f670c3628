/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the boot chart's parts share: the writer (svg.c) and its distributions panel
 * (svg_dist.c). The chart's geometry, and the helpers that draw text and time axes the same
 * way in both.
 */
#ifndef SVG_CHART_H
#define SVG_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CHART_WIDTH 1400
#define LABEL_WIDTH 190 /* row labels, left of the plot */
#define RIGHT_PAD   40
#define PLOT_WIDTH  (CHART_WIDTH - LABEL_WIDTH - RIGHT_PAD)
#define HEADER_H    26 /* a section's bold header line (a VM's, the panel's) */
#define VM_GAP	    18 /* below each section */
/* Generous advances, to shorten text that must fit: 12px, 12px bold, 13px bold and 11px. */
#define FIT_CHAR_W	  7.2
#define FIT_BOLD_CHAR_W	  7.8
#define FIT_HEADER_CHAR_W 8.0
#define SMALL_CHAR_W	  6.6 /* the console's and phases' labels, the panel's figures */

/* "12.345 ms": a duration for people, exact to the microsecond. */
void svg_human_time(char *buf, size_t len, uint64_t ns);

/* A grid line's label, in the unit of the step: "20 ms". */
void svg_grid_label(char *buf, size_t len, uint64_t ns, uint64_t step);

/*
 * A time axis from 0 for durations up to last: its span (with room after last, rounded up to
 * a grid step), the step (1, 2 or 5 times a power of ten: about 10 lines) and the pixels per
 * nanosecond over PLOT_WIDTH.
 */
void svg_axis(uint64_t last, uint64_t *span, uint64_t *step, double *scale);

/*
 * s, escaped, in at most max_px at char_w pixels a character: shortened with an ellipsis when
 * it does not fit, nothing when not even one character and the ellipsis do. True if shortened.
 */
bool svg_fit_text(FILE *fp, const char *s, double max_px, double char_w);

/* A row's name, right-aligned left of the plot, shortened to fit (its whole in a tooltip). */
void svg_row_name(FILE *fp, const char *name, int y);

/*
 * The distributions panel (svg_dist.c), above the VMs of a chart of more than one boot: its
 * figures are the statistics module's (samples.h), computed once.
 */
struct boot_dists;

/* Whether the chart has the panel (more than one boot with stages). */
bool svg_dist_shown(const struct boot_dists *d);

/* Its height in pixels: 0 when it is not shown. */
int svg_dist_height(const struct boot_dists *d);

/* Its classes, for the chart's style sheet. */
void svg_dist_style(FILE *fp);

/*
 * Draw it from y on: color[r] is row r's colour (its stage's; NULL: a neutral one), and
 * boot_name[b] names boot b (the index boot_dists_build() was given it at) in tooltips.
 */
void svg_dist_draw(FILE *fp, const struct boot_dists *d, const char *const *color,
		   const char *const *boot_name, int y);

/* The k-th dot's place up or down its row, in [0, 1): a fixed sequence, not random. */
double svg_dist_jitter(size_t k);

#endif
