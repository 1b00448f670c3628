// SPDX-License-Identifier: GPL-2.0
/*
 * The console outputs, both written straight to stdout or a file (no buffering, so output
 * survives an exit() from another thread):
 *
 * - a write-only 16550 at 0x3f8: THR bytes are output unless the line-control register's
 *   DLAB bit is set, when THR and IER are the divisor latch (bytes kept, never output), as
 *   a guest's baud-rate set-up expects; LSR always says "transmitter empty" so polling
 *   guests never wait; LCR and the divisor latch read back, the other registers read as 0
 *   and ignore writes;
 * - a debug console at 0xe9 (Bochs' and QEMU's isa-debugcon): every byte written is output
 *   as it is; reads return 0xe9, the value QEMU's device reads back (SeaBIOS checks it).
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

#define SERIAL_THR 0 /* transmit holding register (DLAB=0); divisor latch low (DLAB=1) */
#define SERIAL_IER 1 /* interrupt enable (DLAB=0); divisor latch high (DLAB=1) */
#define SERIAL_LCR 3 /* line control register */
#define SERIAL_LSR 5 /* line status register */
#define LCR_DLAB   0x80
#define LSR_THRE   0x20
#define LSR_TEMT   0x40

static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;
static int serial_fd = -1;
static bool serial_owns_fd;
static uint8_t serial_lcr, serial_dll, serial_dlm; /* under serial_lock */

/* Called with serial_lock held. */
static void serial_put_locked(uint8_t c)
{
	ssize_t n;

	if (serial_fd >= 0) {
		do
			n = write(serial_fd, &c, 1);
		while (n < 0 && errno == EINTR);
	}
}

static void serial_io(struct io_access *acc, void *opaque)
{
	unsigned int reg = acc->port - SERIAL_BASE;
	uint8_t byte = acc->value & 0xff;
	bool dlab;

	pthread_mutex_lock(&serial_lock);
	dlab = serial_lcr & LCR_DLAB;
	if (acc->is_write) {
		if (reg == SERIAL_LCR)
			serial_lcr = byte;
		else if (reg == SERIAL_THR && dlab)
			serial_dll = byte;
		else if (reg == SERIAL_IER && dlab)
			serial_dlm = byte;
		else if (reg == SERIAL_THR)
			serial_put_locked(byte);
	} else if (reg == SERIAL_LSR) {
		acc->value = LSR_THRE | LSR_TEMT;
	} else if (reg == SERIAL_LCR) {
		acc->value = serial_lcr;
	} else if (reg == SERIAL_THR && dlab) {
		acc->value = serial_dll;
	} else if (reg == SERIAL_IER && dlab) {
		acc->value = serial_dlm;
	} else {
		acc->value = 0;
	}
	pthread_mutex_unlock(&serial_lock);
}

static void debugcon_io(struct io_access *acc, void *opaque)
{
	if (!acc->is_write) {
		acc->value = DEBUGCON_READBACK;
		return;
	}
	pthread_mutex_lock(&serial_lock);
	serial_put_locked(acc->value & 0xff);
	pthread_mutex_unlock(&serial_lock);
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

/*
 * main() calls this once the VM is set up: a run that cannot start leaves FILE as it was.
 * Both console outputs (the UART and the debug console) go to FILE, or stdout.
 */
int serial_init(const char *path)
{
	int ret;

	if (!path) {
		serial_fd = STDOUT_FILENO;
		serial_owns_fd = false;
	} else {
		serial_fd = serial_open(path);
		if (serial_fd < 0) {
			ret = serial_fd;
			serial_fd = -1;
			return ret;
		}
		serial_owns_fd = true;
	}
	ret = io_bus_register("serial", SERIAL_BASE, 8, serial_io, NULL);
	if (ret)
		return ret;
	return io_bus_register("debugcon", DEBUGCON_PORT, 1, debugcon_io, NULL);
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
