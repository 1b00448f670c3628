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

/* O_NOFOLLOW: as root, never write through a symlink someone planted. */
static int open_file(struct output *out)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	int fd;

	flags |= out->append ? O_APPEND : O_TRUNC;
	fd = open(out->path, flags, 0644);
	if (fd < 0 || !(out->fp = fdopen(fd, "a"))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		fprintf(stderr, "boot-trace: cannot write %s: %s\n", out->path, strerror(err));
		return -err;
	}
	return 0;
}

int output_open(struct output *out, const struct output_ops *ops, const char *path,
		unsigned int flags)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->ops = ops;
	out->quiet = flags & OUTPUT_QUIET;
	out->append = flags & OUTPUT_APPEND;
	out->summary_in_trace = flags & OUTPUT_SUMMARY_IN_TRACE;
	out->path = path;
	out->summary_fp = stderr;
	if (!ops->own_files) {
		if (path)
			err = open_file(out);
		else
			out->fp = stdout;
	}
	if (!err && ops->open) {
		err = ops->open(out);
		/* Writers with their own files name the file that failed themselves. */
		if (err && !ops->own_files)
			fprintf(stderr, "boot-trace: cannot start the writer: %s\n", strerror(-err));
		if (err && out->fp && out->fp != stdout)
			fclose(out->fp);
	}
	return err;
}

int output_reopen(struct output *out)
{
	if (!out->fp || !out->path)
		return 0;
	output_flush(out);
	fclose(out->fp);
	out->fp = NULL;
	out->failed = false;
	return open_file(out);
}

int output_flush(struct output *out)
{
	if (!out->fp)
		return 0;
	if (fflush(out->fp) == 0 && !ferror(out->fp))
		return 0;
	if (!out->failed)
		fprintf(stderr, "boot-trace: error writing %s: %s\n", out->path ?: "standard output",
			strerror(errno));
	out->failed = true;
	clearerr(out->fp);
	return -EIO;
}

int output_close(struct output *out)
{
	int err = 0;

	if (out->ops->close)
		out->ops->close(out);
	if (out->fp) {
		err = output_flush(out);
		if (out->fp != stdout && fclose(out->fp) != 0 && !err) {
			fprintf(stderr, "boot-trace: error writing %s: %s\n", out->path,
				strerror(errno));
			err = -EIO;
		}
	}
	out->fp = NULL;
	return err ?: (out->failed ? -EIO : 0);
}

void format_seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}

const char *event_thread_name(const struct vm *vm, const struct bt_event *ev, char *buf, size_t len)
{
	char vcpu_name[BT_COMM_LEN];

	snprintf(buf, len, "%.*s", BT_COMM_LEN, ev->comm);
	snprintf(vcpu_name, sizeof(vcpu_name), "vcpu%u", ev->vcpu);
	if (!buf[0] || !strcmp(buf, vm->comm) || !strcmp(buf, vcpu_name))
		return NULL;
	return buf;
}
