// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The tracer's interface without BPF, for the fuzz build only: the event decoder
 * (session_handle_record) is fed raw records by the fuzz target instead of a ring buffer.
 * Counters return what the target sets in fuzz_counters.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "tracer.h"

uint64_t fuzz_counters[BT_CNT_NR];

struct tracer {
	struct tracer_features features;
	uint32_t next_vm_id;
};

int tracer_open(struct tracer **tracer, const struct tracer_config *cfg)
{
	*tracer = calloc(1, sizeof(**tracer));
	return *tracer ? 0 : -ENOMEM;
}

int tracer_start(struct tracer *tracer)
{
	return 0;
}

void tracer_close(struct tracer *tracer)
{
	free(tracer);
}

const struct tracer_features *tracer_features(const struct tracer *tracer)
{
	static const struct tracer_features none;

	return tracer ? &tracer->features : &none;
}

int tracer_trace_process(struct tracer *tracer, pid_t pid)
{
	return 0;
}

uint32_t tracer_new_vm_id(struct tracer *tracer)
{
	return tracer ? ++tracer->next_vm_id : 1;
}

void tracer_forget_vm(struct tracer *tracer, pid_t pid, int fd, uint32_t vm_id)
{
}

int tracer_add_vm_fd(struct tracer *tracer, pid_t pid, int fd, uint32_t vm_id, bool only_vm)
{
	return 0;
}

int tracer_flush_console(struct tracer *tracer, pid_t pid, const uint32_t *vm_id, uint64_t quiet_ns)
{
	return 0;
}

void tracer_forget_dead(struct tracer *tracer)
{
}

int tracer_ring_fd(const struct tracer *tracer)
{
	return -1;
}

int tracer_consume(struct tracer *tracer)
{
	return 0;
}

void tracer_set_reader_idle(struct tracer *tracer, bool idle)
{
}

int tracer_traced_pids(struct tracer *tracer, pid_t *pids, int max)
{
	return 0;
}

int tracer_signal_traced(struct tracer *tracer, int sig)
{
	return 0;
}

bool tracer_ring_pending(const struct tracer *tracer)
{
	return false;
}

int tracer_stop(struct tracer *tracer)
{
	return 0;
}

uint64_t tracer_counter(const struct tracer *tracer, enum bt_counter idx)
{
	return idx < BT_CNT_NR ? fuzz_counters[idx] : 0;
}
