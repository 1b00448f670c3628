// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fuzz target: the event decoder. Raw ring-buffer records of any size and content, lifecycle
 * records (VM create/close, vCPU create, process exit) in any order, go through
 * session_handle_record() into every writer at once, as in run/record (the VMs kept to the end)
 * or as in the daemon (each VM forgotten when it ends). The outputs must stay in their formats.
 *
 * Input: byte 0 selects the mode; 32 bytes of counters (dropped, ...); then records, each a
 * header byte h and its bytes:
 *   h & 0x80: a raw record of h & 0x7f bytes (short ones are malformed, long ones padded);
 *   else: a bt_event of the next sizeof(struct bt_event) bytes, with its type from h and its
 *         process one of a few (this process, two that cannot exist, or the bytes' own), so
 *         that records meet the same VMs.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"
#include "fuzz_check.h"
#include "session.h"

#define MODE_DAEMON (1u << 0)
#define MODE_LOG    (1u << 1) /* run mode: the log writer instead of csv */
#define MODE_QUIET  (1u << 2)
#define NO_SUCH_PID 0x7fff0000u /* above PID_MAX_LIMIT: never a process */

extern uint64_t fuzz_counters[BT_CNT_NR];

static void feed(struct session *s, const uint8_t *data, size_t size)
{
	while (size) {
		uint8_t h = *data++;
		size_t n;

		size--;
		if (h & 0x80) {
			n = h & 0x7f;
			if (n > size)
				n = size;
			session_handle_record(s, data, n);
		} else {
			struct bt_event ev = {};
			static const uint32_t pids[] = {0, NO_SUCH_PID + 1, NO_SUCH_PID + 2};

			n = size < sizeof(ev) ? size : sizeof(ev);
			memcpy(&ev, data, n);
			ev.type = 1 + h % 6; /* 6: a type that does not exist */
			if ((h >> 3) % 4 < 3) {
				ev.tgid = (h >> 3) % 4 ? pids[(h >> 3) % 4] : (uint32_t)getpid();
				ev.vm_id %= 4;
			}
			session_handle_record(s, &ev, sizeof(ev));
		}
		data += n;
		size -= n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct output_ops *run_ops[] = {&output_jsonl_ops, &output_chrome_ops,
					      &output_csv_ops, &output_svg_ops};
	struct fuzz_buf bufs[MAX_OUTPUTS];
	struct session s = {};
	unsigned int mode, flags;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	memset(fuzz_counters, 0, sizeof(fuzz_counters));
	if (size >= sizeof(fuzz_counters)) {
		memcpy(fuzz_counters, data, sizeof(fuzz_counters));
		data += sizeof(fuzz_counters);
		size -= sizeof(fuzz_counters);
	}

	vm_table_init(&s.vms);
	tracer_open(&s.tracer, NULL);
	flags = mode & MODE_QUIET ? OUTPUT_QUIET : 0;
	if (mode & MODE_DAEMON) {
		/* The daemon's writers: the log with its summary lines, and jsonl. */
		flags |= OUTPUT_APPEND | OUTPUT_SUMMARY_IN_TRACE;
		fuzz_output_open(&s.outs[0], &bufs[0], &output_log_ops, flags);
		fuzz_output_open(&s.outs[1], &bufs[1], &output_jsonl_ops, flags);
		s.nr_outs = 2;
	} else {
		s.keep_vms = true;
		if (mode & MODE_LOG)
			run_ops[2] = &output_log_ops;
		for (int i = 0; i < 4; i++)
			fuzz_output_open(&s.outs[i], &bufs[i], run_ops[i], flags);
		s.nr_outs = 4;
	}
	for (int i = 0; i < s.nr_outs; i++)
		s.outs[i].totals = &s.totals;

	feed(&s, data, size);

	int n = s.nr_outs;

	session_close(&s); /* summaries, footers; closes the outputs */
	for (int i = 0; i < n; i++)
		fuzz_buf_check(&bufs[i]);
	return 0;
}
