# Section 9 of `make bench` ("testrun"): what each of boot-trace's BPF programs costs per run,
# in the kernel, measured without a guest. Sourced by scripts/bench.sh, whose helpers (record,
# values, stats, quartiles, paired, calc, fmt, log, note) and variables (BUILD, TMP, MODE, RAW)
# it uses. Needs root and BPF run-time statistics only: no /dev/kvm, guest or peer, so it
# runs where the guest sections cannot (BENCH_SECTIONS=testrun).
#
# $BUILD/testrun (bench/testrun.c) runs boot-trace's own programs (kvm_pio_raw, kvm_entry_raw)
# and the variants of bench/bench.bpf.c (kvm_exit_tp as a raw tracepoint program; the traced
# write cut short after each step) with BPF_PROG_TEST_RUN on raw tracepoint arguments, in
# rounds that take every variant in turn. A raw tracepoint program takes no repeat count, so
# each run is one system call, timed two ways: by BPF run-time statistics (the program alone,
# plus the statistics' own clock reads) and by the wall time of the call with the statistics
# off. *Above the empty program* is the median over rounds of (variant - empty) in the same
# round: what the program's body costs.
#
#   BENCH_TESTRUN_RUNS=N    runs of each variant (default 1000000; quick 200000)
#   BENCH_TESTRUN_ROUNDS=N  rounds (default 200; quick 50)

TESTRUN=$BUILD/testrun
if [ "$MODE" = quick ]; then
	TR_RUNS=${BENCH_TESTRUN_RUNS:-200000} TR_ROUNDS=${BENCH_TESTRUN_ROUNDS:-50}
else
	TR_RUNS=${BENCH_TESTRUN_RUNS:-1000000} TR_ROUNDS=${BENCH_TESTRUN_ROUNDS:-200}
fi
TR_HEADER=""

testrun_measure() {
	local reason=""
	if [ ! -x "$TESTRUN" ]; then
		reason="$TESTRUN is missing (run: make bench, or make $TESTRUN)"
	elif [ "$(id -u)" -ne 0 ]; then
		reason="it needs root (BPF, run-time statistics)"
	fi
	if [ -n "$reason" ]; then
		log "testrun: not measured: $reason"
		note "Section 9 (testrun) not measured: $reason."
		return
	fi
	log "testrun: each BPF program $TR_RUNS times, in $TR_ROUNDS rounds (BPF_PROG_TEST_RUN)"
	"$TESTRUN" -l >"$TMP/testrun.what"
	if ! "$TESTRUN" -n "$TR_RUNS" -r "$TR_ROUNDS" >"$TMP/testrun" 2>"$TMP/testrun.err"; then
		log "testrun failed: $(tail -c 300 "$TMP/testrun.err")"
		note "Section 9 (testrun) failed: $(tail -1 "$TMP/testrun.err")."
		return
	fi
	TR_HEADER=$(sed -n 's/^# \(on CPU\)/\1/p' "$TMP/testrun")
	awk '!/^#/ { printf "testrun,%s,%s,%s,%s\n", $1, $2, $3, $4 }' "$TMP/testrun" >>"$RAW"
}

# A variant's description, from `testrun -l`.
tr_what() {
	awk -v v="$1" '$1 == v { $1 = ""; sub(/^ /, ""); print }' "$TMP/testrun.what" 2>/dev/null
}

# The median over rounds of VARIANT - BASE for METRIC, divided by DIV.
tr_added() { # VARIANT BASE METRIC [DIV]
	calc "$(paired testrun "$1" "$2" "$3" | stats | cut -d' ' -f1) / ${4:-1}"
}

# "median (p25..p75)" of VARIANT's METRIC, divided by DIV.
tr_median() { # VARIANT METRIC [DIV]
	local q
	q=$(values testrun "$1" "$2" | awk -v d="${3:-1}" '{ print $1 / d }' | quartiles)
	# shellcheck disable=SC2086
	set -- $q
	[ "$1" = NA ] && { echo "-"; return; }
	echo "$(fmt "$3") ($(fmt "$1")..$(fmt "$2"))"
}

tr_row() { # LABEL VARIANT [DIV (bytes per run: the figures are per byte)]
	local v=$2 d=${3:-1} a="-" ca="-"
	if [ "$v" != empty ]; then
		a=$(fmt "$(tr_added "$v" empty run_ns "$d")")
		ca=$(fmt "$(tr_added "$v" empty call_ns "$d")")
	fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$(tr_median "$v" run_ns "$d")" "$a" \
		"$(tr_median "$v" call_ns "$d")" "$ca" \
		"$(fmt "$(calc "$(stat_of testrun "$v" records 1) / $d")" 3)"
}

tr_step_row() { # VARIANT PREVIOUS-STEP
	# shellcheck disable=SC2016
	printf '| `%s`: %s | %s | %s | %s |\n' "$1" "$(tr_what "$1")" "$(tr_median "$1" run_ns)" \
		"$(fmt "$(tr_added "$1" empty run_ns)")" \
		"$(if [ -n "$2" ]; then fmt "$(tr_added "$1" "$2" run_ns)"; else echo "-"; fi)"
}

# The section's tables for results.md.
testrun_report() {
	local v bytes exit_all exit_other entry
	echo "## 9. In-kernel cost per run of each BPF program, without a guest (BPF_PROG_TEST_RUN)"
	echo
	if [ -z "$(values testrun empty run_ns)" ]; then
		echo "Not measured in this run (BENCH_SECTIONS, or see the notes)."
		echo
		return
	fi
	echo "\`testrun\` ([testrun.c](testrun.c)) runs each program on raw tracepoint arguments,"
	echo "$TR_RUNS times, in $TR_ROUNDS rounds that take every variant in turn ($TR_HEADER). A raw"
	echo "tracepoint program takes no repeat count: each run is one BPF_PROG_TEST_RUN call. *ns"
	echo "per run*: BPF run-time statistics, median over rounds (interquartile range): the"
	echo "program, plus the statistics' own two clock reads (the empty program's figure). *ns per"
	echo "call*: wall time of the system call with the statistics off (the median block of each"
	echo "round). *Above the empty program*: median over rounds of (variant − empty) in the same"
	echo "round, what the program's body costs. Programs loaded as the daemon loads them (port"
	echo "0x80, a 2 MiB ring buffer, every process), the console variants with \`--console 0x3f8\`."
	echo "In a test run no vCPU is loaded on the thread, so \`kvm_pio_raw\` identifies every write"
	echo "by its slow path, without the vCPU read and VM lookup (the thread is not in the vCPU"
	echo "cache); the steps table below has the cached identity of a flood."
	echo
	echo "| program: input | ns per run (statistics) | above the empty program | ns per call (statistics off) | above the empty program | ring records per run |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for v in empty pio-untraced-port pio-untraced-port-high pio-port-in pio-untraced-port-console \
		pio-untraced-port-awaiting pio-traced-write pio-traced-write-rip pio-traced-write-wakeup; do
		tr_row "\`$v\`: $(tr_what "$v")" "$v"
	done
	tr_row "\`pio-console-byte\`: $(tr_what pio-console-byte) (the kernel's banner), a byte within it" \
		pio-console-byte-midline
	tr_row "\`pio-console-byte\`: its LF (the line is sent)" pio-console-byte-lineend
	tr_row "\`pio-console-byte\`: per byte of that line (its bytes, then its LF)" pio-console-byte
	bytes=$(stat_of testrun pio-console-string bytes 1)
	tr_row "\`pio-console-string\`: $(tr_what pio-console-string), per write" pio-console-string
	tr_row "\`pio-console-string\`: per byte ($(fmt "$bytes") bytes)" pio-console-string "$bytes"
	for v in entry-steady entry-awaiting; do
		tr_row "\`$v\`: $(tr_what "$v")" "$v"
	done
	echo
	echo "\`kvm_exit_tp\` (\`--rip\`) is a classic tracepoint program, which test runs do not run: its"
	echo "body as a raw tracepoint program ([bench.bpf.c](bench.bpf.c)), on (vCPU, RIP) arguments:"
	echo
	echo "| program: input | ns per run (statistics) | above the empty program | ns per call (statistics off) | above the empty program | ring records per run |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for v in exit-all exit-filtered-other exit-filtered-traced exit-all-read-rip; do
		tr_row "\`$v\`: $(tr_what "$v")" "$v"
	done
	echo
	echo "Where a traced write's time goes: kvm_pio_raw's traced one-byte write cut short after"
	echo "each step ([bench.bpf.c](bench.bpf.c), on the real object's maps and functions), the"
	echo "thread in the vCPU cache as in a flood (but for the first two rows). *The step adds*: the"
	echo "median over rounds of (this step − the one before) in the same round."
	echo
	echo "| step | ns per run (statistics) | above the empty program | the step adds |"
	echo "| --- | --- | --- | --- |"
	tr_step_row step-port-before-note ""
	tr_step_row step-port-untraced-thread step-port-before-note
	tr_step_row step-port step-port-before-note
	tr_step_row step-identity-slow step-port
	tr_step_row step-identity step-port
	tr_step_row step-value step-identity
	tr_step_row step-reserve step-value
	tr_step_row step-stamp step-reserve
	tr_step_row step-fill step-stamp
	tr_step_row step-submit step-fill
	tr_step_row step-wakeup step-submit
	tr_step_row clock-once empty
	tr_step_row clock-twice clock-once
	echo
	exit_all=$(tr_added exit-all empty run_ns)
	exit_other=$(tr_added exit-filtered-other empty run_ns)
	entry=$(tr_added entry-steady empty run_ns)
	echo "Per exit, on a host where kvm:kvm_exit and kvm:kvm_entry fire on every exit and entry:"
	echo "\`--rip\` runs kvm_exit_tp's body on every exit of every guest, $(fmt "$exit_all") ns above"
	echo "an empty program here under the daemon ($(fmt "$exit_other") ns for another process's exit"
	echo "under \`-p\`), plus what its classic tracepoint costs before the program runs (the"
	echo "record's assembly: not in a test run). \`--phases\` runs kvm_entry_raw on every entry:"
	echo "$(fmt "$entry") ns above an empty program once no VM awaits its first entry."
	echo
}
