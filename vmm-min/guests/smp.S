/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smp: run with --cpus N. vCPU i writes the four codes 0x80 + 4 * i + j
 * (j = 0..3, masked to 8 bits) to the debug port, waiting arg0 * 1000 TSC
 * cycles (arg0 == 0: 1,200,000 cycles, about 0.5 ms) between writes, then
 * prints "smp: cpu i done" on serial (under a spinlock so lines do not
 * interleave) and halts. vmm-min exits 0 once every vCPU has halted.
 */
#include "guest.h"

#define WRITE_DEFAULT_CYCLES 1200000

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	/* BH = first code (EBX = index < 64, so BH is 0 on entry). */
	mov %bl, %bh
	shl $2, %bh
	add $0x80, %bh
	mov $4, %bp
.Lnext_code:
	mov %bh, %al
	out %al, $DEBUG_PORT
	inc %bh
	dec %bp
	jz .Lreport
	DELAY_KCYCLES %edi, WRITE_DEFAULT_CYCLES /* preserves EBX */
	jmp .Lnext_code

.Lreport:
	/* xchg with memory is locked: a spinlock shared by all vCPUs. */
.Lacquire:
	mov $1, %al
	xchg %al, serial_lock
	test %al, %al
	jz .Llocked
	pause
	jmp .Lacquire
.Llocked:
	SERIAL_PUTS "smp: cpu "
	mov %bl, %al
	aam /* AH = index / 10, AL = index % 10 */
	mov %ax, %cx
	test %ch, %ch
	jz .Lones
	mov %ch, %al
	add $'0', %al
	SERIAL_PUTC_AL
.Lones:
	mov %cl, %al
	add $'0', %al
	SERIAL_PUTC_AL
	SERIAL_PUTS " done\n"
	movb $0, serial_lock
	HALT_FOREVER

	.data
serial_lock:
	.byte 0
