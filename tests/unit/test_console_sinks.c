// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests: console lines, host phases and I/O delays in the chrome and svg writers (the
 * metrics' counters are in test_prom.c). Events are built by hand, as the decoder makes them,
 * and counted in the VM's statistics as the session does (traced_vm_observe()). With
 * BT_SINK_DIR set, the trace and the chart of the console boot are kept there (console.json,
 * console.svg) for the real viewers (tests/e2e/viewers.bats, chart.bats).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "output.h"
#include "capture.h"

#define MS    1000000ull
#define START 5000000000ull /* the VM's creation */

/* Keep what a writer made in $BT_SINK_DIR/name, when it is set. */
static void keep(const char *name, const char *text)
{
	const char *dir = getenv("BT_SINK_DIR");
	char path[512];
	FILE *fp;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static struct traced_vm test_vm(void)
{
	struct traced_vm vm = {.id = 1, .pid = 4242, .start_ns = START, .fd = -1};

	strcpy(vm.comm, "qemu-system-x86");
	return vm;
}

static struct boot_event base_event(enum event_kind kind, uint64_t ts)
{
	struct boot_event ev = {.kind = kind,
				.ts_ns = ts,
				.pid = 4242,
				.tid = 4243,
				.vm_id = 1,
				.vcpu = EVENT_VCPU_UNKNOWN};

	strcpy(ev.thread, "CPU 0/KVM");
	return ev;
}

static struct boot_event phase(uint64_t ts, const char *name)
{
	struct boot_event ev = base_event(EVENT_PHASE, ts);

	ev.phase = name;
	if (!strcmp(name, PHASE_VMM_START) || !strcmp(name, PHASE_VM_CREATE))
		ev.label = &label_vmm_setup;
	return ev;
}

/* A line of console text; stage NULL: no rule matched it. */
static struct boot_event line(uint64_t ts, uint64_t last, uint16_t port, const char *text,
			      const char *stage)
{
	struct boot_event ev = base_event(EVENT_CONSOLE, ts);

	ev.console = (struct console_line){
	    .port = port, .debugcon = port != 0x3f8, .last_ts_ns = last, .text = text};
	if (stage) {
		ev.label = label_intern(stage);
		assert_non_null(ev.label);
	}
	return ev;
}

static struct boot_event pio(uint64_t ts, uint32_t value)
{
	struct boot_event ev = base_event(EVENT_CODE, ts);

	ev.vcpu = 0;
	ev.code = (struct code_write){.port = 0x80, .size = 1, .value = value};
	ev.label = label_of_write(NULL, false, 0x80, value);
	return ev;
}

static struct boot_event io_delay(uint64_t ts, uint16_t after_port)
{
	struct boot_event ev = pio(ts, 0);

	ev.code.io_delay = true;
	ev.code.after_port = after_port;
	ev.label = &label_io_delay;
	return ev;
}

/* Counted in the VM's statistics as the session counts it, then given to the writer. */
static void emit(struct output *out, struct traced_vm *vm, const struct boot_event *ev)
{
	assert_int_equal(traced_vm_observe(vm, ev), 0);
	outputs_event(&out, 1, vm, ev);
}

/*
 * An unmodified guest under run: the VMM's start 40 ms before KVM_CREATE_VM, SeaBIOS on the
 * serial port (and its debug log on debugcon 0x402), the bootloader, Linux, init and a login
 * prompt, one I/O delay of the kernel's real-mode set-up, one marker code.
 */
static void feed_console_boot(struct output *out, struct traced_vm *vm)
{
	const struct boot_event events[] = {
	    phase(START - 40 * MS, PHASE_VMM_START),
	    phase(START, PHASE_VM_CREATE),
	    phase(START + 1 * MS, PHASE_FIRST_VCPU),
	    phase(START + 2 * MS, PHASE_FIRST_ENTRY),
	    line(START + 30 * MS, START + 30 * MS + 200000, 0x3f8,
		 "SeaBIOS (version 1.16.2-debian-1.16.2-1)", "Firmware"),
	    line(START + 30 * MS + 500000, START + 30 * MS + 600000, 0x402,
		 "SeaBIOS (version 1.16.2-debian-1.16.2-1)", NULL),
	    line(START + 120 * MS, START + 120 * MS, 0x3f8, "Booting from ROM...", "Bootloader"),
	    line(START + 150 * MS, START + 151 * MS, 0x3f8,
		 "Probing EDD (edd=off to disable)... ok", "Bootloader"),
	    io_delay(START + 151 * MS + 500000, 0x61),
	    line(START + 200 * MS, START + 200 * MS + 100000, 0x3f8,
		 "[    0.000000] Linux version 6.1.0-18-amd64 <debian-kernel@lists.debian.org>",
		 "Kernel"),
	    pio(START + 201 * MS, 0x41),
	    line(START + 202 * MS, START + 202 * MS + 50000, 0x3f8,
		 "[    0.001000] Command line: console=ttyS0 \"quoted\" & <b>", NULL),
	    line(START + 203 * MS, START + 203 * MS, 0x3f8, "", NULL),
	    line(START + 600 * MS, START + 600 * MS + 10000, 0x3f8, "Run /init as init process",
		 "Userspace"),
	    line(START + 700 * MS, START + 700 * MS + 10000, 0x3f8,
		 "Welcome to Debian GNU/Linux 12 (bookworm)!", "Userspace"),
	    line(START + 900 * MS, START + 900 * MS + 7000, 0x3f8, "debian login: ", "Ready"),
	};
	struct trace_totals totals = {.events = 1};
	struct vm_table vms;

	outputs_vm_start(&out, 1, vm);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		struct boot_event ev = events[i];

		if (ev.kind == EVENT_CONSOLE && !strcmp(ev.console.text, "debian login: "))
			ev.console.unterminated = true;
		emit(out, vm, &ev);
	}
	{
		struct boot_event end = phase(START + 1000 * MS, PHASE_VM_END);

		emit(out, vm, &end);
	}
	vm->end_ns = START + 1000 * MS;
	vm->end_reason = VM_END_EXIT;
	vm_table_init(&vms);
	outputs_vm_end(&out, 1, vm);
	outputs_vm_summary(&out, 1, vm);
	outputs_summary(&out, 1, &vms, &totals);
}

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(obj));
	return v;
}

static const char *str_of(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(obj, key, &v) ? json_object_get_string(v) : NULL;
}

/* The first event with this name (and ph, unless NULL); fails when there is none. */
static struct json_object *find_event(struct json_object *events, const char *name, const char *ph)
{
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *ev = json_object_array_get_idx(events, i);

		if (!strcmp(str_of(ev, "name"), name) && (!ph || !strcmp(str_of(ev, "ph"), ph)))
			return ev;
	}
	fail_msg("no event \"%s\"", name);
	return NULL;
}

/* The name a metadata event gives track tid. */
static const char *thread_name(struct json_object *events, long long tid)
{
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *ev = json_object_array_get_idx(events, i);

		if (!strcmp(str_of(ev, "ph"), "M") && !strcmp(str_of(ev, "name"), "thread_name") &&
		    json_object_get_int64(get(ev, "tid")) == tid)
			return str_of(get(ev, "args"), "name");
	}
	return NULL;
}

static void test_chrome_console(void **state)
{
	struct traced_vm vm = test_vm();
	struct json_object *root, *events, *ev, *args;
	long long uart_tid, debugcon_tid;
	int console_events = 0, phases = 0, slices = 0;
	uint64_t prev_end = 0;
	struct capture c;

	capture_open(&c, &output_chrome_ops);
	feed_console_boot(&c.out, &vm);
	root = json_tokener_parse(capture_close(&c));
	assert_non_null(root);
	keep("console.json", c.buf);
	events = get(root, "traceEvents");

	/* A line printed over 200 us: a slice, with its text, port and stage. */
	ev = find_event(events, "SeaBIOS (version 1.16.2-debian-1.16.2-1)", "X");
	assert_string_equal(str_of(ev, "cat"), "console");
	uart_tid = json_object_get_int64(get(ev, "tid"));
	assert_string_equal(thread_name(events, uart_tid), "console ttyS0 0x3f8");
	args = get(ev, "args");
	assert_string_equal(str_of(args, "text"), "SeaBIOS (version 1.16.2-debian-1.16.2-1)");
	assert_int_equal(json_object_get_int(get(args, "port")), 0x3f8);
	assert_string_equal(str_of(args, "console"), "uart");
	assert_string_equal(str_of(args, "stage"), "Firmware");
	assert_int_equal(json_object_get_int64(get(args, "since_start_ns")), 30 * MS);
	assert_int_equal(json_object_get_int64(get(args, "duration_ns")), 200000);
	assert_non_null(strstr(c.buf, "\"ts\":5030000.000,\"pid\":4242,\"tid\":1342177281,"
				      "\"dur\":200.000,\"cat\":\"console\""));
	/* The same text on the debug console: its own track, no stage. */
	ev = find_event(events, "SeaBIOS (version 1.16.2-debian-1.16.2-1)", NULL);
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);

		if (!strcmp(str_of(e, "name"), "SeaBIOS (version 1.16.2-debian-1.16.2-1)") &&
		    json_object_get_int64(get(e, "tid")) != uart_tid)
			ev = e;
	}
	debugcon_tid = json_object_get_int64(get(ev, "tid"));
	assert_true(debugcon_tid != uart_tid);
	assert_string_equal(thread_name(events, debugcon_tid), "debugcon 0x402");
	assert_string_equal(str_of(get(ev, "args"), "console"), "debugcon");
	assert_null(str_of(get(ev, "args"), "stage"));
	/* One exit: an instant. An empty line has a name. The prompt is unterminated. */
	ev = find_event(events, "Booting from ROM...", "i");
	assert_string_equal(str_of(ev, "s"), "t");
	ev = find_event(events, "(empty line)", "i");
	assert_string_equal(str_of(get(ev, "args"), "text"), "");
	ev = find_event(events, "debian login: ", "X");
	assert_true(json_object_get_boolean(get(get(ev, "args"), "unterminated")));
	assert_string_equal(str_of(get(ev, "args"), "stage"), "Ready");

	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);
		const char *cat = str_of(e, "cat");

		if (cat && !strcmp(cat, "console")) {
			console_events++;
			/* The console track's slices never overlap: siblings in every viewer. */
			if (json_object_get_int64(get(e, "tid")) == uart_tid &&
			    !strcmp(str_of(e, "ph"), "X")) {
				uint64_t ts = json_object_get_double(get(e, "ts")) * 1000;

				assert_true(ts >= prev_end);
				prev_end = ts + json_object_get_double(get(e, "dur")) * 1000;
			}
		}
		if (cat && !strcmp(cat, "phase")) {
			phases++;
			assert_string_equal(str_of(e, "ph"), "i");
			assert_string_equal(str_of(e, "s"), "p");
		}
		/* No code of the vCPUs is the I/O delay. */
		if (cat && !strcmp(cat, "code"))
			assert_string_equal(str_of(e, "name"), "Kernel 0x41");
		if (!strcmp(str_of(e, "ph"), "X") &&
		    json_object_get_int64(get(e, "tid")) == 0x40000001) /* the stage track */
			slices++;
	}
	assert_int_equal(console_events, 10);
	assert_int_equal(phases, 5);

	/* Phases: instants on the VM's process, named by phase; VMM set-up's say so. */
	ev = find_event(events, "vmm_start", "i");
	assert_string_equal(str_of(get(ev, "args"), "stage"), "VMM set-up");
	assert_null(str_of(get(ev, "args"), "since_start_ns")); /* before the VM's creation */
	ev = find_event(events, "first_entry", "i");
	assert_int_equal(json_object_get_int64(get(get(ev, "args"), "since_start_ns")), 2 * MS);
	find_event(events, "vm_end", "i");

	/* The I/O delay: on a track of its own, not a code, not a stage. */
	ev = find_event(events, "I/O delay after port 0x61", "i");
	assert_string_equal(str_of(ev, "cat"), "io_delay");
	assert_string_equal(thread_name(events, json_object_get_int64(get(ev, "tid"))),
			    "I/O delay");
	assert_int_equal(json_object_get_int(get(get(ev, "args"), "after_port")), 0x61);

	/* Stages from rules and phases are stage slices like a code's. */
	assert_string_equal(str_of(find_event(events, "VMM set-up", "X"), "cat"), "stage");
	assert_string_equal(str_of(find_event(events, "Firmware", "X"), "cat"), "stage");
	assert_string_equal(str_of(find_event(events, "Ready", "X"), "cat"), "stage");
	assert_true(slices >= 6); /* VMM set-up, Firmware, Bootloader, Kernel, Userspace, Ready */
	json_object_put(root);
	free(c.buf);
	boot_stages_free(&vm.stats);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void test_svg_console(void **state)
{
	struct traced_vm vm = test_vm();
	struct capture c;
	const char *p;

	capture_open(&c, &output_svg_ops);
	feed_console_boot(&c.out, &vm);
	capture_close(&c);
	keep("console.svg", c.buf);
	assert_int_equal(strncmp(c.buf, "<?xml version=\"1.0\"", 19), 0);
	/* A row per console, one of host phases. */
	assert_non_null(strstr(c.buf, ">console ttyS0 0x3f8</text>"));
	assert_non_null(strstr(c.buf, ">debugcon 0x402</text>"));
	assert_non_null(strstr(c.buf, ">host phases</text>"));
	/* Every line a tick: the ones a rule matched coloured, the others light. */
	assert_int_equal(count(c.buf, "<line class=\"cmatch\""), 7);
	assert_int_equal(count(c.buf, "<line class=\"cline\""), 3);
	/* Phases up to the boot's end; the VM's end, past the axis, is not drawn. */
	assert_int_equal(count(c.buf, "<line class=\"phase\""), 4);
	assert_non_null(strstr(c.buf, "<title>first_entry at 42.000 ms</title>"));
	assert_null(strstr(c.buf, "vm_end"));
	/* The first line of each stage named, also when stages are close together. */
	assert_non_null(strstr(c.buf, ">[    0.000000] Linux version 6.1\u2026</text>"));
	assert_non_null(strstr(c.buf, ">SeaBIOS (version 1.16.2-debi\u2026</text>"));
	/* An unmatched line's text only in its tooltip, escaped; a matched one's beside it. */
	assert_int_equal(count(c.buf, "Command line"), 1);
	assert_non_null(strstr(c.buf, "<title>at 242.000 ms: [    0.001000] Command line: "
				      "console=ttyS0 &quot;quoted&quot; &amp; &lt;b&gt;</title>"));
	assert_null(strstr(c.buf, "<b>"));
	assert_non_null(strstr(c.buf, "<title>Firmware at 70.000 ms: SeaBIOS (version "));
	assert_true(count(c.buf, "<text class=\"ctext\"") >= 3);
	assert_non_null(strstr(c.buf, ">Run /init as init process</text>"));
	/* Its time axis begins at the VMM's start: VMM set-up is the first bar, first legend. */
	assert_non_null(strstr(c.buf, "data-stage=\"VMM set-up\" x=\"190.00\""));
	p = strstr(c.buf, "<rect class=\"legend\"");
	assert_non_null(p);
	assert_non_null(strstr(p, "fill=\"#79706e\"/>\n<text x=\"210.0\" y=\"76\">VMM set-up<"));
	assert_non_null(strstr(c.buf, "or from its VMM's start where that was seen"));
	/* The header counts lines and I/O delays; time to Userspace from the VM's creation. */
	assert_non_null(strstr(c.buf, " \u2014 1 codes, 10 console lines, 1 I/O delays, "));
	assert_non_null(strstr(c.buf, "time to Userspace 600.000 ms"));
	/* The I/O delay: a short grey tick of vCPU 0, no value. */
	assert_int_equal(count(c.buf, "<line class=\"iodelay\""), 1);
	assert_non_null(strstr(c.buf, "(port 0x80 after port 0x61)</title>"));
	assert_int_equal(count(c.buf, "<text class=\"value\""), 1); /* the marker's 0x41 */
	/* A key for each kind of mark. */
	assert_non_null(strstr(c.buf, ">code written to the port (its value above)</text>"));
	assert_non_null(strstr(c.buf, ">host phase</text>"));
	assert_non_null(strstr(c.buf, ">console line (one a rule matched"));
	assert_non_null(strstr(c.buf, ">I/O delay (a port-0x80 write that is no marker)</text>"));
	free(c.buf);
	boot_stages_free(&vm.stats);
}

/* A guest that only prints, matched by no rule: drawn all the same, no code key. */
static void test_svg_console_only(void **state)
{
	struct traced_vm vm = test_vm();
	struct boot_event ev = line(START + 3 * MS, START + 4 * MS, 0x3f8, "hello", NULL);
	struct capture c;

	capture_open(&c, &output_svg_ops);
	outputs_vm_start((struct output *[]){&c.out}, 1, &vm);
	emit(&c.out, &vm, &ev);
	ev = line(START + 9 * MS, START + 9 * MS, 0x3f8, "world", NULL);
	emit(&c.out, &vm, &ev);
	outputs_vm_summary((struct output *[]){&c.out}, 1, &vm);
	capture_close(&c);
	assert_null(strstr(c.buf, "No boot codes"));
	assert_non_null(strstr(c.buf, ": 1 VM;"));
	assert_int_equal(count(c.buf, "<line class=\"cline\""), 2);
	assert_null(strstr(c.buf, "code written to the port"));
	assert_null(strstr(c.buf, "or from its VMM's start"));
	assert_non_null(strstr(c.buf, " \u2014 0 codes, 2 console lines, "));
	free(c.buf);
	boot_stages_free(&vm.stats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chrome_console),
	    cmocka_unit_test(test_svg_console),
	    cmocka_unit_test(test_svg_console_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
