// SPDX-License-Identifier: GPL-2.0
/*
 * A write-only 16550 at 0x3f8: THR bytes go straight to stdout or a file
 * (no buffering, so output survives an exit() from another thread), LSR
 * always says "transmitter empty" so polling guests never wait, and the
 * other registers read as 0 and ignore writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int serial_init(const char *path)
{
	int ret;

	if (!path) {
		serial_fd = STDOUT_FILENO;
		serial_owns_fd = false;
	} else {
		serial_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (serial_fd < 0) {
			ret = -errno;
			fprintf(stderr, "vmm-min: cannot create serial file %s: %s\n", path,
				strerror(errno));
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
