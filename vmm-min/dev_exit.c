// SPDX-License-Identifier: GPL-2.0
/* Exit device: a write to port 0x501 ends the VM with that byte as status. */
#include "devices.h"
#include "io_bus.h"

static void exit_device_io(struct io_access *acc, void *opaque)
{
	struct vm *vm = opaque;

	if (!acc->is_write) {
		acc->value = 0xffffffff;
		return;
	}
	vm_finish(vm, acc->value & 0xff);
}

int exit_device_init(struct vm *vm)
{
	return io_bus_register("exit", EXIT_PORT, 1, exit_device_io, vm);
}
