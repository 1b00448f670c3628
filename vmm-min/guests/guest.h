/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the vmm-min guests (GNU as, run through the C preprocessor).
 * Real-mode guests (NAME.S, .code16) are loaded and entered at 0x7c00
 * with all segment bases 0; long-mode guests (NAME64.S) at 0x100000 with
 * all memory identity mapped.
 *
 * Entry register ABI, both modes (set by vmm-min with KVM_SET_REGS):
 *   EDI/RDI = arg0, ESI/RSI = arg1, EDX/RDX = arg2, ECX/RCX = arg3
 *             (the --arg values in order, 0 when not given)
 *   EBX/RBX = index of this vCPU (0..N-1)
 *   EBP/RBP = number of vCPUs (N)
 *   ESP/RSP = a private stack: real 0x7000 - index * 0x100,
 *             long 0x80000 - index * 0x1000
 *   other GPRs 0, RFLAGS = 0x2 (interrupts off, DF clear)
 * Every vCPU starts at the first byte of the image.
 *
 * Ports: 0x80 debug (POST codes), 0x3f8 serial (THR; LSR at 0x3fd reads
 * 0x60), 0x501 exit (the byte written is vmm-min's exit status). When
 * every vCPU has executed hlt, vmm-min exits 0.
 */
#ifndef VMM_MIN_GUEST_H
#define VMM_MIN_GUEST_H

#define DEBUG_PORT  0x80
#define SERIAL_PORT 0x3f8
#define SERIAL_LSR  (SERIAL_PORT + 5)
#define LSR_THRE    0x20
#define EXIT_PORT   0x501

#ifdef __x86_64__
#define REG_SI %rsi
#else
#define REG_SI %si
#endif

/* Write the byte \code to the debug port. Clobbers AL. */
.macro POST code
	mov $\code, %al
	out %al, $DEBUG_PORT
.endm

/* Send AL to the serial port once the transmitter is empty. Clobbers AX, DX. */
.macro SERIAL_PUTC_AL
	mov %al, %ah
	mov $SERIAL_LSR, %dx
.Lputc_wait\@:
	in %dx, %al
	test $LSR_THRE, %al
	jz .Lputc_wait\@
	mov %ah, %al
	mov $SERIAL_PORT, %dx
	out %al, %dx
.endm

/* Print the string literal \str on the serial port. Clobbers AX, DX, SI. */
.macro SERIAL_PUTS str
	.pushsection .rodata
.Lputs_str\@:
	.asciz "\str"
	.popsection
	mov $.Lputs_str\@, REG_SI
.Lputs_next\@:
	lodsb
	test %al, %al
	jz .Lputs_done\@
	SERIAL_PUTC_AL
	jmp .Lputs_next\@
.Lputs_done\@:
.endm

/* Print ECX as 8 lowercase hex digits on the serial port. Clobbers AX, DX, ECX. */
.macro SERIAL_PUTHEX_ECX
	.rept 8
	rol $4, %ecx
	mov %cl, %al
	and $0xf, %al
	add $'0', %al
	cmp $'9', %al
	jbe 1f
	add $('a' - '9' - 1), %al
1:
	SERIAL_PUTC_AL
	.endr
.endm

/*
 * Write the low byte of a counter (0, 1, 2, ...) to port \port, \count times (none if 0),
 * timed with the TSC: the cycles it took are left in \t_hi:\t_lo (32-bit memory words).
 * \count and \port: memory, or registers other than EAX, ECX, EDX, EDI. Clobbers EAX,
 * ECX, EDX, EDI.
 */
.macro TIMED_OUT_LOOP count, port, t_lo, t_hi
	rdtsc
	mov %eax, \t_lo
	mov %edx, \t_hi
	mov \count, %edi
	mov \port, %edx
	xor %ecx, %ecx
	test %edi, %edi
	jz .Ltimed_done\@
.Ltimed_loop\@:
	mov %cl, %al
	out %al, %dx
	inc %ecx
	cmp %edi, %ecx
	jne .Ltimed_loop\@
.Ltimed_done\@:
	rdtsc
	sub \t_lo, %eax
	sbb \t_hi, %edx
	mov %eax, \t_lo
	mov %edx, \t_hi
.endm

/* Stop this vCPU for good (no interrupts ever arrive). */
.macro HALT_FOREVER
	cli
.Lhalt\@:
	hlt
	jmp .Lhalt\@
.endm

/* End the VM with exit status AL. */
.macro EXIT_AL
	mov $EXIT_PORT, %dx
	out %al, %dx
	HALT_FOREVER
.endm

/* End the VM with exit status \status. */
.macro EXIT_STATUS status
	mov $\status, %al
	EXIT_AL
.endm

/*
 * Delays spin on rdtsc, so they last the same wall time however slowly
 * the hypervisor runs (or emulates) the guest's instructions. Checked in
 * real mode under the instruction-emulating kvm_pvm backend: rdtsc works
 * (CR4.TSD is 0) and counts at the host TSC rate (demo with arg0 100000,
 * i.e. 1e8 cycles per step, spaces its codes 41.7 ms apart on a 2.445 GHz
 * host).
 */
#ifdef __x86_64__

/* Spin until RAX TSC cycles have passed. Clobbers RAX, RCX, RDX. */
.macro DELAY_TSC
	mov %rax, %rcx
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	add %rax, %rcx
.Ldelay_spin\@:
	pause
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	cmp %rcx, %rax
	jb .Ldelay_spin\@
.endm

/* Spin \kc * 1000 TSC cycles, or \default cycles if \kc is 0. Clobbers RAX, RCX, RDX. */
.macro DELAY_KCYCLES kc, default
	mov \kc, %rax
	test %rax, %rax
	jz .Ldelay_default\@
	imul $1000, %rax, %rax
	jmp .Ldelay_go\@
.Ldelay_default\@:
	mov $\default, %rax
.Ldelay_go\@:
	DELAY_TSC
.endm

#else /* 16-bit real mode, 32-bit registers through operand-size prefixes */

/* Spin until EDX:EAX TSC cycles have passed. Clobbers EAX, ECX, EDX. */
.macro DELAY_TSC
	push %ebx
	mov %eax, %ecx
	mov %edx, %ebx
	rdtsc
	add %eax, %ecx
	adc %edx, %ebx /* EBX:ECX = deadline */
.Ldelay_spin\@:
	pause
	rdtsc
	cmp %ebx, %edx
	ja .Ldelay_out\@
	jb .Ldelay_spin\@
	cmp %ecx, %eax
	jb .Ldelay_spin\@
.Ldelay_out\@:
	pop %ebx
.endm

/*
 * Spin \kc * 1000 TSC cycles (\kc: a 32-bit register other than EAX, ECX,
 * EDX, or memory), or \default cycles if \kc is 0. Clobbers EAX, ECX, EDX.
 */
.macro DELAY_KCYCLES kc, default
	mov \kc, %eax
	test %eax, %eax
	jz .Ldelay_default\@
	mov $1000, %ecx
	mul %ecx /* EDX:EAX = kc * 1000 */
	jmp .Ldelay_go\@
.Ldelay_default\@:
	mov $\default, %eax
	xor %edx, %edx
.Ldelay_go\@:
	DELAY_TSC
.endm

/* One boot step: write \code to the debug port, then spin \cycles TSC cycles. */
.macro POST_THEN_DELAY code, cycles
	POST \code
	mov $\cycles, %eax
	xor %edx, %edx
	DELAY_TSC
.endm

#endif /* __x86_64__ */

#endif /* VMM_MIN_GUEST_H */
