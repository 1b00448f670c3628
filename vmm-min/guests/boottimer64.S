/* SPDX-License-Identifier: GPL-2.0 */
/*
 * boottimer64 (long mode, --memory below 3072): Firecracker's boot timer
 * marker, a one-byte write of 123 to MMIO 0xc0000000, among accesses that
 * are not it. Exact sequence:
 *   port 0x80   <- 0x40
 *   0xc0000000  <- 7     (one byte: another value)
 *   0xc0000000  <- 123   (four bytes: a wide write)
 *   0xc0000001  <- 123   (one byte: another address)
 *   0xc0000000  -> read  (one byte)
 *   0xc0000000  <- 123   (one byte: the marker)
 *   port 0x80   <- 0x60
 * about 1 ms (2,000,000 TSC cycles) apart, then exit status 0.
 */
#include "guest.h"

#define BOOT_TIMER  0xc0000000
#define STEP_CYCLES 2000000

	.code64
	.section .text.entry, "ax"
	.globl _start
_start:
	/* A 32-bit mov zero-extends: 0xc0000000 as a displacement would sign-extend. */
	mov $BOOT_TIMER, %ebx

.macro PAUSE_STEP
	mov $STEP_CYCLES, %rax
	DELAY_TSC
.endm

	POST 0x40
	PAUSE_STEP
	movb $7, (%rbx)
	PAUSE_STEP
	movl $123, (%rbx)
	PAUSE_STEP
	movb $123, 1(%rbx)
	PAUSE_STEP
	movb (%rbx), %al
	PAUSE_STEP
	movb $123, (%rbx)
	PAUSE_STEP
	POST 0x60
	EXIT_STATUS 0
