// SPDX-License-Identifier: GPL-2.0
/*
 * Port-I/O bus. Devices register before any vCPU runs, so dispatch reads
 * the table without locks. Accesses nobody claims are counted and, for
 * reads, return all ones like an empty ISA bus.
 */
#include <errno.h>
#include <stdio.h>

#include "io_bus.h"

#define IO_BUS_MAX_DEVICES 16

struct io_device {
	const char *name;
	uint16_t base;
	uint16_t len;
	io_handler_fn handler;
	void *opaque;
};

static struct io_device devices[IO_BUS_MAX_DEVICES];
static int ndevices;
static uint64_t unknown_port;
static uint64_t unknown_mmio;

static bool io_device_claims(const struct io_device *dev, uint16_t port)
{
	return port >= dev->base && port - dev->base < dev->len;
}

int io_bus_register(const char *name, uint16_t base, uint16_t len, io_handler_fn handler,
		    void *opaque)
{
	int i;

	if (ndevices == IO_BUS_MAX_DEVICES || len == 0 || base + len > 0x10000)
		return -EINVAL;
	for (i = 0; i < ndevices; i++) {
		if (io_device_claims(&devices[i], base) ||
		    io_device_claims(&devices[i], base + len - 1) ||
		    (base <= devices[i].base && devices[i].base < base + len)) {
			fprintf(stderr, "vmm-min: %s overlaps %s on the I/O bus\n", name,
				devices[i].name);
			return -EBUSY;
		}
	}
	devices[ndevices++] = (struct io_device){name, base, len, handler, opaque};
	return 0;
}

void io_bus_dispatch(struct io_access *acc)
{
	int i;

	for (i = 0; i < ndevices; i++) {
		if (io_device_claims(&devices[i], acc->port)) {
			devices[i].handler(acc, devices[i].opaque);
			return;
		}
	}
	__atomic_fetch_add(&unknown_port, 1, __ATOMIC_RELAXED);
	if (!acc->is_write)
		acc->value = 0xffffffff;
}

void io_bus_count_mmio(void)
{
	__atomic_fetch_add(&unknown_mmio, 1, __ATOMIC_RELAXED);
}

void io_bus_unknown_counts(uint64_t *port, uint64_t *mmio)
{
	*port = __atomic_load_n(&unknown_port, __ATOMIC_RELAXED);
	*mmio = __atomic_load_n(&unknown_mmio, __ATOMIC_RELAXED);
}
