/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conloop (real mode): console text that times itself, for `make bench` (the cost of each
 * console byte traced with --console, beside bpftrace printing each byte).
 *
 *   arg0  number of bytes N (0 writes nothing)
 *   arg1  port to write them to (0: the UART's THR, 0x3f8)
 *
 * Writes N bytes to the port with `out %al, %dx`, one exit each and no LSR polling (vmm-min's
 * UART is always ready): a 64-byte line of text (62 printable characters, CR LF) over and
 * over, the first cut wherever N ends. The TSC is read just before the first write and just
 * after the last. Then prints one line on the UART (numbers in hex, after a line end):
 *   "\nconloop: bytes=NNNNNNNN tsc=HHHHHHHHLLLLLLLL\n"
 * (tsc = TSC cycles the N writes took) and exits 0 through the exit port.
 */
#include "guest.h"

#define LINE_LEN 64 /* a power of two: the index is masked */

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %edi, count
	test %esi, %esi
	jnz 1f
	mov $SERIAL_PORT, %esi
1:	mov %esi, port

	rdtsc
	mov %eax, t0_lo
	mov %edx, t0_hi
	mov count, %edi
	mov port, %edx
	xor %ecx, %ecx
	test %edi, %edi
	jz .Ldone
.Lloop:
	mov %cx, %bx
	and $(LINE_LEN - 1), %bx
	mov line(%bx), %al
	out %al, %dx
	inc %ecx
	cmp %edi, %ecx
	jne .Lloop
.Ldone:
	rdtsc
	sub t0_lo, %eax
	sbb t0_hi, %edx
	mov %eax, t0_lo
	mov %edx, t0_hi

	SERIAL_PUTS "\nconloop: bytes="
	mov count, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS " tsc="
	mov t0_hi, %ecx
	SERIAL_PUTHEX_ECX
	mov t0_lo, %ecx
	SERIAL_PUTHEX_ECX
	SERIAL_PUTS "\n"
	EXIT_STATUS 0

	.section .rodata
line:
	.ascii "[    1.000000] conloop: 62 characters of console text, CR LF.."
	.ascii "\r\n"
	.if . - line != LINE_LEN
	.error "the line is not LINE_LEN bytes"
	.endif

	.data
	.balign 4
count:
	.long 0
port:
	.long 0
t0_lo:
	.long 0
t0_hi:
	.long 0
