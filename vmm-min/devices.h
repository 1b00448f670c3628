/* SPDX-License-Identifier: GPL-2.0 */
/* The devices vmm-min puts on the port-I/O and MMIO buses. */
#ifndef VMM_MIN_DEVICES_H
#define VMM_MIN_DEVICES_H

#include <stdbool.h>

#include "vm.h"

#define DEBUG_PORT	  0x80	/* POST code port */
#define SERIAL_BASE	  0x3f8 /* COM1, 8 registers */
#define DEBUGCON_PORT	  0xe9	/* debug console: every byte written is output */
#define DEBUGCON_READBACK 0xe9	/* what a read of it returns, as QEMU's isa-debugcon */
#define EXIT_PORT	  0x501 /* a byte written here is vmm-min's exit status */

#define BOOT_TIMER_BASE LONG_MMIO_BASE /* 0xc0000000, where Firecracker's boot timer is */
#define BOOT_TIMER_LEN	0x1000ULL

int debug_port_init(bool log_io);

int serial_init(const char *path);
void serial_close(void);

int exit_device_init(struct vm *vm);

int boot_timer_init(bool log_io);

#endif /* VMM_MIN_DEVICES_H */
