// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

static const char usage_text[] =
	"USAGE: boot-trace run [OPTIONS] -- COMMAND [ARGS...]\n"
	"       boot-trace record [OPTIONS] [-p PID]... [-a]\n"
	"       boot-trace --help | --version\n"
	"\n"
	"Time a KVM guest's boot from the host kernel: every guest write to the debug I/O port\n"
	"(0x80) is stamped in the kernel (CLOCK_MONOTONIC), labelled by its code range and logged.\n"
	"\n"
	"Commands:\n"
	"  run      start COMMAND (and whatever it forks) traced from its first instruction;\n"
	"           exit with COMMAND's status after the boot summary\n"
	"  record   trace running processes (-p) or every KVM guest on the host (-a)\n"
	"           until SIGINT/SIGTERM or until every -p process has exited\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE     write the trace to FILE (default: stdout)\n"
	"  -f, --format FORMAT   log (default) or jsonl\n"
	"      --port PORT       trace writes to PORT instead of 0x80 (repeatable, up to 8)\n"
	"      --labels MAP      label the preceding --port's codes with MAP: debug-port\n"
	"                        (default), qboot (0xf4 values 1..7) or a file of\n"
	"                        'VALUE NAME' / 'LOW-HIGH NAME' lines\n"
	"      --mmio [ADDR[=VALUE]]\n"
	"                        also trace one-byte MMIO writes to ADDR (of VALUE only);\n"
	"                        alone: Firecracker's boot timer, 0xc0000000=123\n"
	"  -b, --buffer-size KIB ring buffer size in KiB, a power of two >= 4 (default 4096)\n"
	"  -p, --pid PID         record: trace process PID (repeatable)\n"
	"  -a, --all             record: trace every KVM guest on the host\n"
	"  -q, --quiet           no boot summary\n"
	"  -v, --verbose         show libbpf's messages\n"
	"  -h, --help            this help\n"
	"  -V, --version         print the version\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo boot-trace run -- vmm-min build/guests/demo.bin\n"
	"  sudo boot-trace run -f jsonl -o boot.jsonl -- qemu-system-x86_64 -accel kvm ...\n"
	"  sudo boot-trace record -p 4242          # one running VMM\n"
	"  sudo boot-trace record -a --port 0x80 --port 0xf4\n"
	"  sudo boot-trace run --port 0x80 --port 0xf4 --labels qboot -- qemu-system-x86_64 ...\n"
	"  sudo boot-trace run --mmio -- firecracker --no-api --config-file vm.json --boot-timer\n";

void options_usage(FILE *out)
{
	fputs(usage_text, out);
}

int parse_ulong(const char *s, unsigned long max, unsigned long *val)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "boot-trace: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, " (see boot-trace --help)\n");
	return EXIT_USAGE;
}

/* Index in opts->ports of the latest --port, for --labels; -1 before any. */
static int last_port;

static int add_port(struct options *opts, const char *arg)
{
	unsigned long port;

	if (parse_ulong(arg, 0xffff, &port))
		return usage_error("invalid port '%s': expected a number from 0 to 0xffff", arg);
	for (int i = 0; i < opts->nr_ports; i++) {
		if (opts->ports[i] == port) {
			last_port = i;
			return 0;
		}
	}
	if (opts->nr_ports == BT_MAX_PORTS)
		return usage_error("too many ports at '%s': at most 8", arg);
	last_port = opts->nr_ports;
	opts->ports[opts->nr_ports++] = port;
	return 0;
}

/* --labels MAP: for the port named just before it. */
static int set_labels(struct options *opts, const char *arg)
{
	const struct label_map *map;
	char err[512];

	if (last_port < 0)
		return usage_error("--labels '%s' needs a --port before it (e.g. --port 0xf4 "
				   "--labels %s)",
				   arg, arg);
	if (opts->port_labels[last_port])
		return usage_error("port 0x%x already has labels '%s'", opts->ports[last_port],
				   opts->port_labels[last_port]->name);
	if (label_map_open(arg, &map, err, sizeof(err)))
		return usage_error("%s", err);
	opts->port_labels[last_port] = map;
	return 0;
}

/* --mmio [ADDR[=VALUE]]: without ADDR, Firecracker's boot timer. */
static int set_mmio(struct options *opts, const char *arg)
{
	unsigned long addr, value;
	char buf[64], *eq;

	if (opts->mmio)
		return usage_error("%s", "--mmio given twice: one address at most");
	opts->mmio = true;
	if (!arg) {
		opts->mmio_gpa = BOOT_TIMER_GPA;
		opts->mmio_match_value = true;
		opts->mmio_value = BOOT_TIMER_VALUE;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	eq = strchr(buf, '=');
	if (eq)
		*eq = '\0';
	if (strlen(arg) >= sizeof(buf) || parse_ulong(buf, ULONG_MAX, &addr) ||
	    (eq && parse_ulong(eq + 1, 0xff, &value)))
		return usage_error("invalid --mmio '%s': expected ADDR or ADDR=VALUE with VALUE "
				   "0..255 (e.g. 0xc0000000=123)",
				   arg);
	opts->mmio_gpa = addr;
	opts->mmio_match_value = eq != NULL;
	opts->mmio_value = eq ? value : 0;
	return 0;
}

/* Does arg look like --mmio's optional ADDR[=VALUE] given as the next word? */
static bool is_mmio_spec(const char *arg)
{
	return arg && arg[0] >= '0' && arg[0] <= '9';
}

static int add_pid(struct options *opts, const char *arg)
{
	unsigned long pid;

	if (parse_ulong(arg, 0x3fffffff, &pid) || pid == 0)
		return usage_error("invalid pid '%s'", arg);
	if (opts->nr_pids == MAX_PIDS)
		return usage_error("too many pids at '%s': at most 64", arg);
	opts->pids[opts->nr_pids++] = pid;
	return 0;
}

static int set_buffer(struct options *opts, const char *arg)
{
	unsigned long kib;

	if (parse_ulong(arg, 1UL << 20, &kib) || kib < 4 || (kib & (kib - 1)))
		return usage_error("invalid buffer size '%s': a power of two from 4 to 1048576 KiB",
				   arg);
	opts->buffer_kib = kib;
	return 0;
}

static int parse_command(const char *name, enum command *cmd)
{
	if (!strcmp(name, "run"))
		*cmd = CMD_RUN;
	else if (!strcmp(name, "record"))
		*cmd = CMD_RECORD;
	else
		return usage_error("unknown command '%s': expected run or record", name);
	return 0;
}

enum { OPT_PORT = 0x100, OPT_LABELS, OPT_MMIO };

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "mmio", optional_argument, NULL, OPT_MMIO },
	{ "buffer-size", required_argument, NULL, 'b' },
	{ "pid", required_argument, NULL, 'p' },
	{ "all", no_argument, NULL, 'a' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{},
};

int options_parse(struct options *opts, int argc, char **argv)
{
	int opt, err;

	memset(opts, 0, sizeof(*opts));
	opts->buffer_kib = DEFAULT_BUFFER_KIB;
	last_port = -1;
	if (argc < 2)
		return usage_error("%s", "missing command: expected run or record");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		opts->command = CMD_HELP;
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		opts->command = CMD_VERSION;
		return 0;
	}
	err = parse_command(argv[1], &opts->command);
	if (err)
		return err;

	/* '+': stop at the first non-option, the start of run's COMMAND. */
	optind = 2;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:o:f:b:p:aqvhV", long_options, NULL)) != -1) {
		err = 0;
		switch (opt) {
		case 'o':
			if (!*optarg)
				return usage_error("%s", "empty output file name");
			opts->output = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "log"))
				opts->format = FORMAT_LOG;
			else if (!strcmp(optarg, "jsonl"))
				opts->format = FORMAT_JSONL;
			else
				return usage_error("unknown format '%s': expected log or jsonl",
						   optarg);
			break;
		case OPT_PORT:
			err = add_port(opts, optarg);
			break;
		case OPT_LABELS:
			err = set_labels(opts, optarg);
			break;
		case OPT_MMIO:
			/* "--mmio ADDR" as well as "--mmio=ADDR"; alone, the boot timer. */
			if (!optarg && optind < argc && is_mmio_spec(argv[optind]))
				optarg = argv[optind++];
			err = set_mmio(opts, optarg);
			break;
		case 'b':
			err = set_buffer(opts, optarg);
			break;
		case 'p':
			err = add_pid(opts, optarg);
			break;
		case 'a':
			opts->all = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'h':
			opts->command = CMD_HELP;
			return 0;
		case 'V':
			opts->command = CMD_VERSION;
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
		if (err)
			return err;
	}
	if (opts->nr_ports == 0) {
		opts->ports[0] = 0x80;
		opts->nr_ports = 1;
	}

	if (opts->command == CMD_RUN) {
		if (opts->nr_pids || opts->all)
			return usage_error("%s", "-p and -a belong to record, not run");
		if (optind >= argc)
			return usage_error("%s", "no COMMAND given after --");
		opts->argv = &argv[optind];
	} else {
		if (optind < argc)
			return usage_error("unexpected argument '%s'", argv[optind]);
		if (!opts->nr_pids && !opts->all)
			return usage_error("%s", "record needs -p PID or -a");
		if (opts->nr_pids && opts->all)
			return usage_error("%s", "-p and -a cannot be combined");
	}
	return 0;
}
