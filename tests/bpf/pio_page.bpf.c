// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A page of kernel memory for console_testrun.c: the bytes a guest "writes" to a port. KVM
 * hands kvm:kvm_pio a pointer to the vCPU's pio_data page, a kernel address; here it is this
 * map's value, which the test fills with bpf_map_update_elem(). Its kernel address is what
 * userspace cannot otherwise know: page_address() runs once and publishes it (a pointer
 * stored in a map: allowed to root only, with CAP_PERFMON).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define PIO_PAGE_BYTES 4096

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct pio_page {
	__u8 data[PIO_PAGE_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pio_page);
} page SEC(".maps");

/* The kernel address of page's only value (0 until page_address() ran). */
__u64 page_kaddr = 0;

SEC("raw_tp")
int page_address(void *ctx)
{
	__u32 zero = 0;
	struct pio_page *p = bpf_map_lookup_elem(&page, &zero);

	if (p)
		page_kaddr = (__u64)p;
	return 0;
}
