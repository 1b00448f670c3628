// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fuzz target: boot-trace's command line. The input is split at NUL bytes into arguments
 * after "boot-trace"; options_parse() must accept them or refuse them with status 2, and what
 * it accepts must be within the documented ranges.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 64

/* -f gave one of the formats of the table. */
static bool known_format(const struct output_ops *ops)
{
	for (const struct output_format *f = output_formats; f->name; f++)
		if (f->ops == ops)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct options opts;
	int argc = 0, ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "boot-trace";
	for (char *p = copy; argc <= MAX_ARGS && p < copy + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	ret = options_parse(&opts, argc, argv);
	if (ret != 0 && ret != EXIT_USAGE)
		abort();
	if (ret == 0 && opts.command == CMD_HELP && opts.help_for != CMD_NONE &&
	    (opts.help_for < CMD_RUN || opts.help_for > CMD_DIFF))
		abort();
	if (ret == 0 && opts.command != CMD_HELP && opts.command != CMD_VERSION) {
		if (opts.nr_ports < 1 || opts.nr_ports > BT_MAX_PORTS || opts.nr_pids > MAX_PIDS ||
		    opts.buffer_kib < 4 || opts.buffer_kib > (1u << 20) ||
		    (opts.buffer_kib & (opts.buffer_kib - 1)) || opts.repeat > MAX_REPEAT ||
		    !(opts.threshold >= 0 && opts.threshold <= 1e6) ||
		    (opts.format && !known_format(opts.format)))
			abort();
		for (int i = 0; i < opts.nr_pids; i++)
			if (opts.pids[i] <= 0)
				abort();
		if (opts.command == CMD_RUN && (!opts.argv || !opts.argv[0]))
			abort();
		if (opts.command == CMD_RECORD && !opts.nr_pids && !opts.all)
			abort();
		if (opts.command == CMD_DAEMON && !opts.lock_file)
			abort();
		if ((opts.command == CMD_REPORT && !opts.files[0]) ||
		    (opts.command == CMD_DIFF && (!opts.files[0] || !opts.files[1])))
			abort();
		options_free(&opts);
	} else if (ret == 0) {
		options_free(&opts); /* help and --version too: --rules may have loaded a set */
	}
	free(copy);
	return 0;
}
