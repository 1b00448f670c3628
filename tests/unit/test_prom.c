// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests: the metrics file (--metrics-dir) with real content, written without a guest:
 * VMs with boot statistics fed to the writer as the daemon's session would. With BT_PROM_DIR
 * set, the files are kept there (DIR/NAME/boot_trace.prom) for tests/e2e/metrics.bats to give
 * to promtool; otherwise they go to a temporary directory that is removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "output.h"

#define MS 1000000ull

struct prom_test {
	char dir[512];
	bool keep;
	struct output out;
	struct trace_totals totals;
};

static void prom_open_in(struct prom_test *t, const char *name)
{
	const char *keep = getenv("BT_PROM_DIR");

	memset(t, 0, sizeof(*t));
	if (keep && *keep) {
		t->keep = true;
		snprintf(t->dir, sizeof(t->dir), "%s/%s", keep, name);
		assert_true(mkdir(t->dir, 0755) == 0 || access(t->dir, W_OK) == 0);
	} else {
		snprintf(t->dir, sizeof(t->dir), "/tmp/test_prom.XXXXXX");
		assert_non_null(mkdtemp(t->dir));
	}
	assert_int_equal(output_open(&t->out, &output_prom_ops, t->dir, OUTPUT_APPEND), 0);
	t->out.totals = &t->totals;
}

/* Close the writer; the file's text (free() it). */
static char *prom_close_read(struct prom_test *t)
{
	char path[600];
	char *text = NULL;
	size_t len = 0;
	FILE *fp, *mem;
	int c;

	assert_int_equal(output_close(&t->out), 0);
	snprintf(path, sizeof(path), "%s/boot_trace.prom", t->dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	mem = open_memstream(&text, &len);
	while ((c = fgetc(fp)) != EOF)
		fputc(c, mem);
	fclose(fp);
	fclose(mem);
	if (!t->keep) {
		unlink(path);
		rmdir(t->dir);
	}
	return text;
}

static struct traced_vm *new_vm(const char *comm, pid_t pid, uint32_t id, uint64_t start_ns)
{
	struct traced_vm *vm = calloc(1, sizeof(*vm));

	assert_non_null(vm);
	vm->id = id;
	vm->pid = pid;
	vm->start_ns = start_ns;
	vm->fd = -1;
	snprintf(vm->comm, sizeof(vm->comm), "%s", comm);
	return vm;
}

/* One port write of the VM, counted in its statistics and given to the writer. */
static void code(struct prom_test *t, struct traced_vm *vm, const struct label_set *set,
		 uint64_t ts_ns, uint32_t value)
{
	struct output *out = &t->out;
	struct boot_event ev = {.kind = EVENT_CODE,
				.ts_ns = ts_ns,
				.pid = vm->pid,
				.tid = vm->pid + 1,
				.vm_id = vm->id,
				.vcpu = 0,
				.code = {.port = 0x80, .size = 1, .value = value}};

	strcpy(ev.thread, "vcpu0");
	ev.label = label_of_write(set, false, 0x80, value);
	assert_non_null(ev.label);
	assert_int_equal(traced_vm_observe(vm, &ev), 0);
	outputs_event(&out, 1, vm, &ev);
}

static void start(struct prom_test *t, struct traced_vm *vm)
{
	struct output *out = &t->out;

	outputs_vm_start(&out, 1, vm);
}

/* The VMM exits (status 0 when clean) and its summary is written. */
static void finish(struct prom_test *t, struct traced_vm *vm, uint64_t end_ns, bool clean)
{
	struct output *out = &t->out;

	vm->end_ns = end_ns;
	vm->end_reason = VM_END_EXIT;
	vm->exit_status = clean ? 0 : 9; /* killed by SIGKILL */
	outputs_vm_end(&out, 1, vm);
	outputs_vm_summary(&out, 1, vm);
	boot_stages_free(&vm->stats);
	free(vm);
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, len))
			n++;
	return n;
}

static void assert_has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing: %s", line);
}

/* Three boots of one VMM, two of them at once: histograms, concurrency, last boot, losses. */
static void test_prom_boots_and_concurrency(void **state)
{
	struct prom_test t;
	struct traced_vm *a, *b, *c;
	uint64_t t0 = 10000 * MS;
	char *text;

	prom_open_in(&t, "boots");
	t.totals.lost[LOSS_DROPPED] = 3;
	a = new_vm("vmm-min", 100, 1, t0);
	b = new_vm("vmm-min", 200, 2, t0 + 1 * MS); /* created while a boots */
	start(&t, a);
	start(&t, b);
	code(&t, a, NULL, t0 + 2 * MS, 0x00); /* Firmware */
	code(&t, b, NULL, t0 + 3 * MS, 0x00); /* Firmware */
	code(&t, a, NULL, t0 + 4 * MS, 0x40); /* Kernel */
	code(&t, a, NULL, t0 + 7 * MS, 0x60); /* Userspace */
	code(&t, b, NULL, t0 + 9 * MS, 0x60); /* Userspace */
	finish(&t, a, t0 + 20 * MS, true);
	finish(&t, b, t0 + 30 * MS, false);
	c = new_vm("vmm-min", 300, 3, t0 + 1000 * MS); /* alone */
	start(&t, c);
	code(&t, c, NULL, t0 + 1001 * MS, 0x00);
	code(&t, c, NULL, t0 + 1003 * MS, 0x40);
	code(&t, c, NULL, t0 + 1010 * MS, 0x60);
	finish(&t, c, t0 + 1020 * MS, true);
	text = prom_close_read(&t);

	/* The families dashboards already use are unchanged. */
	assert_has(
	    text, "boot_trace_stage_start_seconds_count{comm=\"vmm-min\",stage=\"Userspace\"} 3\n");
	assert_has(
	    text,
	    "boot_trace_stage_start_seconds_count{comm=\"vmm-min\",stage=\"Bootloader\"} 0\n");
	assert_has(text, "boot_trace_time_to_userspace_seconds_count{comm=\"vmm-min\"} 3\n");
	assert_has(text, "boot_trace_vms_total{comm=\"vmm-min\",complete=\"true\"} 2\n");
	assert_has(text, "boot_trace_vms_total{comm=\"vmm-min\",complete=\"false\"} 1\n");
	/* a and c booted alone, b while a was booting. */
	assert_has(text, "boot_trace_stage_start_by_concurrency_seconds_count{comm=\"vmm-min\","
			 "stage=\"Userspace\",concurrency=\"1\"} 2\n");
	assert_has(text, "boot_trace_stage_start_by_concurrency_seconds_count{comm=\"vmm-min\","
			 "stage=\"Userspace\",concurrency=\"2-3\"} 1\n");
	assert_has(text, "boot_trace_time_to_userspace_by_concurrency_seconds_count{comm=\"vmm-"
			 "min\",concurrency=\"2-3\"} 1\n");
	assert_null(strstr(text, "concurrency=\"4-7\""));
	/* The last boot is c's. */
	assert_has(text, "boot_trace_last_boot_info{comm=\"vmm-min\",pid=\"300\",vm=\"3\","
			 "complete=\"true\"} 1\n");
	assert_int_equal(count_lines(text, "boot_trace_last_boot_info{"), 1);
	assert_has(text, "boot_trace_last_boot_stage_seconds{comm=\"vmm-min\",stage=\"Firmware\"} "
			 "0.002000000\n");
	assert_has(text, "boot_trace_last_boot_stage_seconds{comm=\"vmm-min\",stage=\"Kernel\"} "
			 "0.007000000\n");
	assert_int_equal(count_lines(text, "boot_trace_last_boot_stage_seconds{"), 3);
	assert_has(text, "boot_trace_last_boot_time_to_userspace_seconds{comm=\"vmm-min\"} "
			 "0.010000000\n");
	/* Every loss counter. */
	assert_has(text, "boot_trace_dropped_events_total 3\n");
	assert_has(text, "boot_trace_losses_total{kind=\"dropped\"} 3\n");
	assert_true(count_lines(text, "boot_trace_losses_total{kind=") >= 1);
	free(text);
}

/* A label file of 100 names: at most PROM_MAX_STAGES (32) stages per comm, then "other". */
static void test_prom_stage_cap(void **state)
{
	struct label_map *map = calloc(1, sizeof(*map));
	struct label_set set = {.nr = 1, .ports = {0x80}};
	struct prom_test t;
	struct traced_vm *vm;
	uint64_t t0 = 5000 * MS;
	char text_in[2048] = "", err[256], *text;
	int len = 0;

	assert_non_null(map);
	for (int i = 0; i < 100; i++)
		len += snprintf(text_in + len, sizeof(text_in) - len, "%d step-%d\n", i, i);
	assert_int_equal(label_map_parse(map, text_in, strlen(text_in), err, sizeof(err)), 0);
	set.maps[0] = map;
	prom_open_in(&t, "cap");
	for (int round = 0; round < 2; round++) {
		vm = new_vm("many-labels", 400 + round, 1, t0 + round * 1000 * MS);
		start(&t, vm);
		for (int i = 0; i < 100; i++)
			code(&t, vm, &set, vm->start_ns + (i + 1) * MS, i);
		finish(&t, vm, vm->start_ns + 200 * MS, true);
	}
	/* A comm with characters to escape: quote, backslash. */
	vm = new_vm("we\"ird\\vmm", 500, EVENT_VM_UNKNOWN, t0 + 3000 * MS);
	start(&t, vm);
	code(&t, vm, NULL, vm->start_ns + MS, 0x60);
	finish(&t, vm, vm->start_ns + 2 * MS, false);
	text = prom_close_read(&t);

	/* The five of the debug port, 27 names of the file, and "other". */
	assert_int_equal(
	    count_lines(text, "boot_trace_stage_start_seconds_count{comm=\"many-labels\""), 33);
	assert_has(text, "boot_trace_stage_start_seconds_count{comm=\"many-labels\",stage="
			 "\"Firmware\"} 0\n");
	assert_has(text, "boot_trace_stage_start_seconds_count{comm=\"many-labels\",stage="
			 "\"step-26\"} 2\n");
	assert_null(strstr(text, "stage=\"step-27\""));
	assert_has(text, "boot_trace_stage_start_seconds_count{comm=\"many-labels\",stage="
			 "\"other\"} 146\n");
	/* The last boot's stages past the cap are summed under "other". */
	assert_int_equal(
	    count_lines(text, "boot_trace_last_boot_stage_seconds{comm=\"many-labels\""), 28);
	assert_has(text, "boot_trace_last_boot_stage_seconds{comm=\"many-labels\",stage=\"other\"} "
			 "0.072000000\n");
	assert_has(text, "boot_trace_last_boot_info{comm=\"many-labels\",pid=\"401\",vm=\"1\","
			 "complete=\"true\"} 1\n");
	assert_null(strstr(text, "boot_trace_last_boot_time_to_userspace_seconds{comm=\"many"));
	assert_has(text, "boot_trace_last_boot_info{comm=\"we\\\"ird\\\\vmm\",pid=\"500\",vm=\"?\","
			 "complete=\"false\"} 1\n");
	free(text);
	free(map);
}

/* Any event of the VM, counted in its statistics and given to the writer. */
static void event(struct prom_test *t, struct traced_vm *vm, struct boot_event ev)
{
	struct output *out = &t->out;

	ev.pid = vm->pid;
	ev.tid = vm->pid + 1;
	ev.vm_id = vm->id;
	if (ev.kind != EVENT_CODE)
		ev.vcpu = EVENT_VCPU_UNKNOWN;
	strcpy(ev.thread, "CPU 0/KVM");
	assert_int_equal(traced_vm_observe(vm, &ev), 0);
	outputs_event(&out, 1, vm, &ev);
}

static struct boot_event console_line(uint64_t ts_ns, const char *text, const char *stage)
{
	struct boot_event ev = {.kind = EVENT_CONSOLE, .ts_ns = ts_ns};

	ev.console = (struct console_line){.port = 0x3f8, .last_ts_ns = ts_ns + 1000, .text = text};
	ev.label = stage ? label_intern(stage) : NULL;
	return ev;
}

/*
 * Guests traced by their console: lines and I/O delays counted per comm; stages from rules
 * ("Ready" among them) and "VMM set-up" (begun before the VM's creation: at 0 s) in the stage
 * histograms; a console line that ends the boot gives the time to Userspace.
 */
static void test_prom_console(void **state)
{
	struct prom_test t;
	struct traced_vm *vm;
	uint64_t t0 = 20000 * MS;
	char *text;

	prom_open_in(&t, "console");
	for (int round = 0; round < 2; round++) {
		uint64_t s = t0 + round * 1000 * MS;

		vm = new_vm("qemu-system-x86", 600 + round, 1, s);
		event(&t, vm,
		      (struct boot_event){.kind = EVENT_PHASE,
					  .ts_ns = s - 30 * MS,
					  .phase = PHASE_VMM_START,
					  .label = &label_vmm_setup});
		start(&t, vm);
		event(&t, vm,
		      (struct boot_event){
			  .kind = EVENT_PHASE, .ts_ns = s + 2 * MS, .phase = PHASE_FIRST_ENTRY});
		event(&t, vm, console_line(s + 10 * MS, "SeaBIOS (version 1.16.2)", "Firmware"));
		event(&t, vm, console_line(s + 20 * MS, "Booting from ROM...", "Bootloader"));
		event(&t, vm,
		      (struct boot_event){
			  .kind = EVENT_CODE,
			  .ts_ns = s + 21 * MS,
			  .code = {.port = 0x80, .size = 1, .io_delay = true, .after_port = 0x61},
			  .label = &label_io_delay});
		event(&t, vm, console_line(s + 30 * MS, "Linux version 6.1.0", "Kernel"));
		event(&t, vm, console_line(s + 31 * MS, "Command line: console=ttyS0", NULL));
		event(&t, vm, console_line(s + 200 * MS, "Run /init as init process", "Userspace"));
		event(&t, vm, console_line(s + 300 * MS, "debian login: ", "Ready"));
		finish(&t, vm, s + 400 * MS, true);
	}
	text = prom_close_read(&t);

	assert_has(text, "# TYPE boot_trace_console_lines_total counter\n");
	assert_has(text, "boot_trace_console_lines_total{comm=\"qemu-system-x86\"} 12\n");
	assert_has(text, "# TYPE boot_trace_io_delay_writes_total counter\n");
	assert_has(text, "boot_trace_io_delay_writes_total{comm=\"qemu-system-x86\"} 2\n");
	assert_has(text, "boot_trace_stage_start_seconds_count{comm=\"qemu-system-x86\","
			 "stage=\"Ready\"} 2\n");
	assert_has(text, "boot_trace_stage_start_seconds_sum{comm=\"qemu-system-x86\","
			 "stage=\"Ready\"} 0.600000000\n");
	assert_has(text, "boot_trace_stage_start_seconds_count{comm=\"qemu-system-x86\","
			 "stage=\"Kernel\"} 2\n");
	/* VMM set-up began 30 ms before the VM's creation: 0 s from it, not a wrapped stamp. */
	assert_has(text, "boot_trace_stage_start_seconds_bucket{comm=\"qemu-system-x86\","
			 "stage=\"VMM set-up\",le=\"0.001\"} 2\n");
	assert_has(text, "boot_trace_stage_start_seconds_sum{comm=\"qemu-system-x86\","
			 "stage=\"VMM set-up\"} 0.000000000\n");
	assert_has(text, "boot_trace_time_to_userspace_seconds_sum{comm=\"qemu-system-x86\"} "
			 "0.400000000\n");
	assert_null(strstr(text, "stage=\"I/O delay\""));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prom_boots_and_concurrency),
	    cmocka_unit_test(test_prom_stage_cap),
	    cmocka_unit_test(test_prom_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
