/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qboot: the boot steps that qboot and qemu-boot-time write to port 0xf4,
 * one byte each, about 1 ms (2,000,000 TSC cycles) apart:
 *   0xf4 <- 1 (fw_start), 5 (fw_do_boot), 2 (linux_start_fwcfg),
 *           3 (linux_start_boot), 4 (linux_start_pvhboot)
 *   0x80 <- 0x40 (a debug-port Kernel code between them)
 *   0xf4 <- 6 (linux_start_kernel), 7 (linux_start_user),
 *           9 (a value with no name in that convention)
 * then exit status 0. vmm-min has no device at 0xf4: it counts 8 unknown
 * port writes.
 */
#include "guest.h"

#define QBOOT_PORT  0xf4
#define STEP_CYCLES 2000000

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:

.macro STEP port, value
	mov $\value, %al
	out %al, $\port
	mov $STEP_CYCLES, %eax
	xor %edx, %edx
	DELAY_TSC
.endm

	STEP QBOOT_PORT, 1
	STEP QBOOT_PORT, 5
	STEP QBOOT_PORT, 2
	STEP QBOOT_PORT, 3
	STEP QBOOT_PORT, 4
	STEP DEBUG_PORT, 0x40
	STEP QBOOT_PORT, 6
	STEP QBOOT_PORT, 7
	STEP QBOOT_PORT, 9
	EXIT_STATUS 0
