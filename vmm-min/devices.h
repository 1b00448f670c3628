/* SPDX-License-Identifier: GPL-2.0 */
/* The devices vmm-min puts on the port-I/O bus. */
#ifndef VMM_MIN_DEVICES_H
#define VMM_MIN_DEVICES_H

#include <stdbool.h>

#include "vm.h"

#define DEBUG_PORT  0x80  /* POST code port */
#define SERIAL_BASE 0x3f8 /* COM1, 8 registers */
#define EXIT_PORT   0x501 /* a byte written here is vmm-min's exit status */

int debug_port_init(bool log_io);

int serial_init(const char *path);
void serial_close(void);

int exit_device_init(struct vm *vm);

#endif /* VMM_MIN_DEVICES_H */
