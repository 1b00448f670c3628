/* SPDX-License-Identifier: GPL-2.0 */
/*
 * marks (real mode): isolated markers at a steady pace, for `make bench` (marker-to-log
 * latency, ready-to-trace latency, timestamp fidelity).
 *
 *   arg0  kilo-TSC-cycles from one marker to the next (0: 1,000,000 cycles)
 *   arg1  number of markers (0: for ever)
 *   arg2  non-zero: print the TSC of each marker on the serial port
 *   arg3  port to write the markers to (0: the debug port, 0x80)
 *
 * Marker i (from 0) reads the TSC, then writes the byte (i * 0x20) & 0xff to the port:
 * 0x00 0x20 0x40 0x60 0x80 0xa0 0xc0 0xe0 0x00 ..., one code per stage for the first five.
 * With arg2, it then prints "marks: code=000000CC tsc=HHHHHHHHLLLLLLLL\n" (hex; the TSC read
 * just before the write). The pace counts from one marker's TSC to the next, so printing does
 * not stretch it. After the last marker: exit status 0 through the exit port.
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %esi, left
	mov %edx, print
	test %ecx, %ecx
	jnz 3f
	mov $DEBUG_PORT, %ecx
3:	mov %ecx, port
	test %edi, %edi
	jnz 1f
	mov $1000, %edi /* kilo-cycles: 1,000,000 cycles */
1:	mov %edi, %eax
	mov $1000, %ecx
	mul %ecx
	mov %eax, step_lo
	mov %edx, step_hi
	rdtsc
	mov %eax, next_lo
	mov %edx, next_hi

.Lmark:
	rdtsc
	mov %eax, tsc_lo
	mov %edx, tsc_hi
	mov code, %al
	mov port, %dx
	out %al, %dx

	cmpl $0, print
	je .Lwait
	SERIAL_PUTS "marks: code="
	movzbl code, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS " tsc="
	mov tsc_hi, %ecx
	SERIAL_PUTHEX_ECX
	mov tsc_lo, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS "\n"

.Lwait:
	addb $0x20, code
	cmpl $0, left
	je 2f /* 0: for ever */
	decl left
	jz .Lend
2:	/* next = previous marker's TSC + step; spin until then */
	mov tsc_lo, %eax
	mov tsc_hi, %edx
	add step_lo, %eax
	adc step_hi, %edx
	mov %eax, next_lo
	mov %edx, next_hi
.Lspin:
	pause
	rdtsc
	cmp next_hi, %edx
	ja .Lmark
	jb .Lspin
	cmp next_lo, %eax
	jb .Lspin
	jmp .Lmark

.Lend:
	EXIT_STATUS 0

	.data
	.balign 4
left:
	.long 0
print:
	.long 0
port:
	.long 0
step_lo:
	.long 0
step_hi:
	.long 0
next_lo:
	.long 0
next_hi:
	.long 0
tsc_lo:
	.long 0
tsc_hi:
	.long 0
code:
	.byte 0
