// SPDX-License-Identifier: GPL-2.0
/*
 * A write-only 16550 at 0x3f8: THR bytes go straight to stdout or a file
 * (no buffering, so output survives an exit() from another thread), LSR
 * always says "transmitter empty" so polling guests never wait, and the
 * other registers read as 0 and ignore writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "devices.h"
#include "io_bus.h"

#define SERIAL_THR 0 /* transmit holding register (DLAB=0) */
#define SERIAL_LSR 5 /* line status register */
#define LSR_THRE   0x20
#define LSR_TEMT   0x40

static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;
static int serial_fd = -1;
static bool serial_owns_fd;

static void serial_put(uint8_t c)
{
	ssize_t n;

	pthread_mutex_lock(&serial_lock);
	if (serial_fd >= 0) {
		do
			n = write(serial_fd, &c, 1);
		while (n < 0 && errno == EINTR);
	}
	pthread_mutex_unlock(&serial_lock);
}

static void serial_io(struct io_access *acc, void *opaque)
{
	unsigned int reg = acc->port - SERIAL_BASE;

	if (acc->is_write) {
		if (reg == SERIAL_THR)
			serial_put(acc->value & 0xff);
		return;
	}
	acc->value = reg == SERIAL_LSR ? LSR_THRE | LSR_TEMT : 0;
}

/* The user who ran us through sudo (SUDO_UID), when we run as root. */
static bool sudo_uid(uid_t *uid)
{
	const char *s = getenv("SUDO_UID");
	unsigned long v;
	char *end;

	if (geteuid() != 0 || !s || !*s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v >= UINT32_MAX)
		return false;
	*uid = v;
	return true;
}

/*
 * An existing file in a sticky, world-writable directory (/tmp) that another user owns may
 * have been put there for us to overwrite: refuse it, as the kernel's fs.protected_regular
 * does for O_CREAT, unless it belongs to us, to the directory's owner or to the user who ran
 * us through sudo. A second hard link is refused there too. (boot-trace's outputs follow the
 * same rules.)
 */
static int check_shared_dir(const char *path, const struct stat *st)
{
	char *copy = strdup(path);
	struct stat dir;
	uid_t uid;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	if (stat(dirname(copy), &dir) == 0 && (dir.st_mode & S_ISVTX) && (dir.st_mode & S_IWOTH)) {
		if (st->st_uid != geteuid() && st->st_uid != dir.st_uid &&
		    !(sudo_uid(&uid) && st->st_uid == uid)) {
			fprintf(
			    stderr,
			    "vmm-min: refusing to write serial file %s: it belongs to uid %u in "
			    "the shared directory %s (remove it or choose another name)\n",
			    path, (unsigned int)st->st_uid, copy);
			ret = -EPERM;
		} else if (st->st_nlink > 1) {
			fprintf(
			    stderr,
			    "vmm-min: refusing to write serial file %s: it has %u hard links in "
			    "the shared directory %s (remove it or choose another name)\n",
			    path, (unsigned int)st->st_nlink, copy);
			ret = -EPERM;
		}
	}
	free(copy);
	return ret;
}

/*
 * Never through a symlink (O_NOFOLLOW); a new file with O_EXCL; an existing regular file
 * truncated only once check_shared_dir() passed. A device (/dev/null) or a FIFO is written
 * as it is.
 */
static int serial_open(const char *path)
{
	int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	bool created = true;
	struct stat st;
	int fd, ret;

	fd = open(path, flags | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(path, flags);
	}
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		fprintf(stderr, "vmm-min: cannot create serial file %s: %s\n", path,
			strerror(errno));
		goto out_close;
	}
	if (!created && S_ISREG(st.st_mode)) {
		ret = check_shared_dir(path, &st);
		if (ret)
			goto out_close;
		if (ftruncate(fd, 0)) {
			ret = -errno;
			fprintf(stderr, "vmm-min: cannot truncate serial file %s: %s\n", path,
				strerror(errno));
			goto out_close;
		}
	}
	return fd;

out_close:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* main() calls this once the VM is set up: a run that cannot start leaves FILE as it was. */
int serial_init(const char *path)
{
	if (!path) {
		serial_fd = STDOUT_FILENO;
		serial_owns_fd = false;
	} else {
		serial_fd = serial_open(path);
		if (serial_fd < 0) {
			int ret = serial_fd;

			serial_fd = -1;
			return ret;
		}
		serial_owns_fd = true;
	}
	return io_bus_register("serial", SERIAL_BASE, 8, serial_io, NULL);
}

/* Called once the VM is over; vCPUs still running lose their output. */
void serial_close(void)
{
	pthread_mutex_lock(&serial_lock);
	if (serial_fd >= 0 && serial_owns_fd)
		close(serial_fd);
	serial_fd = -1;
	pthread_mutex_unlock(&serial_lock);
}
