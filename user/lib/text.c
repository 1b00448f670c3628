// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "text.h"

size_t utf8_seq_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		len = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		len = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		len = 4;
	else
		return 0;
	/* A NUL ends the string early: it is not a continuation byte either. */
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF are not valid either. */
	if ((len == 3 && *p == 0xe0 && p[1] < 0xa0) || (len == 3 && *p == 0xed && p[1] >= 0xa0) ||
	    (len == 4 && *p == 0xf0 && p[1] < 0x90) || (len == 4 && *p == 0xf4 && p[1] >= 0x90))
		return 0;
	return len;
}

void text_sanitize(char *s)
{
	while (*s) {
		unsigned char c = *s;
		size_t len = utf8_seq_len(s);

		/* C1 controls (U+0080-U+009F) too: terminals act on some of them. */
		if (len == 0 || c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)s[1] < 0xa0)) {
			*s++ = '?';
			continue;
		}
		s += len;
	}
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

/* No floating point: a stamp typed from a table selects that stamp exactly. */
int parse_seconds(const char *s, uint64_t *ns)
{
	const uint64_t max_sec = UINT64_MAX / NSEC_PER_SEC;
	uint64_t sec = 0, frac = 0;
	int digits = 0, decimals = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		sec = sec * 10 + (*s - '0');
		if (sec > max_sec)
			return -1;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++, decimals++) {
			if (decimals == 9)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
	if (*s || !digits)
		return -1;
	for (; decimals < 9; decimals++)
		frac *= 10;
	if (sec == max_sec && frac > UINT64_MAX % NSEC_PER_SEC)
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

int read_small_file(const char *path, size_t max, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *tmp;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t r;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				err = -EFBIG;
				goto out;
			}
			cap = cap * 2 > max ? max + 1 : cap * 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			buf = tmp;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += r;
	}
	*text = buf;
	*len = n;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

bool text_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int line_error(char *err, size_t errlen, int line, const char *fmt, ...)
{
	va_list args;
	int n = line ? snprintf(err, errlen, "%d: ", line) : 0;

	if (n < 0 || (size_t)n >= errlen)
		n = 0;
	va_start(args, fmt);
	vsnprintf(err + n, errlen - n, fmt, args);
	va_end(args);
	return -EINVAL;
}
