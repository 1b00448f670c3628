/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What one command's parser is made of (libbpf-tools' habit: each tool its own options and
 * usage, beside its code). options.c runs the getopt loop for it and holds the one helper
 * the tracing commands share (--port, --labels, --mmio, -b).
 */
#ifndef ARGS_H
#define ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include "options.h"

/* Long options without a short form. */
enum {
	OPT_PORT = 0x100,
	OPT_LABELS,
	OPT_MMIO,
	OPT_REPEAT,
	OPT_SVG,
	OPT_THRESHOLD,
	OPT_LOG_FILE,
	OPT_JSONL,
	OPT_METRICS_DIR,
	OPT_LOCK,
	OPT_ALPHA,
	OPT_INCLUDE_INCOMPLETE,
	OPT_VM,
	OPT_PID,
	OPT_COMM,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_JSON,
	OPT_JUNIT,
	OPT_WALL_CLOCK,
	OPT_RIP,
	OPT_CONSOLE,
	OPT_DEBUGCON,
	OPT_RULES,
	OPT_PHASES,
	OPT_AB,
	OPT_PARALLEL,
	OPT_TIMEOUT,
};

/* clang-format off */
/* Every command's -q, -v, -h and -V. */
#define COMMON_OPTSTRING "qvhV"
#define COMMON_LONG_OPTIONS					\
	{ "quiet", no_argument, NULL, 'q' },			\
	{ "verbose", no_argument, NULL, 'v' },			\
	{ "help", no_argument, NULL, 'h' },			\
	{ "version", no_argument, NULL, 'V' }

/* What run, record and daemon trace. */
#define TRACING_OPTSTRING "b:"
#define TRACING_LONG_OPTIONS					\
	{ "port", required_argument, NULL, OPT_PORT },		\
	{ "labels", required_argument, NULL, OPT_LABELS },	\
	{ "mmio", optional_argument, NULL, OPT_MMIO },		\
	{ "rip", no_argument, NULL, OPT_RIP },			\
	{ "console", optional_argument, NULL, OPT_CONSOLE },	\
	{ "debugcon", optional_argument, NULL, OPT_DEBUGCON },	\
	{ "rules", required_argument, NULL, OPT_RULES },	\
	{ "phases", no_argument, NULL, OPT_PHASES },		\
	{ "buffer-size", required_argument, NULL, 'b' }

#define TRACING_USAGE \
	"      --port PORT       trace writes to PORT instead of 0x80 (repeatable, up to 8)\n" \
	"      --labels MAP      label the preceding --port's codes with MAP: debug-port\n" \
	"                        (default), qboot (0xf4 values 1..7) or a file of\n" \
	"                        'VALUE NAME' / 'LOW-HIGH NAME' lines\n" \
	"      --mmio [ADDR[=VALUE]]\n" \
	"                        also trace one-byte MMIO writes to ADDR (of VALUE only),\n" \
	"                        labelled Guest-boot-time; alone: Firecracker's boot timer,\n" \
	"                        0xc0000000=123\n" \
	"      --rip             each write's guest RIP, where kvm:kvm_exit fires (hardware\n" \
	"                        hosts): it fires on every exit of every guest, so every\n" \
	"                        guest pays for it while tracing runs; off by default\n" \
	"      --console [PORT]  stamp the lines a guest prints on its 8250 UART at PORT\n" \
	"                        (default 0x3f8; repeatable, up to 4 consoles in all)\n" \
	"      --debugcon [PORT] ...on a raw debug console port (default 0xe9; SeaBIOS's\n" \
	"                        log under QEMU: 0x402)\n" \
	"      --rules SET       what console lines mark which stage: linux (default), none,\n" \
	"                        or a file of 'REGEX -> STAGE' lines (POSIX ERE)\n" \
	"      --phases          host-side phases (VMM start, VM created, first vCPU, first\n" \
	"                        guest entry, VM end) and the VMM set-up stage; on with a\n" \
	"                        console\n" \
	"  -b, --buffer-size KIB ring buffer size in KiB, a power of two >= 4 (default 2048)\n" \
	"  -v, --verbose         show libbpf's messages and each start-up step's time\n"

#define WALL_CLOCK_USAGE \
	"      --wall-clock      log: stamp lines with the UTC time (by the trace's clock\n" \
	"                        anchor) instead of the host's CLOCK_MONOTONIC\n"

#define COMMON_USAGE \
	"  -h, --help            this help\n" \
	"  -V, --version         print the version\n"
/* clang-format on */

struct command_parser {
	enum command cmd;
	const char *name;
	const char *usage; /* this command's synopsis, options and examples */
	/* getopt's, after COMMON_OPTSTRING; run stops at its COMMAND ("+"). */
	const char *optstring;
	bool stop_at_command;
	const struct option *longopts;
	/* One option of this command (not the common ones): 0 or EXIT_USAGE. */
	int (*option)(struct options *opts, int opt, char *arg, int argc, char **argv);
	/* The arguments after the options (from argv[optind]), and checks of the whole line. */
	int (*finish)(struct options *opts, int argc, char **argv);
};

extern const struct command_parser run_parser;
extern const struct command_parser record_parser;
extern const struct command_parser daemon_parser;
extern const struct command_parser report_parser;
extern const struct command_parser diff_parser;

/* "boot-trace: MESSAGE (see boot-trace CMD --help)" on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int usage_error(const char *fmt, ...);

/* --port, --labels, --mmio, -b: 0 or EXIT_USAGE; 1 when opt is none of them. */
int tracing_option(struct options *opts, int opt, char *arg, int argc, char **argv);

/*
 * The tracing options as a whole, once parsed: a console port must not be a traced port; a
 * console turns the phases on and gets the linux rules unless --rules said otherwise.
 * 0 or EXIT_USAGE.
 */
int tracing_check(struct options *opts);

/*
 * -o FILE, -f FORMAT and --wall-clock of run, record and report (--wall-clock: the daemon's
 * too): 0 or EXIT_USAGE; 1 when none of them.
 */
int output_option(struct options *opts, int opt, char *arg);

/*
 * --threshold PCT and --alpha P (diff, run --ab): 0 or EXIT_USAGE; 1 when opt is neither.
 */
int gate_option(struct options *opts, int opt, const char *arg);

/* A file name option's value: not empty. */
int set_path(const char **path, const char *option, const char *arg);

#endif
