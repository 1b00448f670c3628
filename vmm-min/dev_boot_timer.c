// SPDX-License-Identifier: GPL-2.0
/*
 * Boot timer at 0xc0000000 (one page of MMIO), where Firecracker puts its
 * own on x86: the guest's init writes the byte 123 there when it is up.
 * Writes are accepted silently; --log-io prints each one with the time
 * its exit reached userspace, like the debug port. Reads return 0. Guest
 * RAM above 3 GiB (--memory 4096) would hide it: KVM does not exit for
 * RAM.
 */
#include <stdio.h>
#include <string.h>

#include "devices.h"
#include "io_bus.h"

static void boot_timer_mmio(struct mmio_access *acc, void *opaque)
{
	bool log_io = *(bool *)opaque;
	unsigned long long value = 0;

	if (!acc->is_write) {
		memset(acc->data, 0, sizeof(acc->data));
		return;
	}
	memcpy(&value, acc->data, acc->size); /* x86: little endian */
	if (log_io)
		fprintf(stderr, "vmm-min: mmio 0x%llx vcpu=%d size=%d value=0x%llx mono_ns=%llu\n",
			(unsigned long long)acc->addr, acc->vcpu, acc->size, value,
			(unsigned long long)acc->mono_ns);
}

int boot_timer_init(bool log_io)
{
	static bool log_io_flag;

	log_io_flag = log_io;
	return mmio_bus_register("boot-timer", BOOT_TIMER_BASE, BOOT_TIMER_LEN, boot_timer_mmio,
				 &log_io_flag);
}
