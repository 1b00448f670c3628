// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: vmm-min's command line and guest image handling, without /dev/kvm.
 * Input: a 2-byte little-endian length L, L bytes of arguments separated by NUL bytes, then
 * the image. Accepted options must be in range; the image is read back through a memfd with
 * the limit main() uses, then loaded into guest memory of the configured size (mapped, not
 * touched but where written) and, in long mode, the page tables are set up: every copy must
 * stay inside guest memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "config.h"
#include "vm.h"

#define MAX_ARGS 32

static void load(const struct vmm_options *opts, const uint8_t *image, size_t size)
{
	static struct vm vm;
	uint64_t load_addr = vm_load_addr(&opts->vm);
	uint8_t *buf = NULL;
	size_t len = 0;
	char path[64];
	int fd;

	if (load_addr >= opts->vm.mem_size)
		return;
	fd = memfd_create("image", MFD_CLOEXEC);
	if (fd < 0 || write(fd, image, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (vmm_read_image(path, opts->vm.mem_size - load_addr, &buf, &len) == 0) {
		if (len != size || memcmp(buf, image, size))
			abort();
		memset(&vm, 0, sizeof(vm));
		vm.cfg = &opts->vm;
		vm.mem_size = opts->vm.mem_size;
		vm.mem = mmap(NULL, vm.mem_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (vm.mem == MAP_FAILED)
			abort();
		if (vm_load_image(&vm, load_addr, buf, len) ||
		    memcmp(vm.mem + load_addr, image, size))
			abort(); /* what read_image accepted must fit where main() puts it */
		if (opts->vm.mode == VM_MODE_LONG)
			vm_setup_long_mode(&vm);
		munmap(vm.mem, vm.mem_size);
		free(buf);
	} else if (size > 0 && size <= opts->vm.mem_size - load_addr) {
		abort(); /* a good image refused */
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[MAX_ARGS + 2];
	struct vmm_options opts;
	size_t alen;
	int argc = 0, ret;

	if (size < 2)
		return 0;
	alen = data[0] | data[1] << 8;
	data += 2;
	size -= 2;
	if (alen > size)
		alen = size;
	copy = malloc(alen + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, alen);
	copy[alen] = '\0';
	argv[argc++] = "vmm-min";
	for (char *p = copy; argc <= MAX_ARGS && p < copy + alen; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	ret = vmm_parse_options(argc, argv, &opts);
	if (ret != 0 && ret != VMM_HELP && ret != EXIT_USAGE)
		abort();
	if (ret == 0) {
		if (opts.vm.mem_size < (1ULL << 20) ||
		    opts.vm.mem_size > (uint64_t)MEM_MAX_MIB << 20 || opts.vm.ncpus < 1 ||
		    opts.vm.ncpus > VM_MAX_CPUS || opts.vm.nargs > VM_MAX_ARGS ||
		    opts.timeout_sec < 0 || opts.timeout_sec > TIMEOUT_MAX_SEC ||
		    !opts.image_path ||
		    (opts.vm.mode == VM_MODE_LONG && opts.vm.mem_size < LONG_MIN_MEM))
			abort();
		for (int i = 0; opts.vm.mode == VM_MODE_REAL && i < opts.vm.nargs; i++)
			if (opts.vm.args[i] > UINT32_MAX)
				abort();
		load(&opts, data + alen, size - alen);
	}
	free(copy);
	return 0;
}
