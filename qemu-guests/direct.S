/* SPDX-License-Identifier: GPL-2.0 */
/*
 * direct: a 32-bit ELF guest that QEMU boots directly with -kernel, through a PVH entry note
 * (-M microvm, whose firmware is qboot) or a multiboot header (-M pc -bios qboot.rom, or
 * SeaBIOS). Both enter at _start in flat 32-bit protected mode with paging off.
 *
 * It learns the number of vCPUs N from QEMU's fw_cfg (key 0x05 at ports 0x510/0x511) and
 * writes these one-byte debug-port codes, about 1 ms (2,000,000 TSC cycles) apart:
 *   vCPU 0:   0x02 0x22 0x43 0x62
 *   then, with N > 1, it wakes the other vCPUs (INIT, SIPI, SIPI to all but itself through
 *   the local APIC); each writes 0x90 + its APIC ID (0x91 for vCPU 1 of -smp 2) and halts
 *   vCPU 0:   0x82 once all N - 1 have reported (0xee instead after about 1 s without them)
 * and ends QEMU through isa-debug-exit at 0x501 (iosize 1) with 0x10, QEMU status 33
 * (0x11, status 35, if the other vCPUs never reported).
 */
#include "guest.h"

#define MULTIBOOT_MAGIC	  0x1badb002
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define FW_CFG_SELECTOR	  0x510
#define FW_CFG_DATA	  0x511
#define FW_CFG_NB_CPUS	  0x05

#define LAPIC_SVR	  0xfee000f0
#define LAPIC_ICR_LOW	  0xfee00300
#define ICR_ALL_BUT_SELF  0x000c0000
#define ICR_ASSERT	  0x00004000
#define ICR_INIT	  0x00000500
#define ICR_STARTUP	  0x00000600

#define TRAMPOLINE	  0x8000	/* SIPI vector 0x08: APs start at 0800:0000 */
#define AP_COUNT	  0x7ff0	/* APs that reported (16-bit) */

#define STEP_CYCLES	  2000000
#define AP_WAIT_CYCLES	  2500000000	/* about 1 s */
#define EXIT_OK		  0x10		/* QEMU status 33 */
#define EXIT_NO_APS	  0x11		/* QEMU status 35 */

	.section .multiboot, "a"
	.balign 4
	.long MULTIBOOT_MAGIC
	.long 0
	.long -MULTIBOOT_MAGIC

	.section .note.Xen, "a"
	.balign 4
	.long 4				/* name size */
	.long 4				/* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long _start

	.code32
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	mov $stack_top, %esp

.macro STEP code
	POST_THEN_DELAY \code, STEP_CYCLES
.endm

	STEP 0x02
	STEP 0x22
	STEP 0x43
	STEP 0x62

	/* N from fw_cfg: select the key, read two bytes (little endian). */
	mov $FW_CFG_SELECTOR, %dx
	mov $FW_CFG_NB_CPUS, %ax
	out %ax, %dx
	mov $FW_CFG_DATA, %dx
	in %dx, %al
	mov %al, %bl
	in %dx, %al
	mov %al, %bh
	movzx %bx, %ebx
	cmp $1, %ebx
	jbe .Ldone

	/* The APs run a copy of the real-mode trampoline at TRAMPOLINE. */
	mov $trampoline, %esi
	mov $TRAMPOLINE, %edi
	mov $(trampoline_end - trampoline), %ecx
	cld
	rep movsb
	movw $0, AP_COUNT

	orl $0x100, LAPIC_SVR		/* software-enable the local APIC */
	movl $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT), LAPIC_ICR_LOW
	mov $200000, %eax
	xor %edx, %edx
	DELAY_TSC
	movl $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (TRAMPOLINE >> 12)), LAPIC_ICR_LOW
	mov $200000, %eax
	xor %edx, %edx
	DELAY_TSC
	movl $(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (TRAMPOLINE >> 12)), LAPIC_ICR_LOW

	/* Wait until N - 1 APs have reported, with a deadline in TSC cycles. */
	dec %ebx
	rdtsc
	add $(AP_WAIT_CYCLES & 0xffffffff), %eax
	adc $(AP_WAIT_CYCLES >> 32), %edx
	mov %eax, %esi
	mov %edx, %edi			/* EDI:ESI = deadline */
.Lwait_aps:
	movzwl AP_COUNT, %eax
	cmp %ebx, %eax
	jae .Ldone
	pause
	rdtsc
	cmp %edi, %edx
	jb .Lwait_aps
	ja .Ltimeout
	cmp %esi, %eax
	jb .Lwait_aps
.Ltimeout:
	POST 0xee
	EXIT_STATUS EXIT_NO_APS

.Ldone:
	POST 0x82
	EXIT_STATUS EXIT_OK

/*
 * Each AP starts here in real mode at 0800:0000 (copied to TRAMPOLINE): it writes
 * 0x90 + its initial APIC ID (CPUID leaf 1), counts itself in and halts for good.
 */
	.code16
trampoline:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov $1, %eax
	cpuid
	shr $24, %ebx
	mov %bl, %al
	add $0x90, %al
	out %al, $DEBUG_PORT
	lock incw AP_COUNT
.Lap_halt:
	hlt
	jmp .Lap_halt
trampoline_end:

	.data
	.balign 16
	.space 1024
stack_top:
