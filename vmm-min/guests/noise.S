/* SPDX-License-Identifier: GPL-2.0 */
/*
 * noise: debug-port codes mixed with writes to other ports, for tools that
 * must pick out port 0x80. Exact sequence of port writes (all one byte):
 *   0x80 <- 0x01
 *   0x81 <- 0xa1, 0xf4 <- 0xb1, 0x402 <- 0xc1, 0x3f8 <- 'a'
 *   0x80 <- 0x21
 *   0x81 <- 0xa2, 0xf4 <- 0xb2, 0x402 <- 0xc2, 0x3f8 <- 'b'
 *   0x80 <- 0x41
 *   0x81 <- 0xa3, 0xf4 <- 0xb3, 0x402 <- 0xc3, 0x3f8 <- 'c'
 *   0x80 <- 0x61
 *   0x81 <- 0xa4, 0xf4 <- 0xb4, 0x402 <- 0xc4, 0x3f8 <- 'd'
 *   0x80 <- 0x81
 *   0x3f8 <- '\n'
 * then exit status 0. Serial output is "abcd\n"; vmm-min has no device at
 * 0x81, 0xf4 or 0x402, so it counts 12 unknown port accesses.
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start

/* The writes between two debug codes; \n is 1..4. */
.macro NOISE n
	mov $(0xa0 + \n), %al
	out %al, $0x81
	mov $(0xb0 + \n), %al
	out %al, $0xf4
	mov $0x402, %dx
	mov $(0xc0 + \n), %al
	out %al, %dx
	mov $SERIAL_PORT, %dx
	mov $('a' + \n - 1), %al
	out %al, %dx
.endm

_start:
	POST 0x01
	NOISE 1
	POST 0x21
	NOISE 2
	POST 0x41
	NOISE 3
	POST 0x61
	NOISE 4
	POST 0x81
	mov $SERIAL_PORT, %dx
	mov $'\n', %al
	out %al, %dx
	EXIT_STATUS 0
