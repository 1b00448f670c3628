/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Command line of boot-trace. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "boot_trace.h"
#include "labels.h"

#define MAX_PIDS	     64
#define DEFAULT_BUFFER_KIB   2048
#define EXIT_USAGE	     2
#define DEFAULT_LOCK_DIR     "/run/boot-trace"
#define DEFAULT_LOCK_FILE    DEFAULT_LOCK_DIR "/daemon.lock"
#define MAX_REPEAT	     10000
#define DEFAULT_THRESHOLD    10.0 /* diff: percent */
#define BOOT_TIMER_GPA	     0xc0000000ull /* Firecracker's boot timer on x86 */
#define BOOT_TIMER_VALUE     123

enum command {
	CMD_NONE,
	CMD_RUN,
	CMD_RECORD,
	CMD_DAEMON,
	CMD_REPORT,
	CMD_DIFF,
	CMD_HELP,
	CMD_VERSION,
};

enum output_format {
	FORMAT_LOG,
	FORMAT_JSONL,
	FORMAT_CHROME,
	FORMAT_CSV,
	FORMAT_SVG,
};

struct options {
	enum command command;
	const char *output;	/* NULL: stdout */
	enum output_format format;
	bool format_set;	/* -f given */
	uint16_t ports[BT_MAX_PORTS];
	const struct label_map *port_labels[BT_MAX_PORTS]; /* --labels; NULL: debug-port */
	int nr_ports;
	bool mmio; /* --mmio: trace one-byte writes to mmio_gpa */
	uint64_t mmio_gpa;
	bool mmio_match_value; /* ...of this value only */
	uint8_t mmio_value;
	unsigned int buffer_kib; /* ring buffer size */
	bool quiet;
	bool verbose;
	bool all;		/* record: every KVM process */
	pid_t pids[MAX_PIDS];
	int nr_pids;
	char **argv;		/* run: the command */
	/* daemon */
	const char *log_file;	/* NULL: stdout */
	const char *jsonl_file;
	const char *metrics_dir;
	const char *lock_file;
	unsigned int repeat;	/* run: boots (0: once, without statistics) */
	const char *files[2];	/* report: FILE; diff: BASE NEW */
	const char *svg;	/* report: --svg OUT */
	double threshold;	/* diff: percent */
};

/*
 * Parse argv into opts. Returns 0, or EXIT_USAGE after printing a one-line error naming the
 * problem to stderr.
 */
int options_parse(struct options *opts, int argc, char **argv);

/* Free what options_parse() loaded (label files); opts stays readable until then. */
void options_free(struct options *opts);

void options_usage(FILE *out);

/* "log", "jsonl", ... */
const char *format_name(enum output_format format);

/* Strict number parsing: the whole string, in range. Returns 0 or -EINVAL / -ERANGE. */
int parse_ulong(const char *s, unsigned long max, unsigned long *val);

#endif
