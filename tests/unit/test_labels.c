// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: built-in label maps, per-write labels, label files and their errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "labels.h"

static const char *code_label(const struct label_map *map, uint32_t value)
{
	return label_of_code(map, value)->name;
}

static void test_debug_port_ranges(void **state)
{
	static const struct {
		uint32_t code;
		const char *label;
	} cases[] = {
	    {0x00, "Firmware"},
	    {0x1f, "Firmware"},
	    {0x20, "Bootloader"},
	    {0x3f, "Bootloader"},
	    {0x40, "Kernel"},
	    {0x5f, "Kernel"},
	    {0x60, "Userspace"},
	    {0x7f, "Userspace"},
	    {0x80, "Custom"},
	    {0xff, "Custom"},
	    /* Only the low byte counts, as for a wide write to the debug port. */
	    {0x3231, "Bootloader"},
	    {0x36353460, "Userspace"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(code_label(&label_map_debug_port, cases[i].code),
				    cases[i].label);
	assert_true(label_of_code(&label_map_debug_port, 0x60)->userspace);
	assert_false(label_of_code(&label_map_debug_port, 0x40)->userspace);
}

static void test_qboot_map(void **state)
{
	static const char *const names[] = {"Unknown",
					    "fw_start",
					    "linux_start_fwcfg",
					    "linux_start_boot",
					    "linux_start_pvhboot",
					    "fw_do_boot",
					    "linux_start_kernel",
					    "linux_start_user",
					    "Unknown"};

	assert_ptr_equal(label_map_builtin("qboot"), &label_map_qboot);
	assert_ptr_equal(label_map_builtin("debug-port"), &label_map_debug_port);
	assert_null(label_map_builtin("qbot"));
	for (uint32_t v = 0; v <= 8; v++)
		assert_string_equal(code_label(&label_map_qboot, v), names[v]);
	assert_true(label_of_code(&label_map_qboot, 7)->userspace);
	assert_false(label_of_code(&label_map_qboot, 6)->userspace);
}

static void test_write_labels(void **state)
{
	struct label_set set = {.nr = 2, .ports = {0x80, 0xf4}, .maps = {NULL, &label_map_qboot}};

	assert_string_equal(label_of_write(&set, false, 0xf4, 5)->name, "fw_do_boot");
	assert_string_equal(label_of_write(&set, false, 0x80, 5)->name, "Firmware");
	/* A port without a map, or no set at all: debug-port. */
	assert_string_equal(label_of_write(&set, false, 0x81, 0x45)->name, "Kernel");
	assert_string_equal(label_of_write(NULL, false, 0x81, 0x45)->name, "Kernel");
	assert_string_equal(label_of_write(NULL, false, 0xf4, 5)->name, "Firmware");
	/* Only the low byte of a wide write counts, with a map too. */
	assert_string_equal(label_of_write(&set, false, 0xf4, 0x1207)->name, "linux_start_user");
	/* An MMIO write is the boot timer's, whatever its port field or value says. */
	assert_ptr_equal(label_of_write(&set, true, 0xf4, 123), &label_guest_boot_time);
	assert_ptr_equal(label_of_write(&set, true, 0, 123), &label_guest_boot_time);
	assert_string_equal(label_of_write(NULL, true, 0, 123)->name, "Guest-boot-time");
	assert_true(label_of_write(NULL, true, 0, 123)->userspace);
}

static int parse(struct label_map *map, const char *text, char *err)
{
	err[0] = '\0';
	return label_map_parse(map, text, strlen(text), err, 256);
}

static void test_file_format(void **state)
{
	struct label_map *map = calloc(1, sizeof(*map));
	char err[256];

	assert_int_equal(parse(map,
			       "# POST codes of my firmware\n"
			       "\n"
			       "0x00-0x0f   early firmware   # comment after a label\n"
			       "  16 memory init\r\n"
			       "0x11-0x11 pci\n"
			       "\t0x60-0x7f\tUserspace\n"
			       "255 done",
			       err),
			 0);
	assert_int_equal(map->nr, 5);
	assert_string_equal(code_label(map, 0), "early firmware");
	assert_string_equal(code_label(map, 0x0f), "early firmware");
	assert_string_equal(code_label(map, 0x10), "memory init");
	assert_string_equal(code_label(map, 0x11), "pci");
	assert_string_equal(code_label(map, 0x12), "Unknown");
	assert_string_equal(code_label(map, 0x7f), "Userspace");
	assert_true(label_of_code(map, 0x61)->userspace);
	assert_false(label_of_code(map, 0x10)->userspace);
	assert_string_equal(code_label(map, 0x1ff), "done"); /* low byte */
	/* The names that end the boot do so in a file too, as when a trace is read back. */
	memset(map, 0, sizeof(*map));
	assert_int_equal(parse(map, "7 linux_start_user\n9 Guest-boot-time\n10 userspace\n", err),
			 0);
	assert_true(label_of_code(map, 7)->userspace);
	assert_true(label_of_code(map, 9)->userspace);
	assert_false(label_of_code(map, 10)->userspace);
	assert_int_equal(label_of_code(map, 7)->userspace,
			 label_intern("linux_start_user")->userspace);
	free(map);
}

static void test_file_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"1 a\nfw_start\n", "2: expected 'VALUE NAME' or 'LOW-HIGH NAME', got 'fw_start'"},
	    {"0x1g name\n", "1: '0x1g' is not a code or a LOW-HIGH range (codes are numbers "
			    "like 7, 0x1f)"},
	    {"seven name\n", "1: 'seven' is not a code or a LOW-HIGH range (codes are numbers "
			     "like 7, 0x1f)"},
	    {"-1 name\n", "1: '-1' is not a code or a LOW-HIGH range (codes are numbers like 7, "
			  "0x1f)"},
	    {"0x10- name\n", "1: '0x10-' is not a code or a LOW-HIGH range (codes are numbers "
			     "like 7, 0x1f)"},
	    {"0x100 name\n", "1: '0x100' is out of range: codes are 0x00-0xff (the low byte "
			     "of a write)"},
	    {"0xf0-0x1ff name\n", "1: '0xf0-0x1ff' is out of range: codes are 0x00-0xff (the "
				  "low byte of a write)"},
	    {"99999999999999999999 x\n", "1: '99999999999999999999' is out of range: codes "
					 "are 0x00-0xff (the low byte of a write)"},
	    {"0x20-0x10 backwards\n", "1: range 0x20-0x10 runs backwards"},
	    {"1 fw_start\n2 b\n# x\n1 again\n", "4: code 0x1 is already labelled 'fw_start' on "
						"line 1"},
	    {"0x00-0x1f Firmware\n0x10-0x2f overlap\n", "2: code 0x10 is already labelled "
							"'Firmware' on line 1"},
	    {"0x10 - 0x1f spaced\n", "1: write a range as LOW-HIGH, without blanks"},
	    {"1 a_name_that_is_far_too_long_for_a_label\n", "1: label name "
							    "'a_name_that_is_far_t...' is too "
							    "long (at most 31 characters)"},
	    {"1 bad\x01name\n", "1: label name has a byte 0x01 that is not printable ASCII"},
	    {"1 caf\xc3\xa9\n", "1: label name has a byte 0xc3 that is not printable ASCII"},
	    {"", "no labels (lines 'VALUE NAME' or 'LOW-HIGH NAME')"},
	    {"# only comments\n\n   \n", "no labels (lines 'VALUE NAME' or 'LOW-HIGH NAME')"},
	};
	struct label_map *map = calloc(1, sizeof(*map));
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(map, cases[i].text, err), -EINVAL);
		assert_string_equal(err, cases[i].error);
	}
	/* A NUL byte: not a text file. */
	assert_int_equal(label_map_parse(map, "1 a\n2 b\0c\n", 10, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "2: a NUL byte: not a text file");
	free(map);
}

static void test_long_line(void **state)
{
	struct label_map *map = calloc(1, sizeof(*map));
	char *text = malloc(1001), err[256];

	memset(text, 'x', 1000);
	text[1000] = '\0';
	assert_int_equal(parse(map, text, err), -EINVAL);
	assert_string_equal(err, "1: line too long (at most 511 bytes)");
	free(text);
	free(map);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_open(void **state)
{
	char dir[] = "/tmp/test_labels.XXXXXX", path[64], err[512];
	const struct label_map *map;

	assert_int_equal(label_map_open("qboot", &map, err, sizeof(err)), 0);
	assert_ptr_equal(map, &label_map_qboot);
	assert_int_equal(label_map_open("/nonexistent/x.labels", &map, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot read label map '/nonexistent/x.labels': No such file "
				 "or directory (built-in maps: debug-port, qboot)");

	assert_non_null(mkdtemp(dir));
	assert_int_equal(label_map_open(dir, &map, err, sizeof(err)), -EISDIR);
	snprintf(path, sizeof(path), "%s/ok.labels", dir);
	write_file(path, "1 one\n2-3 two\n");
	assert_int_equal(label_map_open(path, &map, err, sizeof(err)), 0);
	assert_string_equal(map->name, path);
	assert_string_equal(code_label(map, 3), "two");
	label_map_close(map);
	label_map_close(&label_map_qboot); /* a built-in map stays */
	assert_string_equal(label_map_qboot.name, "qboot");

	write_file(path, "1 one\n1 uno\n");
	assert_int_equal(label_map_open(path, &map, err, sizeof(err)), -EINVAL);
	assert_true(!strncmp(err, path, strlen(path)));
	assert_string_equal(err + strlen(path), ":2: code 0x1 is already labelled 'one' on line 1");
	write_file(path, "# nothing\n");
	assert_int_equal(label_map_open(path, &map, err, sizeof(err)), -EINVAL);
	assert_string_equal(err + strlen(path),
			    ": no labels (lines 'VALUE NAME' or 'LOW-HIGH NAME')");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debug_port_ranges),
	    cmocka_unit_test(test_qboot_map),
	    cmocka_unit_test(test_write_labels),
	    cmocka_unit_test(test_file_format),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
