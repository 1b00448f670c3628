// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "output.h"

int output_open(struct output *out, enum output_format format, const char *path, bool quiet)
{
	memset(out, 0, sizeof(*out));
	out->ops = format == FORMAT_JSONL ? &output_jsonl_ops : &output_log_ops;
	out->quiet = quiet;
	out->path = path;
	out->summary_fp = stderr;
	if (!path) {
		out->fp = stdout;
		return 0;
	}
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

int output_close(struct output *out)
{
	bool failed = fflush(out->fp) != 0 || ferror(out->fp);
	int err = errno;

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

const char *event_thread_name(const struct vm *vm, const struct bt_event *ev, char *buf, size_t len)
{
	char vcpu_name[BT_COMM_LEN];

	snprintf(buf, len, "%.*s", BT_COMM_LEN, ev->comm);
	snprintf(vcpu_name, sizeof(vcpu_name), "vcpu%u", ev->vcpu);
	if (!buf[0] || !strcmp(buf, vm->comm) || !strcmp(buf, vcpu_name))
		return NULL;
	return buf;
}
