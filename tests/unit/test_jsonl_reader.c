// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: reading recorded jsonl traces back, good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "jsonl_reader.h"

#define START                                                                                      \
	"{\"type\":\"vm_start\",\"ts_ns\":1000,\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"              \
	"\"start_seen\":true}\n"
#define EVENT_LABEL(ts, since, value, label)                                                       \
	"{\"type\":\"event\",\"ts_ns\":" #ts ",\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"              \
	"\"since_start_ns\":" #since ",\"tid\":43,\"thread\":\"vcpu0\",\"vcpu\":0,\"port\":128,"   \
	"\"size\":1,\"value\":" #value ",\"code\":" #value ",\"label\":\"" label "\"}\n"
#define EVENT(ts, since, value) EVENT_LABEL(ts, since, value, "x")
/* An --mmio write: no port, its address instead. */
#define MMIO(ts, since, value)                                                                     \
	"{\"type\":\"event\",\"ts_ns\":" #ts ",\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"              \
	"\"since_start_ns\":" #since ",\"tid\":43,\"thread\":\"vcpu0\",\"vcpu\":0,\"port\":null,"  \
	"\"gpa\":3221225472,\"size\":1,\"value\":" #value ",\"code\":" #value                      \
	",\"label\":\"Guest-boot-time\"}\n"
/* A host phase, a console line (extra: more fields, starting with a comma). */
#define PHASE(ts, since, name)                                                                     \
	"{\"type\":\"phase\",\"ts_ns\":" #ts ",\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"              \
	"\"since_start_ns\":" #since ",\"name\":\"" name "\"}\n"
#define CONSOLE(ts, since, last, text, extra)                                                      \
	"{\"type\":\"console\",\"ts_ns\":" #ts ",\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"            \
	"\"since_start_ns\":" #since ",\"last_ts_ns\":" #last ",\"tid\":42,\"thread\":\"qemu\","   \
	"\"port\":1016,\"console\":\"uart\",\"text\":\"" text "\"" extra "}\n"
/* An I/O delay: a port-0x80 write after a legacy port's, no marker. */
#define IO_DELAY(ts, since)                                                                        \
	"{\"type\":\"event\",\"ts_ns\":" #ts ",\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"              \
	"\"since_start_ns\":" #since ",\"tid\":43,\"thread\":\"vcpu0\",\"vcpu\":0,\"port\":128,"   \
	"\"size\":1,\"value\":0,\"code\":0,\"io_delay\":true,\"after_port\":97,"                   \
	"\"label\":\"I/O delay\"}\n"
#define END                                                                                        \
	"{\"type\":\"vm_end\",\"ts_ns\":9000,\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"                \
	"\"exit_status\":0,\"signal\":null}\n"
#define SUMMARY                                                                                    \
	"{\"type\":\"summary\",\"events\":3,\"dropped\":2,\"string_lost\":0,"                      \
	"\"malformed\":0,\"vms\":[]}\n"

struct seen {
	int starts, events, ends, summaries, runs, recorded_runs;
	int consoles, phases;	/* of the events */
	char text[64];		/* the last console line's text (the event's lives in the reader) */
	struct traced_vm last;	/* as given to vm_summary (without its statistics) */
	struct stage_row *rows; /* its boot summary, taken then */
	int nr_rows;
	uint64_t userspace_ns;	      /* its time to Userspace; 0: none */
	struct boot_event last_event; /* its label as recorded, in last_event.label */
	struct trace_totals totals;
};

static void on_start(void *ctx, const struct traced_vm *vm)
{
	((struct seen *)ctx)->starts++;
}

static void on_event(void *ctx, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct seen *s = ctx;

	s->events++;
	s->last_event = *ev;
	s->consoles += ev->kind == EVENT_CONSOLE;
	s->phases += ev->kind == EVENT_PHASE;
	if (ev->kind == EVENT_CONSOLE)
		snprintf(s->text, sizeof(s->text), "%s", ev->console.text);
}

static void on_end(void *ctx, const struct traced_vm *vm)
{
	((struct seen *)ctx)->ends++;
}

static void on_summary(void *ctx, const struct traced_vm *vm)
{
	struct seen *s = ctx;

	s->summaries++;
	/* The statistics are freed with the VM at the end of its run: keep the summary. */
	s->last = *vm;
	s->last.stats = (struct boot_stages){};
	free(s->rows);
	s->nr_rows = boot_summary(&vm->stats, &s->rows);
	if (!boot_userspace_ns(&vm->stats, &s->userspace_ns))
		s->userspace_ns = 0;
}

static void on_run_end(void *ctx, const struct vm_table *vms, const struct trace_totals *totals)
{
	struct seen *s = ctx;

	s->runs++;
	s->recorded_runs += !totals->losses_unknown;
	s->totals = *totals;
}

static const struct replay_ops ops = {
    .vm_start = on_start,
    .event = on_event,
    .vm_end = on_end,
    .vm_summary = on_summary,
    .run_end = on_run_end,
};

static char err[512];

static int replay_len(const char *text, size_t len, struct seen *seen)
{
	FILE *fp = fmemopen((void *)text, len, "r");
	int ret;

	assert_non_null(fp);
	free(seen->rows);
	memset(seen, 0, sizeof(*seen));
	err[0] = '\0';
	ret = jsonl_replay_stream(fp, "t.jsonl", &ops, seen, err, sizeof(err));
	fclose(fp);
	return ret;
}

static int replay(const char *text, struct seen *seen)
{
	return replay_len(text, strlen(text), seen);
}

static void test_good_trace_rebuilds_the_summary(void **state)
{
	struct seen s = {};

	assert_int_equal(replay(START EVENT_LABEL(2000, 1000, 0, "Firmware")
				    EVENT_LABEL(5000, 4000, 64, "Kernel")
					EVENT_LABEL(6000, 5000, 96, "Userspace") END SUMMARY,
				&s),
			 0);
	assert_int_equal(s.starts, 1);
	assert_int_equal(s.events, 3);
	assert_int_equal(s.ends, 1);
	assert_int_equal(s.summaries, 1);
	assert_int_equal(s.runs, 1);
	assert_int_equal(s.recorded_runs, 1);
	assert_false(s.totals.losses_unknown);
	assert_int_equal(s.totals.events, 3);
	assert_int_equal(s.totals.lost[LOSS_DROPPED], 2);
	/* Older traces lack the optional counters: none lost. */
	assert_int_equal(s.totals.lost[LOSS_LIFECYCLE_DROPPED], 0);
	assert_int_equal(s.totals.lost[LOSS_MAP_FULL], 0);
	assert_int_equal(s.last.start_ns, 1000);
	assert_int_equal(s.last.end_ns, 9000);
	assert_true(WIFEXITED(s.last.exit_status) && WEXITSTATUS(s.last.exit_status) == 0);
	assert_int_equal(s.nr_rows, 3);
	assert_int_equal(s.rows[0].duration_ns, 3000);
	assert_string_equal(s.rows[1].label, "Kernel");
	assert_int_equal(s.rows[1].duration_ns, 1000);
	assert_int_equal(s.userspace_ns, 6000);
	assert_string_equal(s.last.cmdline, ""); /* none recorded */
	free(s.rows);
}

/* The VMM's command line comes back from vm_start, bounded and printable. */
static void test_cmdline_read_back(void **state)
{
	struct seen s = {};

	assert_int_equal(replay("{\"type\":\"vm_start\",\"ts_ns\":1000,\"pid\":42,\"comm\":\"vmm\","
				"\"vm\":1,\"start_seen\":true,"
				"\"cmdline\":\"vmm-min --arg 3 \\u001b[2Jdemo.bin\"}\n" END SUMMARY,
				&s),
			 0);
	assert_string_equal(s.last.cmdline, "vmm-min --arg 3 ?[2Jdemo.bin");
	free(s.rows);
}

/* Stages are the labels as recorded, whatever the code: a label map's, the boot timer's. */
static void test_recorded_labels_and_mmio(void **state)
{
	struct seen s = {};

	assert_int_equal(replay(START EVENT_LABEL(2000, 1000, 1, "fw_start")
				    EVENT_LABEL(3000, 2000, 6, "linux_start_kernel")
					MMIO(7000, 6000, 123) END SUMMARY,
				&s),
			 0);
	assert_int_equal(s.nr_rows, 3);
	assert_string_equal(s.rows[0].label, "fw_start");
	assert_string_equal(s.rows[1].label, "linux_start_kernel");
	assert_string_equal(s.rows[2].label, "Guest-boot-time");
	/* Guest-boot-time ends the boot, as live. */
	assert_int_equal(s.userspace_ns, 7000);
	assert_int_equal(s.last_event.kind, EVENT_CODE);
	assert_true(s.last_event.code.mmio);
	assert_int_equal(s.last_event.code.gpa, 0xc0000000);
	assert_int_equal(s.last_event.code.value, 123);
	assert_false(s.last_event.code.rip_known);
	assert_string_equal(s.last_event.label->name, "Guest-boot-time");
	assert_ptr_equal(s.last_event.label, label_intern("Guest-boot-time"));
	/* One label per name, for the program's lifetime. */
	assert_ptr_equal(label_intern("fw_start"), label_intern("fw_start"));
	assert_true(label_intern("linux_start_user")->userspace);
	assert_false(label_intern("fw_start")->userspace);
	free(s.rows);
}

/* An event comes back as the decoded event a live session had, every field in its place. */
static void test_event_fields_read_back(void **state)
{
	struct seen s = {};
	const struct boot_event *ev = &s.last_event;

	assert_int_equal(
	    replay(START
		   "{\"type\":\"event\",\"ts_ns\":2000,\"pid\":42,\"comm\":\"vmm\",\"vm\":1,"
		   "\"since_start_ns\":1000,\"tid\":44,\"thread\":\"CPU 1/KVM\",\"vcpu\":null,"
		   "\"port\":244,\"size\":2,\"value\":4103,\"code\":7,"
		   "\"label\":\"linux_start_user\",\"string_index\":3,\"truncated\":true,"
		   "\"rip\":65520}\n"
		   "{\"type\":\"summary\",\"events\":1,\"dropped\":0,\"string_lost\":4,"
		   "\"lifecycle_dropped\":5,\"malformed\":6,\"map_full\":7,\"vms\":[]}\n",
		   &s),
	    0);
	assert_int_equal(s.events, 1);
	assert_int_equal(ev->kind, EVENT_CODE);
	assert_int_equal(ev->ts_ns, 2000);
	assert_int_equal(ev->pid, 42);
	assert_int_equal(ev->tid, 44);
	assert_int_equal(ev->vm_id, 1);
	assert_int_equal(ev->vcpu, EVENT_VCPU_UNKNOWN);
	assert_string_equal(ev->thread, "CPU 1/KVM");
	assert_false(ev->code.mmio);
	assert_int_equal(ev->code.port, 244);
	assert_int_equal(ev->code.size, 2);
	assert_int_equal(ev->code.value, 4103);
	assert_true(ev->code.in_string);
	assert_int_equal(ev->code.index, 3);
	assert_true(ev->code.truncated);
	assert_true(ev->code.rip_known);
	assert_int_equal(ev->code.rip, 65520);
	/* The label as recorded, not as a map would give it: it ends the boot. */
	assert_ptr_equal(ev->label, label_intern("linux_start_user"));
	assert_int_equal(s.userspace_ns, 2000);
	/* Every loss counter of the summary record, the optional ones included. */
	assert_false(s.totals.losses_unknown);
	assert_int_equal(s.totals.events, 1);
	assert_int_equal(s.totals.lost[LOSS_DROPPED], 0);
	assert_int_equal(s.totals.lost[LOSS_STRING_LOST], 4);
	assert_int_equal(s.totals.lost[LOSS_LIFECYCLE_DROPPED], 5);
	assert_int_equal(s.totals.lost[LOSS_MALFORMED], 6);
	assert_int_equal(s.totals.lost[LOSS_MAP_FULL], 7);
	free(s.rows);
}

static void test_runs_concatenated_and_without_summary(void **state)
{
	struct seen s = {};

	/* Two runs with their summaries, then a third without one (recorded with -q). */
	assert_int_equal(replay(START EVENT(2000, 1000, 0) END SUMMARY START EVENT(2000, 1000, 0)
				    END SUMMARY START EVENT(2000, 1000, 0) END,
				&s),
			 0);
	assert_int_equal(s.runs, 3);
	assert_int_equal(s.recorded_runs, 2);
	assert_int_equal(s.summaries, 3);
	assert_int_equal(s.totals.events, 1); /* counted, as the last run has no summary */
	assert_true(s.totals.losses_unknown);
	/* Without any summary records: a VM starting again begins a new run. */
	assert_int_equal(replay(START EVENT(2000, 1000, 0) END START EVENT(2000, 1000, 0) END, &s),
			 0);
	assert_int_equal(s.runs, 2);
	assert_int_equal(s.summaries, 2);
	free(s.rows);
}

static void test_missing_start_and_signal(void **state)
{
	struct seen s = {};

	/* No vm_start line: the start comes from since_start_ns; a VMM killed by signal 9. */
	assert_int_equal(
	    replay(EVENT(5000, 4000,
			 64) "{\"type\":\"vm_end\",\"ts_ns\":9000,\"pid\":42,\"comm\":\"vmm\","
			     "\"vm\":1,\"exit_status\":null,\"signal\":9}\n"
			     "{\"type\":\"future_record\",\"x\":[1,2]}\n",
		   &s),
	    0);
	assert_int_equal(s.last.start_ns, 1000);
	assert_true(WIFSIGNALED(s.last.exit_status) && WTERMSIG(s.last.exit_status) == 9);
	assert_int_equal(s.runs, 1);
	free(s.rows);
}

/*
 * Console lines and phases come back as the events a live session had, and the statistics
 * are rebuilt from them: VMM set-up from the VMM's start (before the VM's), the first stage
 * from the first entry, console-only stages, I/O delays in none.
 */
static void test_console_and_phases_read_back(void **state)
{
	struct seen s = {};
	const struct boot_event *ev = &s.last_event;

	assert_int_equal(
	    replay(START PHASE(500, null, "vmm_start") PHASE(1000, 0, "vm_create")
		       PHASE(1050, 50, "first_vcpu") PHASE(1100, 100, "first_entry") CONSOLE(
			   1200, 200, 1250, "SeaBIOS (version 1.16.2)", ",\"stage\":\"Firmware\"")
			   IO_DELAY(1300, 300) CONSOLE(1400, 400, 1400, "no rule for me", "")
			       EVENT_LABEL(1500, 500, 64, "Kernel")
				   CONSOLE(1600, 600, 1700, "Run /init as init process",
					   ",\"stage\":\"Userspace\"")
				       CONSOLE(1800, 800, 1810, "\\u001b]0;login: ",
					       ",\"stage\":\"Ready\",\"truncated\":true,"
					       "\"unterminated\":true") END,
		   &s),
	    0);
	assert_int_equal(s.events, 10);
	assert_int_equal(s.consoles, 4);
	assert_int_equal(s.phases, 4);
	/* The last line, every field in its place, its text kept printable. */
	assert_int_equal(ev->kind, EVENT_CONSOLE);
	assert_int_equal(ev->ts_ns, 1800);
	assert_int_equal(ev->pid, 42);
	assert_int_equal(ev->vm_id, 1);
	assert_int_equal(ev->tid, 42);
	assert_string_equal(ev->thread, "qemu");
	assert_int_equal(ev->vcpu, EVENT_VCPU_UNKNOWN);
	assert_int_equal(ev->console.port, 0x3f8);
	assert_false(ev->console.debugcon);
	assert_int_equal(ev->console.last_ts_ns, 1810);
	assert_true(ev->console.truncated);
	assert_true(ev->console.unterminated);
	assert_string_equal(s.text, "?]0;login: "); /* an escape in a file is one no more */
	assert_ptr_equal(ev->label, label_intern("Ready"));
	/* Without a summary record, the run's "events" are its writes: the I/O delay too. */
	assert_true(s.totals.losses_unknown);
	assert_int_equal(s.totals.events, 2);
	/* VMM set-up from the VMM's start to the first entry, Firmware from there on. */
	assert_int_equal(s.nr_rows, 5);
	assert_string_equal(s.rows[0].label, "VMM set-up");
	assert_int_equal(s.rows[0].first_ns, 500);
	assert_int_equal(s.rows[0].duration_ns, 600);
	assert_string_equal(s.rows[1].label, "Firmware");
	assert_int_equal(s.rows[1].first_ns, 1100);
	assert_int_equal(s.rows[1].codes, 0);
	assert_string_equal(s.rows[2].label, "Kernel");
	assert_int_equal(s.rows[2].codes, 1);
	assert_string_equal(s.rows[3].label, "Userspace");
	assert_string_equal(s.rows[4].label, "Ready");
	assert_int_equal(s.userspace_ns, 1600);

	/* A debug console; a line's text escaped in JSON comes back as the decoder made it. */
	assert_int_equal(replay(START "{\"type\":\"console\",\"ts_ns\":1200,\"pid\":42,"
				      "\"comm\":\"vmm\",\"vm\":1,\"since_start_ns\":200,"
				      "\"last_ts_ns\":1300,\"tid\":42,\"thread\":\"qemu\","
				      "\"port\":1026,\"console\":\"debugcon\","
				      "\"text\":\"a \\\"b\\\" \\/ \\u00e9 \\u001b\\u007f\"}\n",
				&s),
			 0);
	assert_true(ev->console.debugcon);
	assert_int_equal(ev->console.port, 0x402);
	assert_false(ev->console.truncated || ev->console.unterminated);
	assert_null(ev->label);
	assert_string_equal(s.text, "a \"b\" / \u00e9 ??"); /* control bytes: '?' */
	assert_int_equal(s.nr_rows, 0);
	free(s.rows);
}

/* An I/O delay comes back under the decoder's own label, and marks no stage. */
static void test_io_delay_read_back(void **state)
{
	struct seen s = {};
	const struct boot_event *ev = &s.last_event;

	assert_int_equal(replay(START EVENT_LABEL(2000, 1000, 64, "Kernel") IO_DELAY(3000, 2000)
				    END SUMMARY,
				&s),
			 0);
	assert_int_equal(ev->kind, EVENT_CODE);
	assert_true(ev->code.io_delay);
	assert_int_equal(ev->code.after_port, 0x61);
	assert_ptr_equal(ev->label, &label_io_delay);
	assert_int_equal(s.nr_rows, 1);
	assert_string_equal(s.rows[0].label, "Kernel");
	assert_int_equal(s.rows[0].duration_ns, 0);
	free(s.rows);
}

/* A phase of a newer writer is skipped, as a record of an unknown type is. */
static void test_unknown_phase_skipped(void **state)
{
	struct seen s = {};

	assert_int_equal(replay(START PHASE(1500, 500, "first_guest_page_fault")
				    PHASE(1600, 600, "vm_end") END,
				&s),
			 0);
	assert_int_equal(s.phases, 1);
	assert_string_equal(s.last_event.phase, PHASE_VM_END);
	assert_null(s.last_event.label);
	free(s.rows);
}

static void expect_error(const char *text, size_t len, const char *want)
{
	struct seen s = {};

	assert_int_equal(replay_len(text, len, &s), -EINVAL);
	free(s.rows);
	if (strcmp(err, want))
		fail_msg("got \"%s\", want \"%s\"", err, want);
}

#define EXPECT_ERROR(text, want) expect_error(text, sizeof(text) - 1, want)

static void test_bad_inputs_name_file_and_line(void **state)
{
	EXPECT_ERROR("", "t.jsonl: empty file: no boot-trace records");
	EXPECT_ERROR("\n  \n", "t.jsonl: only blank lines: no boot-trace records");
	EXPECT_ERROR(START "{\"type\":\"event\",\"ts_ns\":12",
		     "t.jsonl:2: truncated record: the file ends in the middle of it");
	EXPECT_ERROR(START "{\"type\":\"event\",\n", "t.jsonl:2: incomplete JSON record");
	EXPECT_ERROR("hello\n", "t.jsonl:1: invalid JSON at column 1: unexpected character");
	EXPECT_ERROR("nope\n", "t.jsonl:1: invalid JSON at column 2: null expected");
	EXPECT_ERROR("[1]\n", "t.jsonl:1: expected a JSON object, found array");
	EXPECT_ERROR("{\"ts_ns\":1}\n", "t.jsonl:1: record without a \"type\" string");
	EXPECT_ERROR(START "{\"type\":\"vm_start\"} {}\n",
		     "t.jsonl:2: unexpected text after the JSON record at column 21");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":\"5\"}\n",
		     "t.jsonl:1: event record: \"ts_ns\" must be a non-negative integer, not a "
		     "string");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":-5}\n",
		     "t.jsonl:1: event record: \"ts_ns\" must be a non-negative integer, not -5");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1.5}\n",
		     "t.jsonl:1: event record: \"ts_ns\" must be a non-negative integer, not a "
		     "double");
	EXPECT_ERROR("{\"type\":\"vm_start\",\"ts_ns\":1,\"start_seen\":1}\n",
		     "t.jsonl:1: vm_start record: \"start_seen\" must be true or false, not int");
	EXPECT_ERROR("{\"type\":\"vm_start\",\"ts_ns\":1,\"start_seen\":true,\"pid\":42,"
		     "\"comm\":\"vmm\",\"vm\":1,\"cmdline\":[]}\n",
		     "t.jsonl:1: vm_start record: \"cmdline\" must be a string, not array");
	EXPECT_ERROR(START "{\"type\":\"vm_end\",\"ts_ns\":1,\"exit_status\":0,\"signal\":null,"
			   "\"pid\":42,\"comm\":7,\"vm\":1}\n",
		     "t.jsonl:2: vm_end record: \"comm\" must be a string, not int");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":70000}\n",
		     "t.jsonl:1: event record: \"port\" must be an integer from 0 to 65535, not "
		     "70000 (or null)");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":null,\"size\":1}\n",
		     "t.jsonl:1: event record without \"gpa\"");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":null,\"gpa\":5,\"size\":1,"
		     "\"value\":65,\"code\":65,\"label\":\"Kernel\",\"rip\":7,\"pid\":1,"
		     "\"comm\":\"c\",\"vm\":null}\n",
		     "t.jsonl:1: event record: an MMIO write (\"port\" null) has no \"rip\"");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":128,\"size\":1,\"value\":65,"
		     "\"code\":65,\"label\":\"\",\"pid\":1,\"comm\":\"c\",\"vm\":null}\n",
		     "t.jsonl:1: event record: \"label\" must be 1 to 31 characters long, not 0");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":128,\"size\":1,\"value\":65,"
		     "\"code\":65,\"label\":\"a_label_name_of_thirty_two_chars\",\"pid\":1,"
		     "\"comm\":\"c\",\"vm\":null}\n",
		     "t.jsonl:1: event record: \"label\" must be 1 to 31 characters long, not 32");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":128,\"size\":1,\"value\":65,"
		     "\"code\":65,\"label\":\"tab\\there\",\"pid\":1,\"comm\":\"c\",\"vm\":null}\n",
		     "t.jsonl:1: event record: \"label\" must be printable ASCII");
	EXPECT_ERROR("{\"type\":\"event\",\"ts_ns\":1,\"since_start_ns\":null,\"tid\":1,"
		     "\"thread\":\"t\",\"vcpu\":null,\"port\":128,\"size\":1,\"value\":65,"
		     "\"code\":66,\"label\":\"Kernel\",\"pid\":1,\"comm\":\"c\",\"vm\":null}\n",
		     "t.jsonl:1: event record: \"code\" 66 is not the low byte of \"value\" 65");
	EXPECT_ERROR("{\"type\":\"event\"}\n", "t.jsonl:1: event record without \"ts_ns\"");
	EXPECT_ERROR(START END END, "t.jsonl:3: vm_end record for a VM that already ended");
	EXPECT_ERROR("{\"type\":\"summary\",\"events\":1,\"dropped\":0,\"string_lost\":0,"
		     "\"malformed\":0,\"vms\":{}}\n",
		     "t.jsonl:1: summary record: \"vms\" must be an array");
	EXPECT_ERROR("{\"type\":\"vm_start\",\"comm\":\"a\0b\"}\n",
		     "t.jsonl:1: NUL byte in the line: not a jsonl trace");
}

static void test_bad_console_phase_and_io_delay(void **state)
{
	char *text, want[128];
	size_t len;

	EXPECT_ERROR(START CONSOLE(1200, 200, 1100, "x", ""),
		     "t.jsonl:2: console record: \"last_ts_ns\" 1100 is before \"ts_ns\" 1200");
	EXPECT_ERROR(START CONSOLE(1200, 300, 1200, "x", ""),
		     "t.jsonl:2: console record: \"since_start_ns\" 300 does not match \"ts_ns\" "
		     "1200 and its VM's start 1000");
	EXPECT_ERROR(START CONSOLE(900, null, 900, "x", ""),
		     "t.jsonl:2: console record: \"ts_ns\" 900 is before its VM's start 1000");
	EXPECT_ERROR(START CONSOLE(1200, 200, 1200, "a\\u0000b", ""),
		     "t.jsonl:2: console record: \"text\" holds a NUL character (\\u0000)");
	EXPECT_ERROR(START CONSOLE(1200, 200, 1200, "x", ",\"stage\":\"\""),
		     "t.jsonl:2: console record: \"stage\" must be 1 to 31 characters long, not 0");
	EXPECT_ERROR(START CONSOLE(1200, 200, 1200, "x", ",\"stage\":\"Ready\\n\""),
		     "t.jsonl:2: console record: \"stage\" must be printable ASCII");
	EXPECT_ERROR(START CONSOLE(1200, 200, 1200, "x", ",\"stage\":null"),
		     "t.jsonl:2: console record: \"stage\" must be a string, not null");
	EXPECT_ERROR(START CONSOLE(1200, 200, 1200, "x", ",\"unterminated\":1"),
		     "t.jsonl:2: console record: \"unterminated\" must be true or false, not int");
	EXPECT_ERROR(START
		     "{\"type\":\"console\",\"ts_ns\":1200,\"pid\":42,\"comm\":\"vmm\","
		     "\"vm\":1,\"since_start_ns\":200,\"last_ts_ns\":1200,\"tid\":42,"
		     "\"thread\":\"q\",\"port\":1016,\"console\":\"serial\",\"text\":\"x\"}\n",
		     "t.jsonl:2: console record: \"console\" must be \"uart\" or \"debugcon\"");
	EXPECT_ERROR(START "{\"type\":\"console\",\"ts_ns\":1200,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":200,\"last_ts_ns\":1200,\"tid\":42,"
			   "\"thread\":\"q\",\"port\":null,\"console\":\"uart\",\"text\":\"x\"}\n",
		     "t.jsonl:2: console record: \"port\" must be an integer from 0 to 65535, not "
		     "a null");
	EXPECT_ERROR(START "{\"type\":\"console\",\"ts_ns\":1200,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":200,\"last_ts_ns\":1200,\"tid\":42,"
			   "\"thread\":\"q\",\"port\":1016,\"console\":\"uart\"}\n",
		     "t.jsonl:2: console record without \"text\"");
	EXPECT_ERROR(START PHASE(1100, 200, "first_entry"),
		     "t.jsonl:2: phase record: \"since_start_ns\" 200 does not match \"ts_ns\" "
		     "1100 and its VM's start 1000");
	EXPECT_ERROR(START PHASE(900, null, "first_entry"),
		     "t.jsonl:2: phase record: \"ts_ns\" 900 is before its VM's start 1000");
	EXPECT_ERROR(START "{\"type\":\"phase\",\"ts_ns\":1100,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":100,\"name\":7}\n",
		     "t.jsonl:2: phase record: \"name\" must be a string, not int");
	EXPECT_ERROR(START "{\"type\":\"event\",\"ts_ns\":2000,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":1000,\"tid\":43,\"thread\":\"vcpu0\","
			   "\"vcpu\":0,\"port\":128,\"size\":1,\"value\":0,\"code\":0,"
			   "\"io_delay\":true,\"label\":\"I/O delay\"}\n",
		     "t.jsonl:2: event record without \"after_port\"");
	EXPECT_ERROR(START "{\"type\":\"event\",\"ts_ns\":2000,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":1000,\"tid\":43,\"thread\":\"vcpu0\","
			   "\"vcpu\":0,\"port\":128,\"size\":1,\"value\":0,\"code\":0,"
			   "\"io_delay\":\"yes\",\"after_port\":97,\"label\":\"I/O delay\"}\n",
		     "t.jsonl:2: event record: \"io_delay\" must be true or false, not string");
	EXPECT_ERROR(START "{\"type\":\"event\",\"ts_ns\":2000,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":1000,\"tid\":43,\"thread\":\"vcpu0\","
			   "\"vcpu\":0,\"port\":128,\"size\":1,\"value\":0,\"code\":0,"
			   "\"io_delay\":true,\"after_port\":97,\"label\":\"Firmware\"}\n",
		     "t.jsonl:2: event record: an I/O delay's \"label\" must be \"I/O delay\"");
	EXPECT_ERROR(START "{\"type\":\"event\",\"ts_ns\":2000,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":1000,\"tid\":43,\"thread\":\"vcpu0\","
			   "\"vcpu\":0,\"port\":null,\"gpa\":5,\"size\":1,\"value\":0,\"code\":0,"
			   "\"io_delay\":true,\"after_port\":97,\"label\":\"I/O delay\"}\n",
		     "t.jsonl:2: event record: an MMIO write (\"port\" null) is no I/O delay");
	EXPECT_ERROR(START "{\"type\":\"event\",\"ts_ns\":2000,\"pid\":42,\"comm\":\"vmm\","
			   "\"vm\":1,\"since_start_ns\":1000,\"tid\":43,\"thread\":\"vcpu0\","
			   "\"vcpu\":0,\"port\":128,\"size\":1,\"value\":0,\"code\":0,"
			   "\"io_delay\":true,\"after_port\":65536,\"label\":\"I/O delay\"}\n",
		     "t.jsonl:2: event record: \"after_port\" must be an integer from 0 to 65535, "
		     "not 65536");

	/* A text of JSONL_TEXT_MAX bytes is read, one more is not. */
	len = strlen(START CONSOLE(1200, 200, 1200, "", "")) + JSONL_TEXT_MAX + 1;
	text = malloc(len + 1);
	assert_non_null(text);
	for (int extra = 0; extra < 2; extra++) {
		struct seen s = {};
		int n = snprintf(text, len + 1, "%s", START CONSOLE(1200, 200, 1200, "", ""));
		char *quote = strstr(text, "\"text\":\"") + 8;

		memmove(quote + JSONL_TEXT_MAX + extra, quote, text + n + 1 - quote);
		memset(quote, 'a', JSONL_TEXT_MAX + extra);
		if (!extra) {
			assert_int_equal(replay(text, &s), 0);
			assert_int_equal(strlen(s.text), sizeof(s.text) - 1);
			free(s.rows);
			continue;
		}
		snprintf(want, sizeof(want),
			 "t.jsonl:2: console record: \"text\" is longer than %d bytes",
			 JSONL_TEXT_MAX);
		expect_error(text, strlen(text), want);
	}
	free(text);
}

static void test_huge_line_rejected(void **state)
{
	size_t len = JSONL_MAX_LINE + 100;
	char *text = malloc(len + strlen(START) + 2);
	char want[128];

	assert_non_null(text);
	strcpy(text, START);
	memset(text + strlen(START), 'x', len);
	text[strlen(START) + len] = '\n';
	snprintf(want, sizeof(want), "t.jsonl:2: line longer than %u bytes: not a jsonl trace",
		 JSONL_MAX_LINE);
	expect_error(text, strlen(START) + len + 1, want);
	free(text);
}

static void test_missing_file(void **state)
{
	struct seen s = {};

	assert_int_equal(jsonl_replay("/nonexistent/x.jsonl", &ops, &s, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot read /nonexistent/x.jsonl: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_trace_rebuilds_the_summary),
	    cmocka_unit_test(test_cmdline_read_back),
	    cmocka_unit_test(test_recorded_labels_and_mmio),
	    cmocka_unit_test(test_event_fields_read_back),
	    cmocka_unit_test(test_runs_concatenated_and_without_summary),
	    cmocka_unit_test(test_missing_start_and_signal),
	    cmocka_unit_test(test_bad_inputs_name_file_and_line),
	    cmocka_unit_test(test_console_and_phases_read_back),
	    cmocka_unit_test(test_io_delay_read_back),
	    cmocka_unit_test(test_unknown_phase_skipped),
	    cmocka_unit_test(test_bad_console_phase_and_io_delay),
	    cmocka_unit_test(test_huge_line_rejected),
	    cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
