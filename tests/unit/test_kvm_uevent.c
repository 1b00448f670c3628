// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: KVM's VM-destroyed uevents told from every other uevent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kvm_uevent.h"

/* As the kernel sends it (kvm_uevent_notify_change()), NULs included. */
static const char destroy[] = "change@/devices/virtual/misc/kvm\0ACTION=change\0"
			      "DEVPATH=/devices/virtual/misc/kvm\0SUBSYSTEM=misc\0CREATED=3\0"
			      "COUNT=0\0EVENT=destroy\0PID=4242\0STATS_PATH=/4242-11\0SEQNUM=77\0"
			      "MAJOR=10\0MINOR=232\0DEVNAME=kvm";

static bool parse(const char *buf, size_t len, pid_t *pid)
{
	*pid = -1;
	return kvm_uevent_parse(buf, len, pid);
}

static void test_destroy_gives_the_pid(void **state)
{
	pid_t pid;

	assert_true(parse(destroy, sizeof(destroy), &pid));
	assert_int_equal(pid, 4242);
}

static void test_create_and_other_devices_are_not(void **state)
{
	static const char create[] = "change@/devices/virtual/misc/kvm\0SUBSYSTEM=misc\0"
				     "EVENT=create\0PID=4242\0DEVNAME=kvm";
	static const char other[] = "change@/devices/virtual/misc/tun\0SUBSYSTEM=misc\0"
				    "EVENT=destroy\0PID=4242\0DEVNAME=net/tun";
	static const char block[] = "add@/devices/virtual/block/loop0\0SUBSYSTEM=block\0"
				    "DEVNAME=loop0";
	pid_t pid;

	assert_false(parse(create, sizeof(create), &pid));
	assert_false(parse(other, sizeof(other), &pid));
	assert_false(parse(block, sizeof(block), &pid));
	assert_int_equal(pid, -1);
}

static void test_bad_pids_are_refused(void **state)
{
	static const char *const pids[] = {
	    "PID=", "PID=0", "PID=-1", "PID=12x", "PID=99999999999",
	};
	char buf[256];
	pid_t pid;

	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		int n = snprintf(buf, sizeof(buf),
				 "change@/kvm%cSUBSYSTEM=misc%cEVENT=destroy%c%s%c"
				 "DEVNAME=kvm",
				 0, 0, 0, pids[i], 0);

		assert_false(parse(buf, n + 1, &pid));
	}
}

/* A field cut by the end of the message is not read past it. */
static void test_unterminated_fields_are_ignored(void **state)
{
	pid_t pid;

	/* DEVNAME=kvm comes last: every prefix, even one short of its NUL, lacks a field. */
	for (size_t len = 0; len < sizeof(destroy); len++)
		assert_false(parse(destroy, len, &pid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_destroy_gives_the_pid),
	    cmocka_unit_test(test_create_and_other_devices_are_not),
	    cmocka_unit_test(test_bad_pids_are_refused),
	    cmocka_unit_test(test_unterminated_fields_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
