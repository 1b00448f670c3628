// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fuzz target: the event decoder. Raw ring-buffer records of any size and content, lifecycle
 * records (VM creation, process exit) in any order, go through session_handle_record() (the
 * decoder, decode_record(), then the session) into every writer at once, as in run/record
 * (the VMs kept to the end, the summary table beside the trace) or as in the daemon (each VM
 * forgotten when it ends). The outputs must stay in their formats.
 *
 * Input: byte 0 selects the mode (MODE_*); 32 bytes of counters (dropped, ...); then records,
 * each a header byte h and its bytes:
 *   h & 0x80: a raw record of h & 0x7f bytes (short ones are malformed, long ones padded);
 *   else: a bt_event of the next sizeof(struct bt_event) bytes, with its type from h (3 and 6
 *         are types that do not exist) and its process one of a few (this process, two that
 *         cannot exist, or the bytes' own), so that records meet the same VMs. With
 *         MODE_CMDLINE a VM creation is a whole bt_vm_event: its cmdline_len is its value
 *         modulo BT_CMDLINE_MAX + 2 (the last one too long), its command line the bytes
 *         after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"
#include "fuzz_check.h"
#include "session.h"

#define MODE_DAEMON  (1u << 0)
#define MODE_LOG     (1u << 1) /* run mode: the log writer instead of csv */
#define MODE_QUIET   (1u << 2)
#define MODE_LABELS  (1u << 3)	 /* label maps: labels_of_file on port 0x80, qboot's on 0xf4 */
#define MODE_CMDLINE (1u << 4)	 /* VM creations carry the VMM's command line */
#define NO_SUCH_PID  0x7fff0000u /* above PID_MAX_LIMIT: never a process */

extern uint64_t fuzz_counters[BT_CNT_NR];

/* A label file's names hold what every format must escape (CSV, JSON, XML). */
static struct label_map labels_of_file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char text[] = "0x00-0x1f a<b, \"c\" & d\n"
				   "0x20-0x5f it's;<x>\\n\n"
				   "0x60 linux_start_user\n"
				   "0x61-0xfe Userspace\n";
	char err[256];

	if (label_map_parse(&labels_of_file, text, sizeof(text) - 1, err, sizeof(err)))
		abort();
	return 0;
}

/* A VM creation with the command line the kernel side read; returns the bytes it took. */
static size_t feed_vm_create(struct session *s, const struct bt_event *ev, const uint8_t *data,
			     size_t size)
{
	struct bt_vm_event ve = {.ev = *ev};
	size_t n;

	ve.cmdline_len = ev->value % (BT_CMDLINE_MAX + 2);
	n = ve.cmdline_len < BT_CMDLINE_MAX ? ve.cmdline_len : BT_CMDLINE_MAX;
	n = n < size ? n : size;
	memcpy(ve.cmdline, data, n);
	session_handle_record(s, &ve, sizeof(ve));
	return n;
}

static void feed(struct session *s, unsigned int mode, const uint8_t *data, size_t size)
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
			ev.type = 1 + h % 6; /* 3 and 6: types that do not exist */
			if ((h >> 3) % 4 < 3) {
				ev.tgid = (h >> 3) % 4 ? pids[(h >> 3) % 4] : (uint32_t)getpid();
				ev.vm_id %= 4;
			}
			if (ev.type == BT_EV_VM_CREATE && (mode & MODE_CMDLINE))
				n += feed_vm_create(s, &ev, data + n, size - n);
			else
				session_handle_record(s, &ev, sizeof(ev));
		}
		data += n;
		size -= n;
	}
}

/* Run mode: each VM's summary to the summary table too (ctx), as run's session gives it. */
static void on_vm_summarized(void *ctx, const struct traced_vm *vm)
{
	struct output *summary = ctx;

	outputs_vm_summary(&summary, 1, vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct output_ops *run_ops[] = {&output_jsonl_ops, &output_chrome_ops,
					      &output_csv_ops, &output_svg_ops};
	/* MODE_LABELS: a label file's map and qboot's; the debug port's on every other port. */
	const struct label_set maps = {
	    .nr = 2, .ports = {0x80, 0xf4}, .maps = {&labels_of_file, &label_map_qboot}};
	struct output out[SESSION_MAX_OUTPUTS], summary, *outs[SESSION_MAX_OUTPUTS];
	struct fuzz_buf bufs[SESSION_MAX_OUTPUTS], summary_buf;
	struct session_config cfg = {};
	struct session s;
	unsigned int mode, flags;
	int n = 0;

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

	if (mode & MODE_LABELS)
		cfg.labels = maps;
	cfg.keep_vms = !(mode & MODE_DAEMON);
	if (!(mode & MODE_DAEMON)) {
		cfg.on_vm_summarized = on_vm_summarized;
		cfg.ctx = &summary;
	}
	if (session_open(&s, &cfg)) /* the tracer of tracer_stub.c */
		abort();
	flags = mode & MODE_QUIET ? OUTPUT_QUIET : 0;
	if (mode & MODE_DAEMON) {
		/* The daemon's outputs: the log with its summary lines, jsonl, the final counts. */
		fuzz_output_open(&out[n], &bufs[n], &output_log_ops,
				 flags | OUTPUT_APPEND | OUTPUT_SUMMARY_IN_TRACE);
		n++;
		fuzz_output_open(&out[n], &bufs[n], &output_jsonl_ops, flags | OUTPUT_APPEND);
		n++;
		fuzz_output_open(&out[n], &bufs[n], &output_summary_ops,
				 flags | OUTPUT_TOTALS_ONLY);
		n++;
	} else {
		/*
		 * Every trace format at once (SESSION_MAX_OUTPUTS of them), and the summary table
		 * that run has on stderr: given each VM's summary by on_vm_summarized(), when the
		 * session's outputs get it, and the final counts after session_close().
		 */
		if (mode & MODE_LOG)
			run_ops[2] = &output_log_ops;
		for (; n < 4; n++)
			fuzz_output_open(&out[n], &bufs[n], run_ops[n], flags);
		fuzz_output_open(&summary, &summary_buf, &output_summary_ops, flags);
	}
	for (int i = 0; i < n; i++)
		outs[i] = &out[i];
	session_set_outputs(&s, outs, n);

	feed(&s, mode, data, size);

	session_close(&s); /* the summaries; the outputs stay open */
	if (!(mode & MODE_DAEMON)) {
		struct output *table = &summary;

		outputs_summary(&table, 1, &s.vms, &s.totals);
		if (output_close(&summary))
			abort();
		fuzz_buf_check(&summary_buf);
	}
	/* The footers; memory streams do not fail. */
	if (outputs_close(outs, n))
		abort();
	for (int i = 0; i < n; i++)
		fuzz_buf_check(&bufs[i]);
	return 0;
}
