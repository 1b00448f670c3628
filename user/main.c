// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* boot-trace: where did my guest's boot time go? See README.md. */
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "options.h"

static int run_command(const struct options *opts)
{
	switch (opts->command) {
	case CMD_HELP:
		options_usage(stdout, opts->help_for);
		return 0;
	case CMD_VERSION:
		printf("boot-trace %s\n", BOOT_TRACE_VERSION);
		return 0;
	case CMD_RUN:
		return cmd_run(opts);
	case CMD_RECORD:
		return cmd_record(opts);
	case CMD_DAEMON:
		return cmd_daemon(opts);
	case CMD_REPORT:
		return cmd_report(opts);
	case CMD_DIFF:
		return cmd_diff(opts);
	default:
		return EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	struct options opts;
	int err = options_parse(&opts, argc, argv);

	if (err)
		return err;
	/* A closed pipe on the output is reported as a write error, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	err = run_command(&opts);
	options_free(&opts);
	/* help, --version and the tables on stdout: a write that failed is a failure (1). */
	if ((fflush(stdout) || ferror(stdout)) && !err) {
		fprintf(stderr, "boot-trace: error writing standard output: %s\n",
			strerror(errno ?: EIO));
		err = 1;
	}
	return err;
}
