#!/usr/bin/env bats
# The short fuzz pass of `make test`: each libFuzzer target (tests/fuzz/fuzz_*.c) runs over its
# seed corpus, regression inputs of fixed bugs included, then mutates for FUZZ_SECONDS
# (default 5). `make fuzz` runs them longer (FUZZ_SECONDS, default 60).

load ../e2e/common

fuzz() {
	FUZZ_BIN="$BUILD/fuzz/fuzz_$1"
	if [ ! -x "$FUZZ_BIN" ]; then
		[ "${CI:-}" = true ] && { echo "CI=true but $FUZZ_BIN is not built" >&2; return 1; }
		skip "not built ($FUZZ_BIN): make fuzz-build (needs clang and libclang-rt-14-dev)"
	fi
	run "$ROOT/scripts/fuzz.sh" "$FUZZ_BIN" "${FUZZ_SECONDS:-5}" "$BATS_TEST_TMPDIR/work" \
		"$BATS_TEST_TMPDIR/artifacts"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "fuzz $1: "*" no crash "* ]]
}

@test "fuzz: event decoder (raw ring-buffer records into every writer)" {
	fuzz decoder
}

@test "fuzz: jsonl reader (report/diff input, replayed into every writer)" {
	fuzz jsonl
}

@test "fuzz: boot-trace command line" {
	fuzz options
}

@test "fuzz: label files (--labels FILE)" {
	fuzz labels
}

@test "fuzz: vmm-min command line and guest image" {
	fuzz vmm_args
}

@test "fuzz: vmm-min port-I/O and MMIO exits" {
	fuzz vmm_io
}
