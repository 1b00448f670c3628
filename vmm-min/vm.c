// SPDX-License-Identifier: GPL-2.0
/*
 * The VM: open KVM, check the API, create the VM with one memory slot
 * covering all guest RAM, create vCPUs and put them at the entry point in
 * real or long mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

/* Long-mode scaffolding in guest memory, all below the lowest stack. */
#define GDT_ADDR  0x1000ULL
#define PML4_ADDR 0x2000ULL
#define PDPT_ADDR 0x3000ULL
#define PD_ADDR	  0x4000ULL /* one 4 KiB page directory per GiB, up to 4 */
#define PD_MAX	  4

#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA   0x10

#define PTE_PRESENT 0x1ULL
#define PTE_WRITE   0x2ULL
#define PTE_LARGE   0x80ULL /* 2 MiB page in a PD entry */

#define CR0_PE	 (1ULL << 0)
#define CR0_MP	 (1ULL << 1)
#define CR0_ET	 (1ULL << 4)
#define CR0_NE	 (1ULL << 5)
#define CR0_WP	 (1ULL << 16)
#define CR0_PG	 (1ULL << 31)
#define CR4_PAE	 (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

int vm_init(struct vm *vm, const struct vm_config *cfg)
{
	struct kvm_userspace_memory_region region;
	pthread_condattr_t cattr;
	int ret, version, mmap_size;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = -1;
	vm->vm_fd = -1;
	for (int i = 0; i < VM_MAX_CPUS; i++)
		vm->vcpus[i].fd = -1;
	vm->ncpus = cfg->ncpus;
	vm->mem_size = cfg->mem_size;
	pthread_mutex_init(&vm->lock, NULL);
	/* main() waits with a deadline on the monotonic clock (--timeout). */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &cattr);
	pthread_condattr_destroy(&cattr);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: cannot open /dev/kvm: %s\n", strerror(errno));
		return ret;
	}

	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION_EXPECTED) {
		fprintf(stderr, "vmm-min: KVM API version %d, expected %d\n", version,
			KVM_API_VERSION_EXPECTED);
		ret = -EINVAL;
		goto out_close_kvm;
	}

	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		ret = mmap_size < 0 ? -errno : -EINVAL;
		fprintf(stderr, "vmm-min: KVM_GET_VCPU_MMAP_SIZE: bad size %d\n", mmap_size);
		goto out_close_kvm;
	}
	vm->run_size = mmap_size;

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: KVM_CREATE_VM: %s\n", strerror(errno));
		goto out_close_kvm;
	}

	/* NORESERVE: a 4 GiB guest that touches a few pages costs a few pages. */
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		ret = -errno;
		fprintf(stderr, "vmm-min: cannot map %llu MiB of guest memory: %s\n",
			(unsigned long long)(vm->mem_size >> 20), strerror(errno));
		goto out_close_vm;
	}

	region = (struct kvm_userspace_memory_region){
	    .slot = 0,
	    .guest_phys_addr = 0,
	    .memory_size = vm->mem_size,
	    .userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		goto out_unmap;
	}
	return 0;

out_unmap:
	munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
out_close_vm:
	close(vm->vm_fd);
	vm->vm_fd = -1;
out_close_kvm:
	close(vm->kvm_fd);
	vm->kvm_fd = -1;
	return ret;
}

/* Host address of [gpa, gpa + len) or NULL if any of it is outside guest RAM. */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end) || end > vm->mem_size)
		return NULL;
	return vm->mem + gpa;
}

int vm_load_image(struct vm *vm, uint64_t gpa, const uint8_t *image, size_t size)
{
	void *dest = vm_gpa_to_hva(vm, gpa, size);

	if (!dest) {
		fprintf(stderr, "vmm-min: image does not fit in guest memory\n");
		return -EFBIG;
	}
	memcpy(dest, image, size);
	return 0;
}

uint64_t vm_load_addr(const struct vm_config *cfg)
{
	return cfg->mode == VM_MODE_LONG ? LONG_LOAD_ADDR : REAL_LOAD_ADDR;
}

/*
 * Identity map all of guest RAM with 2 MiB pages, and the 2 MiB of MMIO at
 * 3 GiB (the boot timer) when RAM ends below it, and write a flat GDT.
 */
int vm_setup_long_mode(struct vm *vm)
{
	/* null, 64-bit code (L=1, P, DPL0, exec/read), data (P, DPL0, read/write) */
	static const uint64_t gdt[] = {0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL};
	uint64_t *pml4, *pdpt, *pd, npages, i;
	void *gdt_hva;

	npages = (vm->mem_size + (2ULL << 20) - 1) >> 21;
	if (npages > PD_MAX * 512ULL) {
		fprintf(stderr, "vmm-min: too much memory for the long-mode page tables\n");
		return -EINVAL;
	}

	gdt_hva = vm_gpa_to_hva(vm, GDT_ADDR, sizeof(gdt));
	pml4 = vm_gpa_to_hva(vm, PML4_ADDR, 4096);
	pdpt = vm_gpa_to_hva(vm, PDPT_ADDR, 4096);
	pd = vm_gpa_to_hva(vm, PD_ADDR, PD_MAX * 4096);
	if (!gdt_hva || !pml4 || !pdpt || !pd) {
		fprintf(stderr, "vmm-min: guest memory too small for long-mode tables\n");
		return -EINVAL;
	}

	memcpy(gdt_hva, gdt, sizeof(gdt));
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pd, 0, PD_MAX * 4096);

	pml4[0] = PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < PD_MAX; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < npages; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	if (vm->mem_size <= LONG_MMIO_BASE) {
		i = LONG_MMIO_BASE >> 21;
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	}
	return 0;
}

/* Give the vCPU what the host supports, so long mode (LM, PAE) is allowed. */
static int vcpu_setup_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 128, ret;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = nent;
		if (ioctl(vcpu->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		ret = -errno;
		free(cpuid);
		if (ret != -E2BIG || nent >= 4096) {
			fprintf(stderr, "vmm-min: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(-ret));
			return ret;
		}
		nent *= 2;
	}

	ret = 0;
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: KVM_SET_CPUID2: %s\n", strerror(errno));
	}
	free(cpuid);
	return ret;
}

static void set_real_segment(struct kvm_segment *seg)
{
	seg->selector = 0;
	seg->base = 0;
}

static void set_long_segment(struct kvm_segment *seg, uint16_t selector, bool code)
{
	*seg = (struct kvm_segment){
	    .base = 0,
	    .limit = 0xffffffff,
	    .selector = selector,
	    .type = code ? 0xb : 0x3, /* execute/read, accessed : read/write, accessed */
	    .present = 1,
	    .dpl = 0,
	    .db = code ? 0 : 1,
	    .s = 1,
	    .l = code ? 1 : 0,
	    .g = 1,
	};
}

static int vcpu_setup_regs(struct vcpu *vcpu)
{
	const struct vm_config *cfg = vcpu->vm->cfg;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: vcpu%d: KVM_GET_SREGS: %s\n", vcpu->index,
			strerror(-ret));
		return ret;
	}

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rdi = cfg->args[0];
	regs.rsi = cfg->args[1];
	regs.rdx = cfg->args[2];
	regs.rcx = cfg->args[3];
	regs.rbx = vcpu->index;
	regs.rbp = cfg->ncpus;

	if (cfg->mode == VM_MODE_REAL) {
		/* Like a BIOS jumping to a boot sector: CS=0, IP=0x7c00. */
		set_real_segment(&sregs.cs);
		set_real_segment(&sregs.ds);
		set_real_segment(&sregs.es);
		set_real_segment(&sregs.fs);
		set_real_segment(&sregs.gs);
		set_real_segment(&sregs.ss);
		regs.rip = REAL_LOAD_ADDR;
		regs.rsp = REAL_STACK_TOP - vcpu->index * REAL_STACK_STRIDE;
	} else {
		set_long_segment(&sregs.cs, GDT_SEL_CODE64, true);
		set_long_segment(&sregs.ds, GDT_SEL_DATA, false);
		set_long_segment(&sregs.es, GDT_SEL_DATA, false);
		set_long_segment(&sregs.fs, GDT_SEL_DATA, false);
		set_long_segment(&sregs.gs, GDT_SEL_DATA, false);
		set_long_segment(&sregs.ss, GDT_SEL_DATA, false);
		sregs.gdt.base = GDT_ADDR;
		sregs.gdt.limit = 3 * 8 - 1;
		sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		sregs.cr3 = PML4_ADDR;
		sregs.cr4 = CR4_PAE;
		sregs.efer = EFER_LME | EFER_LMA;
		regs.rip = LONG_LOAD_ADDR;
		regs.rsp = LONG_STACK_TOP - vcpu->index * LONG_STACK_STRIDE;
	}

	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: vcpu%d: KVM_SET_SREGS: %s\n", vcpu->index,
			strerror(-ret));
		return ret;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: vcpu%d: KVM_SET_REGS: %s\n", vcpu->index, strerror(-ret));
		return ret;
	}
	return 0;
}

static int vcpu_create(struct vm *vm, int index)
{
	struct vcpu *vcpu = &vm->vcpus[index];
	int ret;

	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, index);
	if (vcpu->fd < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: KVM_CREATE_VCPU %d: %s\n", index, strerror(errno));
		return ret;
	}

	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		ret = -errno;
		fprintf(stderr, "vmm-min: vcpu%d: cannot map kvm_run: %s\n", index,
			strerror(errno));
		goto out_close_vcpu;
	}

	ret = vcpu_setup_cpuid(vcpu);
	if (ret)
		goto out_unmap_run;
	ret = vcpu_setup_regs(vcpu);
	if (ret)
		goto out_unmap_run;
	return 0;

out_unmap_run:
	munmap(vcpu->run, vm->run_size);
	vcpu->run = NULL;
out_close_vcpu:
	close(vcpu->fd);
	vcpu->fd = -1;
	return ret;
}

int vm_create_vcpus(struct vm *vm)
{
	int i, ret;

	for (i = 0; i < vm->ncpus; i++) {
		ret = vcpu_create(vm, i);
		if (ret)
			return ret;
	}
	return 0;
}

void vm_finish(struct vm *vm, int status)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->done) {
		vm->done = true;
		vm->exit_status = status;
		pthread_cond_signal(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

bool vm_done(struct vm *vm)
{
	bool done;

	pthread_mutex_lock(&vm->lock);
	done = vm->done;
	pthread_mutex_unlock(&vm->lock);
	return done;
}

/* Interrupts KVM_RUN (EINTR): the handler itself has nothing to do. */
static void kick_handler(int sig)
{
	(void)sig;
}

/*
 * A vCPU may be inside KVM_RUN, or about to enter it: immediate_exit makes the next KVM_RUN
 * return at once, and the signal ends the current one. The thread then sees the VM done.
 */
static void vcpu_stop(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, SIGUSR1);
	pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
}

void vm_destroy(struct vm *vm)
{
	struct sigaction sa = {.sa_handler = kick_handler}; /* no SA_RESTART */

	sigaction(SIGUSR1, &sa, NULL);
	vm_finish(vm, vm->exit_status); /* a no-op unless the run ended otherwise */
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		vcpu_stop(vcpu);
		if (vcpu->run)
			munmap(vcpu->run, vm->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		vcpu->run = NULL;
		vcpu->fd = -1;
	}
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	close(vm->vm_fd);
	close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
}

/* Without an irqchip nothing wakes a halted vCPU: all halted means done. */
void vm_vcpu_halted(struct vm *vm)
{
	bool all;

	pthread_mutex_lock(&vm->lock);
	all = ++vm->halted == vm->ncpus;
	pthread_mutex_unlock(&vm->lock);
	if (all)
		vm_finish(vm, 0);
}
