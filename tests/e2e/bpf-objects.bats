#!/usr/bin/env bats
# boot-trace's two BPF objects (bpf/writes.bpf.c, bpf/lifecycle.bpf.c) run on one set of maps:
# the lifecycle object reads the writes object's .rodata and .bss at its own offsets. The build
# refuses objects that lay that data out differently (scripts/check-shared-data.sh). And bench's
# testrun, which includes both sources, must still build and run.

load common

setup() {
	OUT="$BATS_TEST_TMPDIR"
	CHECK="$ROOT/scripts/check-shared-data.sh"
}

# A BPF object of the given global variables (C declarations).
bpf_object() {
	printf '%s\n' "$2" >"$OUT/$1.c"
	clang -g -O2 -target bpf -c "$OUT/$1.c" -o "$OUT/$1.o"
}

@test "the built objects lay their global data out alike, and it is not empty" {
	run "$CHECK" "$BUILD/bpf/writes.bpf.o" "$BUILD/bpf/lifecycle.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	# Both have the configuration and the globals: the check compared something.
	for obj in writes lifecycle; do
		llvm-objdump -t "$BUILD/bpf/$obj.bpf.o" | grep -q ' \.rodata.* trace_ports$'
		llvm-objdump -t "$BUILD/bpf/$obj.bpf.o" | grep -q ' \.bss.* reader_idle$'
	done
}

@test "objects with globals in another order, one more, or other initial bytes are refused" {
	bpf_object a 'const volatile int x = 1; const volatile int y = 2; int z;'
	bpf_object same 'const volatile int x = 1; const volatile int y = 2; int z;'
	bpf_object swapped 'const volatile int y = 2; const volatile int x = 1; int z;'
	bpf_object more 'const volatile int x = 1; const volatile int y = 2; int z; int w;'
	# The second object's programs would read the first one's bytes.
	bpf_object values 'const volatile int x = 1; const volatile int y = 3; int z;'

	run "$CHECK" "$OUT/a.o" "$OUT/same.o"
	[ "$status" -eq 0 ]
	for other in swapped more values; do
		run "$CHECK" "$OUT/a.o" "$OUT/same.o" "$OUT/$other.o"
		echo "$output"
		[ "$status" -eq 1 ]
		[[ "${lines[0]}" == "error: $OUT/$other.o lays out its global data unlike $OUT/a.o"* ]]
	done
	[[ "$output" == *"0000 01000000 03000000"* ]]
	# A tool that cannot read the objects fails the check instead of comparing nothing.
	OBJDUMP=false run "$CHECK" "$OUT/a.o" "$OUT/same.o"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot read $OUT/a.o"* ]]
}

# make bench's testrun section (bench/testrun.c) runs the real programs and the step variants
# of bench/bench.bpf.c, which includes both objects' sources: it must build and run with them.
@test "bench's testrun loads every variant and runs it: a traced write is one record, others none" {
	require_bpf
	[ -x "$BUILD/testrun" ] || { echo "no $BUILD/testrun: make $BUILD/testrun" >&2; false; }
	run "$BUILD/testrun" -r 1 -n 1000
	echo "$output"
	[ "$status" -eq 0 ]
	# Every variant ran (a console-byte run also gives its mid-line and line-end figures).
	"$BUILD/testrun" -l | awk '{ print $1 }' >"$OUT/variants"
	[ "$(wc -l <"$OUT/variants")" -ge 20 ]
	# shellcheck disable=SC2013 # one name a line
	for v in $(cat "$OUT/variants"); do
		grep -q "^$v 1 run_ns [0-9]" <<<"$output" || { echo "no run of $v"; false; }
	done
	grep -qx 'pio-traced-write 1 records 1.00' <<<"$output"
	grep -qx 'pio-untraced-port 1 records 0.00' <<<"$output"
	grep -qx 'entry-steady 1 records 0.00' <<<"$output"
	grep -qx 'pio-console-string 1 bytes 125.00' <<<"$output"
}
