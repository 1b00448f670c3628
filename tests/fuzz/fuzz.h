/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The entry points libFuzzer calls (tests/fuzz/fuzz_*.c). */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
