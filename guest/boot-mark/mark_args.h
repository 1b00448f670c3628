/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* boot-mark's command line: which code, which port, how to write it. */
#ifndef MARK_ARGS_H
#define MARK_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARK_DEFAULT_PORT 0x80

enum mark_method {
	MARK_IOPERM,   /* ioperm(2) and an out instruction (default) */
	MARK_DEV_PORT, /* a one-byte write to /dev/port at offset PORT */
};

struct mark_args {
	uint16_t port;
	uint8_t code;
	enum mark_method method;
	bool dry_run; /* say what would be written, write nothing */
	bool help;
};

/*
 * A code: a number 0..255 (decimal, 0x hex), or a range name of the debug-port convention
 * (firmware 0x00, bootloader 0x20, kernel 0x40, userspace 0x60, custom 0x80; any case) with
 * an optional +OFFSET that stays inside the range: "userspace+3" is 0x63.
 * Returns 0, or -EINVAL with one line naming the problem in err.
 */
int mark_parse_code(const char *s, uint8_t *code, char *err, size_t errlen);

/* argv as given to main(). Returns 0, or -EINVAL with one line naming the problem in err. */
int mark_args_parse(struct mark_args *args, int argc, char *const argv[], char *err, size_t errlen);

#endif
