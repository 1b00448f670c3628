// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: what a guest makes vmm-min do. The input is a struct kvm_run as KVM could
 * leave it after a port-I/O or MMIO exit (any port, size, count, direction and data offset),
 * in a mapping of a size also taken from the input; vcpu_handle_io() / vcpu_handle_mmio()
 * must refuse what lies outside the mapping and dispatch the rest to the real devices
 * (debug port, serial to /dev/null, exit port).
 *
 * Input: byte 0: the exit (even: I/O, odd: MMIO); bytes 1-2: extra mapping size (little
 * endian, up to 64 KiB past sizeof(struct kvm_run)); the rest fills the mapping.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "devices.h"
#include "io_bus.h"
#include "vm.h"

static struct vm vm;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct vm_config cfg = {.ncpus = 1};

	vm.cfg = &cfg;
	vm.ncpus = 1;
	pthread_mutex_init(&vm.lock, NULL);
	pthread_cond_init(&vm.cond, NULL);
	if (debug_port_init(false) || serial_init("/dev/null") || exit_device_init(&vm))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vcpu vcpu = {.vm = &vm, .index = 0, .fd = -1};
	size_t run_size;
	uint8_t *map;

	if (size < 3)
		return 0;
	run_size = sizeof(struct kvm_run) + (data[1] | data[2] << 8);
	map = calloc(1, run_size);
	if (!map)
		return 0;
	memcpy(map, data + 3, size - 3 < run_size ? size - 3 : run_size);
	vm.run_size = run_size;
	vcpu.run = (struct kvm_run *)map;
	if (data[0] & 1) {
		vcpu.run->exit_reason = KVM_EXIT_MMIO;
		vcpu_handle_mmio(&vcpu, 0);
	} else {
		vcpu.run->exit_reason = KVM_EXIT_IO;
		vcpu_handle_io(&vcpu, 0);
	}
	vm.done = false; /* the exit port ends the VM: let the next input end it again */
	free(map);
	return 0;
}
