/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iodelay: real markers among the I/O delays of Linux's real-mode setup code, whose
 * io_delay() writes 0 to port 0x80 right after an access to another legacy port
 * (arch/x86/boot/boot.h; pm.c mask_all_interrupts() and reset_coprocessor(), a20.c
 * empty_8042()). boot-trace must report those writes as I/O delays, not as "Firmware code
 * 0x0" restarting the stages. Exact port accesses (one byte each):
 *
 *   0x80  <- 0x00                          marker (Firmware): the vCPU's first access
 *   serial "iodelay: firmware\n", ~1 ms
 *   serial "iodelay: bootloader\n"
 *   0x80  <- 0x20                          marker (Bootloader): after serial (0x3f8)
 *   0xa1  <- 0xff, 0x80 <- 0x00            I/O delay (after 0xa1: slave PIC masked)
 *   0x21  <- 0xfb, 0x80 <- 0x00            I/O delay (after 0x21: master PIC masked)
 *   0xf0  <- 0x00, 0x80 <- 0x00            I/O delay (after 0xf0: FPU reset)
 *   0x64  -> in,   0x80 <- 0x00            I/O delay (after reading 0x64: 8042 status)
 *   serial "iodelay: kernel\n"
 *   0x80  <- 0x40                          marker (Kernel): after serial
 *   0x64  -> in, then 50,000,000 TSC cycles (>= 8 ms at up to 6 GHz)
 *   0x80  <- 0x60                          marker (Userspace): a legacy port before it,
 *                                          but long before: not a delay
 *   serial "iodelay: done\n"
 *   exit status 0.
 *
 * The delay writes follow their port within a few microseconds (two exits to vmm-min);
 * every real marker follows serial output (0x3f8/0x3fd, not below 0x100) or a long pause.
 * vmm-min has no device at 0xa1, 0x21, 0xf0, 0x64: it counts 5 unknown port accesses.
 */
#include "guest.h"

#define STEP_CYCLES	    2000000
#define QUIET_BEFORE_CYCLES 50000000

/* Linux's io_delay(): a write of 0 to port 0x80. */
.macro IO_DELAY
	xor %al, %al
	out %al, $DEBUG_PORT
.endm

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	POST 0x00
	SERIAL_PUTS "iodelay: firmware\n"
	mov $STEP_CYCLES, %eax
	xor %edx, %edx
	DELAY_TSC
	SERIAL_PUTS "iodelay: bootloader\n"
	POST 0x20

	/* mask_all_interrupts() */
	mov $0xff, %al
	out %al, $0xa1
	IO_DELAY
	mov $0xfb, %al
	out %al, $0x21
	IO_DELAY
	/* reset_coprocessor(), its first half */
	xor %al, %al
	out %al, $0xf0
	IO_DELAY
	/* empty_8042(): the status read, then a delay */
	in $0x64, %al
	IO_DELAY

	SERIAL_PUTS "iodelay: kernel\n"
	POST 0x40

	in $0x64, %al
	mov $QUIET_BEFORE_CYCLES, %eax
	xor %edx, %edx
	DELAY_TSC
	POST 0x60
	SERIAL_PUTS "iodelay: done\n"
	EXIT_STATUS 0
