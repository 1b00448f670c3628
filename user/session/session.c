// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The session's VMs: each decoded event is given to the VM it belongs to (found, created, or
 * ended by it) and then to every output. The event loop that feeds it is session_loop.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "decode.h"
#include "procfs.h"
#include "session_priv.h"

#define MAX_SEED_FDS 1024

/* The kernel side's counters, as the loss counters of the summary. */
static void refresh_totals(struct session *s)
{
	s->totals.lost[LOSS_DROPPED] = tracer_counter(s->tracer, BT_CNT_DROPPED);
	s->totals.lost[LOSS_STRING_LOST] = tracer_counter(s->tracer, BT_CNT_STRING_LOST);
	s->totals.lost[LOSS_LIFECYCLE_DROPPED] =
	    tracer_counter(s->tracer, BT_CNT_LIFECYCLE_DROPPED);
	s->totals.lost[LOSS_MAP_FULL] = tracer_counter(s->tracer, BT_CNT_MAP_FULL);
	s->totals.lost[LOSS_CONSOLE_LOST] = tracer_counter(s->tracer, BT_CNT_CONSOLE_LOST);
}

static void announce_vm(struct session *s, struct traced_vm *vm)
{
	if (!vm->cmdline[0])
		procfs_cmdline(vm->pid, vm->cmdline, sizeof(vm->cmdline));
	outputs_vm_start(s->outs, s->nr_outs, vm);
}

static void summarize_vm(struct session *s, const struct traced_vm *vm)
{
	outputs_vm_summary(s->outs, s->nr_outs, vm);
	if (s->cfg.on_vm_summarized)
		s->cfg.on_vm_summarized(s->cfg.ctx, vm);
}

/* A host-side phase of vm that userspace knows itself (--phases). */
static void host_phase(struct session *s, struct traced_vm *vm, const char *name,
		       const struct label *label, uint64_t ts_ns)
{
	struct boot_event ev = {
	    .kind = EVENT_PHASE,
	    .ts_ns = ts_ns,
	    .pid = vm->pid,
	    .tid = vm->pid,
	    .vm_id = vm->id,
	    .vcpu = EVENT_VCPU_UNKNOWN,
	    .label = label,
	    .phase = name,
	};

	snprintf(ev.thread, sizeof(ev.thread), "%s", vm->comm);
	traced_vm_observe(vm, &ev);
	outputs_event(s->outs, s->nr_outs, vm, &ev);
}

/* The VM is over: its end, its summary; the daemon then forgets it. */
static void finish_vm(struct session *s, struct traced_vm *vm, uint64_t end_ns)
{
	vm->end_ns = end_ns;
	if (s->cfg.tracer.phases)
		host_phase(s, vm, PHASE_VM_END, NULL, end_ns);
	refresh_totals(s);
	outputs_vm_end(s->outs, s->nr_outs, vm);
	summarize_vm(s, vm);
	if (!s->cfg.keep_vms)
		vm_table_remove(&s->vms, vm);
}

/*
 * A process whose exit record was lost (ring buffer full) would keep its VMs forever: end
 * those whose process is gone (or a zombie: its exit has run). Only once such a record was
 * lost, and only with the buffer drained (go_idle, session_close): a reader that lags behind
 * a flood may find a process gone whose exit record it simply has not read yet.
 * The kernel side forgets a process at its exit; entries learned from /proc just as a process
 * exits can slip past that, so the kernel maps are swept of gone processes at each VM creation.
 * Returns true if it looked.
 */
bool session_sweep_dead_vms(struct session *s, bool always)
{
	struct traced_vm *vm = s->vms.head, *next;
	uint64_t lost = tracer_counter(s->tracer, BT_CNT_LIFECYCLE_DROPPED);

	if (!always && lost == s->lost_swept)
		return false;
	s->lost_swept = lost;
	for (; vm; vm = next) {
		pid_t pid = vm->pid;

		next = vm->next;
		if (vm->end_ns || pid <= 0 || !procfs_exited(pid))
			continue;
		/* Its last line may be unterminated; the flush may add a VM after this one. */
		tracer_flush_console(s->tracer, pid, NULL, 0);
		next = vm->next;
		vm->end_reason = VM_END_GONE;
		finish_vm(s, vm, clock_now_ns(CLOCK_MONOTONIC)); /* the daemon frees vm here */
	}
	return true;
}

/*
 * The VM of a write the kernel side could not name: one made before userspace found its VM
 * in /proc (writes are traced before /proc is read: see tracer_start()). It is that VM's if
 * it is the only one of its process found there (one seen created is named in the kernel).
 */
static struct traced_vm *found_vm(struct session *s, const struct boot_event *ev)
{
	struct traced_vm *only = NULL;

	for (struct traced_vm *vm = s->vms.head; vm; vm = vm->next) {
		if (vm->pid != ev->pid || !vm->found_ns || vm->id == EVENT_VM_UNKNOWN)
			continue;
		if (only)
			return NULL; /* two: which one cannot be told */
		only = vm;
	}
	return only;
}

static struct traced_vm *vm_for(struct session *s, const struct boot_event *ev)
{
	char comm[EVENT_THREAD_MAX];
	struct traced_vm *vm = vm_table_find(&s->vms, ev->pid, ev->vm_id);

	if (vm)
		return vm;
	if (ev->vm_id == EVENT_VM_UNKNOWN) {
		vm = found_vm(s, ev);
		if (vm)
			return vm;
	}
	/* A VM whose creation we did not see: name it after the process. */
	procfs_comm(ev->pid, comm, sizeof(comm));
	vm = vm_table_get(&s->vms, ev->pid, ev->vm_id, comm);
	if (!vm)
		return NULL;
	procfs_cmdline(vm->pid, vm->cmdline, sizeof(vm->cmdline));
	if (ev->vm_id != EVENT_VM_UNKNOWN) {
		/* Named by the kernel side at its first write (no creation seen on this kernel). */
		vm->found_ns = ev->ts_ns;
		announce_vm(s, vm);
	}
	return vm;
}

static bool holds_vm_fd(const struct kvm_fd *fds, int n, int fd)
{
	for (int i = 0; i < n; i++)
		if (fds[i].is_vm && fds[i].fd == fd)
			return true;
	return false;
}

/*
 * End, closed, the VMs of process pid whose fd is no longer a VM (or is new_vm's, if given).
 * Closing is not seen as it happens (that would take a syscall tracepoint), but afterwards:
 * when the VMM makes a new VM (a reboot in cloud-hypervisor; they end where the new one
 * starts), or when KVM says it destroyed a VM (see on_uevents(); end_ns is when we heard).
 */
static void end_closed_vms(struct session *s, pid_t pid, const struct traced_vm *new_vm,
			   uint64_t end_ns)
{
	struct kvm_fd *fds = NULL;
	struct traced_vm *vm, *next;
	int n = -1;

	/* Its VMs end with its exit record, read by now (or lost: see sweep_dead_vms()). */
	if (!new_vm && procfs_exited(pid))
		return;
	for (vm = s->vms.head; vm; vm = next) {
		next = vm->next;
		if (vm == new_vm || vm->pid != pid || vm->end_ns || vm->fd < 0)
			continue;
		/* Destroyed before end_ns: a VM created later is not the one. */
		if (!new_vm && (vm->start_ns ?: vm->found_ns) >= end_ns)
			continue;
		if (n < 0) {
			fds = calloc(MAX_SEED_FDS, sizeof(*fds));
			n = fds ? procfs_kvm_fds(vm->pid, fds, MAX_SEED_FDS) : -1;
			if (n < 0)
				break;
		}
		if ((!new_vm || vm->fd != new_vm->fd) && holds_vm_fd(fds, n, vm->fd))
			continue;
		vm->end_reason = VM_END_CLOSED;
		/* Its console's last line, before its end (later it would make it anew). */
		tracer_flush_console(s->tracer, vm->pid, &vm->id, 0);
		next = vm->next;
		tracer_forget_vm(s->tracer, vm->pid, vm->fd, vm->id);
		finish_vm(s, vm, end_ns); /* the daemon frees vm here */
	}
	free(fds);
}

void session_end_closed_vms(struct session *s, pid_t pid, uint64_t end_ns)
{
	end_closed_vms(s, pid, NULL, end_ns);
}

bool session_has_running_vm(const struct session *s, pid_t pid)
{
	for (const struct traced_vm *vm = s->vms.head; vm; vm = vm->next)
		if (!vm->end_ns && (pid ? vm->pid == pid && vm->fd >= 0 : true))
			return true;
	return false;
}

static void on_vm_create(struct session *s, const struct boot_event *ev)
{
	struct traced_vm *vm;

	tracer_forget_dead(s->tracer); /* always safe: a gone process's exit has run */
	vm = vm_table_get(&s->vms, ev->pid, ev->vm_id, ev->thread);
	if (!vm)
		return;
	vm->start_ns = ev->ts_ns;
	vm->fd = ev->create.fd;
	if (ev->create.cmdline)
		cmdline_printable(vm->cmdline, sizeof(vm->cmdline), ev->create.cmdline,
				  ev->create.cmdline_len);
	end_closed_vms(s, vm->pid, vm, vm->start_ns);
	announce_vm(s, vm);
	if (!s->cfg.tracer.phases)
		return;
	/* run's command made its first VM: the VMM's set-up counts from the command's start. */
	if (s->vmm_start_ns && s->vmm_start_ns <= vm->start_ns) {
		host_phase(s, vm, PHASE_VMM_START, &label_vmm_setup, s->vmm_start_ns);
		s->vmm_start_ns = 0;
	}
	host_phase(s, vm, PHASE_VM_CREATE, &label_vmm_setup, vm->start_ns);
}

void session_vmm_started(struct session *s, uint64_t start_ns)
{
	s->vmm_start_ns = start_ns;
}

/*
 * A traced guest write (a port write, or a one-byte write to the --mmio address), a console
 * line or a phase the kernel side saw: to its VM, then to the outputs.
 */
static void on_vm_event(struct session *s, const struct boot_event *ev)
{
	struct traced_vm *vm = vm_for(s, ev);

	if (ev->kind == EVENT_CODE)
		s->totals.events++;
	if (!vm)
		return;
	traced_vm_observe(vm, ev);
	outputs_event(s->outs, s->nr_outs, vm, ev);
}

static void on_process_exit(struct session *s, const struct boot_event *ev)
{
	struct traced_vm *vm, *next;

	/* What its consoles were printing when it ended (a login prompt has no line end); the
	 * flush may add a VM (one not seen before), so the walk starts after it. */
	tracer_flush_console(s->tracer, ev->pid, NULL, 0);
	for (vm = s->vms.head; vm; vm = next) {
		next = vm->next;
		if (vm->pid != ev->pid || vm->end_ns)
			continue;
		vm->end_reason = VM_END_EXIT;
		vm->exit_status = ev->exit_status;
		finish_vm(s, vm, ev->ts_ns);
	}
}

void session_handle_record(struct session *s, const void *data, size_t size)
{
	struct boot_event ev;

	if (decode_record(&s->decoder, data, size, &ev)) {
		s->totals.lost[LOSS_MALFORMED]++;
		return;
	}
	switch (ev.kind) {
	case EVENT_CODE:
	case EVENT_CONSOLE:
	case EVENT_PHASE:
		on_vm_event(s, &ev);
		break;
	case EVENT_VM_CREATE:
		on_vm_create(s, &ev);
		break;
	case EVENT_PROC_EXIT:
		on_process_exit(s, &ev);
		break;
	default:
		s->totals.lost[LOSS_MALFORMED]++;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	session_handle_record(ctx, data, size);
	return 0;
}

int session_open(struct session *s, const struct session_config *cfg)
{
	struct tracer_config tcfg = cfg->tracer;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->decoder.labels = &s->cfg.labels;
	s->decoder.rules = cfg->rules;
	vm_table_init(&s->vms);
	tcfg.on_record = on_record;
	tcfg.ctx = s;
	return tracer_open(&s->tracer, &tcfg);
}

void session_set_outputs(struct session *s, struct output *const *outs, int nr_outs)
{
	if (nr_outs > SESSION_MAX_OUTPUTS)
		nr_outs = SESSION_MAX_OUTPUTS; /* a caller's bug: trace_outputs holds no more */
	memcpy(s->outs, outs, nr_outs * sizeof(outs[0]));
	s->nr_outs = nr_outs;
	/* The writers' running counts: the daemon prints losses as they happen. */
	for (int i = 0; i < nr_outs; i++)
		s->outs[i]->totals = &s->totals;
}

int session_start(struct session *s)
{
	struct clock_anchor anchor;

	/* The wall-clock anchor heads every output, before the first record is read. */
	clock_anchor_now(&anchor);
	outputs_clock(s->outs, s->nr_outs, &anchor);
	s->started_ns = clock_now_ns(CLOCK_MONOTONIC);
	return tracer_start(s->tracer);
}

int session_seed_process(struct session *s, pid_t pid)
{
	struct kvm_fd *fds;
	int n, nr_vms = 0;

	/* Without creation tracepoints the kernel side names each VM at its first write. */
	if (!tracer_features(s->tracer)->vm_create)
		return 0;
	fds = calloc(MAX_SEED_FDS, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	n = procfs_kvm_fds(pid, fds, MAX_SEED_FDS);
	for (int i = 0; i < n; i++)
		nr_vms += fds[i].is_vm;
	for (int i = 0; i < n; i++) {
		if (!fds[i].is_vm)
			continue;
		uint32_t id = tracer_new_vm_id(s->tracer);
		char comm[EVENT_THREAD_MAX];
		struct traced_vm *vm;

		/* With one VM, the process's writes are known to be its own; with several, the
		 * kernel side cannot tell which struct kvm is which fd: they stay unattributed. */
		if (tracer_add_vm_fd(s->tracer, pid, fds[i].fd, id, nr_vms == 1))
			continue; /* already learned from KVM_CREATE_VM */
		procfs_comm(pid, comm, sizeof(comm));
		vm = vm_table_get(&s->vms, pid, id, comm);
		if (!vm)
			continue;
		vm->fd = fds[i].fd;
		/* Running when the trace started: before any of its writes that were captured. */
		vm->found_ns = s->started_ns;
		announce_vm(s, vm);
	}
	free(fds);
	return n < 0 ? n : 0;
}

int session_add_process(struct session *s, pid_t pid)
{
	return tracer_trace_process(s->tracer, pid);
}

int session_consume(struct session *s)
{
	int n = tracer_consume(s->tracer);

	outputs_flush(s->outs, s->nr_outs);
	return n;
}

void session_reopen_outputs(struct session *s)
{
	for (int i = 0; i < s->nr_outs; i++)
		if (s->outs[i]->append && output_reopen(s->outs[i]))
			s->totals.reopen_failures++;
}

void session_close(struct session *s)
{
	tracer_stop(s->tracer);
	/* The lines the consoles were still printing. */
	tracer_flush_console(s->tracer, 0, NULL, 0);
	/* A process whose exit record was lost has not "still" been running: say it is gone. */
	session_sweep_dead_vms(s, true);
	refresh_totals(s);
	tracer_close(s->tracer);
	/* VMs still running when the trace stops get their (incomplete) summary too. */
	for (struct traced_vm *vm = s->vms.head; vm; vm = vm->next)
		if (!vm->end_ns)
			summarize_vm(s, vm);
	outputs_summary(s->outs, s->nr_outs, &s->vms, &s->totals);
	vm_table_free(&s->vms);
}
