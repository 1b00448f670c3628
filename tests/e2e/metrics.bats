#!/usr/bin/env bats
# The daemon's metrics file (--metrics-dir): what Prometheus' own checker says of it, with
# zeros (a daemon without a guest) and with real content (VMs fed to the writer by the unit
# test tests/unit/test_prom.c, no KVM needed), and that its series stay bounded.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
}

# promtool (Debian: prometheus) checks the text format and its naming rules. Missing: a failure
# under CI=true (scripts/install-deps.sh installs it), a skip elsewhere.
require_promtool() {
	if ! command -v promtool >/dev/null; then
		[ "${CI:-}" = true ] && { echo "CI=true but promtool is missing (apt-get install prometheus)" >&2; return 1; }
		skip "promtool is missing (Debian package prometheus)"
	fi
}

# `promtool check metrics` on file $1: silent, status 0.
promtool_accepts() {
	run --separate-stderr promtool check metrics <"$1"
	echo "promtool on $1: status $status: $output $stderr" >&2
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

# The metrics writer's unit test, with its files kept in $OUT/prom/{boots,cap}.
unit_files() {
	local unit="$BUILD/tests/test_prom"
	if [ ! -x "$unit" ]; then
		[ "${CI:-}" = true ] && { echo "CI=true but $unit is not built" >&2; return 1; }
		skip "$unit is not built (make test builds it)"
	fi
	mkdir -p "$OUT/prom"
	BT_PROM_DIR="$OUT/prom" "$unit" >"$OUT/unit.out" 2>&1 || { cat "$OUT/unit.out" >&2; return 1; }
}

@test "metrics of a daemon without a guest: promtool accepts the zeros, every loss is there" {
	require_bpf
	require_promtool
	"$BT" daemon --lock "$OUT/lock" --log-file "$OUT/log" --metrics-dir "$OUT" 2>"$OUT/err" &
	BG=$!
	PIDS="$BG"
	wait_for_line "$OUT/err" "daemon tracing"
	promtool_accepts "$OUT/boot_trace.prom" # the one written at start
	kill -TERM "$BG"
	wait "$BG"
	promtool_accepts "$OUT/boot_trace.prom" # the final one
	grep -q '^boot_trace_dropped_events_total 0$' "$OUT/boot_trace.prom"
	for kind in dropped string_lost lifecycle_dropped malformed map_full; do
		grep -q "^boot_trace_losses_total{kind=\"$kind\"} 0\$" "$OUT/boot_trace.prom"
	done
	grep -q '^boot_trace_reopen_failures_total 0$' "$OUT/boot_trace.prom"
	# Every family is declared, even before its first VM.
	for family in stage_start_seconds stage_start_by_concurrency_seconds \
		time_to_userspace_seconds time_to_userspace_by_concurrency_seconds \
		last_boot_info last_boot_stage_seconds last_boot_time_to_userspace_seconds \
		console_lines_total io_delay_writes_total; do
		grep -q "^# TYPE boot_trace_$family " "$OUT/boot_trace.prom"
	done
}

@test "metrics with real content: promtool accepts boots at once, many labels, odd comms" {
	require_promtool
	unit_files
	promtool_accepts "$OUT/prom/boots/boot_trace.prom"
	promtool_accepts "$OUT/prom/cap/boot_trace.prom"
	promtool_accepts "$OUT/prom/console/boot_trace.prom"
}

@test "metrics: concurrency label, last boot gauges, stage names capped per comm" {
	unit_files
	local f="$OUT/prom/boots/boot_trace.prom" g="$OUT/prom/cap/boot_trace.prom"
	grep -q '^boot_trace_stage_start_by_concurrency_seconds_count{comm="vmm-min",stage="Userspace",concurrency="2-3"} 1$' "$f"
	grep -q '^boot_trace_stage_start_by_concurrency_seconds_count{comm="vmm-min",stage="Userspace",concurrency="1"} 2$' "$f"
	# The families that were there before keep their labels.
	grep -q '^boot_trace_stage_start_seconds_count{comm="vmm-min",stage="Userspace"} 3$' "$f"
	grep -q '^boot_trace_last_boot_info{comm="vmm-min",pid="300",vm="3",complete="true"} 1$' "$f"
	grep -q '^boot_trace_last_boot_time_to_userspace_seconds{comm="vmm-min"} 0.010000000$' "$f"
	# 100 label names: the debug port's five, 27 of the file, "other".
	[ "$(grep -c '^boot_trace_stage_start_seconds_count{comm="many-labels"' "$g")" -eq 33 ]
	grep -q '^boot_trace_stage_start_seconds_count{comm="many-labels",stage="other"} 146$' "$g"
	[ "$(grep -c '^boot_trace_last_boot_info{' "$g")" -eq 2 ] # one per comm
}

@test "metrics of console guests: lines and I/O delays counted, rule stages and VMM set-up" {
	unit_files
	local f="$OUT/prom/console/boot_trace.prom"
	grep -q '^boot_trace_console_lines_total{comm="qemu-system-x86"} 12$' "$f"
	grep -q '^boot_trace_io_delay_writes_total{comm="qemu-system-x86"} 2$' "$f"
	grep -q '^boot_trace_stage_start_seconds_count{comm="qemu-system-x86",stage="Ready"} 2$' "$f"
	# VMM set-up begins before the VM's creation: observed at 0 s, not at a wrapped stamp.
	grep -q '^boot_trace_stage_start_seconds_sum{comm="qemu-system-x86",stage="VMM set-up"} 0.000000000$' "$f"
	grep -q '^boot_trace_last_boot_stage_seconds{comm="qemu-system-x86",stage="VMM set-up"} ' "$f"
	[ "$(grep -c 'stage="I/O delay"' "$f")" -eq 0 ]
	# Comms without a console get the counters at 0 (series do not appear out of nowhere).
	grep -q '^boot_trace_console_lines_total{comm="vmm-min"} 0$' "$OUT/prom/boots/boot_trace.prom"
}
