/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pioloop (real mode): a flood that times itself, for `make bench`.
 *
 *   arg0  number of writes N (0 writes nothing)
 *   arg1  port to write to (0: the debug port, 0x80)
 *   arg2  kilo-TSC-cycles to wait before the loop (0: none)
 *   arg3  kilo-TSC-cycles to wait after the loop, before exiting (0: none)
 *
 * Writes N bytes to the port with `out %al, %dx`, values 0, 1, ..., 255, 0, ... (the low byte
 * of a counter from 0), reading the TSC just before the first write and just after the last.
 * Then prints one serial line, numbers in hex:
 *   "pioloop: writes=NNNNNNNN port=PPPPPPPP tsc=HHHHHHHHLLLLLLLL\n"
 * (tsc = TSC cycles the loop took) and exits 0 through the exit port.
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %edi, count
	mov %edx, pre_kc
	mov %ecx, post_kc
	test %esi, %esi
	jnz 1f
	mov $DEBUG_PORT, %esi
1:	mov %esi, port

	DELAY_KCYCLES pre_kc, 0

	TIMED_OUT_LOOP count, port, t0_lo, t0_hi

	SERIAL_PUTS "pioloop: writes="
	mov count, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS " port="
	mov port, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS " tsc="
	mov t0_hi, %ecx
	SERIAL_PUTHEX_ECX
	mov t0_lo, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS "\n"

	DELAY_KCYCLES post_kc, 0
	EXIT_STATUS 0

	.data
	.balign 4
count:
	.long 0
port:
	.long 0
pre_kc:
	.long 0
post_kc:
	.long 0
t0_lo:
	.long 0
t0_hi:
	.long 0
