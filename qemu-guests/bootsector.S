/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootsector: a 512-byte boot sector for QEMU's own firmware (SeaBIOS), booted from a raw
 * IDE disk image. It writes one debug-port code in every range, with about 1 ms (2,000,000
 * TSC cycles) between codes:
 *   0x01 0x21 0x41 0x42 0x61 0x81
 * prints "bootsector: ..." lines on COM1, and ends QEMU through isa-debug-exit at 0x501
 * (iosize 1) by writing 0x21: QEMU exits with status (0x21 << 1) | 1 = 67.
 *
 * Run (scripts/qemu-boot.sh does this):
 *   qemu-system-x86_64 -accel kvm -nodefaults -display none -serial stdio \
 *     -drive file=bootsector.img,format=raw,if=ide \
 *     -device isa-debug-exit,iobase=0x501,iosize=1
 */
#include "guest.h"

#define EXIT_VALUE	0x21 /* QEMU's status: (0x21 << 1) | 1 = 67 */
#define STEP_CYCLES	2000000

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	/* SeaBIOS jumps to 0000:7c00 with its own DS/SS: make every segment 0. */
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7c00, %sp
	ljmp $0, $.Lflat
.Lflat:
	SERIAL_PUTS "bootsector: start\n"

.macro STEP code
	POST_THEN_DELAY \code, STEP_CYCLES
.endm

	STEP 0x01	/* Firmware */
	STEP 0x21	/* Bootloader */
	STEP 0x41	/* Kernel */
	STEP 0x42
	STEP 0x61	/* Userspace */
	POST 0x81	/* Custom */
	SERIAL_PUTS "bootsector: done\n"
	EXIT_STATUS EXIT_VALUE
