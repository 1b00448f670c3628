// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x80, the POST code port firmware writes its progress to. Writes
 * are accepted silently; --log-io prints each one with the time its exit
 * reached userspace, so tracers can be checked against it.
 */
#include <stdio.h>

#include "devices.h"
#include "io_bus.h"

static void debug_port_io(struct io_access *acc, void *opaque)
{
	bool log_io = *(bool *)opaque;

	if (!acc->is_write) {
		acc->value = 0xffffffff;
		return;
	}
	if (log_io)
		fprintf(stderr, "vmm-min: io 0x%x vcpu=%d size=%d value=0x%x mono_ns=%llu\n",
			acc->port, acc->vcpu, acc->size, acc->value,
			(unsigned long long)acc->mono_ns);
}

int debug_port_init(bool log_io)
{
	static bool log_io_flag;

	log_io_flag = log_io;
	return io_bus_register("debug-port", DEBUG_PORT, 1, debug_port_io, &log_io_flag);
}
