/* SPDX-License-Identifier: GPL-2.0 */
/* exitcode: write the low byte of arg0 to the exit port (exit status forwarding). */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %edi, %eax
	EXIT_AL
