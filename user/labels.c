// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include "labels.h"

static const char *const stage_labels[STAGE_NR] = {
	[STAGE_FIRMWARE] = "Firmware",	 [STAGE_BOOTLOADER] = "Bootloader",
	[STAGE_KERNEL] = "Kernel",	 [STAGE_USERSPACE] = "Userspace",
	[STAGE_CUSTOM] = "Custom",
};

enum boot_stage stage_of_code(uint32_t code)
{
	code &= 0xff;
	return code >= 0x80 ? STAGE_CUSTOM : (enum boot_stage)(code >> 5);
}

const char *stage_label(enum boot_stage stage)
{
	return stage < STAGE_NR ? stage_labels[stage] : "Unknown";
}
