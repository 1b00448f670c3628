// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: command lines as the kernel or /proc give them, made printable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "procfs.h"

static void test_arguments_joined_by_spaces(void **state)
{
	static const char args[] = "qemu-system-x86_64\0-m\0"
				   "64\0";
	char out[64];

	cmdline_printable(out, sizeof(out), args, sizeof(args) - 1);
	assert_string_equal(out, "qemu-system-x86_64 -m 64");
}

static void test_control_characters_replaced(void **state)
{
	static const char args[] = "vmm\0a\nb\x1b[31m\x7f";
	char out[64];

	cmdline_printable(out, sizeof(out), args, sizeof(args) - 1);
	assert_string_equal(out, "vmm a?b?[31m?");
}

static void test_cut_to_the_destination(void **state)
{
	static const char args[] = "abcdefgh\0ijk";
	char out[6];

	cmdline_printable(out, sizeof(out), args, sizeof(args) - 1);
	assert_string_equal(out, "abcde");
}

static void test_in_place_and_empty(void **state)
{
	char buf[16] = "a\0b\0\0\0";

	cmdline_printable(buf, sizeof(buf), buf, 6);
	assert_string_equal(buf, "a b");
	cmdline_printable(buf, sizeof(buf), buf, 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arguments_joined_by_spaces),
	    cmocka_unit_test(test_control_characters_replaced),
	    cmocka_unit_test(test_cut_to_the_destination),
	    cmocka_unit_test(test_in_place_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
