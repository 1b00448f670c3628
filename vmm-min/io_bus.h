/* SPDX-License-Identifier: GPL-2.0 */
/* Port-I/O and MMIO buses: tables of {base, len, handler} devices. */
#ifndef VMM_MIN_IO_BUS_H
#define VMM_MIN_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* One element of a port access, as a device sees it. */
struct io_access {
	int vcpu;	  /* index of the vCPU that made the access */
	uint64_t mono_ns; /* CLOCK_MONOTONIC when KVM_RUN returned */
	uint16_t port;
	uint8_t size; /* 1, 2 or 4 bytes */
	bool is_write;
	uint32_t value; /* in for writes, out for reads (masked to size) */
};

typedef void (*io_handler_fn)(struct io_access *acc, void *opaque);

/* One MMIO access (KVM_EXIT_MMIO), as a device sees it. */
struct mmio_access {
	int vcpu;
	uint64_t mono_ns; /* CLOCK_MONOTONIC when KVM_RUN returned */
	uint64_t addr;	  /* guest physical */
	uint8_t size;	  /* 1..8 bytes */
	bool is_write;
	uint8_t data[8]; /* in for writes, out for reads */
};

typedef void (*mmio_handler_fn)(struct mmio_access *acc, void *opaque);

int io_bus_register(const char *name, uint16_t base, uint16_t len, io_handler_fn handler,
		    void *opaque);
void io_bus_dispatch(struct io_access *acc);

int mmio_bus_register(const char *name, uint64_t base, uint64_t len, mmio_handler_fn handler,
		      void *opaque);
void mmio_bus_dispatch(struct mmio_access *acc);

void io_bus_unknown_counts(uint64_t *port, uint64_t *mmio);

#endif /* VMM_MIN_IO_BUS_H */
