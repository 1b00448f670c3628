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
	"USAGE: boot-trace run [OPTIONS] [--repeat N] -- COMMAND [ARGS...]\n"
	"       boot-trace record [OPTIONS] [-p PID]... [-a]\n"
	"       boot-trace report [-q] [--svg OUT.svg] [-f FORMAT] [-o OUT] FILE.jsonl\n"
	"       boot-trace diff [--threshold PCT] BASE.jsonl NEW.jsonl\n"
	"       boot-trace daemon [--log-file FILE] [--jsonl FILE] [--metrics-dir DIR] [OPTIONS]\n"
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
	"  report   print the boot summary of a recorded jsonl trace; draw it as an SVG boot\n"
	"           chart (--svg) or write it in another format (-f, -o)\n"
	"  diff     compare the per-stage medians of two jsonl traces; exit 1 when a stage got\n"
	"           slower than the threshold, 2 on bad input\n"
	"  daemon   trace every KVM guest on the host, present and future, as a service:\n"
	"           per-VM boot summaries, SIGHUP reopens the files, one daemon per host\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE     write the trace to FILE (default: stdout)\n"
	"  -f, --format FORMAT   log (default), jsonl, chrome (Chrome/Perfetto trace), csv or svg\n"
	"      --port PORT       trace writes to PORT instead of 0x80 (repeatable, up to 8)\n"
	"      --labels MAP      label the preceding --port's codes with MAP: debug-port\n"
	"                        (default), qboot (0xf4 values 1..7) or a file of\n"
	"                        'VALUE NAME' / 'LOW-HIGH NAME' lines\n"
	"      --mmio [ADDR[=VALUE]]\n"
	"                        also trace one-byte MMIO writes to ADDR (of VALUE only),\n"
	"                        labelled Guest-boot-time; alone: Firecracker's boot timer,\n"
	"                        0xc0000000=123\n"
	"  -b, --buffer-size KIB ring buffer size in KiB, a power of two >= 4 (default 2048)\n"
	"                        (--port, --labels, --mmio, -b: run, record and daemon;\n"
	"                        report and diff use the labels recorded in the file)\n"
	"  -p, --pid PID         record: trace process PID (repeatable)\n"
	"  -a, --all             record: trace every KVM guest on the host\n"
	"      --repeat N        run: boot N times and print min/median/p95/max/stddev per stage;\n"
	"                        with -o FILE, run i is written to FILE with .i before its extension\n"
	"      --svg OUT         report: draw a boot chart into OUT\n"
	"      --threshold PCT   diff: a stage slower by more than PCT percent fails (default 10)\n"
	"  -q, --quiet           no boot summary\n"
	"      --log-file FILE   daemon: append the log to FILE (default: stdout)\n"
	"      --jsonl FILE      daemon: append jsonl records to FILE as well\n"
	"      --metrics-dir DIR daemon: keep DIR/boot_trace.prom (Prometheus textfile) current\n"
	"      --lock FILE       daemon: lock file (default " DEFAULT_LOCK_FILE ")\n"
	"  -v, --verbose         show libbpf's messages\n"
	"  -h, --help            this help\n"
	"  -V, --version         print the version\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo boot-trace run -- vmm-min build/guests/demo.bin\n"
	"  sudo boot-trace run -f jsonl -o boot.jsonl -- qemu-system-x86_64 -accel kvm ...\n"
	"  sudo boot-trace run -f chrome -o boot.json -- ./start-my-vm.sh   # open in Perfetto UI\n"
	"  sudo boot-trace run --repeat 10 -f jsonl -o base.jsonl -- ./start-my-vm.sh\n"
	"  sudo boot-trace record -p 4242          # one running VMM\n"
	"  sudo boot-trace record -a --port 0x80 --port 0xf4\n"
	"  sudo boot-trace run --port 0x80 --port 0xf4 --labels qboot -- qemu-system-x86_64 ...\n"
	"  sudo boot-trace run --mmio -- firecracker --no-api --config-file vm.json --boot-timer\n"
	"  boot-trace report --svg boot.svg boot.jsonl\n"
	"  boot-trace diff --threshold 5 base.jsonl new.jsonl || echo 'boot got slower'\n"
	"  sudo boot-trace daemon --log-file /var/log/boot-trace/boot.log \\\n"
	"       --metrics-dir /var/lib/prometheus/node-exporter\n";

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

static int set_path(const char **path, const char *option, const char *arg)
{
	if (!*arg)
		return usage_error("empty file name for %s", option);
	*path = arg;
	return 0;
}

static const char *const format_names[] = {
	[FORMAT_LOG] = "log",	    [FORMAT_JSONL] = "jsonl", [FORMAT_CHROME] = "chrome",
	[FORMAT_CSV] = "csv",	    [FORMAT_SVG] = "svg",
};

const char *format_name(enum output_format format)
{
	return format < sizeof(format_names) / sizeof(format_names[0]) ? format_names[format] : "?";
}

static int set_format(struct options *opts, const char *arg)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(arg, format_names[i])) {
			opts->format = i;
			opts->format_set = true;
			return 0;
		}
	}
	return usage_error("unknown format '%s': expected log, jsonl, chrome, csv or svg", arg);
}

static int set_repeat(struct options *opts, const char *arg)
{
	unsigned long n;

	if (parse_ulong(arg, MAX_REPEAT, &n) || n == 0)
		return usage_error("invalid repeat count '%s': a number from 1 to %d", arg,
				   MAX_REPEAT);
	opts->repeat = n;
	return 0;
}

static int set_threshold(struct options *opts, const char *arg)
{
	char *end;
	double pct;

	errno = 0;
	pct = strtod(arg, &end);
	if (end != arg && *end == '%')
		end++;
	if (end == arg || *end || errno || !(pct >= 0 && pct <= 1e6))
		return usage_error("invalid threshold '%s': a percentage from 0 to 1000000", arg);
	opts->threshold = pct;
	return 0;
}

static int parse_command(const char *name, enum command *cmd)
{
	if (!strcmp(name, "run"))
		*cmd = CMD_RUN;
	else if (!strcmp(name, "record"))
		*cmd = CMD_RECORD;
	else if (!strcmp(name, "report"))
		*cmd = CMD_REPORT;
	else if (!strcmp(name, "diff"))
		*cmd = CMD_DIFF;
	else if (!strcmp(name, "daemon"))
		*cmd = CMD_DAEMON;
	else
		return usage_error("unknown command '%s': expected run, record, report, diff or daemon",
				   name);
	return 0;
}

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
};

/* Options that belong to one command only, or to the tracing commands. */
enum {
	SEEN_TRACE = 1 << 0,	 /* --port, -b */
	SEEN_REPEAT = 1 << 1,
	SEEN_SVG = 1 << 2,
	SEEN_THRESHOLD = 1 << 3,
	SEEN_OUTPUT = 1 << 4,	 /* -o, -f */
	SEEN_DAEMON = 1 << 5,	 /* --log-file, --jsonl, --metrics-dir, --lock */
	SEEN_LABELS = 1 << 6,	 /* --labels, --mmio */
	SEEN_TRACING = SEEN_TRACE | SEEN_LABELS, /* what run, record and daemon trace */
};

static int reject_seen(unsigned int seen, unsigned int allowed, const char *command)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ SEEN_TRACE, "--port and -b" }, { SEEN_REPEAT, "--repeat" },
		{ SEEN_SVG, "--svg" },		 { SEEN_THRESHOLD, "--threshold" },
		{ SEEN_OUTPUT, "-o and -f" },
		{ SEEN_DAEMON, "--log-file, --jsonl, --metrics-dir and --lock" },
		{ SEEN_LABELS, "--labels and --mmio" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (seen & names[i].bit & ~allowed)
			return usage_error("%s cannot be used with %s", names[i].name, command);
	return 0;
}

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "mmio", optional_argument, NULL, OPT_MMIO },
	{ "buffer-size", required_argument, NULL, 'b' },
	{ "pid", required_argument, NULL, 'p' },
	{ "all", no_argument, NULL, 'a' },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "jsonl", required_argument, NULL, OPT_JSONL },
	{ "metrics-dir", required_argument, NULL, OPT_METRICS_DIR },
	{ "lock", required_argument, NULL, OPT_LOCK },
	{},
};

/* The positional arguments of report (FILE) and diff (BASE NEW). */
static int parse_files(struct options *opts, int argc, char **argv, int want)
{
	const char *what = want == 1 ? "report needs one FILE (a jsonl trace)"
				     : "diff needs two files: BASE.jsonl NEW.jsonl";

	if (argc - optind < want)
		return usage_error("%s", what);
	if (argc - optind > want)
		return usage_error("unexpected argument '%s': %s", argv[optind + want], what);
	for (int i = 0; i < want; i++) {
		if (!*argv[optind + i])
			return usage_error("%s", "empty file name");
		opts->files[i] = argv[optind + i];
	}
	return 0;
}

static int parse(struct options *opts, int argc, char **argv)
{
	unsigned int seen = 0;
	const char *optstring;
	bool tracing;
	int opt, err;

	memset(opts, 0, sizeof(*opts));
	opts->buffer_kib = DEFAULT_BUFFER_KIB;
	opts->threshold = DEFAULT_THRESHOLD;
	last_port = -1;
	if (argc < 2)
		return usage_error("%s",
				   "missing command: expected run, record, report, diff or daemon");
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
	tracing =
	    opts->command == CMD_RUN || opts->command == CMD_RECORD || opts->command == CMD_DAEMON;

	/*
	 * Options follow the command word, which stands in for the program name. optind = 0
	 * makes glibc start afresh, ordering mode included: run and record stop at the first
	 * non-option ('+', the start of run's COMMAND); report and diff take their files
	 * anywhere among the options.
	 */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	optstring = opts->command == CMD_REPORT || opts->command == CMD_DIFF ? ":o:f:b:p:aqvhV"
									    : "+:o:f:b:p:aqvhV";
	while ((opt = getopt_long(argc, argv, optstring, long_options, NULL)) != -1) {
		err = 0;
		switch (opt) {
		case 'o':
			if (!*optarg)
				return usage_error("%s", "empty output file name");
			opts->output = optarg;
			seen |= SEEN_OUTPUT;
			break;
		case 'f':
			err = set_format(opts, optarg);
			seen |= SEEN_OUTPUT;
			break;
		case OPT_PORT:
			err = add_port(opts, optarg);
			seen |= SEEN_TRACE;
			break;
		case OPT_LABELS:
			/* Only the tracing commands read the map (report and diff refuse it). */
			if (tracing)
				err = set_labels(opts, optarg);
			seen |= SEEN_LABELS;
			break;
		case OPT_MMIO:
			/* "--mmio ADDR" as well as "--mmio=ADDR"; alone, the boot timer. */
			if (tracing && !optarg && optind < argc && is_mmio_spec(argv[optind]))
				optarg = argv[optind++];
			if (tracing)
				err = set_mmio(opts, optarg);
			seen |= SEEN_LABELS;
			break;
		case 'b':
			err = set_buffer(opts, optarg);
			seen |= SEEN_TRACE;
			break;
		case 'p':
			err = add_pid(opts, optarg);
			break;
		case 'a':
			opts->all = true;
			break;
		case OPT_REPEAT:
			err = set_repeat(opts, optarg);
			seen |= SEEN_REPEAT;
			break;
		case OPT_SVG:
			if (!*optarg)
				return usage_error("%s", "empty SVG file name");
			opts->svg = optarg;
			seen |= SEEN_SVG;
			break;
		case OPT_THRESHOLD:
			err = set_threshold(opts, optarg);
			seen |= SEEN_THRESHOLD;
			break;
		case OPT_LOG_FILE:
			err = set_path(&opts->log_file, "--log-file", optarg);
			seen |= SEEN_DAEMON;
			break;
		case OPT_JSONL:
			err = set_path(&opts->jsonl_file, "--jsonl", optarg);
			seen |= SEEN_DAEMON;
			break;
		case OPT_METRICS_DIR:
			err = set_path(&opts->metrics_dir, "--metrics-dir", optarg);
			seen |= SEEN_DAEMON;
			break;
		case OPT_LOCK:
			err = set_path(&opts->lock_file, "--lock", optarg);
			seen |= SEEN_DAEMON;
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

	switch (opts->command) {
	case CMD_RUN:
		if (opts->nr_pids || opts->all)
			return usage_error("%s", "-p and -a belong to record, not run");
		err = reject_seen(seen, SEEN_TRACING | SEEN_OUTPUT | SEEN_REPEAT, "run");
		if (err)
			return err;
		if (optind >= argc)
			return usage_error("%s", "no COMMAND given after --");
		opts->argv = &argv[optind];
		break;
	case CMD_RECORD:
		err = reject_seen(seen, SEEN_TRACING | SEEN_OUTPUT, "record");
		if (err)
			return err;
		if (optind < argc)
			return usage_error("unexpected argument '%s'", argv[optind]);
		if (!opts->nr_pids && !opts->all)
			return usage_error("%s", "record needs -p PID or -a");
		if (opts->nr_pids && opts->all)
			return usage_error("%s", "-p and -a cannot be combined");
		break;
	case CMD_DAEMON:
		if (opts->nr_pids || opts->all)
			return usage_error("%s", "the daemon traces every VM: no -p or -a");
		if (seen & SEEN_OUTPUT)
			return usage_error("%s", "the daemon writes --log-file and --jsonl, not -o or -f");
		err = reject_seen(seen, SEEN_TRACING | SEEN_DAEMON, "daemon");
		if (err)
			return err;
		if (optind < argc)
			return usage_error("unexpected argument '%s'", argv[optind]);
		if (!opts->lock_file)
			opts->lock_file = DEFAULT_LOCK_FILE;
		break;
	case CMD_REPORT:
	case CMD_DIFF:
		if (opts->nr_pids || opts->all)
			return usage_error("-p and -a belong to record, not %s", argv[0]);
		err = reject_seen(seen, opts->command == CMD_REPORT ? SEEN_OUTPUT | SEEN_SVG
								     : SEEN_THRESHOLD,
				  argv[0]);
		if (err)
			return err;
		return parse_files(opts, argc, argv, opts->command == CMD_REPORT ? 1 : 2);
	default:
		break;
	}
	return 0;
}

int options_parse(struct options *opts, int argc, char **argv)
{
	int err = parse(opts, argc, argv);

	if (err)
		options_free(opts);
	return err;
}

void options_free(struct options *opts)
{
	for (int i = 0; i < BT_MAX_PORTS; i++) {
		label_map_close(opts->port_labels[i]);
		opts->port_labels[i] = NULL;
	}
}
