/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Names that come from the traced side (process and thread names, command lines) are kept as
 * printable UTF-8, so that no writer can be broken by them: a newline would forge a log line,
 * a stray byte would make a JSON or SVG file invalid.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (1 for ASCII), or 0 if p starts no valid one. */
size_t utf8_seq_len(const char *p);

/* In place: control characters and bytes that are not valid UTF-8 become '?'. */
void text_sanitize(char *s);

/* Strict number parsing: the whole string, in range. Returns 0 or -EINVAL / -ERANGE. */
int parse_ulong(const char *s, unsigned long max, unsigned long *val);

#define NSEC_PER_SEC UINT64_C(1000000000)

/*
 * "2881.74": seconds with at most 9 decimals, to ns exactly. 0, or -1 when it is no such
 * number or is past 2^64 ns.
 */
int parse_seconds(const char *s, uint64_t *ns);

/* A blank inside a line of a user's file: space, tab, or the CR of a CRLF line end. */
bool text_is_blank(char c);

/*
 * A problem in a user's file (label or rules), one line into err: "LINE: message" (line 0:
 * the message alone). Returns -EINVAL.
 */
__attribute__((format(printf, 4, 5))) int line_error(char *err, size_t errlen, int line,
						     const char *fmt, ...);

/*
 * The whole of a small file the user gave (a label or rules file) into *text (malloc'ed, not
 * terminated) and *len: 0, -EFBIG past max bytes, or -errno.
 */
int read_small_file(const char *path, size_t max, char **text, size_t *len);

#endif
