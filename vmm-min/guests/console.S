/* SPDX-License-Identifier: GPL-2.0 */
/*
 * console: a guest whose console looks like an unmodified Linux boot's, and that writes no
 * code to the debug port (0x80): boot-trace --console must find the stages in its text.
 *
 *   arg0  kilo-TSC-cycles of the pause between two stages (0: 2,000,000 cycles, ~1 ms)
 *   arg1  kilo-TSC-cycles added to the pause after the "Linux version" line only (default
 *         0): stretches the Kernel stage alone, as demo's arg1 does
 *   arg2  0: print on the UART at 0x3f8; else on the debug console at 0xe9 (raw bytes, no
 *         UART set-up)
 *
 * On the UART, first the set-up of Linux's early serial console (arch/x86/boot/
 * early_serial_console.c) at 115200 baud: LCR <- 0x03, IER <- 0, FCR <- 0, MCR <- 0x03, LCR
 * read, LCR <- 0x83 (DLAB on), 0x3f8 <- 0x01 and 0x3f9 <- 0x00 (the divisor, not text),
 * LCR <- 0x03 (DLAB off). Then, each byte to THR once LSR says it is empty (except the
 * string line), P being the pause:
 *
 *   "SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"                       Firmware
 *   P "Booting from Hard Disk...\r\n"                                    Bootloader
 *   P ESC"[0m" ESC"[1;32m" "Loading Linux 6.1.0-test ..." ESC"[0m" "\r\n"  (Bootloader again)
 *   P "[    0.000000] Linux version 6.1.0-test (vmm-min console guest)\r\n" Kernel
 *   P + arg1
 *     STRIO_LINE "\r\n", all of it by one `rep outsb` (string I/O, 58 + 2 elements)
 *     LONG_PREFIX, then LONG_PARAM 24 times, then "\r\n": 49 + 24 * 17 = 457 characters
 *   P "[    0.500000] Run /init as init process\r\n"                       Userspace
 *   P "Starting syslogd: OK\r"                   (a line ended by a bare CR, as busybox's)
 *     "Welcome to boot-trace test\r\n"                                   (Userspace again)
 *   P "vmm-min login: "                          (no line end)           Ready
 *   P then exit status 0 through the exit port.
 *
 * On the debug console the same bytes, without the UART's set-up and LSR polling.
 */
#include "guest.h"

#define STEP_DEFAULT_CYCLES 2000000
#define DEBUGCON_PORT	    0xe9
#define UART_IER	    (SERIAL_PORT + 1)
#define UART_FCR	    (SERIAL_PORT + 2)
#define UART_LCR	    (SERIAL_PORT + 3)
#define UART_MCR	    (SERIAL_PORT + 4)
#define LCR_8N1		    0x03
#define LCR_DLAB	    0x80
#define DIVISOR_115200	    1

/* The string line and the over-long line's parts (tests/e2e/console.bats spells them too). */
#define STRIO_LINE  "[    0.100000] Memory: 16384K/16384K available (rep outsb)"
#define LONG_PREFIX "[    0.200000] Kernel command line: console=ttyS0"
#define LONG_PARAM  " quiet.param=0123"
#define LONG_COUNT  24

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %edi, step_kc
	mov %esi, kernel_extra_kc
	test %edx, %edx
	jz 1f
	movw $DEBUGCON_PORT, con_port
	jmp .Lbanner
1:
	/* Linux's early_serial_init(), divisor 1. */
	mov $UART_LCR, %dx
	mov $LCR_8N1, %al
	out %al, %dx
	mov $UART_IER, %dx
	xor %al, %al
	out %al, %dx
	mov $UART_FCR, %dx
	out %al, %dx
	mov $UART_MCR, %dx
	mov $0x03, %al
	out %al, %dx
	mov $UART_LCR, %dx
	in %dx, %al
	or $LCR_DLAB, %al
	out %al, %dx
	mov $SERIAL_PORT, %dx
	mov $(DIVISOR_115200 & 0xff), %al
	out %al, %dx
	mov $UART_IER, %dx
	mov $(DIVISOR_115200 >> 8), %al
	out %al, %dx
	mov $UART_LCR, %dx
	in %dx, %al
	and $(~LCR_DLAB & 0xff), %al
	out %al, %dx

/* Print the string literal \str on the console. Clobbers AX, DX, SI. */
.macro PUTS str
	.pushsection .rodata
.Lstr\@:
	.asciz "\str"
	.popsection
	mov $.Lstr\@, %si
	call con_puts
.endm

/* The pause between two stages. */
.macro STAGE_PAUSE
	DELAY_KCYCLES step_kc, STEP_DEFAULT_CYCLES
.endm

.Lbanner:
	PUTS "SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
	STAGE_PAUSE
	PUTS "Booting from Hard Disk...\r\n"
	STAGE_PAUSE
	PUTS "\033[0m\033[1;32mLoading Linux 6.1.0-test ...\033[0m\r\n"
	STAGE_PAUSE
	PUTS "[    0.000000] Linux version 6.1.0-test (vmm-min console guest)\r\n"
	STAGE_PAUSE
	DELAY_KCYCLES kernel_extra_kc, 0

	/* One string I/O exit for the whole line (the device is always ready). */
	cld
	mov $strio_line, %si
	mov $(strio_line_end - strio_line), %cx
	mov con_port, %dx
	rep outsb

	mov $long_line, %si
	call con_puts
	STAGE_PAUSE
	PUTS "[    0.500000] Run /init as init process\r\n"
	STAGE_PAUSE
	PUTS "Starting syslogd: OK\r"
	PUTS "Welcome to boot-trace test\r\n"
	STAGE_PAUSE
	PUTS "vmm-min login: "
	STAGE_PAUSE
	EXIT_STATUS 0

/* Print the NUL-terminated string at SI on the console. Clobbers AX, DX, SI. */
con_puts:
	lodsb
	test %al, %al
	jz 2f
	mov %al, %ah
	mov con_port, %dx
	cmp $SERIAL_PORT, %dx
	jne 1f
	/* the UART: wait until its transmitter is empty */
	mov $SERIAL_LSR, %dx
0:	in %dx, %al
	test $LSR_THRE, %al
	jz 0b
	mov $SERIAL_PORT, %dx
1:	mov %ah, %al
	out %al, %dx
	jmp con_puts
2:	ret

	.section .rodata
strio_line:
	.ascii STRIO_LINE
	.ascii "\r\n"
strio_line_end:
long_line:
	.ascii LONG_PREFIX
	.rept LONG_COUNT
	.ascii LONG_PARAM
	.endr
	.asciz "\r\n"

	.data
	.balign 4
step_kc:
	.long 0
kernel_extra_kc:
	.long 0
con_port:
	.word SERIAL_PORT
