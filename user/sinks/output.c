// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "output.h"
#include "text.h"

/* The trace formats of -f, the first the default. */
const struct output_format output_formats[] = {
    {"log", &output_log_ops}, {"jsonl", &output_jsonl_ops}, {"chrome", &output_chrome_ops},
    {"csv", &output_csv_ops}, {"svg", &output_svg_ops},	    {},
};

const struct output_ops *output_find(const char *name)
{
	for (const struct output_format *f = output_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f->ops;
	return NULL;
}

const char *output_format_names(void)
{
	static char names[128];
	size_t len = 0;

	if (names[0])
		return names;
	for (const struct output_format *f = output_formats; f->name; f++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				f == output_formats ? ""
				: f[1].name	    ? ", "
						    : " or ",
				f->name);
	return names;
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
static int check_shared_dir(const char *path, const struct stat *st, bool quiet)
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
			if (!quiet)
				fprintf(stderr,
					"boot-trace: refusing to write %s: it belongs to uid %u in "
					"the shared "
					"directory %s (remove it or choose another name)\n",
					path, (unsigned int)st->st_uid, copy);
			err = -EPERM;
		} else if (st->st_nlink > 1) {
			if (!quiet)
				fprintf(stderr,
					"boot-trace: refusing to write %s: it has %u hard links in "
					"the shared "
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

int output_may_replace(const char *path, bool quiet)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : (quiet ? -errno : open_failed(path, errno));
	if (!S_ISREG(st.st_mode)) {
		if (!quiet)
			fprintf(stderr, "boot-trace: refusing to replace %s: not a regular file\n",
				path);
		return -EPERM;
	}
	return check_shared_dir(path, &st, quiet);
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
		err = check_shared_dir(out->path, &st, false);
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
	out->created = created;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;

out_close:
	close(fd);
	return err;
}

/* Open on path, or on the stream fp when path is NULL. */
static int open_output(struct output *out, const struct output_ops *ops, const char *path, FILE *fp,
		       unsigned int flags)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->ops = ops;
	out->quiet = flags & OUTPUT_QUIET;
	out->append = flags & OUTPUT_APPEND;
	out->summary_in_trace = flags & OUTPUT_SUMMARY_IN_TRACE;
	out->totals_only = flags & OUTPUT_TOTALS_ONLY;
	out->best_effort = flags & OUTPUT_BEST_EFFORT;
	out->wall_clock = flags & OUTPUT_WALL_CLOCK;
	out->path = path;
	out->stream_name = fp == stderr ? "standard error" : "standard output";
	if (!ops->own_files) {
		if (path)
			err = open_file(out);
		else
			out->fp = fp;
	}
	if (!err && ops->open) {
		err = ops->open(out);
		/* Writers with their own files name the file that failed themselves. */
		if (err && !ops->own_files)
			fprintf(stderr, "boot-trace: cannot start the writer: %s\n",
				strerror(-err));
		if (err && out->fp && path)
			fclose(out->fp);
	}
	return err;
}

int output_open(struct output *out, const struct output_ops *ops, const char *path,
		unsigned int flags)
{
	return open_output(out, ops, path, stdout, flags);
}

int output_open_stream(struct output *out, const struct output_ops *ops, FILE *fp,
		       unsigned int flags)
{
	return open_output(out, ops, NULL, fp, flags);
}

int output_reopen(struct output *out)
{
	struct output fresh = *out;
	int err;

	if (!out->fp || !out->path)
		return 0;
	output_flush(out);
	/*
	 * The new file first: if it cannot be opened (its directory was removed), the lines go
	 * on to the file as it was moved, and the next SIGHUP tries again. Nothing is lost.
	 */
	fresh.fp = NULL;
	err = open_file(&fresh);
	if (err) {
		fprintf(stderr,
			"boot-trace: %s not reopened: writing on to the file as it was moved, "
			"until a later SIGHUP can reopen it\n",
			out->path);
		return err;
	}
	fclose(out->fp);
	fresh.failed = false;
	*out = fresh;
	return 0;
}

/*
 * A trace of run, record or report that must not be left behind looking complete (a write
 * failed, the input was bad, nothing was traced): a file this run created is removed, a
 * regular file it truncated is emptied again, through its descriptor (a path could have been
 * swapped for a symlink since). Nothing else is touched: not a device or a FIFO, not the
 * daemon's logs (appended to), not a file put in its place since. What the writers still
 * write then goes to /dev/null: the rest of the trace must not fill the file again.
 */
static const char *remove_file(struct output *out)
{
	const char *done = NULL;
	struct stat st;
	FILE *null;

	if (!out->removable || !out->fp)
		return NULL;
	out->removable = false;
	if (out->created) {
		if (!lstat(out->path, &st) && S_ISREG(st.st_mode) && st.st_dev == out->dev &&
		    st.st_ino == out->ino && !unlink(out->path))
			done = "removed";
	} else if (!fstat(fileno(out->fp), &st) && S_ISREG(st.st_mode) &&
		   !ftruncate(fileno(out->fp), 0)) {
		done = "emptied";
	}
	null = done ? fopen("/dev/null", "we") : NULL;
	if (null) {
		fclose(out->fp);
		out->fp = null;
	}
	return done;
}

static void write_failed(struct output *out, int err)
{
	const char *done;

	if (out->failed)
		return;
	out->failed = true;
	done = remove_file(out);
	fprintf(stderr, "boot-trace: error writing %s: %s%s%s%s\n", out->path ?: out->stream_name,
		strerror(err), done ? " (the incomplete file was " : "", done ?: "",
		done ? ")" : "");
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
	/* The summary table on stderr: where would its failure be said? Not a trace lost. */
	if (out->best_effort) {
		clearerr(out->fp);
		return 0;
	}
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
		if (out->discard)
			remove_file(out);
		/* A stream of ours (stdout, stderr) stays open. */
		if (out->path && fclose(out->fp) != 0 && !err) {
			write_failed(out, errno);
			err = -EIO;
		}
	}
	out->fp = NULL;
	return err ?: (out->failed ? -EIO : 0);
}

uint64_t clock_now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void clock_anchor_now(struct clock_anchor *anchor)
{
	uint64_t best = UINT64_MAX;

	/* Realtime read between two monotonic reads: the tightest pair of three. */
	for (int i = 0; i < 3; i++) {
		uint64_t before = clock_now_ns(CLOCK_MONOTONIC),
			 real = clock_now_ns(CLOCK_REALTIME);
		uint64_t after = clock_now_ns(CLOCK_MONOTONIC);

		if (after - before < best) {
			best = after - before;
			anchor->monotonic_ns = before + (after - before) / 2;
			anchor->realtime_ns = real;
		}
	}
}

void format_wall_clock(char *buf, size_t len, const struct clock_anchor *anchor, uint64_t ns)
{
	/* Stamps before the anchor (a VM found running) are earlier wall-clock times. */
	int64_t delta = (int64_t)(ns - anchor->monotonic_ns);
	uint64_t real = anchor->realtime_ns + delta;
	time_t secs = real / 1000000000;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "Z", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, real % 1000000000);
}

void format_seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}

void format_since(char *buf, size_t len, uint64_t ns, uint64_t base)
{
	if (ns >= base) {
		format_seconds(buf, len, ns - base);
		return;
	}
	buf[0] = '-';
	format_seconds(buf + 1, len - 1, base - ns);
}

const char *event_thread_name(const struct traced_vm *vm, const struct boot_event *ev)
{
	char vcpu_name[EVENT_THREAD_MAX];

	snprintf(vcpu_name, sizeof(vcpu_name), "vcpu%u", ev->vcpu);
	if (!ev->thread[0] || !strcmp(ev->thread, vm->comm) || !strcmp(ev->thread, vcpu_name))
		return NULL;
	return ev->thread;
}

#define FOR_EACH_OUT(outs, n, out)                                                                 \
	for (struct output *const *o_ = (outs), *out; o_ < (outs) + (n) && (out = *o_); o_++)

void outputs_clock(struct output *const *outs, int n, const struct clock_anchor *anchor)
{
	FOR_EACH_OUT (outs, n, out) {
		out->anchor = *anchor;
		out->have_anchor = true;
		if (out->ops->clock)
			out->ops->clock(out, anchor);
	}
}

void outputs_vm_start(struct output *const *outs, int n, const struct traced_vm *vm)
{
	FOR_EACH_OUT (outs, n, out)
		if (out->ops->vm_start)
			out->ops->vm_start(out, vm);
}

void outputs_event(struct output *const *outs, int n, const struct traced_vm *vm,
		   const struct boot_event *ev)
{
	FOR_EACH_OUT (outs, n, out)
		if (out->ops->event)
			out->ops->event(out, vm, ev);
}

void outputs_vm_end(struct output *const *outs, int n, const struct traced_vm *vm)
{
	FOR_EACH_OUT (outs, n, out)
		if (out->ops->vm_end)
			out->ops->vm_end(out, vm);
}

void outputs_vm_summary(struct output *const *outs, int n, const struct traced_vm *vm)
{
	FOR_EACH_OUT (outs, n, out)
		if (out->ops->vm_summary)
			out->ops->vm_summary(out, vm);
}

void outputs_summary(struct output *const *outs, int n, const struct vm_table *vms,
		     const struct trace_totals *totals)
{
	FOR_EACH_OUT (outs, n, out)
		if (out->ops->summary)
			out->ops->summary(out, vms, totals);
}

void outputs_flush(struct output *const *outs, int n)
{
	FOR_EACH_OUT (outs, n, out)
		output_flush(out);
}

int outputs_close(struct output *const *outs, int n)
{
	int err = 0;

	FOR_EACH_OUT (outs, n, out)
		if (output_close(out) && !err)
			err = -EIO;
	return err;
}
