/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Whole-trace counts: the events captured and everything lost on the way. The loss counters
 * are listed once, in loss_counters[]: every sink that prints them and the jsonl reader go
 * through that table, so a new counter is one new row.
 */
#ifndef TOTALS_H
#define TOTALS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum loss {
	LOSS_DROPPED,		/* port (and --mmio) writes lost to a full ring buffer */
	LOSS_STRING_LOST,	/* string I/O elements the fallback tracepoint could not see */
	LOSS_LIFECYCLE_DROPPED, /* VM, vCPU and process records lost to a full ring buffer */
	LOSS_MALFORMED,		/* records from the ring buffer that made no sense */
	LOSS_MAP_FULL,		/* VM/vCPU fds the kernel side could not remember: identity lost */
	LOSS_CONSOLE_LOST,	/* console bytes (whole lines) lost to a full ring buffer */
	LOSS_NR,
};

struct loss_counter {
	const char *key;  /* its name in jsonl, the Chrome trace's otherData and the metrics */
	const char *text; /* for people, after the number: "dropped" */
	bool required;	  /* in every jsonl summary record (older traces lack the others) */
};

extern const struct loss_counter loss_counters[LOSS_NR];

#define FOR_EACH_LOSS(i) for (enum loss i = 0; i < LOSS_NR; i++)

struct trace_totals {
	uint64_t events; /* port (and --mmio) writes captured */
	uint64_t lost[LOSS_NR];
	bool losses_unknown;	  /* a trace read back without its summary record */
	uint64_t reopen_failures; /* daemon: SIGHUPs whose files could not be reopened */
};

/* Was anything lost? */
bool totals_lost(const struct trace_totals *totals);

/* "N events, N dropped" and every other loss that happened (no newline): drops are always
 * named, the others only when they happened. */
void print_totals(FILE *fp, const struct trace_totals *totals);
/* The same without the events. */
void print_losses(FILE *fp, const struct trace_totals *totals);

#endif
