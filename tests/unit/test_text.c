// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: names from the traced side are kept printable UTF-8 (text.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "text.h"
#include "vm_table.h"

static void check(const char *in, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	text_sanitize(buf);
	assert_string_equal(buf, want);
}

static void test_printable_names_are_kept(void **state)
{
	check("vmm-min", "vmm-min");
	check("CPU 0/KVM", "CPU 0/KVM");
	check("qemu-\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80",
	      "qemu-\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80");
	check("", "");
}

static void test_controls_and_bad_bytes_become_question_marks(void **state)
{
	check("a\nb\rc\td\x1b[31m\x7f", "a?b?c?d?[31m?");
	check("\xff\xfe", "??");
	check("ab\xe2\x82", "ab??");	   /* a character cut at the end */
	check("\xc0\xaf", "??");	   /* overlong '/' */
	check("\xed\xa0\x80", "???");	   /* a surrogate */
	check("\xf4\x90\x80\x80", "????"); /* past U+10FFFF */
	check("x\xc2\x9by", "x??y");	   /* C1 control (CSI) */
	check("\xc2\xa0ok", "\xc2\xa0ok"); /* U+00A0 is not a control */
}

static void test_utf8_seq_len(void **state)
{
	assert_int_equal(utf8_seq_len("a"), 1);
	assert_int_equal(utf8_seq_len("\xc3\xa9"), 2);
	assert_int_equal(utf8_seq_len("\xe2\x82\xac"), 3);
	assert_int_equal(utf8_seq_len("\xf0\x9f\x9a\x80"), 4);
	assert_int_equal(utf8_seq_len("\xe2\x82"), 0); /* the NUL is no continuation byte */
	assert_int_equal(utf8_seq_len("\x80"), 0);
}

/* The kernel cuts a name at 15 bytes, maybe inside a character: the VM table repairs it. */
static void test_vm_table_keeps_comm_printable(void **state)
{
	struct vm_table t;
	struct traced_vm *vm;

	vm_table_init(&t);
	vm = vm_table_get(&t, 1, 1, "aaaaaaaaaaaaaa\xe2\x82\xac");
	assert_non_null(vm);
	assert_string_equal(vm->comm, "aaaaaaaaaaaaaa?");
	vm = vm_table_get(&t, 2, 1, "x\ny");
	assert_string_equal(vm->comm, "x?y");
	vm_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_printable_names_are_kept),
	    cmocka_unit_test(test_controls_and_bad_bytes_become_question_marks),
	    cmocka_unit_test(test_utf8_seq_len),
	    cmocka_unit_test(test_vm_table_keeps_comm_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
