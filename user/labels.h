/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Debug I/O port code ranges and their labels (cloud-hypervisor's convention). */
#ifndef LABELS_H
#define LABELS_H

#include <stdint.h>

enum boot_stage {
	STAGE_FIRMWARE,	  /* 0x00-0x1f */
	STAGE_BOOTLOADER, /* 0x20-0x3f */
	STAGE_KERNEL,	  /* 0x40-0x5f */
	STAGE_USERSPACE,  /* 0x60-0x7f */
	STAGE_CUSTOM,	  /* 0x80-0xff */
	STAGE_NR,
};

/* The stage a code belongs to: only its low byte counts, as on the debug port. */
enum boot_stage stage_of_code(uint32_t code);
const char *stage_label(enum boot_stage stage);

#endif
