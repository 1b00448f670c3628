// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The command line: the command word picks a parser (args.h); this file runs its getopt loop,
 * names options given to the wrong command, and holds what several commands share.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "compare.h"
#include "text.h"

static const struct command_parser *const parsers[] = {
    &run_parser, &record_parser, &report_parser, &diff_parser, &daemon_parser,
};
#define NR_PARSERS    (sizeof(parsers) / sizeof(parsers[0]))
#define COMMAND_NAMES "run, record, report, diff or daemon"

static const char overview[] =
    "USAGE: boot-trace COMMAND [OPTIONS] ...\n"
    "       boot-trace help [COMMAND] | --help | --version\n"
    "\n"
    "Time a KVM guest's boot from the host kernel: every guest write to the debug I/O port\n"
    "(0x80) is stamped in the kernel (CLOCK_MONOTONIC), labelled by its code range and logged.\n"
    "\n"
    "Commands:\n"
    "  run      start COMMAND (and whatever it forks) traced from its first instruction\n"
    "  record   trace running processes (-p) or every KVM guest on the host (-a)\n"
    "  report   the boot summary of a recorded jsonl trace, a chart (--svg), other formats\n"
    "  diff     compare the per-stage boot times of two jsonl traces (a CI gate)\n"
    "  daemon   trace every KVM guest on the host, present and future, as a service\n"
    "  help     the usage of one command: boot-trace help COMMAND (or COMMAND --help)\n"
    "\n"
    "EXAMPLES:\n"
    "  sudo boot-trace run -- vmm-min build/guests/demo.bin\n"
    "  sudo boot-trace record -a -f jsonl -o boot.jsonl\n"
    "  boot-trace report --svg boot.svg boot.jsonl\n"
    "  boot-trace help run\n"
    "\n"
    "The full reference: man boot-trace.\n";

/* The command being parsed, for the hint of usage errors. */
static const struct command_parser *current;

int usage_error(const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "boot-trace: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	if (current)
		fprintf(stderr, " (see boot-trace %s --help)\n", current->name);
	else
		fprintf(stderr, " (see boot-trace --help)\n");
	return EXIT_USAGE;
}

void options_usage(FILE *out, enum command cmd)
{
	for (size_t i = 0; i < NR_PARSERS; i++) {
		if (parsers[i]->cmd == cmd) {
			fputs(parsers[i]->usage, out);
			return;
		}
	}
	fputs(overview, out);
}

int set_path(const char **path, const char *option, const char *arg)
{
	if (!*arg)
		return usage_error("empty file name for %s", option);
	*path = arg;
	return 0;
}

/* ---- the tracing options of run, record and daemon ------------------------------------- */

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

static int set_buffer(struct options *opts, const char *arg)
{
	unsigned long kib;

	if (parse_ulong(arg, 1UL << 20, &kib) || kib < 4 || (kib & (kib - 1)))
		return usage_error("invalid buffer size '%s': a power of two from 4 to 1048576 KiB",
				   arg);
	opts->buffer_kib = kib;
	return 0;
}

/* --console[=PORT] / --debugcon[=PORT]: a console of this kind at PORT. */
static int add_console(struct options *opts, uint8_t kind, const char *arg)
{
	const char *option = kind == BT_CONSOLE_UART ? "--console" : "--debugcon";
	unsigned long port = kind == BT_CONSOLE_UART ? 0x3f8 : 0xe9;

	/* A UART's registers are PORT..PORT+7 (LCR at PORT+3): all within the port space. */
	if (arg && (parse_ulong(arg, kind == BT_CONSOLE_UART ? 0xfff8 : 0xffff, &port)))
		return usage_error("invalid %s port '%s': expected a number from 0 to 0x%x", option,
				   arg, kind == BT_CONSOLE_UART ? 0xfff8 : 0xffff);
	for (int i = 0; i < opts->nr_consoles; i++) {
		if (opts->console_ports[i] != port)
			continue;
		if (opts->console_kinds[i] != kind)
			return usage_error("port 0x%lx is both a --console and a --debugcon", port);
		return 0;
	}
	if (opts->nr_consoles == BT_MAX_CONSOLES)
		return usage_error("too many consoles at %s 0x%lx: at most %d", option, port,
				   BT_MAX_CONSOLES);
	opts->console_ports[opts->nr_consoles] = port;
	opts->console_kinds[opts->nr_consoles++] = kind;
	return 0;
}

/* Does arg look like a port given to --console/--debugcon as the next word? */
static bool is_port_spec(const char *arg)
{
	unsigned long port;

	return !parse_ulong(arg, 0xffff, &port);
}

static int set_rules(struct options *opts, const char *arg)
{
	char err[512];

	if (opts->rules)
		return usage_error("--rules given twice: '%s'", arg);
	if (console_rules_open(arg, &opts->rules, err, sizeof(err)))
		return usage_error("%s", err);
	return 0;
}

/* A UART's registers, PORT..PORT+7: no other console may be among them. */
#define UART_REGISTERS 8

static int check_console_overlap(const struct options *opts)
{
	for (int u = 0; u < opts->nr_consoles; u++) {
		unsigned int base = opts->console_ports[u];

		if (opts->console_kinds[u] != BT_CONSOLE_UART)
			continue;
		for (int c = 0; c < opts->nr_consoles; c++) {
			unsigned int port = opts->console_ports[c];

			if (c == u || port < base || port >= base + UART_REGISTERS)
				continue;
			return usage_error("console port 0x%x is a register of the UART at 0x%x "
					   "(0x%x-0x%x)",
					   port, base, base, base + UART_REGISTERS - 1);
		}
	}
	return 0;
}

int tracing_check(struct options *opts)
{
	char err[512];

	for (int c = 0; c < opts->nr_consoles; c++) {
		unsigned int base = opts->console_ports[c];
		bool uart = opts->console_kinds[c] == BT_CONSOLE_UART;

		for (int p = 0; p < opts->nr_ports; p++) {
			if (opts->ports[p] != base &&
			    !(uart && opts->ports[p] == base + BT_UART_LCR))
				continue;
			if (opts->ports[p] == base)
				return usage_error(
				    "port 0x%x is both a traced --port and a console", base);
			return usage_error("port 0x%x is both a traced --port and the line control "
					   "register of the UART at 0x%x",
					   opts->ports[p], base);
		}
	}
	if (check_console_overlap(opts))
		return EXIT_USAGE;
	if (opts->rules && !opts->nr_consoles)
		return usage_error("%s",
				   "--rules needs a console to read: --console or --debugcon");
	if (opts->nr_consoles)
		opts->phases = true;
	if (opts->nr_consoles && !opts->rules &&
	    console_rules_open("linux", &opts->rules, err, sizeof(err)))
		return usage_error("%s", err);
	return 0;
}

int tracing_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	switch (opt) {
	case OPT_PORT:
		return add_port(opts, arg);
	case OPT_LABELS:
		return set_labels(opts, arg);
	case OPT_MMIO:
		/* "--mmio ADDR" as well as "--mmio=ADDR"; alone, the boot timer. */
		if (!arg && optind < argc && is_mmio_spec(argv[optind]))
			arg = argv[optind++];
		return set_mmio(opts, arg);
	case 'b':
		return set_buffer(opts, arg);
	case OPT_RIP:
		opts->rip = true;
		return 0;
	case OPT_CONSOLE:
	case OPT_DEBUGCON:
		/* "--console 0x2f8" as well as "--console=0x2f8"; alone, the usual port. */
		if (!arg && optind < argc && is_port_spec(argv[optind]))
			arg = argv[optind++];
		return add_console(opts, opt == OPT_CONSOLE ? BT_CONSOLE_UART : BT_CONSOLE_DEBUGCON,
				   arg);
	case OPT_RULES:
		return set_rules(opts, arg);
	case OPT_PHASES:
		opts->phases = true;
		return 0;
	default:
		return 1;
	}
}

/* ---- -o and -f ------------------------------------------------------------------------- */

static int set_format(struct options *opts, const char *arg)
{
	opts->format = output_find(arg);
	if (!opts->format)
		return usage_error("unknown format '%s': expected %s", arg, output_format_names());
	return 0;
}

int output_option(struct options *opts, int opt, char *arg)
{
	switch (opt) {
	case 'o':
		if (!*arg)
			return usage_error("%s", "empty output file name");
		opts->output = arg;
		return 0;
	case 'f':
		return set_format(opts, arg);
	case OPT_WALL_CLOCK:
		opts->wall_clock = true;
		return 0;
	default:
		return 1;
	}
}

/* ---- --threshold and --alpha: the gates of diff and run --ab --------------------------- */

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

static int set_alpha(struct options *opts, const char *arg)
{
	char *end;
	double alpha;

	errno = 0;
	alpha = strtod(arg, &end);
	if (end == arg || *end || errno || !(alpha > 0 && alpha < 1))
		return usage_error("invalid --alpha '%s': a significance level between 0 and 1 "
				   "(e.g. 0.01)",
				   arg);
	opts->alpha = alpha;
	return 0;
}

int gate_option(struct options *opts, int opt, const char *arg)
{
	switch (opt) {
	case OPT_THRESHOLD:
		return set_threshold(opts, arg);
	case OPT_ALPHA:
		return set_alpha(opts, arg);
	default:
		return 1;
	}
}

/* ---- an option of another command ---------------------------------------------------- */

/* Which options belong to which commands, to say so when one is given to another. */
static const struct {
	const char *what;  /* as the message names them */
	const char *names; /* " --long -s ... " */
} option_groups[] = {
    {"-p and -a", " --pid -p --all -a "},
    {"-o and -f", " --output -o --format -f "},
    {"--port, --rip and -b", " --port --rip --buffer-size -b "},
    {"--console, --debugcon, --rules and --phases", " --console --debugcon --rules --phases "},
    {"--labels and --mmio", " --labels --mmio "},
    {"--repeat", " --repeat "},
    {"--timeout", " --timeout "},
    {"--ab and --parallel", " --ab --parallel "},
    {"--svg", " --svg "},
    {"--wall-clock", " --wall-clock "},
    {"--threshold", " --threshold "},
    {"--alpha and --include-incomplete", " --alpha --include-incomplete "},
    {"--json and --junit", " --json --junit "},
    {"--vm, --comm, --since and --until", " --vm --comm --since --until "},
    {"--log-file, --jsonl, --metrics-dir and --lock", " --log-file --jsonl --metrics-dir --lock "},
};

/* An option this command does not know: another command's (say whose), or none at all. */
static int unknown_option(const struct command_parser *p, const char *arg, int optopt_char)
{
	char name[40];

	if (optopt_char)
		snprintf(name, sizeof(name), " -%c ", optopt_char);
	else
		snprintf(name, sizeof(name), " %.*s ", (int)strcspn(arg, "="), arg);
	for (size_t i = 0; i < sizeof(option_groups) / sizeof(option_groups[0]); i++) {
		const char *what = option_groups[i].what;

		if (!strstr(option_groups[i].names, name))
			continue;
		if (p->cmd == CMD_DAEMON && !strcmp(what, "-p and -a"))
			return usage_error("%s", "the daemon traces every VM: no -p or -a");
		if (p->cmd == CMD_DAEMON && !strcmp(what, "-o and -f"))
			return usage_error(
			    "%s", "the daemon writes --log-file and --jsonl, not -o or -f");
		if (!strcmp(what, "-p and -a"))
			return usage_error("-p and -a belong to record, not %s", p->name);
		return usage_error("%s cannot be used with %s", what, p->name);
	}
	return usage_error("unknown option '%s'", arg);
}

/* ---- the loop ------------------------------------------------------------------------- */

static int parse_with(const struct command_parser *p, struct options *opts, int argc, char **argv)
{
	char optstring[64];
	int opt, err;

	/*
	 * Options follow the command word, which stands in for the program name. optind = 0
	 * makes glibc start afresh, ordering mode included: run stops at the first non-option
	 * ('+', the start of its COMMAND); the others take their arguments anywhere.
	 */
	snprintf(optstring, sizeof(optstring), "%s:%s%s", p->stop_at_command ? "+" : "",
		 COMMON_OPTSTRING, p->optstring);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, optstring, p->longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			opts->quiet = true;
			continue;
		case 'v':
			opts->verbose = true;
			continue;
		case 'h':
			opts->help_for = p->cmd;
			opts->command = CMD_HELP;
			return 0;
		case 'V':
			opts->command = CMD_VERSION;
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			return unknown_option(p, argv[optind - 1], optopt);
		}
		err = p->option(opts, opt, optarg, argc, argv);
		if (err)
			return err;
	}
	if (opts->nr_ports == 0) {
		opts->ports[0] = 0x80;
		opts->nr_ports = 1;
	}
	if (p->cmd == CMD_RUN || p->cmd == CMD_RECORD || p->cmd == CMD_DAEMON) {
		err = tracing_check(opts);
		if (err)
			return err;
	}
	return p->finish(opts, argc, argv);
}

/* boot-trace help [COMMAND] */
static int parse_help(struct options *opts, int argc, char **argv)
{
	opts->command = CMD_HELP;
	if (argc < 3)
		return 0;
	if (argc > 3)
		return usage_error("unexpected argument '%s': help takes one COMMAND", argv[3]);
	for (size_t i = 0; i < NR_PARSERS; i++) {
		if (!strcmp(argv[2], parsers[i]->name)) {
			opts->help_for = parsers[i]->cmd;
			return 0;
		}
	}
	return usage_error("unknown command '%s': expected " COMMAND_NAMES, argv[2]);
}

static int parse(struct options *opts, int argc, char **argv)
{
	memset(opts, 0, sizeof(*opts));
	opts->buffer_kib = DEFAULT_BUFFER_KIB;
	opts->threshold = DEFAULT_THRESHOLD;
	opts->alpha = DEFAULT_ALPHA;
	last_port = -1;
	current = NULL;
	if (argc < 2)
		return usage_error("%s", "missing command: expected " COMMAND_NAMES);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		opts->command = CMD_HELP;
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		opts->command = CMD_VERSION;
		return 0;
	}
	if (!strcmp(argv[1], "help"))
		return parse_help(opts, argc, argv);
	for (size_t i = 0; i < NR_PARSERS; i++) {
		if (!strcmp(argv[1], parsers[i]->name)) {
			current = parsers[i];
			opts->command = current->cmd;
			return parse_with(current, opts, argc - 1, argv + 1);
		}
	}
	return usage_error("unknown command '%s': expected " COMMAND_NAMES, argv[1]);
}

int options_parse(struct options *opts, int argc, char **argv)
{
	int err = parse(opts, argc, argv);

	current = NULL;
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
	console_rules_close(opts->rules);
	opts->rules = NULL;
}
