/* SPDX-License-Identifier: GPL-2.0 */
/*
 * piobatch (real mode): a flood that times itself batch by batch, for `make bench`.
 *
 *   arg0  writes per batch B (0: 10000)
 *   arg1  port to write to (0: the debug port, 0x80)
 *   arg2  number of batches K (0: until the VM is killed)
 *
 * Writes B bytes to the port with `out %al, %dx` (the low byte of a counter), timing each
 * batch with the TSC, then prints one serial line per batch (numbers in hex):
 *   "piobatch: tsc=HHHHHHHHLLLLLLLL\n"
 * The line is printed after the batch is timed, so its own exits are not counted. A
 * benchmark attaches and detaches a tracer while the VM runs: neighbouring batches are the
 * closest pairs of traced and untraced runs a machine can give. Exits 0 after K batches.
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	test %edi, %edi
	jnz 1f
	mov $10000, %edi
1:	mov %edi, batch
	test %esi, %esi
	jnz 1f
	mov $DEBUG_PORT, %esi
1:	mov %esi, port
	mov %edx, batches_left

.Lbatch:
	TIMED_OUT_LOOP batch, port, t0_lo, t0_hi

	SERIAL_PUTS "piobatch: tsc="
	mov t0_hi, %ecx
	SERIAL_PUTHEX_ECX
	mov t0_lo, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS "\n"

	mov batches_left, %eax
	test %eax, %eax
	jz .Lbatch		/* 0: forever */
	dec %eax
	mov %eax, batches_left
	jnz .Lbatch
	EXIT_STATUS 0

	.data
	.balign 4
batch:
	.long 0
port:
	.long 0
batches_left:
	.long 0
t0_lo:
	.long 0
t0_hi:
	.long 0
