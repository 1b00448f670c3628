/* SPDX-License-Identifier: GPL-2.0 */
/* The VM: KVM handles, guest memory, vCPUs and how the run ends. */
#ifndef VMM_MIN_VM_H
#define VMM_MIN_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define KVM_API_VERSION_EXPECTED 12

#define VM_MAX_CPUS 64
#define VM_MAX_ARGS 4

/* Real mode: a BIOS-style boot sector. */
#define REAL_LOAD_ADDR	  0x7c00ULL
#define REAL_STACK_TOP	  0x7000ULL
#define REAL_STACK_STRIDE 0x100ULL
/* Long mode: image at 1 MiB, tables below 32 KiB, stacks below 512 KiB. */
#define LONG_LOAD_ADDR	  0x100000ULL
#define LONG_STACK_TOP	  0x80000ULL
#define LONG_STACK_STRIDE 0x1000ULL
#define LONG_MIN_MEM	  (2ULL << 20)
#define LONG_MMIO_BASE	  0xc0000000ULL /* 2 MiB also mapped, for MMIO devices */

enum vm_mode {
	VM_MODE_REAL,
	VM_MODE_LONG,
};

struct vm_config {
	enum vm_mode mode;
	uint64_t mem_size; /* bytes */
	int ncpus;
	uint64_t args[VM_MAX_ARGS];
	int nargs;
	bool log_io;
};

struct vm;

struct vcpu {
	struct vm *vm;
	int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started; /* thread running or joinable */
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	uint8_t *mem;
	uint64_t mem_size;
	size_t run_size; /* mmap size of each vCPU's struct kvm_run */
	struct vcpu vcpus[VM_MAX_CPUS];
	int ncpus;

	/* How the run ends: the first vm_finish() wins, main() waits on cond. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int exit_status;
	int halted;
};

int vm_init(struct vm *vm, const struct vm_config *cfg);
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
uint64_t vm_load_addr(const struct vm_config *cfg);
/* Copy a guest image to [gpa, gpa + size) of guest RAM; -EFBIG after a message if outside. */
int vm_load_image(struct vm *vm, uint64_t gpa, const uint8_t *image, size_t size);
int vm_setup_long_mode(struct vm *vm);
int vm_create_vcpus(struct vm *vm);

void vm_finish(struct vm *vm, int status);
bool vm_done(struct vm *vm);
/* Stop the vCPU threads and close the VM, for the next boot (--boots). */
void vm_destroy(struct vm *vm);
void vm_vcpu_halted(struct vm *vm);

/* vcpu.c */
int vcpu_start(struct vcpu *vcpu);
/*
 * The exits the guest drives, on vcpu->run as KVM filled it in (fuzzed without KVM by
 * tests/fuzz/fuzz_vmm_io.c): every offset and length is checked against the mapping.
 * 0, or -EINVAL after a one-line error (the VM then ends with status 1).
 */
int vcpu_handle_io(struct vcpu *vcpu, uint64_t now);
int vcpu_handle_mmio(struct vcpu *vcpu, uint64_t now);

#endif /* VMM_MIN_VM_H */
