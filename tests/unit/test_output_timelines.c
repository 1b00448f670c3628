// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: the chrome, csv and svg writers. */
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

/*
 * The human summary table is a sink of its own (tests/unit/test_output.c): these writers
 * print none, not even the line of counts, into their trace.
 */
static void assert_no_table(const char *buf)
{
	assert_null(strstr(buf, "boot-trace: "));
	assert_null(strstr(buf, "time to Userspace:"));
	assert_null(strstr(buf, "first (s)"));
}

static struct traced_vm test_vm(const char *comm)
{
	struct traced_vm vm = {.id = 1, .pid = 4242, .start_ns = 5000000000ull};

	strcpy(vm.comm, comm);
	return vm;
}

/* The label the decoder gives a write: by its port's map in set (NULL: debug-port). */
static void relabel(struct boot_event *ev, const struct label_set *set)
{
	ev->label = label_of_write(set, ev->code.mmio, ev->code.port, ev->code.value);
}

static struct boot_event pio(uint64_t ts, uint32_t value, uint32_t vcpu)
{
	struct boot_event ev = {.kind = EVENT_CODE,
				.ts_ns = ts,
				.pid = 4242,
				.tid = 4243 + vcpu,
				.vm_id = 1,
				.vcpu = vcpu,
				.code = {.port = 0x80, .size = 1, .value = value}};

	snprintf(ev.thread, sizeof(ev.thread), "vcpu%u", vcpu);
	relabel(&ev, NULL);
	return ev;
}

/* Every hook as the session calls it: each writer has only those it needs. */
static void send_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	outputs_event(&out, 1, vm, ev);
}

/* The same with the VM's statistics counted first, as a live session does. */
static void emit_event(struct output *out, struct traced_vm *vm, const struct boot_event *ev)
{
	assert_int_equal(traced_vm_observe(vm, ev), 0);
	send_event(out, vm, ev);
}

static void end_vm(struct output *out, struct traced_vm *vm, const struct trace_totals *totals)
{
	struct vm_table vms;

	vm_table_init(&vms);
	vm->end_ns = vm->start_ns + 9000000;
	outputs_vm_end(&out, 1, vm);
	outputs_vm_summary(&out, 1, vm);
	outputs_summary(&out, 1, &vms, totals);
}

/* Feed one boot: codes 0x00, 0x40, 0x41, 0x60 on vCPU 0 and 0x80 on vCPU 1, then the end. */
static void feed_boot(struct output *out, struct traced_vm *vm)
{
	static const struct {
		uint64_t off;
		uint32_t value, vcpu;
	} codes[] = {
	    {1000123, 0x00, 0}, {3000000, 0x40, 0}, {3500000, 0x41, 0},
	    {7000001, 0x60, 0}, {7500000, 0x80, 1},
	};
	struct trace_totals totals = {.events = 5};

	outputs_vm_start(&out, 1, vm);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct boot_event ev =
		    pio(vm->start_ns + codes[i].off, codes[i].value, codes[i].vcpu);

		emit_event(out, vm, &ev);
	}
	end_vm(out, vm, &totals);
}

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(obj));
	return v;
}

static void test_chrome_trace(void **state)
{
	struct traced_vm vm = test_vm("vmm \"x\"");
	struct json_object *root, *events;
	int slices = 0, instants = 0, names = 0;
	struct capture c;

	capture_open(&c, &output_chrome_ops);
	feed_boot(&c.out, &vm);
	root = json_tokener_parse(capture_close(&c));
	assert_non_null(root);
	assert_string_equal(json_object_get_string(get(root, "displayTimeUnit")), "ns");
	assert_int_equal(json_object_get_int(get(get(root, "otherData"), "events")), 5);
	events = get(root, "traceEvents");
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *ev = json_object_array_get_idx(events, i);
		const char *ph = json_object_get_string(get(ev, "ph"));
		const char *name = json_object_get_string(get(ev, "name"));

		get(ev, "ts");
		assert_int_equal(json_object_get_int(get(ev, "pid")), 4242);
		get(ev, "tid");
		if (!strcmp(ph, "X")) {
			slices++;
			get(ev, "dur");
			assert_int_equal(json_object_get_int64(get(ev, "tid")), 0x40000001);
		} else if (!strcmp(ph, "i") && !strcmp(json_object_get_string(get(ev, "s")), "t")) {
			instants++;
			get(get(ev, "args"), "value");
			get(get(ev, "args"), "label");
		} else if (!strcmp(ph, "M") && !strcmp(name, "process_name")) {
			names++;
			assert_string_equal(json_object_get_string(get(get(ev, "args"), "name")),
					    "vmm \"x\"[4242] vm1");
		}
	}
	assert_int_equal(slices, 4); /* Firmware, Kernel, Userspace, Custom */
	assert_int_equal(instants, 5);
	assert_int_equal(names, 1);
	json_object_put(root);
	assert_no_table(c.buf);
	/*
	 * Microseconds with the nanoseconds as exact decimals; a slice's dur is the double
	 * that ends it exactly at the next stage's ts (5003000.000), its exact nanoseconds in
	 * args.duration_ns.
	 */
	assert_non_null(strstr(c.buf,
			       "{\"name\":\"Firmware\",\"ph\":\"X\",\"ts\":5001000.123,"
			       "\"pid\":4242,\"tid\":1073741825,\"dur\":1999.8770000003278,"));
	assert_non_null(strstr(c.buf, "\"duration_ns\":1999877,"));
	assert_non_null(strstr(c.buf, "\"name\":\"Custom\",\"ph\":\"X\",\"ts\":5007500.000,"));
	assert_non_null(strstr(c.buf, "\"name\":\"vCPU 1 (vcpu1)\""));
	assert_non_null(strstr(c.buf, "\"name\":\"Kernel 0x41\",\"ph\":\"i\",\"ts\":5003500.000,"));
	free(c.buf);
	boot_stages_free(&vm.stats);
}

static void test_chrome_empty_and_second_vm(void **state)
{
	struct traced_vm a = test_vm("vmm"), b = test_vm("vmm");
	struct boot_event ev = pio(6000000000ull, 0x40, 0);
	struct json_object *root;
	struct capture c;

	/* Nothing at all: still a valid trace. */
	capture_open(&c, &output_chrome_ops);
	root = json_tokener_parse(capture_close(&c));
	assert_non_null(root);
	assert_int_equal(json_object_array_length(get(root, "traceEvents")), 0);
	json_object_put(root);
	free(c.buf);

	/* A second VM of the same VMM is a process of its own. */
	b.id = 2;
	capture_open(&c, &output_chrome_ops);
	send_event(&c.out, &a, &ev);
	send_event(&c.out, &b, &ev);
	root = json_tokener_parse(capture_close(&c));
	assert_non_null(root);
	json_object_put(root);
	assert_non_null(strstr(c.buf, "\"pid\":4242,"));
	assert_non_null(strstr(c.buf, "\"pid\":4198546,")); /* 4242 + 2^22 */
	assert_non_null(strstr(c.buf, "\"name\":\"vmm[4242] vm2\""));
	free(c.buf);
}

static void test_csv(void **state)
{
	struct traced_vm vm = test_vm("a,\"b\"");
	struct boot_event ev = pio(5000000123ull, 0x3241, 0);
	struct capture c;

	ev.code.size = 2;
	capture_open(&c, &output_csv_ops);
	send_event(&c.out, &vm, &ev);
	vm.start_ns = 0;
	ev.vcpu = EVENT_VCPU_UNKNOWN;
	ev.code.in_string = true;
	ev.code.index = 3;
	send_event(&c.out, &vm, &ev);
	assert_string_equal(
	    capture_close(&c),
	    "ts_ns,pid,comm,vm,since_start_ns,tid,thread,vcpu,port,size,value,code,label,"
	    "string_index,rip,gpa\n"
	    "5000000123,4242,\"a,\"\"b\"\"\",1,123,4243,vcpu0,0,128,2,12865,65,Kernel,,,\n"
	    "5000000123,4242,\"a,\"\"b\"\"\",1,,4243,vcpu0,,128,2,12865,65,Kernel,3,,\n");
	free(c.buf);
}

static void test_xml_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"<a href=\"x\">&'", "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"},
	    {"ctl\x01\x1f", "ctl??"},
	    {"tab\tok", "tab\tok"},
	    {"µs \u2014 ok", "µs \u2014 ok"},
	    {"bad\xff", "bad?"},
	    {"overlong\xc0\xaf", "overlong??"},
	    {"surrogate\xed\xa0\x80", "surrogate???"},
	    {"cut\xe2\x80", "cut??"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf;
		size_t len;
		FILE *fp = open_memstream(&buf, &len);

		xml_escape(fp, cases[i].in);
		fclose(fp);
		assert_string_equal(buf, cases[i].out);
		free(buf);
	}
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void test_svg_chart(void **state)
{
	struct traced_vm vm = test_vm("<vmm>");
	struct capture c;

	capture_open(&c, &output_svg_ops);
	feed_boot(&c.out, &vm);
	capture_close(&c);
	assert_int_equal(strncmp(c.buf, "<?xml version=\"1.0\"", 19), 0);
	assert_int_equal(count(c.buf, "<rect class=\"stage\""), 4);
	assert_int_equal(count(c.buf, "<line class=\"tick\""), 5);
	/* The debug port's five, present or not. */
	assert_int_equal(count(c.buf, "<rect class=\"legend\""), 5);
	assert_non_null(strstr(c.buf, "&lt;vmm&gt;[4242] vm1"));
	assert_null(strstr(c.buf, "<vmm>"));
	assert_non_null(strstr(c.buf, ">vCPU 0 (vcpu0)</text>"));
	assert_non_null(strstr(c.buf, ">vCPU 1 (vcpu1)</text>"));
	assert_non_null(strstr(c.buf, "time to Userspace 7.000 ms"));
	assert_non_null(strstr(c.buf, "</svg>\n"));
	assert_no_table(c.buf);
	free(c.buf);
	boot_stages_free(&vm.stats);
}

/* Port 0xf4 labelled by qboot's map, plus the boot timer through --mmio. */
static struct label_set qboot_set = {.nr = 1, .ports = {0xf4}, .maps = {&label_map_qboot}};

/* The same VM through one writer: three qboot codes on 0xf4, the boot timer; the output. */
static char *qboot_trace(struct capture *c, const struct output_ops *ops)
{
	struct trace_totals totals = {.events = 4};
	struct traced_vm vm = test_vm("qemu");
	struct output *out = &c->out;
	struct boot_event ev;

	capture_open(c, ops);
	outputs_vm_start(&out, 1, &vm);
	for (uint32_t v = 1; v <= 3; v++) {
		ev = pio(vm.start_ns + v * 1000000, v == 3 ? 6 : v, 0);
		ev.code.port = 0xf4;
		relabel(&ev, &qboot_set);
		emit_event(out, &vm, &ev);
	}
	ev = pio(vm.start_ns + 5000000, 123, 0);
	ev.code.mmio = true;
	ev.code.port = 0;
	ev.code.gpa = 0xc0000000;
	relabel(&ev, &qboot_set);
	emit_event(out, &vm, &ev);
	end_vm(out, &vm, &totals);
	capture_close(c);
	boot_stages_free(&vm.stats);
	return c->buf;
}

static void test_labels_and_mmio(void **state)
{
	struct json_object *root;
	struct capture c;
	char *buf;

	/* chrome: label map names on the slices and instants; "gpa" for the MMIO write. */
	buf = qboot_trace(&c, &output_chrome_ops);
	root = json_tokener_parse(buf);
	assert_non_null(root);
	json_object_put(root);
	assert_non_null(strstr(buf, "{\"name\":\"fw_start\",\"ph\":\"X\","));
	assert_non_null(strstr(buf, "{\"name\":\"Guest-boot-time\",\"ph\":\"X\","));
	assert_non_null(strstr(buf, "\"name\":\"port 0xf4: linux_start_kernel 0x6\""));
	assert_non_null(strstr(buf, "\"name\":\"MMIO 0xc0000000: Guest-boot-time value 123\""));
	assert_non_null(strstr(buf, "\"gpa\":3221225472"));
	/* The counts the session gave it, in otherData; no table. */
	assert_non_null(strstr(buf, "\"otherData\":{\"tool\":"));
	assert_non_null(strstr(buf, "\"events\":4,\"dropped\":0,"));
	assert_no_table(buf);
	free(buf);

	/* csv: the label column; an MMIO write has no port, but its address. */
	buf = qboot_trace(&c, &output_csv_ops);
	assert_non_null(strstr(buf, ",vcpu0,0,244,1,2,2,linux_start_fwcfg,,,\n"));
	assert_non_null(strstr(buf, ",vcpu0,0,,1,123,123,Guest-boot-time,,,0xc0000000\n"));
	/* The header and a row per write: nothing else, whatever the summary hooks get. */
	assert_int_equal(count(buf, "\n"), 5);
	assert_no_table(buf);
	free(buf);

	/* svg: a bar per label, no debug-port legend, the others' in the order seen. */
	buf = qboot_trace(&c, &output_svg_ops);
	assert_int_equal(count(buf, "<rect class=\"stage\""), 4);
	assert_int_equal(count(buf, "<rect class=\"legend\""), 4);
	assert_null(strstr(buf, ">Firmware<"));
	assert_non_null(strstr(buf, "data-stage=\"Guest-boot-time\""));
	assert_non_null(strstr(buf, "(MMIO 0xc0000000)</title>"));
	assert_non_null(strstr(buf, "time to Userspace 5.000 ms"));
	assert_true(strstr(buf, ">fw_start</text>") < strstr(buf, ">linux_start_fwcfg</text>"));
	assert_no_table(buf);
	free(buf);
}

/* A label file's name may hold characters that CSV and XML must escape. */
static void test_label_names_escaped(void **state)
{
	static struct label_map map = {.name = "file", .nr = 1};
	struct label_set set = {.nr = 1, .ports = {0x80}, .maps = {&map}};
	struct traced_vm vm = test_vm("vmm");
	struct boot_event ev = pio(5000001000ull, 0x10, 0);
	struct capture c;

	map.ranges[0] = (struct label_range){.low = 0, .high = 0xff};
	strcpy(map.ranges[0].label.name, "a<b, \"c\" & d");
	relabel(&ev, &set);
	capture_open(&c, &output_csv_ops);
	send_event(&c.out, &vm, &ev);
	capture_close(&c);
	assert_non_null(strstr(c.buf, ",16,16,\"a<b, \"\"c\"\" & d\",,,\n"));
	free(c.buf);

	/* The chart takes a VM's stages from its summary, which the session always gives. */
	capture_open(&c, &output_svg_ops);
	emit_event(&c.out, &vm, &ev);
	outputs_vm_summary((struct output *[]){&c.out}, 1, &vm);
	capture_close(&c);
	assert_null(strstr(c.buf, "a<b"));
	assert_non_null(strstr(c.buf, "data-stage=\"a&lt;b, &quot;c&quot; &amp; d\""));
	assert_non_null(strstr(c.buf, "<title>a&lt;b, &quot;c&quot; &amp; d code 0x10 at "));
	free(c.buf);
	boot_stages_free(&vm.stats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chrome_trace),
	    cmocka_unit_test(test_chrome_empty_and_second_vm),
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_xml_escape),
	    cmocka_unit_test(test_svg_chart),
	    cmocka_unit_test(test_labels_and_mmio),
	    cmocka_unit_test(test_label_names_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
