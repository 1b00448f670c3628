/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Records shared by the BPF programs (bpf/writes.bpf.c, bpf/lifecycle.bpf.c) and userspace (user/).
 * Fixed-width __u* types only: this file must compile both with vmlinux.h and with the
 * ordinary system headers.
 */
#ifndef BOOT_TRACE_H
#define BOOT_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BT_MAX_PORTS	8    /* ports traced at once (set at load time) */
#define BT_COMM_LEN	16   /* TASK_COMM_LEN */
#define BT_PIO_DATA_MAX 4096 /* KVM's pio_data is one page: count * size never exceeds it */
#define BT_VCPU_UNKNOWN 0xffffffffu
#define BT_VM_UNKNOWN	0u

enum bt_event_type {
	BT_EV_PIO = 1,	     /* a guest wrote to a traced port */
	BT_EV_VM_CREATE = 2, /* inside KVM_CREATE_VM (aux = the VM fd, or ~0 if unknown) */
	/* 3 was a vCPU's creation, 6 a VM fd's close: no longer seen (no syscall tracepoint) */
	BT_EV_PROC_EXIT = 4, /* a traced or VM-owning process exited (value = wait status) */
	BT_EV_MMIO = 5,	     /* a one-byte write to the --mmio address (aux = gpa) */
	BT_EV_CONSOLE = 7,   /* a line of console text (struct bt_console_event) */
	BT_EV_PHASE = 8,     /* a host-side phase of a VM (value = enum bt_phase) */
};

/*
 * A record that only wakes an idle reader (submit_record() in the BPF side): its size
 * tells it apart from every other record (all are struct bt_event or larger), and the reader
 * skips it.
 */
#define BT_WAKE_RECORD_SIZE 8

/* Host-side phases the kernel side sees (the others userspace knows itself). */
enum bt_phase {
	BT_PHASE_FIRST_VCPU = 1,  /* the VM's first KVM_CREATE_VCPU */
	BT_PHASE_FIRST_ENTRY = 2, /* its first guest entry (kvm:kvm_entry) */
	BT_PHASE_FIRST_EXIT = 3,  /* its first port exit, where kvm_entry never fired */
};

/* kvm:kvm_mmio's type of a write (KVM_TRACE_MMIO_WRITE). */
#define BT_MMIO_WRITE 2

/* Flags of a BT_EV_PIO record. */
#define BT_PIO_STRING	 (1u << 0) /* one element of a string (rep outs) access */
#define BT_PIO_TRUNCATED (1u << 1) /* string data could not be read: only the first element */
#define BT_PIO_RIP	 (1u << 2) /* aux holds the guest RIP from kvm:kvm_exit */
#define BT_PIO_AFTER_IO	 (1u << 3) /* the thread's previous port access was to prev_port */
/* ...less than this before: an I/O delay is the very next instruction (decode.c) */
#define BT_IO_DELAY_WINDOW_NS 200000ull
/* ...to a port below this: the ISA devices (PIC, PIT, CMOS, keyboard controller, DMA) */
#define BT_LEGACY_PORTS_END 0x100
/* The port Linux's io_delay() writes (its real-mode setup code, io_delay=0x80 kernels) */
#define BT_IO_DELAY_PORT 0x80

/* Indexes of the per-CPU counters (map "counters"). */
enum bt_counter {
	BT_CNT_DROPPED,		  /* ring buffer full: a port (or --mmio) write lost */
	BT_CNT_LIFECYCLE_DROPPED, /* ring buffer full: a VM/vCPU/process record lost */
	BT_CNT_STRING_LOST,	  /* string elements the fallback tracepoint cannot see */
	BT_CNT_MAP_FULL,	  /* VM/vCPU bookkeeping map full: identity lost */
	BT_CNT_CONSOLE_LOST,	  /* ring buffer full: console bytes lost (whole lines) */
	BT_CNT_NR,
};

struct bt_event {
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 aux;   /* per type: fd, guest RIP, MMIO guest physical address */
	__u32 tgid;
	__u32 tid;
	__u32 vm_id;		/* BT_VM_UNKNOWN when the VM's creation was not seen */
	__u32 vcpu;		/* vCPU id, or BT_VCPU_UNKNOWN */
	__u32 value;		/* value written (1, 2 or 4 bytes) */
	__u16 port;		/* BT_EV_PIO only */
	__u16 type;		/* enum bt_event_type */
	__u16 index;		/* element index within a string access */
	__u8 size;		/* access size in bytes */
	__u8 flags;		/* BT_PIO_* */
	char comm[BT_COMM_LEN]; /* thread name (a QEMU vCPU thread is "CPU 0/KVM") */
	__u16 prev_port;	/* with BT_PIO_AFTER_IO */
	__u16 reserved;
};

/* Consoles traced at once: UARTs (--console) and raw debug consoles (--debugcon). */
#define BT_MAX_CONSOLES	    4
#define BT_CONSOLE_UART	    1 /* an 8250: text is THR (base) while LCR's (base + 3) DLAB is 0 */
#define BT_CONSOLE_DEBUGCON 2 /* every byte written is text */
#define BT_UART_LCR	    3
#define BT_UART_LCR_DLAB    0x80

/*
 * A line of console text, assembled in the kernel: its bytes as written (ANSI escapes and
 * all; userspace cleans them), without its line ending. ev.ts_ns is its first byte's stamp,
 * ev.aux its last byte's, ev.port the console's base port, ev.tid the thread of its first
 * byte, ev.value BT_CONSOLE_UART or BT_CONSOLE_DEBUGCON.
 */
#define BT_CONSOLE_LINE_MAX  256       /* a power of two: the append index is masked */
#define BT_LINE_TRUNCATED    (1u << 0) /* longer than BT_CONSOLE_LINE_MAX: the rest was cut */
#define BT_LINE_UNTERMINATED (1u << 1) /* no line end: taken at the VM's end or when quiet */

struct bt_console_event {
	struct bt_event ev;
	__u16 len;
	__u8 line_flags; /* BT_LINE_* */
	__u8 reserved[5];
	__u8 text[BT_CONSOLE_LINE_MAX];
};

/* A console of one VM (a console belongs to the VM, not to a vCPU): the line map's key. */
struct bt_console_key {
	__u32 tgid;
	__u32 vm_id; /* BT_VM_UNKNOWN: the process's VM whose creation was not seen */
	__u16 port;  /* the console's base port */
	__u16 reserved;
};

/* The line a console is writing (the line map's value). */
struct bt_console_line {
	__u64 first_ts; /* of its first byte */
	__u64 last_ts;
	__u32 len;
	__u32 tid; /* the thread of its first byte */
	__u8 line_flags;
	__u8 dlab; /* UART: the divisor latch is on, THR writes are not text */
	__u8 kind; /* BT_CONSOLE_* */
	__u8 reserved[5];
	char comm[BT_COMM_LEN]; /* the name of the thread of its first byte */
	__u8 text[BT_CONSOLE_LINE_MAX];
};

/*
 * A BT_EV_VM_CREATE record also carries the VMM's command line, read from its memory at
 * KVM_CREATE_VM (a short-lived VMM may be gone before userspace could read /proc).
 */
#define BT_CMDLINE_MAX 256

struct bt_vm_event {
	struct bt_event ev;
	__u32 cmdline_len; /* bytes in cmdline: arguments separated by NULs; 0: unread */
	char cmdline[BT_CMDLINE_MAX];
};

/*
 * The kernel side's per-CPU cache (map "vcpu_cache"): the identity of the last vCPU thread
 * that wrote on this CPU. A flood comes from one vCPU thread, and this saves it a read of
 * struct kvm_vcpu and a hash lookup per write (per-CPU array lookups are inlined; helper
 * calls are dear). Valid while the same task has the same vCPU loaded and no VM was forgotten
 * or renamed since (vm_generation). Here, not in the BPF file: tests set it.
 */
#define BT_NO_PORT 0xffffffffu

struct bt_vcpu_cache {
	__u64 task;
	__u64 notifier; /* the loaded vCPU's preempt notifier */
	__u32 generation;
	__u32 vm_id;
	__u32 vcpu;
	__u32 last_port; /* the task's latest port access (in or out), BT_NO_PORT if none */
	__u64 last_port_ns;
	/*
	 * The thread's process is not traced (run, record -p): its exits stop at the cache while
	 * a new VM awaits its first entry (every exit of every guest is then looked at).
	 */
	__u8 untraced;
	__u8 reserved[7];
};

/* Key of the fd map: a file descriptor of one process. */
struct bt_fd_key {
	__u32 tgid;
	__u32 fd;
};

/* What a struct kvm stands for. */
struct bt_vm_info {
	__u32 vm_id;
	__u32 tgid; /* its process: forgotten at its exit */
};

#endif /* BOOT_TRACE_H */
