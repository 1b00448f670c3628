/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Statistics over repeated boots: samples (nanoseconds) per stage and for the time to
 * Userspace, summarised as n, min, p50, p90, p99, max, mean, standard deviation and coefficient
 * of variation, and looked at for two modes (a bimodal stage).
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>
#include <stdint.h>
#include "labels.h"
#include "stages.h"

struct samples {
	uint64_t *v;
	size_t n, cap;
};

struct sample_stats {
	size_t n;
	uint64_t min, max;
	double median, p90, p99, mean;
	double stddev; /* sample standard deviation (n - 1); 0 for one sample */
	double cv;     /* stddev / mean; 0 when the mean is 0 */
};

/* The durations of one stage (a label, by name) over many boots. */
struct stage_samples {
	const char *label; /* first, for label_index; lives as long as the program (labels.h) */
	struct samples s;
};

/* The samples of one trace or series of runs: a set per stage, and time to Userspace. */
struct boot_samples {
	struct stage_samples *stage; /* in order of label_rank(), then of first appearance */
	int nr, cap;
	struct label_index *index; /* of stage[], once there are many (stages.h) */
	struct samples userspace;  /* VM start to the first code that ends the boot */
	unsigned int boots;	   /* VMs that contributed */
};

/* Append a sample. 0 or -ENOMEM. */
int samples_add(struct samples *s, uint64_t v);
void samples_free(struct samples *s);

/*
 * Percentile p (0..100) by linear interpolation between the closest ranks (the "inclusive"
 * definition of numpy's default and spreadsheets' PERCENTILE.INC). Sorts s.
 */
double samples_percentile(struct samples *s, double p);

/* Summarise s (sorting it). Returns false when s is empty. */
bool samples_stats(struct samples *s, struct sample_stats *out);

/*
 * Two modes: the samples (in the order they were added, before any sorting) fall into a low
 * and a high group split by a gap wider than 3 standard deviations of either group and than
 * 10 % of the low group's median, each group at least 2 samples and a fifth of them (n >= 6).
 * Returns true with, for each sample, whether it is in the high group (high[n]) and the two
 * groups' medians; false when there are no such modes (or out of memory).
 */
bool samples_modes(const struct samples *s, bool *high, double *low_median, double *high_median);

/* Add one VM's boot: the duration of each stage it has, and its time to Userspace when both
 * its start (start_ns != 0) and a code that ends the boot were seen. 0 or -ENOMEM. */
int boot_samples_add(struct boot_samples *bs, const struct boot_stages *stats, uint64_t start_ns);
void boot_samples_free(struct boot_samples *bs);

/* The samples of the stage with this label, or NULL if no boot had it. */
struct samples *boot_samples_stage(const struct boot_samples *bs, const char *label);

/*
 * One row of a chart of distributions: the samples of a stage (or of the time to Userspace)
 * over boots, each with the boot it is of, summarised once here for whoever draws them.
 */
struct sample_dist {
	const char *label;  /* the stage; NULL: the time to Userspace */
	uint64_t *v;	    /* the samples, in the order of the boots */
	unsigned int *boot; /* the boot each is of: its index in the boots given */
	size_t n;
	struct sample_stats st;
	bool *high; /* two modes (samples_modes()): whether each is in the high one; else NULL */
	double low_median, high_median;
	size_t n_high; /* samples in the high mode */
};

/* The distributions of a series of boots, a row per stage, as struct boot_samples has them. */
struct boot_dists {
	struct sample_dist *row; /* the stages in boot_samples' order, the time to Userspace last */
	int nr;
	unsigned int boots; /* boots with a stage (boot_samples.boots) */
};

/*
 * The distributions of nr boots, boot i being stats[i] and start_ns[i] as boot_samples_add()
 * takes them: every row with at least one sample (the time to Userspace only if a boot has
 * it). 0 or -ENOMEM (d then holds nothing).
 */
int boot_dists_build(struct boot_dists *d, const struct boot_stages *const *stats,
		     const uint64_t *start_ns, unsigned int nr);
void boot_dists_free(struct boot_dists *d);

#endif
