/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm-min's command line and guest image, kept apart from KVM so that they can be tested
 * (and fuzzed, tests/fuzz/fuzz_vmm_args.c) without /dev/kvm.
 */
#ifndef VMM_MIN_CONFIG_H
#define VMM_MIN_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vm.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE   2
#define EXIT_TIMEOUT 124

#define MEM_DEFAULT_MIB 16
#define MEM_MAX_MIB	4096
#define TIMEOUT_MAX_SEC 86400
#define BOOTS_MAX	1000

#define VMM_HELP (-1) /* vmm_parse_options(): --help was printed */

struct vmm_options {
	struct vm_config vm;
	long timeout_sec; /* 0: none */
	long boots;	  /* boots, each in a new VM */
	long linger_sec;  /* 0, or: close the last VM, then wait this long before exiting */
	const char *serial_path;
	const char *image_path;
};

void vmm_usage(FILE *out);

/*
 * Parse argv. Returns 0; VMM_HELP after printing the help on stdout; or EXIT_USAGE after a
 * one-line error on stderr.
 */
int vmm_parse_options(int argc, char **argv, struct vmm_options *opts);

/*
 * Read IMAGE whole; it must be 1..max_size bytes (what fits between its load address and the
 * end of RAM). 0, or -errno after a one-line error.
 */
int vmm_read_image(const char *path, uint64_t max_size, uint8_t **buf, size_t *size);

#endif /* VMM_MIN_CONFIG_H */
