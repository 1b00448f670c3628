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

/* Where a writer's output goes: a memory buffer, as a stream of ours (stdout, stderr). */
struct fuzz_buf {
	const struct output_ops *ops;
	unsigned int flags;
	FILE *fp;
	char *buf;
	size_t len;
};

/*
 * Open out as output_open_stream() does (it is what opens it), on memory; abort() on failure.
 * output_summary_ops, the human summary table, is one such writer too.
 */
void fuzz_output_open(struct output *out, struct fuzz_buf *fb, const struct output_ops *ops,
		      unsigned int flags);
/*
 * After output_close(out): check what it wrote for its format, free it. The trace writers
 * and the summary table each write only their own: no table in a trace, no trace in the table.
 */
void fuzz_buf_check(struct fuzz_buf *fb);
/* After output_close(out), when the input was refused: free it unchecked. */
void fuzz_buf_free(struct fuzz_buf *fb);

void check_text(const char *what, const char *buf, size_t len);
void check_json_document(const char *what, const char *buf, size_t len);
void check_jsonl(const char *what, const char *buf, size_t len);
void check_csv(const char *what, const char *buf, size_t len, int fields);
void check_svg(const char *what, const char *buf, size_t len);
void check_lines_start(const char *what, const char *buf, size_t len, const char *const *prefixes);

#endif
