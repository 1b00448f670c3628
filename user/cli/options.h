/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * boot-trace's command line: struct options is what every command's parser fills. Each
 * command has its own parser and usage (args.h), beside its code in cli/CMD.c; they share
 * the loop and the tracing options in options.c.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "boot_trace.h"
#include "console_rules.h"
#include "labels.h"
#include "output.h"

#define MAX_PIDS	   64
#define MAX_FILTER	   64 /* report: values of --vm, and of --comm */
#define DEFAULT_BUFFER_KIB 2048
#define EXIT_USAGE	   2
#define DEFAULT_LOCK_DIR   "/run/boot-trace"
#define DEFAULT_LOCK_FILE  DEFAULT_LOCK_DIR "/daemon.lock"
#define MAX_REPEAT	   10000
#define MAX_PARALLEL	   256		 /* run --parallel: boots at once */
#define MAX_PARALLEL_STEPS 16		 /* ...values of a sweep */
#define DEFAULT_THRESHOLD  10.0		 /* diff: percent */
#define BOOT_TIMER_GPA	   0xc0000000ull /* Firecracker's boot timer on x86 */
#define BOOT_TIMER_VALUE   123

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

struct options {
	enum command command;
	const char *output;		 /* NULL: stdout */
	const struct output_ops *format; /* -f; NULL: not given (log) */
	uint16_t ports[BT_MAX_PORTS];
	const struct label_map *port_labels[BT_MAX_PORTS]; /* --labels; NULL: debug-port */
	int nr_ports;
	bool mmio; /* --mmio: trace one-byte writes to mmio_gpa */
	uint64_t mmio_gpa;
	bool mmio_match_value; /* ...of this value only */
	uint8_t mmio_value;
	unsigned int buffer_kib; /* ring buffer size */
	bool quiet;
	bool rip; /* --rip: guest RIPs from kvm:kvm_exit */
	/* --console, --debugcon: base ports and kinds (BT_CONSOLE_*) */
	uint16_t console_ports[BT_MAX_CONSOLES];
	uint8_t console_kinds[BT_MAX_CONSOLES];
	int nr_consoles;
	struct console_rules *rules; /* --rules; with a console and none given: "linux" */
	bool phases;		     /* --phases (or any console): host-side phases */
	bool wall_clock;	     /* --wall-clock: log lines stamped with UTC time */
	bool verbose;
	bool all; /* record: every KVM process */
	/* record: the processes traced; report: --pid, the VMMs whose VMs are kept */
	pid_t pids[MAX_PIDS];
	int nr_pids;
	char **argv; /* run: the command */
	/* daemon */
	const char *log_file; /* NULL: stdout */
	const char *jsonl_file;
	const char *metrics_dir;
	const char *lock_file;
	enum command help_for; /* help: the command whose usage to print; CMD_NONE: all */
	unsigned int repeat;   /* run: boots (0: once, without statistics) */
	uint64_t timeout_ns;   /* run: a boot still running after this is stopped (0: never) */
	char *const *files;    /* report: FILE...; diff: BASE NEW (in argv) */
	int nr_files;
	const char *svg;	 /* report: --svg OUT; run: the --parallel sweep's chart */
	double threshold;	 /* diff, run --ab: percent */
	double alpha;		 /* diff, run --ab: significance level */
	bool include_incomplete; /* diff: count boots that did not complete */
	const char *json_file;	 /* diff: --json; "-": stdout */
	const char *junit_file;	 /* diff: --junit; "-": stdout */
	/* report: the VMs kept (a VM matches every kind given, any value of each) */
	uint32_t vm_ids[MAX_FILTER];
	int nr_vm_ids;
	const char *comms[MAX_FILTER];
	int nr_comms;
	/* report: the events kept, [since_ns, until_ns] */
	bool has_since, has_until;
	uint64_t since_ns, until_ns;
	/* run --ab: A's command is argv (ended where the separating -- was), B's argv_b */
	bool ab;
	char **argv_b;
	/* run --parallel K[,K...]: boots at once, in waves; two values or more: a sweep */
	unsigned int parallel[MAX_PARALLEL_STEPS];
	int nr_parallel;
	bool gate_options; /* run: --threshold or --alpha given (they need --ab) */
};

/*
 * Parse argv into opts. Returns 0, or EXIT_USAGE after printing a one-line error naming the
 * problem to stderr.
 */
int options_parse(struct options *opts, int argc, char **argv);

/* Free what options_parse() loaded (label files); opts stays readable until then. */
void options_free(struct options *opts);

/* The usage and examples of one command; CMD_NONE: the overview of all. */
void options_usage(FILE *out, enum command cmd);

#endif
