/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Console rules: which stage a console line is evidence of. A rule is a POSIX extended
 * regular expression and a stage name; a line is labelled by the first rule that matches it.
 * Built in: "linux" (what SeaBIOS, OVMF, iPXE, GRUB, SYSLINUX, Linux and systemd print on the
 * way to a login prompt) and "none". Users can write their own in a small file:
 *
 *	# comment (a line whose first non-blank character is '#')
 *	^Hello from my firmware -> Firmware
 *	^myinit: ready$          -> Userspace
 *
 * one `REGEX -> STAGE` a line, split at the line's last "->"; blanks around both are dropped
 * (write [ ] for a space that counts at either end of the regex, [#] for a regex that starts
 * with '#'). STAGE is 1 to LABEL_NAME_MAX - 1 printable ASCII characters; a stage named
 * "Userspace" ends the boot as the label maps' does. Regexes are case-sensitive and match the
 * cleaned text (console_text.h), anywhere in it unless anchored.
 */
#ifndef CONSOLE_RULES_H
#define CONSOLE_RULES_H

#include <stddef.h>
#include "labels.h"

struct console_rules;

#define CONSOLE_RULES_LINE_MAX 1024 /* bytes in a line of a rule file, with the NUL */

/*
 * Parse the text of a rule file. Returns 0 with *rules set (console_rules_close() it), or
 * -EINVAL / -ENOMEM with the problem in err, prefixed "LINE: " when it is on one line.
 */
int console_rules_parse(const char *text, size_t len, struct console_rules **rules, char *err,
			size_t errlen);

/*
 * "linux" (the built-in set), "none" (no rules: an empty set) or a rule file read from arg.
 * Returns 0 with *rules set (console_rules_close() it), or -errno / -EINVAL with a one-line
 * problem in err naming the file, "FILE:LINE: problem" when it is on a line.
 */
int console_rules_open(const char *arg, struct console_rules **rules, char *err, size_t errlen);

/* The stage of the first rule that matches text, or NULL (also when rules is NULL). */
const struct label *console_rules_match(const struct console_rules *rules, const char *text);

/* How many rules a set has. */
int console_rules_count(const struct console_rules *rules);

/* Free a set; NULL is fine. */
void console_rules_close(struct console_rules *rules);

#endif
