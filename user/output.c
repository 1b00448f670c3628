// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "output.h"

const struct output_ops *output_ops_of(enum output_format format)
{
	switch (format) {
	case FORMAT_JSONL:
		return &output_jsonl_ops;
	case FORMAT_CHROME:
		return &output_chrome_ops;
	case FORMAT_CSV:
		return &output_csv_ops;
	case FORMAT_SVG:
		return &output_svg_ops;
	default:
		return &output_log_ops;
	}
}

static int open_path(struct output *out, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0 || !(out->fp = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		fprintf(stderr, "boot-trace: cannot write %s: %s\n", path, strerror(err));
		return -err;
	}
	return 0;
}

int output_open(struct output *out, enum output_format format, const char *path, bool quiet)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->ops = output_ops_of(format);
	out->quiet = quiet;
	out->path = path;
	out->summary_fp = stderr;
	out->fp = stdout;
	if (path) {
		err = open_path(out, path);
		if (err)
			return err;
	}
	err = out->ops->open ? out->ops->open(out) : 0;
	if (err) {
		fprintf(stderr, "boot-trace: cannot start the %s writer: %s\n",
			format_name(format), strerror(-err));
		if (out->fp != stdout)
			fclose(out->fp);
		return err;
	}
	return 0;
}

int output_close(struct output *out)
{
	bool failed;
	int err;

	if (out->ops->close)
		out->ops->close(out);
	failed = fflush(out->fp) != 0 || ferror(out->fp);
	err = errno;

	if (out->fp != stdout && fclose(out->fp) != 0 && !failed) {
		failed = true;
		err = errno;
	}
	out->fp = NULL;
	if (failed) {
		fprintf(stderr, "boot-trace: error writing %s: %s\n", out->path ?: "standard output",
			strerror(err));
		return -EIO;
	}
	return 0;
}

void format_seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}
