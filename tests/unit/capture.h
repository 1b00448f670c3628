/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The unit tests of the sinks: a writer on a memory stream, opened and closed as a command
 * does it on stdout. Include after <cmocka.h>.
 */
#ifndef TEST_CAPTURE_H
#define TEST_CAPTURE_H

#include <stdio.h>
#include <string.h>
#include "output.h"

struct capture {
	struct output out;
	char *buf;
	size_t len;
};

/* Opened (its header written) as on stdout or stderr, with OUTPUT_* flags. */
static inline void capture_open_flags(struct capture *c, const struct output_ops *ops,
				      unsigned int flags)
{
	FILE *fp;

	memset(c, 0, sizeof(*c));
	fp = open_memstream(&c->buf, &c->len);
	assert_non_null(fp);
	assert_int_equal(output_open_stream(&c->out, ops, fp, flags), 0);
}

static inline void capture_open(struct capture *c, const struct output_ops *ops)
{
	capture_open_flags(c, ops, 0);
}

/* Closed as the command closes it (the footer written); the stream stays ours to close. */
static inline char *capture_close(struct capture *c)
{
	FILE *fp = c->out.fp;

	assert_int_equal(output_close(&c->out), 0);
	fclose(fp);
	return c->buf;
}

#endif
