// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: the boot-trace command line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "options.h"
#include "text.h"

#define ARGV(...)	 ((char *[]){"boot-trace", __VA_ARGS__, NULL})
#define ARGC(...)	 ((int)(sizeof((char *[]){"boot-trace", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(opts, ...) options_parse(opts, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_run_defaults(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "run", "--", "vmm-min", "demo.bin"), 0);
	assert_int_equal(o.command, CMD_RUN);
	assert_null(o.format); /* log */
	assert_null(o.output);
	assert_int_equal(o.nr_ports, 1);
	assert_int_equal(o.ports[0], 0x80);
	assert_int_equal(o.buffer_kib, DEFAULT_BUFFER_KIB);
	assert_string_equal(o.argv[0], "vmm-min");
	assert_string_equal(o.argv[1], "demo.bin");
	assert_null(o.argv[2]);
}

static void test_run_options_and_command_options(void **state)
{
	struct options o;

	/* Options after COMMAND belong to COMMAND, with or without "--". */
	assert_int_equal(PARSE(&o, "run", "-q", "-f", "jsonl", "-o", "x.jsonl", "--port", "0xf4",
			       "--port", "128", "-b", "64", "qemu", "-m", "64", "-q"),
			 0);
	assert_true(o.quiet);
	assert_ptr_equal(o.format, &output_jsonl_ops);
	assert_string_equal(o.output, "x.jsonl");
	assert_int_equal(o.nr_ports, 2);
	assert_int_equal(o.ports[0], 0xf4);
	assert_int_equal(o.ports[1], 0x80);
	assert_int_equal(o.buffer_kib, 64);
	assert_string_equal(o.argv[0], "qemu");
	assert_string_equal(o.argv[3], "-q");
}

static void test_duplicate_port_counted_once(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "run", "--port", "0x80", "--port", "128", "--", "x"), 0);
	assert_int_equal(o.nr_ports, 1);
}

static void test_labels_attach_to_the_preceding_port(void **state)
{
	struct options o;

	assert_int_equal(
	    PARSE(&o, "run", "--port", "0x80", "--port", "0xf4", "--labels", "qboot", "--", "x"),
	    0);
	assert_int_equal(o.nr_ports, 2);
	assert_null(o.port_labels[0]);
	assert_ptr_equal(o.port_labels[1], &label_map_qboot);
	/* A port named again takes the map, once. */
	assert_int_equal(PARSE(&o, "run", "--port", "0xf4", "--port", "0x80", "--port", "0xf4",
			       "--labels", "qboot", "--", "x"),
			 0);
	assert_ptr_equal(o.port_labels[0], &label_map_qboot);
	assert_null(o.port_labels[1]);
	assert_int_equal(PARSE(&o, "run", "--port", "0xf4", "--labels", "qboot", "--labels",
			       "debug-port", "--", "x"),
			 EXIT_USAGE);
	/* No --port before it. */
	assert_int_equal(PARSE(&o, "run", "--labels", "qboot", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--port", "0xf4", "--labels", "/nonexistent", "--", "x"),
			 EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--port", "0xf4", "--labels"), EXIT_USAGE);
}

static void test_mmio(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "run", "--", "x"), 0);
	assert_false(o.mmio);
	/* Alone: Firecracker's boot timer, 0xc0000000 = 123. */
	assert_int_equal(PARSE(&o, "run", "--mmio", "--", "x"), 0);
	assert_true(o.mmio);
	assert_int_equal(o.mmio_gpa, 0xc0000000);
	assert_true(o.mmio_match_value);
	assert_int_equal(o.mmio_value, 123);
	assert_int_equal(PARSE(&o, "run", "--mmio", "firecracker", "--no-api"), 0);
	assert_true(o.mmio);
	assert_string_equal(o.argv[0], "firecracker");
	/* An address: any value; with =VALUE, that value only. Both spellings. */
	assert_int_equal(PARSE(&o, "run", "--mmio", "0xd0000000", "--", "x"), 0);
	assert_int_equal(o.mmio_gpa, 0xd0000000);
	assert_false(o.mmio_match_value);
	assert_int_equal(PARSE(&o, "run", "--mmio=0xfee00000=0x7f", "-q", "x"), 0);
	assert_int_equal(o.mmio_gpa, 0xfee00000);
	assert_true(o.mmio_match_value);
	assert_int_equal(o.mmio_value, 0x7f);
	assert_true(o.quiet);
	assert_int_equal(PARSE(&o, "run", "--mmio", "0x1000=0", "--", "x"), 0);
	assert_true(o.mmio_match_value);
	assert_int_equal(o.mmio_value, 0);

	assert_int_equal(PARSE(&o, "run", "--mmio", "0xc0000000=256", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--mmio", "0xc0000000=", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--mmio=", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--mmio=boot", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--mmio", "1x", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--mmio", "--mmio", "--", "x"), EXIT_USAGE);
}

static void test_record(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "record", "-p", "10", "--pid", "20"), 0);
	assert_int_equal(o.command, CMD_RECORD);
	assert_int_equal(o.nr_pids, 2);
	assert_int_equal(o.pids[1], 20);
	assert_int_equal(PARSE(&o, "record", "-a", "-v"), 0);
	assert_true(o.all);
	assert_true(o.verbose);
}

static void test_help_and_version(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "--help"), 0);
	assert_int_equal(o.command, CMD_HELP);
	assert_int_equal(PARSE(&o, "-V"), 0);
	assert_int_equal(o.command, CMD_VERSION);
	assert_int_equal(PARSE(&o, "run", "-h"), 0);
	assert_int_equal(o.command, CMD_HELP);
	assert_int_equal(o.help_for, CMD_RUN);
	/* help [COMMAND]: one command's usage, or the overview. */
	assert_int_equal(PARSE(&o, "help"), 0);
	assert_int_equal(o.command, CMD_HELP);
	assert_int_equal(o.help_for, CMD_NONE);
	assert_int_equal(PARSE(&o, "help", "diff"), 0);
	assert_int_equal(o.help_for, CMD_DIFF);
	assert_int_equal(PARSE(&o, "report", "--help"), 0);
	assert_int_equal(o.help_for, CMD_REPORT);
	assert_int_equal(PARSE(&o, "help", "bogus"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "help", "run", "record"), EXIT_USAGE);
}

/* Each command's usage is its own: its options, not the others'. */
static void test_usage_per_command(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	options_usage(fp, CMD_DIFF);
	fflush(fp);
	assert_non_null(strstr(buf, "USAGE: boot-trace diff"));
	assert_non_null(strstr(buf, "--threshold"));
	assert_null(strstr(buf, "--port"));
	assert_null(strstr(buf, "--svg"));
	fclose(fp);
	free(buf);
	fp = open_memstream(&buf, &len);
	options_usage(fp, CMD_RECORD);
	fflush(fp);
	assert_non_null(strstr(buf, "--pid"));
	assert_non_null(strstr(buf, "--port"));
	assert_null(strstr(buf, "--repeat"));
	assert_null(strstr(buf, "--threshold"));
	fclose(fp);
	free(buf);
}

static void test_bad_inputs(void **state)
{
	struct options o;

	assert_int_equal(options_parse(&o, 1, ARGV(NULL)), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "trace"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "-f", "xml", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--port", "65536", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--port", "0x80x", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--port", "-1", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "-b", "5", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "-b", "0", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "-p", "1", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "-o", "", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "-o"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-a", "-p", "1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-p", "0"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-p", "99999999999"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-a", "extra"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-a", "--bogus"), EXIT_USAGE);
}

static void test_formats_and_repeat(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "run", "-f", "chrome", "--repeat", "5", "--", "x"), 0);
	assert_ptr_equal(o.format, &output_chrome_ops);
	assert_int_equal(o.repeat, 5);
	assert_int_equal(PARSE(&o, "record", "-a", "-f", "csv"), 0);
	assert_ptr_equal(o.format, &output_csv_ops);
	assert_int_equal(o.repeat, 0);
	assert_int_equal(PARSE(&o, "run", "-f", "svg", "--", "x"), 0);
	assert_ptr_equal(o.format, output_find("svg"));
	assert_ptr_equal(o.format, &output_svg_ops);
	assert_int_equal(PARSE(&o, "run", "--repeat", "0", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--repeat", "10001", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "record", "-a", "--repeat", "2"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--svg", "x.svg", "--", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "run", "--threshold", "5", "--", "x"), EXIT_USAGE);
}

static void test_report_and_diff(void **state)
{
	struct options o;

	/* Files and options in any order. */
	assert_int_equal(PARSE(&o, "report", "boot.jsonl", "--svg", "b.svg"), 0);
	assert_int_equal(o.command, CMD_REPORT);
	assert_string_equal(o.files[0], "boot.jsonl");
	assert_string_equal(o.svg, "b.svg");
	assert_null(o.format);
	assert_int_equal(PARSE(&o, "report", "-f", "chrome", "-o", "b.json", "boot.jsonl"), 0);
	assert_string_equal(o.output, "b.json");
	assert_int_equal(PARSE(&o, "diff", "a.jsonl", "b.jsonl"), 0);
	assert_int_equal(o.command, CMD_DIFF);
	assert_true(o.threshold == DEFAULT_THRESHOLD);
	assert_string_equal(o.files[1], "b.jsonl");
	assert_int_equal(PARSE(&o, "diff", "--threshold", "2.5%", "a", "b"), 0);
	assert_true(o.threshold == 2.5);
	assert_int_equal(PARSE(&o, "diff", "a", "--threshold=0", "b"), 0);
	assert_true(o.threshold == 0);
	/* A run parsed after a diff still leaves COMMAND's options alone. */
	assert_int_equal(PARSE(&o, "run", "cmd", "-q"), 0);
	assert_false(o.quiet);
	assert_string_equal(o.argv[1], "-q");

	assert_int_equal(PARSE(&o, "report"), EXIT_USAGE);
	/* Several files, standard input at most once. */
	assert_int_equal(PARSE(&o, "report", "a", "b"), 0);
	assert_int_equal(o.nr_files, 2);
	assert_string_equal(o.files[1], "b");
	assert_int_equal(PARSE(&o, "report", "-", "a", "-"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", ""), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "--svg", ""), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "--port", "1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "-p", "1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "--threshold", "1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "c"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "-o", "x"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "--threshold", "-1"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "--threshold", "ten"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "--threshold", "nan"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "--threshold", ""), EXIT_USAGE);
}

/* --labels and --mmio go with --port: the commands that trace take them, the others do not. */
static void test_labels_and_mmio_per_command(void **state)
{
	struct options o;

	assert_int_equal(PARSE(&o, "record", "-a", "--port", "0xf4", "--labels", "qboot", "--mmio"),
			 0);
	assert_ptr_equal(o.port_labels[0], &label_map_qboot);
	assert_true(o.mmio);
	assert_int_equal(PARSE(&o, "daemon", "--port", "0x80", "--port", "0xf4", "--labels",
			       "qboot", "--mmio", "0xd0000000=7", "--log-file", "x.log"),
			 0);
	assert_int_equal(o.command, CMD_DAEMON);
	assert_int_equal(o.nr_ports, 2);
	assert_null(o.port_labels[0]);
	assert_ptr_equal(o.port_labels[1], &label_map_qboot);
	assert_int_equal(o.mmio_gpa, 0xd0000000);
	assert_int_equal(o.mmio_value, 7);
	assert_string_equal(o.log_file, "x.log");
	assert_int_equal(PARSE(&o, "daemon", "--mmio"), 0);
	assert_int_equal(o.mmio_gpa, BOOT_TIMER_GPA);
	assert_int_equal(
	    PARSE(&o, "run", "--repeat", "2", "--port", "0xf4", "--labels", "qboot", "--", "x"), 0);
	assert_int_equal(o.repeat, 2);

	/* report and diff read labels from the file: no maps, no --mmio (not even a bad one). */
	assert_int_equal(PARSE(&o, "report", "a", "--labels", "qboot"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "report", "a", "--mmio"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "--mmio", "0x1000", "a", "b"), EXIT_USAGE);
	assert_int_equal(PARSE(&o, "diff", "a", "b", "--labels", "/nonexistent"), EXIT_USAGE);
}

static void test_parse_ulong(void **state)
{
	unsigned long v;

	assert_int_equal(parse_ulong("0x80", 0xffff, &v), 0);
	assert_int_equal(v, 0x80);
	assert_int_equal(parse_ulong("010", 0xffff, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(parse_ulong("65535", 0xffff, &v), 0);
	assert_int_equal(parse_ulong("65536", 0xffff, &v), -ERANGE);
	assert_int_equal(parse_ulong("99999999999999999999999", ~0UL, &v), -ERANGE);
	assert_int_equal(parse_ulong("", 10, &v), -EINVAL);
	assert_int_equal(parse_ulong(NULL, 10, &v), -EINVAL);
	assert_int_equal(parse_ulong(" 1", 10, &v), -EINVAL);
	assert_int_equal(parse_ulong("+1", 10, &v), -EINVAL);
	assert_int_equal(parse_ulong("1 ", 10, &v), -EINVAL);
	assert_int_equal(parse_ulong("0x", 10, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_run_defaults),
	    cmocka_unit_test(test_run_options_and_command_options),
	    cmocka_unit_test(test_duplicate_port_counted_once),
	    cmocka_unit_test(test_labels_attach_to_the_preceding_port),
	    cmocka_unit_test(test_mmio),
	    cmocka_unit_test(test_record),
	    cmocka_unit_test(test_help_and_version),
	    cmocka_unit_test(test_usage_per_command),
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_formats_and_repeat),
	    cmocka_unit_test(test_report_and_diff),
	    cmocka_unit_test(test_labels_and_mmio_per_command),
	    cmocka_unit_test(test_parse_ulong),
	};

	/* options_parse prints its errors: keep the TAP stream readable. */
	freopen("/dev/null", "w", stderr);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
