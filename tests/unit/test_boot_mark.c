// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: boot-mark's command line (codes, range names, ports, methods). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "mark_args.h"

#define ARGV(...) ((char *[]){"boot-mark", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"boot-mark", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(args, err, ...)                                                                      \
	mark_args_parse(args, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

static void test_codes(void **state)
{
	static const struct {
		const char *arg;
		uint8_t code;
	} cases[] = {
	    {"0", 0x00},	   {"96", 0x60},
	    {"0x60", 0x60},	   {"0xff", 0xff},
	    {"255", 0xff},	   {"firmware", 0x00},
	    {"bootloader", 0x20},  {"kernel", 0x40},
	    {"userspace", 0x60},   {"custom", 0x80},
	    {"Userspace", 0x60},   {"KERNEL+1", 0x41},
	    {"userspace+3", 0x63}, {"userspace+0x1f", 0x7f},
	    {"firmware+31", 0x1f}, {"custom+127", 0xff},
	    {"kernel+0", 0x40},
	};
	char err[256];
	uint8_t code;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		code = 0xaa;
		assert_int_equal(mark_parse_code(cases[i].arg, &code, err, sizeof(err)), 0);
		assert_int_equal(code, cases[i].code);
	}
}

static void test_bad_codes(void **state)
{
	static const struct {
		const char *arg, *error;
	} cases[] = {
	    {"256", "invalid code '256': expected 0..255 (e.g. 0x60) or firmware, bootloader, "
		    "kernel, userspace, custom, optionally +N"},
	    {"-1", "invalid code '-1': expected 0..255 (e.g. 0x60) or firmware, bootloader, "
		   "kernel, userspace, custom, optionally +N"},
	    {"0x", "invalid code '0x': expected 0..255 (e.g. 0x60) or firmware, bootloader, "
		   "kernel, userspace, custom, optionally +N"},
	    {"init", "invalid code 'init': expected 0..255 (e.g. 0x60) or firmware, bootloader, "
		     "kernel, userspace, custom, optionally +N"},
	    {"user", "invalid code 'user': expected 0..255 (e.g. 0x60) or firmware, bootloader, "
		     "kernel, userspace, custom, optionally +N"},
	    {"", "invalid code '': expected 0..255 (e.g. 0x60) or firmware, bootloader, kernel, "
		 "userspace, custom, optionally +N"},
	    {"userspace+32", "'userspace+32' is past the userspace range 0x60-0x7f (offsets "
			     "0..31)"},
	    {"custom+128", "'custom+128' is past the custom range 0x80-0xff (offsets 0..127)"},
	    {"kernel+", "invalid offset in 'kernel+': expected kernel+N with N a number"},
	    {"kernel+-1", "invalid offset in 'kernel+-1': expected kernel+N with N a number"},
	    {"kernel+1x", "invalid offset in 'kernel+1x': expected kernel+N with N a number"},
	    {"kernel+99999999999999999999999", "invalid offset in "
					       "'kernel+99999999999999999999999': expected "
					       "kernel+N with N a number"},
	};
	char err[256];
	uint8_t code;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(mark_parse_code(cases[i].arg, &code, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].error);
	}
}

static void test_options(void **state)
{
	struct mark_args a;
	char err[256];

	assert_int_equal(PARSE(&a, err, "userspace"), 0);
	assert_int_equal(a.port, 0x80);
	assert_int_equal(a.code, 0x60);
	assert_int_equal(a.method, MARK_IOPERM);
	assert_false(a.dry_run);
	assert_false(a.help);

	assert_int_equal(PARSE(&a, err, "-p", "0xf4", "-d", "-n", "7"), 0);
	assert_int_equal(a.port, 0xf4);
	assert_int_equal(a.code, 7);
	assert_int_equal(a.method, MARK_DEV_PORT);
	assert_true(a.dry_run);
	assert_int_equal(PARSE(&a, err, "--port=245", "--dev-port", "--dry-run", "kernel"), 0);
	assert_int_equal(a.port, 245);
	assert_int_equal(PARSE(&a, err, "--port", "0x402", "--", "0x10"), 0);
	assert_int_equal(a.port, 0x402);
	assert_int_equal(a.code, 0x10);
	assert_int_equal(PARSE(&a, err, "--help"), 0);
	assert_true(a.help);
	assert_int_equal(PARSE(&a, err, "bogus", "-h"), 0); /* help wins over a bad code */
	assert_true(a.help);
}

static void test_bad_options(void **state)
{
	struct mark_args a;
	char err[256];

	assert_int_equal(mark_args_parse(&a, 1, ARGV(NULL), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing CODE (e.g. boot-mark 0x60, boot-mark userspace+3)");
	assert_int_equal(PARSE(&a, err, "-n"), -EINVAL);
	assert_string_equal(err, "missing CODE (e.g. boot-mark 0x60, boot-mark userspace+3)");
	assert_int_equal(PARSE(&a, err, "0x60", "0x61"), -EINVAL);
	assert_string_equal(err, "unexpected argument '0x61': one CODE only");
	assert_int_equal(PARSE(&a, err, "-x", "0x60"), -EINVAL);
	assert_string_equal(err, "unknown option '-x'");
	assert_int_equal(PARSE(&a, err, "0x60", "-p"), -EINVAL);
	assert_string_equal(err, "option '-p' needs a value");
	assert_int_equal(PARSE(&a, err, "-p", "0x10000", "0x60"), -EINVAL);
	assert_string_equal(err, "invalid port '0x10000': expected 0..0xffff");
	assert_int_equal(PARSE(&a, err, "--port=", "0x60"), -EINVAL);
	assert_string_equal(err, "invalid port '': expected 0..0xffff");
	assert_int_equal(PARSE(&a, err, "kernel+40"), -EINVAL);
	assert_string_equal(err, "'kernel+40' is past the kernel range 0x40-0x5f (offsets 0..31)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codes),
	    cmocka_unit_test(test_bad_codes),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
