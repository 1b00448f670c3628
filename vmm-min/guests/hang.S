/* SPDX-License-Identifier: GPL-2.0 */
/* hang: spin forever with interrupts off (for --timeout). */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
1:
	jmp 1b
