// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include "kvm_uevent.h"
#include "procfs.h"
#include "session.h"
#include "text.h"

/*
 * While records keep coming we are busy: the kernel side does not wake us, we look again
 * this soon after each batch (so a record waits at most this long during a flood). When a
 * look finds nothing we go idle, and the kernel side wakes us for the next record at once.
 */
#define FLUSH_TIMEOUT_MS 3
/* A record reserved but not committed yet when we went idle: look again this soon. */
#define PENDING_TIMEOUT_MS 1
#define MAX_SEED_FDS	 1024
/* Without pidfd_open (valgrind does not know it): how often to look whether a process exited. */
#define PID_POLL_MS  100
#define PIDFD_POLLED (-2) /* pidfds[i]: no pidfd, looked at every PID_POLL_MS */
/*
 * After an exit record was lost, the idle reader looks for gone processes at once and once
 * more this much later: the record is counted lost just before the process turns zombie.
 */
#define RESWEEP_MS 1000

/* Hand one VM event to every writer. */
#define FOR_EACH_OUTPUT(s, out) for (struct output *out = (s)->outs; out < (s)->outs + (s)->nr_outs; out++)

static void refresh_totals(struct session *s)
{
	s->totals.dropped = tracer_counter(s->tracer, BT_CNT_DROPPED);
	s->totals.string_lost = tracer_counter(s->tracer, BT_CNT_STRING_LOST);
	s->totals.lifecycle_dropped = tracer_counter(s->tracer, BT_CNT_LIFECYCLE_DROPPED);
	s->totals.map_full = tracer_counter(s->tracer, BT_CNT_MAP_FULL);
}

static void announce_vm(struct session *s, struct traced_vm *vm)
{
	if (!vm->cmdline[0])
		procfs_cmdline(vm->pid, vm->cmdline, sizeof(vm->cmdline));
	FOR_EACH_OUTPUT(s, out)
		out->ops->vm_start(out, vm);
}

/* The VM is over: its end, its summary; the daemon then forgets it. */
static void finish_vm(struct session *s, struct traced_vm *vm, uint64_t end_ns)
{
	vm->end_ns = end_ns;
	refresh_totals(s);
	FOR_EACH_OUTPUT(s, out) {
		out->ops->vm_end(out, vm);
		out->ops->vm_summary(out, vm);
	}
	if (s->on_vm_summarized)
		s->on_vm_summarized(s, vm);
	if (!s->keep_vms)
		vm_table_remove(&s->vms, vm);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
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
static bool sweep_dead_vms(struct session *s, bool always)
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
		vm->end_reason = VM_END_GONE;
		finish_vm(s, vm, now_ns()); /* the daemon frees vm here */
	}
	return true;
}

/*
 * The VM of a write the kernel side could not name: one made before userspace found its VM
 * in /proc (writes are traced before /proc is read: see tracer_start()). It is that VM's if
 * it is the only one of its process found there (one seen created is named in the kernel).
 */
static struct traced_vm *found_vm(struct session *s, const struct bt_event *ev)
{
	struct traced_vm *only = NULL;

	for (struct traced_vm *vm = s->vms.head; vm; vm = vm->next) {
		if (vm->pid != (pid_t)ev->tgid || !vm->found_ns || vm->id == BT_VM_UNKNOWN)
			continue;
		if (only)
			return NULL; /* two: which one cannot be told */
		only = vm;
	}
	return only;
}

static struct traced_vm *vm_for(struct session *s, const struct bt_event *ev)
{
	char comm[BT_COMM_LEN];
	struct traced_vm *vm = vm_table_find(&s->vms, ev->tgid, ev->vm_id);

	if (vm)
		return vm;
	if (ev->vm_id == BT_VM_UNKNOWN) {
		vm = found_vm(s, ev);
		if (vm)
			return vm;
	}
	/* A VM whose creation we did not see: name it after the process. */
	procfs_comm(ev->tgid, comm, sizeof(comm));
	vm = vm_table_get(&s->vms, ev->tgid, ev->vm_id, comm);
	if (!vm)
		return NULL;
	procfs_cmdline(vm->pid, vm->cmdline, sizeof(vm->cmdline));
	if (ev->vm_id != BT_VM_UNKNOWN) {
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
		tracer_forget_vm(s->tracer, vm->pid, vm->fd, vm->id);
		finish_vm(s, vm, end_ns); /* the daemon frees vm here */
	}
	free(fds);
}

/* data/size: the whole record, which may carry the command line the kernel read. */
static void on_vm_create(struct session *s, const struct bt_event *ev, const void *data,
			 size_t size)
{
	const struct bt_vm_event *ve = data;
	struct traced_vm *vm;

	tracer_forget_dead(s->tracer); /* always safe: a gone process's exit has run */
	vm = vm_table_get(&s->vms, ev->tgid, ev->vm_id, ev->comm);
	if (!vm)
		return;
	vm->start_ns = ev->ts_ns;
	vm->fd = ev->aux <= INT_MAX ? (int)ev->aux : -1;
	if (size >= sizeof(*ve) && ve->cmdline_len <= BT_CMDLINE_MAX)
		cmdline_printable(vm->cmdline, sizeof(vm->cmdline), ve->cmdline, ve->cmdline_len);
	end_closed_vms(s, vm->pid, vm, vm->start_ns);
	announce_vm(s, vm);
}

/* A traced guest write: a port write, or a one-byte write to the --mmio address. */
static void on_write(struct session *s, const struct bt_event *ev)
{
	struct traced_vm *vm = vm_for(s, ev);

	s->totals.events++;
	if (!vm)
		return;
	boot_stages_add(&vm->stats, label_of_event(&s->labels, ev), ev->ts_ns);
	FOR_EACH_OUTPUT(s, out)
		out->ops->event(out, vm, ev);
}

static void on_process_exit(struct session *s, const struct bt_event *ev)
{
	struct traced_vm *vm = s->vms.head, *next;

	for (; vm; vm = next) {
		next = vm->next;
		if (vm->pid != (pid_t)ev->tgid || vm->end_ns)
			continue;
		vm->end_reason = VM_END_EXIT;
		vm->exit_status = ev->value;
		finish_vm(s, vm, ev->ts_ns);
	}
}

/* Records come from the kernel, but nothing in them is trusted: size, type, names. */
void session_handle_record(struct session *s, const void *data, size_t size)
{
	struct bt_event ev;

	if (size < sizeof(ev)) {
		s->totals.malformed++;
		return;
	}
	memcpy(&ev, data, sizeof(ev));
	ev.comm[BT_COMM_LEN - 1] = '\0';
	text_sanitize(ev.comm); /* a thread name is whatever its process set */
	switch (ev.type) {
	case BT_EV_PIO:
	case BT_EV_MMIO:
		on_write(s, &ev);
		break;
	case BT_EV_VM_CREATE:
		on_vm_create(s, &ev, data, size);
		break;
	case BT_EV_PROC_EXIT:
		on_process_exit(s, &ev);
		break;
	default:
		s->totals.malformed++;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	session_handle_record(ctx, data, size);
	return 0;
}

static int add_output(struct session *s, const struct output_ops *ops, const char *path,
		      unsigned int flags)
{
	struct output *out = &s->outs[s->nr_outs];
	int err;

	if (s->nr_outs == MAX_OUTPUTS)
		return -ENOSPC;
	err = output_open(out, ops, path, flags);
	if (err)
		return err;
	out->totals = &s->totals;
	out->labels = &s->labels;
	s->nr_outs++;
	return 0;
}

/* run and record write one trace (-o, -f); the daemon a log, and optionally jsonl and metrics. */
static int open_outputs(struct session *s, const struct options *opts)
{
	unsigned int flags = opts->quiet ? OUTPUT_QUIET : 0;

	if (opts->command != CMD_DAEMON)
		return add_output(s, output_ops_of(opts->format), opts->output, flags);
	flags |= OUTPUT_APPEND | OUTPUT_SUMMARY_IN_TRACE;
	return add_output(s, &output_log_ops, opts->log_file, flags) ?:
	       (opts->jsonl_file ? add_output(s, &output_jsonl_ops, opts->jsonl_file, flags) : 0) ?:
	       (opts->metrics_dir ? add_output(s, &output_prom_ops, opts->metrics_dir, flags) : 0);
}

static void close_outputs(struct session *s, int *err)
{
	for (int i = 0; i < s->nr_outs; i++) {
		int e = output_close(&s->outs[i]);

		if (err && e && !*err)
			*err = e;
	}
	s->nr_outs = 0;
}

int session_open(struct session *s, const struct options *opts, bool filter_tgids,
		 bool follow_forks)
{
	struct tracer_config cfg = {
		.ports = opts->ports,
		.nr_ports = opts->nr_ports,
		.buffer_kib = opts->buffer_kib,
		.filter_tgids = filter_tgids,
		.follow_forks = follow_forks,
		.mmio = opts->mmio,
		.mmio_gpa = opts->mmio_gpa,
		.mmio_match_value = opts->mmio_match_value,
		.mmio_value = opts->mmio_value,
		.verbose = opts->verbose,
		.quiet = opts->quiet,
		.on_record = on_record,
		.ctx = s,
	};
	int err;

	memset(s, 0, sizeof(*s));
	s->opts = opts;
	s->keep_vms = opts->command != CMD_DAEMON;
	s->labels.nr = opts->nr_ports;
	for (int i = 0; i < opts->nr_ports; i++) {
		s->labels.ports[i] = opts->ports[i];
		s->labels.maps[i] = opts->port_labels[i];
	}
	vm_table_init(&s->vms);
	err = tracer_open(&s->tracer, &cfg);
	if (err)
		return err;
	err = open_outputs(s, opts);
	if (err) {
		close_outputs(s, NULL);
		tracer_close(s->tracer);
		return err;
	}
	return 0;
}

int session_start(struct session *s)
{
	s->started_ns = now_ns();
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
		char comm[BT_COMM_LEN];
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

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static int consume(struct session *s)
{
	int n = tracer_consume(s->tracer);

	FOR_EACH_OUTPUT(s, out)
		output_flush(out);
	return n;
}

/*
 * VMs KVM destroyed (kvm_uevent.h), looked for once their process's fds have settled: a VM
 * whose creation was just read may not have its fd installed yet, and would look closed.
 */
#define CLOSE_SETTLE_MS 100
#define CLOSES_MAX	32

struct closes {
	int timer_fd;
	unsigned int n;
	struct {
		pid_t pid;
		uint64_t heard_ns;
	} at[CLOSES_MAX];
};

static void arm_settle(struct closes *closes, uint64_t in_ns)
{
	struct itimerspec when = {
		.it_value = { .tv_sec = in_ns / 1000000000, .tv_nsec = in_ns % 1000000000 ?: 1 },
	};

	timerfd_settime(closes->timer_fd, 0, &when, NULL);
}

static bool has_running_vm(const struct session *s, pid_t pid)
{
	for (const struct traced_vm *vm = s->vms.head; vm; vm = vm->next)
		if (vm->pid == pid && !vm->end_ns && vm->fd >= 0)
			return true;
	return false;
}

/*
 * A uevent names the thread that created the VM. Its process is looked at once settled,
 * and its VMs whose fd is then no longer a VM end, closed, when we heard of it. Without that
 * thread (gone), or with uevents lost (the socket overflowed), the VM ends as it did without
 * uevents: at its VMM's next VM, or exit.
 */
static void on_uevents(struct session *s, int fd, struct closes *closes)
{
	enum kvm_uevent got;
	pid_t pid;

	while ((got = kvm_uevent_read(fd, &pid)) != KVM_UEVENT_NONE) {
		if (got != KVM_UEVENT_DESTROY)
			continue;
		pid = procfs_tgid(pid);
		if (pid <= 0 || !has_running_vm(s, pid) || closes->n == CLOSES_MAX)
			continue;
		closes->at[closes->n].pid = pid;
		closes->at[closes->n].heard_ns = now_ns();
		if (closes->n++ == 0)
			arm_settle(closes, CLOSE_SETTLE_MS * 1000000ull);
	}
}

/*
 * What the VMs wrote before their close is in the ring buffer already: it is read first (at
 * most a buffer's worth, so that a flood elsewhere cannot hold us here), and so is a VM
 * created before we heard (which ended a VM whose fd it took, where it started).
 */
static void on_closes_settled(struct session *s, struct closes *closes)
{
	unsigned int batches = s->opts->buffer_kib * 1024ull / sizeof(struct bt_event) /
			       TRACER_CONSUME_BATCH + 1;
	uint64_t expirations, settled = now_ns() - CLOSE_SETTLE_MS * 1000000ull;
	unsigned int kept = 0;

	if (read(closes->timer_fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	for (unsigned int i = 0; i < batches && consume(s) >= TRACER_CONSUME_BATCH; i++)
		;
	for (unsigned int i = 0; i < closes->n; i++) {
		if (closes->at[i].heard_ns <= settled)
			end_closed_vms(s, closes->at[i].pid, NULL, closes->at[i].heard_ns);
		else
			closes->at[kept++] = closes->at[i];
	}
	closes->n = kept;
	if (kept)
		arm_settle(closes, closes->at[0].heard_ns - settled);
	FOR_EACH_OUTPUT(s, out)
		output_flush(out);
}

/* SIGHUP: logrotate moved the files; open them again. */
static void reopen_outputs(struct session *s)
{
	FOR_EACH_OUTPUT(s, out)
		if (out->append)
			output_reopen(out);
}

/*
 * Nothing was read: announce that we are idle, then look once more, for a record reserved
 * before the kernel side could see the flag. With the buffer drained, end the VMs of processes
 * whose exit record was lost, so that even the daemon reports them now, not at the next VM.
 * Returns the epoll timeout to use.
 */
static int go_idle(struct session *s)
{
	tracer_set_reader_idle(s->tracer, true);
	if (consume(s) > 0) {
		tracer_set_reader_idle(s->tracer, false);
		return FLUSH_TIMEOUT_MS;
	}
	if (tracer_ring_pending(s->tracer))
		return PENDING_TIMEOUT_MS;
	if (sweep_dead_vms(s, false)) {
		s->resweep = true;
		return RESWEEP_MS;
	}
	if (s->resweep) {
		s->resweep = false;
		sweep_dead_vms(s, true);
	}
	return -1;
}

/* What woke the loop: epoll's data of each fd. */
enum loop_fd {
	LOOP_RING,
	LOOP_SIGNAL_FD,
	LOOP_UEVENT,
	LOOP_CLOSES,
	LOOP_PIDFD0, /* the pidfd of pids[i] is LOOP_PIDFD0 + i */
};

enum loop_end session_loop(struct session *s, const pid_t *pids, int nr_pids, pid_t forward_to,
			   int *sig)
{
	struct epoll_event ev = { .events = EPOLLIN }, ready[8];
	enum loop_end end = LOOP_ERROR;
	int epfd, sigfd = -1, uevent_fd = -1, live = nr_pids, forwarded = 0, timeout = -1;
	int polled = 0;
	struct closes closes = { .timer_fd = -1 };
	int *pidfds = calloc(nr_pids ?: 1, sizeof(int));
	sigset_t mask;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (!pidfds || epfd < 0 || sigfd < 0) {
		fprintf(stderr, "boot-trace: cannot set up the event loop: %s\n", strerror(errno));
		goto out;
	}
	ev.data.u64 = LOOP_RING;
	epoll_ctl(epfd, EPOLL_CTL_ADD, tracer_ring_fd(s->tracer), &ev);
	ev.data.u64 = LOOP_SIGNAL_FD;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev);
	/* Enrichment: without it a VM closed while its VMM lives on ends with the VMM. */
	uevent_fd = kvm_uevent_open();
	closes.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (uevent_fd >= 0 && closes.timer_fd >= 0) {
		ev.data.u64 = LOOP_UEVENT;
		epoll_ctl(epfd, EPOLL_CTL_ADD, uevent_fd, &ev);
		ev.data.u64 = LOOP_CLOSES;
		epoll_ctl(epfd, EPOLL_CTL_ADD, closes.timer_fd, &ev);
	} else if (s->opts->verbose) {
		fprintf(stderr, "boot-trace: no KVM uevents (%s): a VM closed while its VMM lives "
				"on ends when the VMM exits\n",
			strerror(uevent_fd < 0 ? -uevent_fd : errno));
	}
	for (int i = 0; i < nr_pids; i++) {
		pidfds[i] = pidfd_open(pids[i]);
		if (pidfds[i] < 0 && errno == ENOSYS && !procfs_exited(pids[i])) {
			pidfds[i] = PIDFD_POLLED;
			polled++;
			continue;
		}
		if (pidfds[i] < 0) {
			live--; /* already gone */
			continue;
		}
		ev.data.u64 = LOOP_PIDFD0 + i;
		epoll_ctl(epfd, EPOLL_CTL_ADD, pidfds[i], &ev);
	}

	/* Records may be waiting already; and the kernel side must know that we will block. */
	timeout = go_idle(s);
	while (nr_pids == 0 || live > 0) {
		bool poll_pids = polled && (timeout < 0 || timeout > PID_POLL_MS);
		int n = epoll_wait(epfd, ready, 8, poll_pids ? PID_POLL_MS : timeout), got;

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "boot-trace: epoll_wait: %s\n", strerror(errno));
			goto out;
		}
		got = consume(s);
		if (got > 0) {
			tracer_set_reader_idle(s->tracer, false);
			/* A full batch: more is waiting, look again at once (after the signals). */
			timeout = got >= TRACER_CONSUME_BATCH ? 0 : FLUSH_TIMEOUT_MS;
		} else {
			timeout = go_idle(s);
		}
		for (int i = 0; i < n; i++) {
			uint64_t id = ready[i].data.u64;
			struct signalfd_siginfo si;

			if (id >= LOOP_PIDFD0) {
				epoll_ctl(epfd, EPOLL_CTL_DEL, pidfds[id - LOOP_PIDFD0], NULL);
				live--;
			} else if (id == LOOP_CLOSES) {
				on_closes_settled(s, &closes);
			} else if (id == LOOP_UEVENT) {
				on_uevents(s, uevent_fd, &closes);
			} else if (id == LOOP_SIGNAL_FD && read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					reopen_outputs(s);
					continue;
				}
				*sig = si.ssi_signo;
				if (forward_to <= 0) {
					end = LOOP_SIGNAL;
					goto out;
				}
				kill(forward_to, forwarded++ ? SIGKILL : (int)si.ssi_signo);
			}
		}
		for (int i = 0; polled && i < nr_pids; i++) {
			if (pidfds[i] == PIDFD_POLLED && procfs_exited(pids[i])) {
				pidfds[i] = -1;
				polled--;
				live--;
			}
		}
	}
	end = LOOP_PIDS_EXITED;
out:
	consume(s); /* session_close() reads the rest */
	for (int i = 0; pidfds && i < nr_pids; i++)
		if (pidfds[i] >= 0)
			close(pidfds[i]);
	free(pidfds);
	if (uevent_fd >= 0)
		close(uevent_fd);
	if (closes.timer_fd >= 0)
		close(closes.timer_fd);
	if (sigfd >= 0)
		close(sigfd);
	if (epfd >= 0)
		close(epfd);
	return end;
}

int session_close(struct session *s)
{
	int err = 0;

	tracer_stop(s->tracer);
	/* A process whose exit record was lost has not "still" been running: say it is gone. */
	sweep_dead_vms(s, true);
	refresh_totals(s);
	tracer_close(s->tracer);
	/* VMs still running when the trace stops get their (incomplete) summary too. */
	for (struct traced_vm *vm = s->vms.head; vm; vm = vm->next) {
		if (vm->end_ns)
			continue;
		FOR_EACH_OUTPUT(s, out)
			out->ops->vm_summary(out, vm);
		if (s->on_vm_summarized)
			s->on_vm_summarized(s, vm);
	}
	FOR_EACH_OUTPUT(s, out)
		out->ops->summary(out, &s->vms, &s->totals);
	close_outputs(s, &err);
	vm_table_free(&s->vms);
	return err;
}
