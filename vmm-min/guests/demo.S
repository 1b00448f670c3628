/* SPDX-License-Identifier: GPL-2.0 */
/*
 * demo: a pretend boot that walks the five POST code ranges, printing one
 * serial line per step and writing the code to the debug port (0x80).
 *
 * Exact port 0x80 sequence (one byte each, in this order):
 *   0x00 0x01 0x02      firmware   (0x00-0x1f)
 *   0x20 0x21           bootloader (0x20-0x3f)
 *   0x40 0x41 0x42      kernel     (0x40-0x5f)
 *   0x60 0x61           init       (0x60-0x7f)
 *   0x80                ready      (0x80-0xff)
 * then exit status 0 through the exit port.
 *
 * Each step writes its code, prints "demo: STAGE: WHAT (0xCC)", then waits
 * arg0 * 1000 TSC cycles (arg0 == 0: 2,000,000 cycles, about 1 ms) before
 * the next step. arg1 (same units, default 0) is waited in addition after
 * each kernel code, i.e. before 0x41, 0x42 and 0x60, which stretches only
 * the kernel stage (an "artificially slowed" kernel).
 */
#include "guest.h"

#define STEP_DEFAULT_CYCLES 2000000

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %edi, step_kc
	mov %esi, kernel_extra_kc

/* One boot step: code, serial line, delay. */
.macro STEP code, msg
	POST \code
	SERIAL_PUTS "demo: \msg (\code)\n"
	DELAY_KCYCLES step_kc, STEP_DEFAULT_CYCLES
.endm

/* A kernel step also waits the extra kernel delay. */
.macro KERNEL_STEP code, msg
	STEP \code, "\msg"
	DELAY_KCYCLES kernel_extra_kc, 0
.endm

	STEP 0x00, "firmware: reset vector"
	STEP 0x01, "firmware: memory init"
	STEP 0x02, "firmware: device enumeration"
	STEP 0x20, "bootloader: start"
	STEP 0x21, "bootloader: load kernel"
	KERNEL_STEP 0x40, "kernel: entry"
	KERNEL_STEP 0x41, "kernel: subsystems init"
	KERNEL_STEP 0x42, "kernel: mount root"
	STEP 0x60, "init: start"
	STEP 0x61, "init: services started"
	POST 0x80
	SERIAL_PUTS "demo: ready: boot complete (0x80)\n"
	EXIT_STATUS 0

	.data
	.balign 4
step_kc:
	.long 0
kernel_extra_kc:
	.long 0
