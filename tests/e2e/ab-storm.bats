#!/usr/bin/env bats
# run --ab (an interleaved A/B gate on paired boots) and run --parallel (boot storms, a sweep
# over the boots at once). The guest tests boot vmm-min's demo guest for real (its second
# --arg stretches the Kernel stage only: a real regression); without /dev/kvm they skip. The
# others run anywhere BPF does: their commands boot no VM, and the result says so.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
	DEMO=("$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin")
	# 200000 kilo-cycles of extra work after each Kernel code: ~40 times the stage's length.
	SLOWED=("$VMM" --timeout 60 --serial /dev/null --arg 2000 --arg 200000 "$GUESTS/demo.bin")
}

# A test that failed while boot-trace ran in the background leaves nothing behind.
teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
}

# The runs of a jsonl file written by a series: one clock record each.
runs_in() {
	jq -c 'select(.type == "clock")' "$1" | wc -l
}

# ---- guests: real boots --------------------------------------------------------------------

@test "ab: a guest slowed in its Kernel stage fails the gate; both series diff alike" {
	require_guest
	cd "$OUT"
	run --separate-stderr "$BT" run --repeat 10 --ab -o ab.jsonl -- "${DEMO[@]}" -- "${SLOWED[@]}"
	echo "$stderr"
	[ "$status" -eq 1 ]
	grep -q "^boot-trace: A/B: 10 pairs, booted A B A B \.\.\.$" <<<"$stderr"
	# Each command as given; format_command() cuts one past 255 bytes with "..." (a long
	# build path), so the guest's path may not be whole.
	grep -q "^boot-trace: A: $VMM --timeout 60 --serial /dev/null \($GUESTS/demo.bin\|.*\.\.\.\) -> ab.A.jsonl$" <<<"$stderr"
	grep -q "^boot-trace: B: $VMM --timeout 60 --serial /dev/null --arg 2000 --arg 200000 \($GUESTS/demo.bin\|.*\.\.\.\) -> ab.B.jsonl$" <<<"$stderr"
	[ "$(grep -Ec '^boot-trace: pair ([1-9]|10)/10: time to Userspace A [0-9.]+ s, B [0-9.]+ s$' <<<"$stderr")" -eq 10 ]
	! grep -q 'dropped' <<<"$stderr" || false
	grep -q '^boot-trace: 10 pairs compared (Wilcoxon signed-rank, one-sided, paired: B - A); a stage fails when p < 0.01 and B is more than 10% slower$' <<<"$stderr"
	# Every pair's Kernel is slower: W+ is the total, p = 1/2^10 exactly; the interval of
	# the median difference ([d(2), d(9)]) above 0.
	grep -Eq '^  Kernel +10 +[0-9.]+ +[0-9.]+ +\+[0-9.]+ +\+[0-9.]+% +\[\+[0-9.]+%, \+[0-9.]+%\] +0\.0010  SLOWER$' <<<"$stderr"
	grep -Eq '^  time to Userspace +10 .* 0\.0010  SLOWER$' <<<"$stderr"
	# Before the stretch nothing differs but noise: the stages up to the Kernel pass.
	grep -Eq '^  Firmware +10 .*[0-9]$' <<<"$stderr"
	grep -Eq '^  Bootloader +10 .*[0-9]$' <<<"$stderr"
	grep -q '^boot-trace: B slower (p < 0.01, by more than 10%): .*Kernel' <<<"$stderr"
	[ -z "$output" ]
	# Both series, each run concatenated: diff reads them (unpaired, Mann-Whitney) and agrees.
	for side in A B; do
		[ "$(runs_in "ab.$side.jsonl")" -eq 10 ]
		[ "$(jq -c 'select(.type == "vm_start")' "ab.$side.jsonl" | wc -l)" -eq 10 ]
	done
	run "$BT" diff ab.A.jsonl ab.B.jsonl
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Eq '^  Kernel +10 +10 .*  SLOWER$' <<<"$output"
	# The same gate with B as the base: nothing got slower.
	run --separate-stderr "$BT" run -q --repeat 7 --ab -- "${SLOWED[@]}" -- "${DEMO[@]}"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "ab: the same guest as A and B passes the gate" {
	require_guest
	run --separate-stderr "$BT" run --repeat 10 --ab -- "${DEMO[@]}" -- "${DEMO[@]}"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q '^boot-trace: 10 pairs compared ' <<<"$stderr"
	grep -Eq '^  Kernel +10 +[0-9.]+ +[0-9.]+ +[-+][0-9.]+ +[-+][0-9.]+% +\[[-+][0-9.]+%, [-+][0-9.]+%\] +[01]\.[0-9]{4}$' <<<"$stderr"
	! grep -q 'SLOWER\|too few\|dropped\|no verdict' <<<"$stderr" || false
	grep -q '^boot-trace: no stage of B significantly slower (p < 0.01) by more than 10%$' <<<"$stderr"
}

@test "ab: a pair with a failed boot is dropped and said; the others decide" {
	require_guest
	# B fails its third run (status 3, no VM), then boots again.
	cat >"$OUT/flaky.sh" <<EOF
#!/bin/sh
n=\$(cat "$OUT/count" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$OUT/count"
[ "\$n" -ne 2 ] || exit 3
exec $VMM --timeout 60 --serial /dev/null $GUESTS/demo.bin
EOF
	chmod +x "$OUT/flaky.sh"
	run --separate-stderr "$BT" run -q --repeat 8 --ab -- "${DEMO[@]}" -- "$OUT/flaky.sh"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/count")" -eq 8 ]
	# With -q: the dropped pair only, and the count.
	[ "$stderr" = "boot-trace: pair 3/8 dropped: B: status 3
boot-trace: dropped 1 of 8 pairs (a failed, incomplete or lossy boot, or not one VM)" ]
	rm "$OUT/count"
	run --separate-stderr "$BT" run --repeat 8 --ab -- "${DEMO[@]}" -- "$OUT/flaky.sh"
	echo "$stderr"
	grep -q '^boot-trace: pair 3/8 dropped: B: status 3$' <<<"$stderr"
	grep -q '^boot-trace: 7 pairs compared ' <<<"$stderr"
	grep -Eq '^  Kernel +7 ' <<<"$stderr"
}

@test "parallel: K boots at once, in waves, their VMs overlapping; one file per K" {
	require_guest
	cd "$OUT"
	# Long enough steps that a wave's two boots cannot miss each other.
	run --separate-stderr "$BT" run --repeat 4 --parallel 2 -o storm.jsonl -- "$VMM" --timeout 60 \
		--serial /dev/null --arg "$(slow 20000)" "$GUESTS/demo.bin"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -Ec '^boot-trace: K=2 wave [12]/2: status 0, 2 VMs in [0-9.]+ s -> storm\.k2\.jsonl$' <<<"$stderr")" -eq 2 ]
	grep -q '^boot-trace: 4 boots, 2 at once (2 waves), 4 boots with codes$' <<<"$stderr"
	# The --repeat table over the 4 boots.
	grep -Eq '^  stage +n +min \(s\) +p50 \(s\) +p90 \(s\) +p99 \(s\) +max \(s\) +mean \(s\) +stddev \(s\) +cv$' <<<"$stderr"
	for stage in Firmware Bootloader Kernel Userspace "time to Userspace"; do
		grep -Eq "^  $stage +4 +[0-9.]+ " <<<"$stderr"
	done
	# Two runs in the file (the waves), each with two VMs whose lives overlap.
	[ "$(runs_in storm.k2.jsonl)" -eq 2 ]
	python3 - storm.k2.jsonl <<'PY'
import json, sys
runs = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "clock":
        runs.append({})
    elif r["type"] == "vm_start":
        runs[-1][(r["pid"], r["vm"])] = [r["ts_ns"], None]
    elif r["type"] == "vm_end":
        runs[-1][(r["pid"], r["vm"])][1] = r["ts_ns"]
assert len(runs) == 2, runs
for run in runs:
    assert len(run) == 2, run
    (s1, e1), (s2, e2) = run.values()
    assert max(s1, s2) < min(e1, e2), run
PY
}

@test "parallel sweep: p50 and p90 per K, their growth, and a chart" {
	require_guest
	cd "$OUT"
	run --separate-stderr "$BT" run -q --repeat 2 --parallel 1,2 --svg sweep.svg -- "${DEMO[@]}"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q '^boot-trace: K=1: 2 boots with codes$' <<<"$stderr"
	grep -q '^boot-trace: K=2: 2 boots with codes$' <<<"$stderr"
	grep -q '^boot-trace: sweep of boots at once (K), 2 boots for each, in waves of K; growth against K=1$' <<<"$stderr"
	grep -Eq '^  Kernel +1 +2 +[0-9.]+ +[0-9.]+ +1\.00x +1\.00x$' <<<"$stderr"
	grep -A1 -E '^  Kernel +1 ' <<<"$stderr" | grep -Eq '^ +2 +2 +[0-9.]+ +[0-9.]+ +[0-9.]+x +[0-9.]+x$'
	grep -Eq '^  time to Userspace +1 +2 ' <<<"$stderr"
	# A panel per stage and one for the time to Userspace, a point per K in each.
	xmllint --noout sweep.svg
	count() { xmllint --xpath "count($1)" sweep.svg; }
	[ "$(count "//*[local-name()='g'][@class='panel']")" -eq 6 ]
	[ "$(count "//*[local-name()='g'][@data-stage='Kernel']/*[local-name()='circle']")" -eq 2 ]
	[ "$(count "//*[local-name()='circle']")" -eq 12 ]
}

# ---- anywhere BPF runs: commands that boot no VM -------------------------------------------

@test "ab --timeout: a B that hangs where A ends fails the gate (1), not only its pairs dropped" {
	require_bpf
	run --separate-stderr "$BT" run -q --repeat 7 --ab --timeout 0.3 -- true -- sleep 300
	[ "$status" -eq 1 ]
	[ "$(grep -c "dropped: A: no VM wrote boot codes" <<<"$stderr")" -eq 7 ]
	[[ "$stderr" == *"boot-trace: B still running at --timeout in 7 pairs where A ended: B slower" ]]
	# Both hang alike: no regression of B, no verdict.
	run --separate-stderr "$BT" run -q --repeat 7 --ab --timeout 0.2 -- sleep 300 -- sleep 300
	[ "$status" -eq 2 ]
	[[ "$stderr" != *"B slower"* ]]
}

@test "ab: commands that boot no VM: every pair dropped and said, no verdict (2)" {
	require_bpf
	cd "$OUT"
	run --separate-stderr "$BT" run --repeat 7 --ab -o ab.jsonl -- true -- sh -c 'exit 0'
	echo "$stderr"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: A/B: 7 pairs, booted A B A B ...
boot-trace: A: true -> ab.A.jsonl
boot-trace: B: sh -c 'exit 0' -> ab.B.jsonl
$(for i in 1 2 3 4 5 6 7; do echo "boot-trace: pair $i/7 dropped: A: no VM wrote boot codes"; done)
boot-trace: dropped 7 of 7 pairs (a failed, incomplete or lossy boot, or not one VM)
boot-trace: no boots: neither command started a VM that wrote boot codes: no verdict" ]
	[ -z "$output" ]
	# Every run is in its side's file (no boot in any): diff finds nothing to compare.
	[ "$(runs_in ab.A.jsonl)" -eq 7 ]
	[ "$(runs_in ab.B.jsonl)" -eq 7 ]
	[ "$(jq -c 'select(.type == "summary" and .events == 0)' ab.B.jsonl | wc -l)" -eq 7 ]
	run --separate-stderr "$BT" diff ab.A.jsonl ab.B.jsonl
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: ab.A.jsonl: no boot codes to compare" ]
	# A side that fails is named with its status; -q keeps what was dropped.
	run --separate-stderr "$BT" run -q --repeat 7 --ab -- sh -c 'exit 3' -- true
	[ "$status" -eq 2 ]
	[ "$(grep -c '^boot-trace: pair [1-7]/7 dropped: A: status 3$' <<<"$stderr")" -eq 7 ]
	[ "$(wc -l <<<"$stderr")" -eq 9 ]
}

@test "ab: a command that cannot be run stops the series: no verdict (2)" {
	require_bpf
	run --separate-stderr "$BT" run -q --repeat 7 --ab -- true -- "$OUT/missing-vmm" --x
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: cannot run '$OUT/missing-vmm': No such file or directory
boot-trace: stopped at pair 1 of 7: no verdict" ]
}

@test "parallel: K copies at once, waves, one file per K; a failing copy stops the series" {
	require_bpf
	cd "$OUT"
	# Three copies at once: all three start before any ends.
	run --separate-stderr "$BT" run --repeat 3 --parallel 3 -- sh -c \
		"echo start >>$OUT/log; sleep 1; echo end >>$OUT/log"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <"$OUT/log")" = "start start start end end end " ]
	grep -Eq '^boot-trace: K=3 wave 1/1: status 0, 0 VMs in [0-9.]+ s$' <<<"$stderr"
	grep -q '^boot-trace: 3 boots, 3 at once (1 wave), 0 boots with codes$' <<<"$stderr"
	# Waves of 2, each K's runs in its own file.
	run --separate-stderr "$BT" run --repeat 4 --parallel 1,2 -o st.jsonl -- true
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -Ec '^boot-trace: K=1 wave [1-4]/4: status 0, 0 VMs in [0-9.]+ s -> st\.k1\.jsonl$' <<<"$stderr")" -eq 4 ]
	[ "$(grep -Ec '^boot-trace: K=2 wave [12]/2: status 0, 0 VMs in [0-9.]+ s -> st\.k2\.jsonl$' <<<"$stderr")" -eq 2 ]
	[ "$(runs_in st.k1.jsonl)" -eq 4 ]
	[ "$(runs_in st.k2.jsonl)" -eq 2 ]
	# No boots: the sweep's rows say n = 0, the chart says "no boots".
	grep -Eq '^  time to Userspace +1 +0 +- +- +- +-$' <<<"$stderr"
	# A copy that fails stops the series with its status, as --repeat does.
	run --separate-stderr "$BT" run -q --repeat 4 --parallel 2 -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$stderr" = "boot-trace: stopped at K=2 wave 1 of 2 (status 3)
boot-trace: K=2: 0 boots with codes" ]
}

@test "parallel: a sweep with no boots still charts, empty; SIGINT stops a wave" {
	require_bpf
	cd "$OUT"
	run --separate-stderr "$BT" run -q --repeat 2 --parallel 1,2 --svg e.svg -- true
	[ "$status" -eq 0 ]
	xmllint --noout e.svg
	[ "$(xmllint --xpath "count(//*[local-name()='g'][@class='panel'])" e.svg)" -eq 1 ]
	grep -q '>no boots<' e.svg
	# SIGINT reaches every copy of the wave; the series stops.
	"$BT" run --repeat 8 --parallel 4 -- sleep 30 2>"$OUT/err" &
	PIDS=$!
	copies_up() { pgrep -x -P "$PIDS" sleep | wc -l; }
	wait_for_count 4 copies_up
	kids=$(pgrep -x -P "$PIDS" sleep)
	kill -INT "$PIDS"
	st=0
	wait "$PIDS" || st=$?
	cat "$OUT/err"
	[ "$st" -eq 130 ]
	grep -q '^boot-trace: stopped at K=4 wave 1 of 2 (status 130)$' "$OUT/err"
	# shellcheck disable=SC2086 # one pid a word
	! alive $kids || false
}

# ---- usage errors: one line, status 2 ------------------------------------------------------

@test "ab and parallel: usage errors (one line, status 2)" {
	H=" (see boot-trace run --help)"
	check() { # EXPECTED-LINE ARGS...
		local want=$1
		shift
		run --separate-stderr "$BT" "$@"
		echo "args: $* -> status $status: $stderr"
		[ "$status" -eq 2 ]
		[ "$stderr" = "$want" ]
		[ -z "$output" ]
	}
	check "boot-trace: --ab needs --repeat N, the number of A/B pairs (at least 7 for p < 0.01)$H" \
		run --ab -- a -- b
	check "boot-trace: --ab needs two commands: -- COMMAND_A [ARGS...] -- COMMAND_B [ARGS...]$H" \
		run --repeat 8 --ab -- a x y
	check "boot-trace: --ab takes exactly one -- between COMMAND_A and COMMAND_B, found 2 (a command that needs a -- of its own: a script)$H" \
		run --repeat 8 --ab -- a -- b -- c
	check "boot-trace: --ab: no COMMAND_A before the --$H" run --repeat 8 --ab -- -- b
	check "boot-trace: --ab: no COMMAND_B after the --$H" run --repeat 8 --ab -- a --
	check "boot-trace: --ab --repeat 6 can never decide: at least 7 pairs are needed for p < 0.01$H" \
		run --repeat 6 --ab -- a -- b
	check "boot-trace: --ab --repeat 9 can never decide: at least 10 pairs are needed for p < 0.001$H" \
		run --repeat 9 --ab --alpha 0.001 -- a -- b
	check "boot-trace: --ab writes its runs to jsonl files (-o FILE), not -f chrome$H" \
		run --repeat 8 --ab -f chrome -o x.json -- a -- b
	check "boot-trace: invalid --alpha '1': a significance level between 0 and 1 (e.g. 0.01)$H" \
		run --repeat 8 --ab --alpha 1 -- a -- b
	check "boot-trace: invalid threshold 'x': a percentage from 0 to 1000000$H" \
		run --repeat 8 --ab --threshold x -- a -- b
	check "boot-trace: --threshold and --alpha need --ab (the gate of an A/B run; or boot-trace diff)$H" \
		run --repeat 8 --threshold 5 -- a
	check "boot-trace: --include-incomplete belongs to diff: run --ab drops a pair whose boot did not complete$H" \
		run --repeat 8 --ab --include-incomplete -- a -- b
	check "boot-trace: --ab and --parallel cannot be combined: A and B boot one at a time$H" \
		run --repeat 8 --ab --parallel 2 -- a -- b
	check "boot-trace: --parallel needs --repeat N, the boots for each number at once$H" \
		run --parallel 2 -- a
	check "boot-trace: --repeat 10 is not a multiple of --parallel 4: boots start in waves of 4 (e.g. --repeat 12)$H" \
		run --repeat 10 --parallel 1,2,4 -- a
	check "boot-trace: invalid --parallel '0': boots at once, from 1 to 256, or an increasing list of them (e.g. 1,2,4,8)$H" \
		run --repeat 8 --parallel 0 -- a
	check "boot-trace: invalid --parallel '1,,2': boots at once, from 1 to 256, or an increasing list of them (e.g. 1,2,4,8)$H" \
		run --repeat 8 --parallel 1,,2 -- a
	check "boot-trace: invalid --parallel '4,2': the list must increase (e.g. 1,2,4,8)$H" \
		run --repeat 8 --parallel 4,2 -- a
	check "boot-trace: --parallel given twice: one value or one list (e.g. 1,2,4,8)$H" \
		run --repeat 8 --parallel 2 --parallel 4 -- a
	check "boot-trace: --parallel writes its runs to jsonl files (-o FILE), not -f csv$H" \
		run --repeat 8 --parallel 2 -f csv -- a
	check "boot-trace: --svg cannot be used with run without a --parallel sweep (e.g. --parallel 1,2,4,8)$H" \
		run --repeat 8 --parallel 2 --svg x.svg -- a
	check "boot-trace: --ab and --parallel cannot be used with record (see boot-trace record --help)" \
		record -a --parallel 2
}
