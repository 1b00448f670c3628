// SPDX-License-Identifier: GPL-2.0
/*
 * Port-I/O and MMIO buses. Devices register before any vCPU runs, so
 * dispatch reads the tables without locks. Accesses nobody claims are
 * counted and, for reads, return all ones like an empty ISA bus.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io_bus.h"

#define IO_BUS_MAX_DEVICES   16
#define MMIO_BUS_MAX_DEVICES 4

struct io_device {
	const char *name;
	uint16_t base;
	uint16_t len;
	io_handler_fn handler;
	void *opaque;
};

struct mmio_device {
	const char *name;
	uint64_t base;
	uint64_t len;
	mmio_handler_fn handler;
	void *opaque;
};

static struct io_device devices[IO_BUS_MAX_DEVICES];
static int ndevices;
static struct mmio_device mmio_devices[MMIO_BUS_MAX_DEVICES];
static int nmmio_devices;
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

static bool mmio_device_claims(const struct mmio_device *dev, uint64_t addr)
{
	return addr >= dev->base && addr - dev->base < dev->len;
}

int mmio_bus_register(const char *name, uint64_t base, uint64_t len, mmio_handler_fn handler,
		      void *opaque)
{
	uint64_t end;
	int i;

	if (nmmio_devices == MMIO_BUS_MAX_DEVICES || len == 0 ||
	    __builtin_add_overflow(base, len, &end))
		return -EINVAL;
	for (i = 0; i < nmmio_devices; i++) {
		const struct mmio_device *d = &mmio_devices[i];

		if (base < d->base + d->len && d->base < end) {
			fprintf(stderr, "vmm-min: %s overlaps %s on the MMIO bus\n", name, d->name);
			return -EBUSY;
		}
	}
	mmio_devices[nmmio_devices++] = (struct mmio_device){name, base, len, handler, opaque};
	return 0;
}

/* An access is one device's if its first byte is. */
void mmio_bus_dispatch(struct mmio_access *acc)
{
	int i;

	for (i = 0; i < nmmio_devices; i++) {
		if (mmio_device_claims(&mmio_devices[i], acc->addr)) {
			mmio_devices[i].handler(acc, mmio_devices[i].opaque);
			return;
		}
	}
	__atomic_fetch_add(&unknown_mmio, 1, __ATOMIC_RELAXED);
	if (!acc->is_write)
		memset(acc->data, 0xff, sizeof(acc->data));
}

void io_bus_unknown_counts(uint64_t *port, uint64_t *mmio)
{
	*port = __atomic_load_n(&unknown_port, __ATOMIC_RELAXED);
	*mmio = __atomic_load_n(&unknown_mmio, __ATOMIC_RELAXED);
}
