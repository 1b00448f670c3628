// SPDX-License-Identifier: GPL-2.0
/*
 * One host thread per vCPU: KVM_RUN, handle the exit, repeat. Port I/O
 * goes to the bus element by element (string I/O has io.count > 1), MMIO
 * to the MMIO bus, HLT retires the vCPU, and anything else ends the VM
 * with status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "io_bus.h"
#include "vm.h"

static uint64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long vcpu_rip(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
		return ~0ULL;
	return regs.rip;
}

/*
 * AMD's KVM resets the vCPU after a shutdown (the VMCB is undefined after one), so the RIP
 * read then is the reset vector's, not where the guest failed: say so rather than show it.
 */
static void report_shutdown(struct vcpu *vcpu)
{
	unsigned long long rip = vcpu_rip(vcpu);

	if (rip == 0xfff0)
		fprintf(stderr,
			"vmm-min: vcpu%d: KVM_EXIT_SHUTDOWN (triple fault); KVM reset the vCPU, "
			"where it failed is lost\n",
			vcpu->index);
	else
		fprintf(stderr, "vmm-min: vcpu%d: KVM_EXIT_SHUTDOWN (triple fault) at rip=0x%llx\n",
			vcpu->index, rip);
}

int vcpu_handle_io(struct vcpu *vcpu, uint64_t now)
{
	struct kvm_run *run = vcpu->run;
	/*
	 * One copy, checked once: the data is written back into the same mapping, so reading
	 * the header again could see a size or count that was never checked.
	 */
	const typeof(run->io) io = run->io;
	struct io_access acc;
	uint64_t bytes, end;
	uint8_t *data;
	uint32_t i;

	if (io.size != 1 && io.size != 2 && io.size != 4) {
		fprintf(stderr, "vmm-min: vcpu%d: port 0x%x access of bad size %u\n", vcpu->index,
			io.port, io.size);
		return -EINVAL;
	}
	/* KVM puts the data on the page after struct kvm_run; never on the header itself. */
	if (__builtin_mul_overflow((uint64_t)io.size, (uint64_t)io.count, &bytes) ||
	    __builtin_add_overflow(io.data_offset, bytes, &end) || end > vcpu->vm->run_size ||
	    io.data_offset < sizeof(*run)) {
		fprintf(stderr, "vmm-min: vcpu%d: port 0x%x data outside kvm_run\n", vcpu->index,
			io.port);
		return -EINVAL;
	}

	data = (uint8_t *)run + io.data_offset;
	for (i = 0; i < io.count; i++, data += io.size) {
		acc = (struct io_access){
		    .vcpu = vcpu->index,
		    .mono_ns = now,
		    .port = io.port,
		    .size = io.size,
		    .is_write = io.direction == KVM_EXIT_IO_OUT,
		};
		if (acc.is_write)
			memcpy(&acc.value, data, acc.size); /* x86: little endian */
		io_bus_dispatch(&acc);
		if (!acc.is_write)
			memcpy(data, &acc.value, acc.size);
	}
	return 0;
}

/* Not static: the fuzz harness calls it (tests/fuzz/fuzz_vmm_io.c). */
int vcpu_handle_mmio(struct vcpu *vcpu, uint64_t now)
{
	struct kvm_run *run = vcpu->run;
	struct mmio_access acc = {
	    .vcpu = vcpu->index,
	    .mono_ns = now,
	    .addr = run->mmio.phys_addr,
	    .size = run->mmio.len,
	    .is_write = run->mmio.is_write,
	};

	if (acc.size == 0 || acc.size > sizeof(acc.data)) {
		fprintf(stderr, "vmm-min: vcpu%d: MMIO access at 0x%llx of bad size %u\n",
			vcpu->index, (unsigned long long)acc.addr, acc.size);
		return -EINVAL;
	}
	if (acc.is_write)
		memcpy(acc.data, run->mmio.data, acc.size);
	mmio_bus_dispatch(&acc);
	if (!acc.is_write)
		memcpy(run->mmio.data, acc.data, acc.size);
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	char name[16];
	uint64_t now;

	/* Named before the first KVM_RUN so tools can find vCPU threads by comm. */
	snprintf(name, sizeof(name), "vcpu%d", vcpu->index);
	pthread_setname_np(pthread_self(), name);

	for (;;) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && vm_done(vm))
				return NULL; /* stopped for the next boot: see vm_destroy() */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "vmm-min: vcpu%d: KVM_RUN: %s\n", vcpu->index,
				strerror(errno));
			goto out_fail;
		}
		now = mono_now_ns();

		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (vcpu_handle_io(vcpu, now))
				goto out_fail;
			break;
		case KVM_EXIT_MMIO:
			if (vcpu_handle_mmio(vcpu, now))
				goto out_fail;
			break;
		case KVM_EXIT_HLT:
			vm_vcpu_halted(vm);
			return NULL;
		case KVM_EXIT_SHUTDOWN:
			report_shutdown(vcpu);
			goto out_fail;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr,
				"vmm-min: vcpu%d: KVM_EXIT_FAIL_ENTRY (hardware reason 0x%llx) at "
				"rip=0x%llx\n",
				vcpu->index,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason,
				vcpu_rip(vcpu));
			goto out_fail;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr,
				"vmm-min: vcpu%d: KVM_EXIT_INTERNAL_ERROR (suberror %u) at "
				"rip=0x%llx\n",
				vcpu->index, run->internal.suberror, vcpu_rip(vcpu));
			goto out_fail;
		default:
			fprintf(stderr,
				"vmm-min: vcpu%d: unexpected exit reason %u at rip=0x%llx\n",
				vcpu->index, run->exit_reason, vcpu_rip(vcpu));
			goto out_fail;
		}
	}

out_fail:
	vm_finish(vm, 1);
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	int ret;

	ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	vcpu->started = ret == 0;
	if (ret) {
		fprintf(stderr, "vmm-min: cannot start vcpu%d thread: %s\n", vcpu->index,
			strerror(ret));
		return -ret;
	}
	return 0;
}
