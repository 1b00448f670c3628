// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-min: a minimal KVM VMM. Loads a flat binary, runs it in real or
 * long mode on N vCPUs and turns what the guest does on its ports into
 * output and an exit status.
 *
 * Exit status: the byte written to the exit port; 0 when every vCPU
 * halted; 124 on --timeout; 1 on runtime errors; 2 on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "devices.h"
#include "io_bus.h"
#include "vm.h"

static int setup_devices(struct vm *vm, const struct vmm_options *opts)
{
	int ret;

	ret = debug_port_init(opts->vm.log_io);
	if (ret)
		return ret;
	ret = serial_init(opts->serial_path);
	if (ret)
		return ret;
	ret = boot_timer_init(opts->vm.log_io);
	if (ret)
		return ret;
	return exit_device_init(vm);
}

/* Wait for the exit port, all vCPUs halted, a vCPU error or the deadline (--timeout). */
static int wait_for_vm(struct vm *vm, long timeout_sec, const struct timespec *deadline)
{
	int ret = 0, status;

	pthread_mutex_lock(&vm->lock);
	while (!vm->done && ret != ETIMEDOUT) {
		if (timeout_sec)
			ret = pthread_cond_timedwait(&vm->cond, &vm->lock, deadline);
		else
			pthread_cond_wait(&vm->cond, &vm->lock);
	}
	if (!vm->done) {
		vm->done = true; /* late vm_finish() calls change nothing now */
		vm->exit_status = EXIT_TIMEOUT;
		fprintf(stderr, "vmm-min: timeout after %ld s\n", timeout_sec);
	}
	status = vm->exit_status;
	pthread_mutex_unlock(&vm->lock);
	return status;
}

/* One boot in a new VM: its exit status. The first also sets up the devices. */
static int boot(struct vm *vm, const struct vmm_options *opts, const uint8_t *image,
		size_t image_size, uint64_t load_addr, bool first, const struct timespec *deadline)
{
	if (vm_init(vm, &opts->vm) || vm_load_image(vm, load_addr, image, image_size))
		return EXIT_RUNTIME;
	if (opts->vm.mode == VM_MODE_LONG && vm_setup_long_mode(vm))
		return EXIT_RUNTIME;
	if (vm_create_vcpus(vm))
		return EXIT_RUNTIME;
	/*
	 * The devices outlive each VM (the exit device is bound to the static vm). They come
	 * last, the serial file with them: a run that cannot start (no usable KVM, a guest that
	 * does not fit) leaves an existing --serial FILE as it was.
	 */
	if (first && setup_devices(vm, opts))
		return EXIT_RUNTIME;
	for (int i = 0; i < vm->ncpus; i++) {
		if (vcpu_start(&vm->vcpus[i])) {
			vm_finish(vm, EXIT_RUNTIME);
			break;
		}
	}
	return wait_for_vm(vm, opts->timeout_sec, deadline);
}

int main(int argc, char **argv)
{
	static struct vm vm; /* large, and vCPU threads outlive main's frame at exit() */
	struct vmm_options opts;
	uint64_t load_addr, port_unknown, mmio_unknown;
	uint8_t *image = NULL;
	size_t image_size = 0;
	struct timespec deadline;
	long boots;
	int status;

	status = vmm_parse_options(argc, argv, &opts);
	if (status)
		return status == VMM_HELP ? 0 : status;

	load_addr = vm_load_addr(&opts.vm);
	if (load_addr >= opts.vm.mem_size) {
		fprintf(stderr, "vmm-min: no guest memory at load address 0x%llx\n",
			(unsigned long long)load_addr);
		return EXIT_RUNTIME;
	}
	if (vmm_read_image(opts.image_path, opts.vm.mem_size - load_addr, &image, &image_size))
		return EXIT_RUNTIME;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += opts.timeout_sec;
	for (boots = 1;; boots++) {
		status = boot(&vm, &opts, image, image_size, load_addr, boots == 1, &deadline);
		if (status || boots == opts.boots)
			break;
		vm_destroy(&vm); /* closed before the next is created, as a VMM reboots */
	}
	free(image);
	if (opts.linger_sec && status == 0) {
		struct timespec linger = {.tv_sec = opts.linger_sec};

		/* A VMM whose guest shut down and that stays up (cloud-hypervisor's API). */
		vm_destroy(&vm);
		while (nanosleep(&linger, &linger) && errno == EINTR)
			;
	}

	serial_close();
	if (opts.vm.log_io) {
		io_bus_unknown_counts(&port_unknown, &mmio_unknown);
		fprintf(stderr, "vmm-min: unknown accesses: %llu port, %llu mmio\n",
			(unsigned long long)port_unknown, (unsigned long long)mmio_unknown);
	}
	/* vCPU threads may still be in KVM_RUN: exit() tears them down with us. */
	exit(status);
}
