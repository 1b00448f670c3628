// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mark_args.h"

static const struct {
	const char *name;
	uint8_t low, high;
} ranges[] = {
    {"firmware", 0x00, 0x1f},  {"bootloader", 0x20, 0x3f}, {"kernel", 0x40, 0x5f},
    {"userspace", 0x60, 0x7f}, {"custom", 0x80, 0xff},
};

__attribute__((format(printf, 3, 4))) static int problem(char *err, size_t errlen, const char *fmt,
							 ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(err, errlen, fmt, args);
	va_end(args);
	return -EINVAL;
}

/* A whole-string unsigned number (decimal or 0x hex) no larger than max. */
static bool parse_number(const char *s, unsigned long max, unsigned long *val)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*val = strtoul(s, &end, 0);
	return !*end && errno != ERANGE && *val <= max;
}

int mark_parse_code(const char *s, uint8_t *code, char *err, size_t errlen)
{
	const char *plus = strchr(s, '+');
	size_t name_len = plus ? (size_t)(plus - s) : strlen(s);
	unsigned long v;

	if (parse_number(s, 0xff, &v)) {
		*code = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		unsigned long span = ranges[i].high - ranges[i].low;

		if (strlen(ranges[i].name) != name_len || strncasecmp(s, ranges[i].name, name_len))
			continue;
		if (!plus) {
			*code = ranges[i].low;
			return 0;
		}
		if (!parse_number(plus + 1, ~0UL, &v))
			return problem(err, errlen,
				       "invalid offset in '%s': expected %s+N with N a "
				       "number",
				       s, ranges[i].name);
		if (v > span)
			return problem(err, errlen,
				       "'%s' is past the %s range 0x%02x-0x%02x (offsets "
				       "0..%lu)",
				       s, ranges[i].name, ranges[i].low, ranges[i].high, span);
		*code = ranges[i].low + v;
		return 0;
	}
	return problem(err, errlen,
		       "invalid code '%s': expected 0..255 (e.g. 0x60) or firmware, "
		       "bootloader, kernel, userspace, custom, optionally +N",
		       s);
}

static int parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	unsigned long v;

	if (!parse_number(s, 0xffff, &v))
		return problem(err, errlen, "invalid port '%s': expected 0..0xffff", s);
	*port = v;
	return 0;
}

int mark_args_parse(struct mark_args *args, int argc, char *const argv[], char *err, size_t errlen)
{
	const char *code = NULL;
	bool options = true;
	int r;

	*args = (struct mark_args){.port = MARK_DEFAULT_PORT, .method = MARK_IOPERM};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options && !strcmp(a, "--")) {
			options = false;
		} else if (options && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			args->help = true;
			return 0;
		} else if (options && (!strcmp(a, "-n") || !strcmp(a, "--dry-run"))) {
			args->dry_run = true;
		} else if (options && (!strcmp(a, "-d") || !strcmp(a, "--dev-port"))) {
			args->method = MARK_DEV_PORT;
		} else if (options && (!strcmp(a, "-p") || !strcmp(a, "--port"))) {
			if (++i == argc)
				return problem(err, errlen, "option '%s' needs a value", a);
			r = parse_port(argv[i], &args->port, err, errlen);
			if (r)
				return r;
		} else if (options && !strncmp(a, "--port=", 7)) {
			r = parse_port(a + 7, &args->port, err, errlen);
			if (r)
				return r;
		} else if (options && a[0] == '-' && a[1]) {
			return problem(err, errlen, "unknown option '%s'", a);
		} else if (code) {
			return problem(err, errlen, "unexpected argument '%s': one CODE only", a);
		} else {
			code = a;
		}
	}
	if (!code)
		return problem(err, errlen,
			       "missing CODE (e.g. boot-mark 0x60, boot-mark "
			       "userspace+3)");
	return mark_parse_code(code, &args->code, err, errlen);
}
