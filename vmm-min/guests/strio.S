/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strio: string and wide port I/O to the debug port (0x80). Exact sequence:
 *   1. rep outsb of the 16 bytes 0x10, 0x11, ..., 0x1f (one string I/O exit,
 *      16 elements of size 1)
 *   2. outw 0x3231 (size 2; its low byte is 0x31)
 *   3. outl 0x36353433 (size 4; its low byte is 0x33)
 * then exit status 0.
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	mov $bytes, %si
	mov $16, %cx
	mov $DEBUG_PORT, %dx
	rep outsb
	mov $0x3231, %ax
	out %ax, %dx
	mov $0x36353433, %eax
	out %eax, %dx
	EXIT_STATUS 0

	.section .rodata
bytes:
	.byte 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
	.byte 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
