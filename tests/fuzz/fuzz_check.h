/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Oracles of the fuzz targets: whatever the input, what a writer produced must still be in
 * its format. Each check abort()s with a message naming the broken rule, which libFuzzer
 * reports as a crash with the input that caused it.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include "output.h"

/*
 * Where a writer's output goes: its trace (out->fp) and its human summary (out->summary_fp),
 * both memory buffers.
 */
struct fuzz_buf {
	const struct output_ops *ops;
	char *buf, *sum;
	size_t len, sum_len;
	FILE *sum_fp;
};

/* Set out up as output_open() would, on memory instead of a file; abort() on failure. */
void fuzz_output_open(struct output *out, struct fuzz_buf *fb, const struct output_ops *ops,
		      unsigned int flags);
/* After output_close(out): check the trace and the summary for their format, free them. */
void fuzz_buf_check(struct fuzz_buf *fb);

void check_text(const char *what, const char *buf, size_t len);
void check_json_document(const char *what, const char *buf, size_t len);
void check_jsonl(const char *what, const char *buf, size_t len);
void check_csv(const char *what, const char *buf, size_t len, int fields);
void check_svg(const char *what, const char *buf, size_t len);
void check_lines_start(const char *what, const char *buf, size_t len, const char *const *prefixes);

#endif
