// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The session's event loop: the ring buffer, signals, the watched processes' pidfds and KVM's
 * uevents, on one epoll. Each record read goes to session.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include "kvm_uevent.h"
#include "procfs.h"
#include "session_priv.h"

/*
 * While records keep coming we are busy: the kernel side does not wake us, we look again
 * this soon after each batch (so a record waits at most this long during a flood). When a
 * look finds nothing we go idle, and the kernel side wakes us for the next record at once.
 */
#define FLUSH_TIMEOUT_MS 3
/* A record reserved but not committed yet when we went idle: look again this soon. */
#define PENDING_TIMEOUT_MS 1
/* Without pidfd_open (valgrind does not know it): how often to look whether a process exited. */
#define PID_POLL_MS  100
#define PIDFD_POLLED (-2) /* pidfds[i]: no pidfd, looked at every PID_POLL_MS */
/*
 * After an exit record was lost, the idle reader looks for gone processes at once and once
 * more this much later: the record is counted lost just before the process turns zombie.
 */
#define RESWEEP_MS 1000
/*
 * A console line with no line end yet (a "login: " prompt) is taken out of the kernel once its
 * console has been quiet this long; with a console traced and a VM running, the idle reader
 * looks every CONSOLE_POLL_MS (a reader with no console to watch sleeps until woken).
 */
#define CONSOLE_QUIET_MS 500
#define CONSOLE_POLL_MS	 250

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
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
	    .it_value = {.tv_sec = in_ns / 1000000000, .tv_nsec = in_ns % 1000000000 ?: 1},
	};

	timerfd_settime(closes->timer_fd, 0, &when, NULL);
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
		if (pid <= 0 || !session_has_running_vm(s, pid) || closes->n == CLOSES_MAX)
			continue;
		closes->at[closes->n].pid = pid;
		closes->at[closes->n].heard_ns = clock_now_ns(CLOCK_MONOTONIC);
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
	unsigned int batches =
	    s->cfg.tracer.buffer_kib * 1024ull / sizeof(struct bt_event) / TRACER_CONSUME_BATCH + 1;
	uint64_t expirations,
	    settled = clock_now_ns(CLOCK_MONOTONIC) - CLOSE_SETTLE_MS * 1000000ull;
	unsigned int kept = 0;

	if (read(closes->timer_fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	for (unsigned int i = 0; i < batches && session_consume(s) >= TRACER_CONSUME_BATCH; i++)
		;
	for (unsigned int i = 0; i < closes->n; i++) {
		if (closes->at[i].heard_ns <= settled)
			session_end_closed_vms(s, closes->at[i].pid, closes->at[i].heard_ns);
		else
			closes->at[kept++] = closes->at[i];
	}
	closes->n = kept;
	if (kept)
		arm_settle(closes, closes->at[0].heard_ns - settled);
	outputs_flush(s->outs, s->nr_outs);
}

/* Hand over the console lines that have been waiting for their end too long (a prompt). */
static void flush_quiet_consoles(struct session *s)
{
	s->console_flushed_ns = clock_now_ns(CLOCK_MONOTONIC);
	if (tracer_flush_console(s->tracer, 0, NULL, CONSOLE_QUIET_MS * 1000000ull))
		outputs_flush(s->outs, s->nr_outs);
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
	if (session_consume(s) > 0) {
		tracer_set_reader_idle(s->tracer, false);
		return FLUSH_TIMEOUT_MS;
	}
	if (tracer_ring_pending(s->tracer))
		return PENDING_TIMEOUT_MS;
	if (session_sweep_dead_vms(s, false)) {
		s->resweep = true;
		return RESWEEP_MS;
	}
	if (s->resweep) {
		s->resweep = false;
		session_sweep_dead_vms(s, true);
	}
	if (s->cfg.tracer.nr_consoles && session_has_running_vm(s, 0)) {
		flush_quiet_consoles(s);
		return CONSOLE_POLL_MS;
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

/* epoll_wait's timeout in ms, cut to what is left before the deadline. */
static int until_deadline(int timeout, uint64_t deadline_ns)
{
	uint64_t now = clock_now_ns(CLOCK_MONOTONIC), left_ms;

	if (!deadline_ns)
		return timeout;
	if (now >= deadline_ns)
		return 0;
	left_ms = (deadline_ns - now + 999999) / 1000000; /* rounded up: never early */
	if (left_ms > INT_MAX)
		left_ms = INT_MAX; /* looked at again in 24 days */
	return timeout < 0 || (uint64_t)timeout > left_ms ? (int)left_ms : timeout;
}

enum loop_end session_loop(struct session *s, const pid_t *pids, int nr_pids, uint64_t deadline_ns,
			   int *sig)
{
	struct epoll_event ev = {.events = EPOLLIN}, ready[8];
	enum loop_end end = LOOP_ERROR;
	int epfd, sigfd = -1, uevent_fd = -1, live = nr_pids, timeout = -1;
	int polled = 0;
	struct closes closes = {.timer_fd = -1};
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
	} else if (s->cfg.tracer.verbose) {
		fprintf(stderr,
			"boot-trace: no KVM uevents (%s): a VM closed while its VMM lives "
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
		int n, got;

		if (deadline_ns && clock_now_ns(CLOCK_MONOTONIC) >= deadline_ns) {
			end = LOOP_DEADLINE;
			goto out;
		}
		n = epoll_wait(epfd, ready, 8,
			       until_deadline(poll_pids ? PID_POLL_MS : timeout, deadline_ns));

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "boot-trace: epoll_wait: %s\n", strerror(errno));
			goto out;
		}
		got = session_consume(s);
		if (got > 0) {
			tracer_set_reader_idle(s->tracer, false);
			/* A busy ring (another guest's flood) must not hold a quiet prompt back. */
			if (s->cfg.tracer.nr_consoles &&
			    clock_now_ns(CLOCK_MONOTONIC) - s->console_flushed_ns >=
				CONSOLE_POLL_MS * 1000000ull)
				flush_quiet_consoles(s);
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
			} else if (id == LOOP_SIGNAL_FD &&
				   read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP && s->cfg.reopen_on_hup) {
					session_reopen_outputs(s);
					continue;
				}
				*sig = si.ssi_signo;
				end = LOOP_SIGNAL;
				goto out;
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
	session_consume(s); /* session_close() reads the rest */
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
