/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flood64 (long mode): write arg0 (64-bit) bytes to the debug port as fast
 * as possible, values 0, 1, ..., 255, 0, 1, ... (the low byte of a counter
 * counting up from 0), then exit 0. arg0 == 0 writes nothing.
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl _start
_start:
	xor %ecx, %ecx
	test %rdi, %rdi
	jz .Ldone
.Lloop:
	mov %cl, %al
	out %al, $DEBUG_PORT
	inc %rcx
	cmp %rdi, %rcx
	jne .Lloop
.Ldone:
	EXIT_STATUS 0
