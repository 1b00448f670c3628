// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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

/* The user who ran us through sudo (SUDO_UID, SUDO_GID), when we run as root. */
static bool sudo_user(uid_t *uid, gid_t *gid)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	unsigned long uv, gv;

	if (geteuid() != 0 || !u || !g || parse_ulong(u, UINT32_MAX - 1, &uv) ||
	    parse_ulong(g, UINT32_MAX - 1, &gv) || uv == 0)
		return false;
	*uid = uv;
	*gid = gv;
	return true;
}

/*
 * An existing file in a sticky, world-writable directory (/tmp) that another user owns may
 * have been put there for us to overwrite or append to: refuse it, as the kernel's
 * fs.protected_regular does for O_CREAT, unless it belongs to us, to the directory's owner or
 * to the user who ran us through sudo. A second hard link is refused there too.
 */
static int check_shared_dir(const char *path, const struct stat *st)
{
	char *copy = strdup(path);
	struct stat dir;
	uid_t uid;
	gid_t gid;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	if (stat(dirname(copy), &dir) == 0 && (dir.st_mode & S_ISVTX) && (dir.st_mode & S_IWOTH)) {
		bool owner_ok = st->st_uid == geteuid() || st->st_uid == dir.st_uid ||
				(sudo_user(&uid, &gid) && st->st_uid == uid);

		if (!owner_ok) {
			fprintf(
			    stderr,
			    "boot-trace: refusing to write %s: it belongs to uid %u in the shared "
			    "directory %s (remove it or choose another name)\n",
			    path, (unsigned int)st->st_uid, copy);
			err = -EPERM;
		} else if (st->st_nlink > 1) {
			fprintf(
			    stderr,
			    "boot-trace: refusing to write %s: it has %u hard links in the shared "
			    "directory %s (remove it or choose another name)\n",
			    path, (unsigned int)st->st_nlink, copy);
			err = -EPERM;
		}
	}
	free(copy);
	return err;
}

static int open_failed(const char *path, int err)
{
	if (err == ELOOP)
		fprintf(stderr,
			"boot-trace: cannot write %s: it is a symbolic link (not followed)\n",
			path);
	else
		fprintf(stderr, "boot-trace: cannot write %s: %s\n", path, strerror(err));
	return -err;
}

/*
 * Safe for root in shared directories: never through a symlink (O_NOFOLLOW); a new file is
 * created with O_EXCL (and handed to the sudo user for run, record and report); an existing
 * one passes check_shared_dir() before it is truncated (or appended to, by the daemon).
 */
static int open_file(struct output *out)
{
	int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (out->append ? O_APPEND : 0);
	bool created = true;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, err;

	fd = open(out->path, flags | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(out->path, flags);
	}
	if (fd < 0)
		return open_failed(out->path, errno);
	if (fstat(fd, &st)) {
		err = open_failed(out->path, errno);
		goto out_close;
	}
	if (!created && S_ISREG(st.st_mode)) {
		err = check_shared_dir(out->path, &st);
		if (err)
			goto out_close;
		if (!out->append && ftruncate(fd, 0)) {
			err = open_failed(out->path, errno);
			goto out_close;
		}
	}
	/* The trace of `sudo boot-trace run` is the user's; the daemon's files stay root's. */
	if (created && !out->append && sudo_user(&uid, &gid) && fchown(fd, uid, gid) == 0)
		st.st_uid = uid;
	out->fp = fdopen(fd, "a");
	if (!out->fp) {
		err = open_failed(out->path, errno);
		goto out_close;
	}
	out->removable = S_ISREG(st.st_mode) && !out->append;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;

out_close:
	close(fd);
	return err;
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

/*
 * A write failed (a full disk): say so once. A trace file of run, record or report is then
 * removed, not left behind looking complete; the daemon's logs are kept (appended to).
 */
static bool remove_file(struct output *out)
{
	struct stat st;

	/* Only the file we created or truncated: not one put in its place since. */
	if (!out->removable || lstat(out->path, &st) || st.st_dev != out->dev ||
	    st.st_ino != out->ino)
		return false;
	out->removable = false;
	return unlink(out->path) == 0;
}

static void write_failed(struct output *out, int err)
{
	bool removed;

	if (out->failed)
		return;
	out->failed = true;
	removed = remove_file(out);
	fprintf(stderr, "boot-trace: error writing %s: %s%s\n", out->path ?: "standard output",
		strerror(err), removed ? " (the incomplete file was removed)" : "");
}

int output_flush(struct output *out)
{
	int err;

	if (!out->fp)
		return 0;
	errno = 0;
	if (fflush(out->fp) == 0 && !ferror(out->fp))
		return 0;
	err = errno ?: EIO;
	write_failed(out, err);
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
			write_failed(out, errno);
			err = -EIO;
		}
	}
	out->fp = NULL;
	if (out->discard)
		remove_file(out);
	return err ?: (out->failed ? -EIO : 0);
}

bool totals_lost(const struct trace_totals *t)
{
	return t->dropped || t->string_lost || t->malformed || t->lifecycle_dropped || t->map_full;
}

void print_totals(FILE *fp, const struct trace_totals *t)
{
	fprintf(fp, "%" PRIu64 " events, ", t->events);
	print_losses(fp, t);
}

void print_losses(FILE *fp, const struct trace_totals *t)
{
	fprintf(fp, "%" PRIu64 " dropped", t->dropped);
	if (t->string_lost)
		fprintf(fp, ", %" PRIu64 " string I/O bytes unseen", t->string_lost);
	if (t->lifecycle_dropped)
		fprintf(fp, ", %" PRIu64 " VM/process records dropped", t->lifecycle_dropped);
	if (t->map_full)
		fprintf(fp, ", %" PRIu64 " VM/vCPU identities lost (kernel map full)", t->map_full);
	if (t->malformed)
		fprintf(fp, ", %" PRIu64 " malformed records", t->malformed);
}

void format_seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}

const char *event_thread_name(const struct traced_vm *vm, const struct bt_event *ev, char *buf, size_t len)
{
	char vcpu_name[BT_COMM_LEN];

	snprintf(buf, len, "%.*s", BT_COMM_LEN, ev->comm);
	snprintf(vcpu_name, sizeof(vcpu_name), "vcpu%u", ev->vcpu);
	if (!buf[0] || !strcmp(buf, vm->comm) || !strcmp(buf, vcpu_name))
		return NULL;
	return buf;
}
