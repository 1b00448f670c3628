#!/usr/bin/env bats
# The kernel side's console line assembly (bpf/writes.bpf.c) without a guest: the real
# kvm_pio_raw program, loaded through the verifier and run by BPF_PROG_TEST_RUN with the
# arguments kvm:kvm_pio gives it, its records read back from its ring buffer and its
# console_lines map (tests/bpf/console_testrun.c: one "ok CASE" line per case). Needs root and
# BPF, not KVM: it runs on a host without /dev/kvm.

load common

setup() {
	require_bpf
	RUNNER="$BUILD/tests/console_testrun"
	[ -x "$RUNNER" ] || { echo "no $RUNNER: make $BUILD/tests/console_testrun" >&2; return 1; }
}

@test "console lines assembled in the kernel: every case of console_testrun" {
	run "$RUNNER"
	echo "$output"
	[ "$status" -eq 0 ]
	# Every case ran and passed.
	cases=$(sed -n 's/^# \([0-9]*\) cases, 0 failed$/\1/p' <<<"$output")
	[ -n "$cases" ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$cases" ]
}

@test "console_testrun's checks are not vacuous: wrong expected texts fail" {
	run "$RUNNER" --expect-wrong
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q '^not ok lf: record 0: "hello" (5 bytes), not "Hello" (5)$' <<<"$output"
	grep -q '^not ok ansi: ' <<<"$output"
}
