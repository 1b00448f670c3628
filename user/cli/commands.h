/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The boot-trace subcommands; each returns the process exit status. */
#ifndef COMMANDS_H
#define COMMANDS_H

#include "options.h"

int cmd_run(const struct options *opts);
int cmd_record(const struct options *opts);
int cmd_daemon(const struct options *opts);
int cmd_report(const struct options *opts);
int cmd_diff(const struct options *opts);

/* run --repeat: the file of run i (from 1): "boot.jsonl" -> "boot.3.jsonl". NULL: ENOMEM. */
char *repeat_path(const char *path, unsigned int i);

#endif
