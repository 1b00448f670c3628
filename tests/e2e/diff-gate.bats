#!/usr/bin/env bats
# diff as a CI gate on noisy boots: a statistical test (Mann-Whitney U) and a minimum effect.
# The boots here are synthetic (seeded, log-normal noise as wide as this host's emulated
# boots); the real-boot version is in boot-trace-timelines.bats.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

@test "diff: identical noisy boots pass, a stretched Kernel stage fails, alone" {
	boots "$OUT/base.jsonl" 1 10 1
	boots "$OUT/same.jsonl" 2 10 1
	boots "$OUT/slow.jsonl" 3 10 1.8
	# Several independent series of identical boots: none fails.
	for seed in 4 5 6 7 8; do
		boots "$OUT/again.jsonl" "$seed" 10 1
		run "$BT" diff "$OUT/base.jsonl" "$OUT/again.jsonl"
		[ "$status" -eq 0 ] || { echo "$output"; false; }
	done
	run --separate-stderr "$BT" diff "$OUT/base.jsonl" "$OUT/same.jsonl"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Mann-Whitney U, one-sided; a stage fails when p < 0.01 and it is more than 10% slower"* ]]
	grep -q '^boot-trace: no stage significantly slower (p < 0.01) by more than 10%$' <<<"$output"
	# Each row: both medians, the change, its interval and the p-value.
	grep -Eq '^  Kernel +10 +10 +0\.0[0-9]+ +0\.0[0-9]+ +[-+][0-9.]+% +\[[-+][0-9.]+%, [-+][0-9.]+%\] +[01]\.[0-9]{4}$' <<<"$output"
	run --separate-stderr "$BT" diff "$OUT/base.jsonl" "$OUT/slow.jsonl"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Eq '^  Kernel +10 +10 .* 0\.00[0-9]+  SLOWER$' <<<"$output"
	! grep -Eq '^  (Firmware|Bootloader|Userspace) .*SLOWER$' <<<"$output" || false
	grep -q '^boot-trace: slower (p < 0.01, by more than 10%): Kernel' <<<"$output"
	# A minimum effect: +80% is significant, but not more than 100%.
	run "$BT" diff --threshold 100 "$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$status" -eq 0 ]
	# The other way round nothing got slower.
	run "$BT" diff -q "$OUT/slow.jsonl" "$OUT/base.jsonl"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "diff: too few boots to decide is said, even with -q; --alpha sets the level" {
	boots "$OUT/base.jsonl" 1 3 1
	boots "$OUT/slow.jsonl" 2 3 5
	run --separate-stderr "$BT" diff -q "$OUT/base.jsonl" "$OUT/slow.jsonl"
	# Three boots a side cannot reach p < 0.01 (at best 1/20): no verdict, and a word why.
	[ "$status" -eq 0 ]
	[ "$stderr" = "boot-trace: too few boots to decide 5 stages: at least 5 a side are needed for p < 0.01 (run --repeat)" ]
	run --separate-stderr "$BT" diff "$OUT/base.jsonl" "$OUT/slow.jsonl"
	grep -Eq '^  Kernel +3 +3 .*  too few boots$' <<<"$output"
	# At 0.1 four boots a side decide: every slow boot's Kernel above every base one's.
	boots "$OUT/base4.jsonl" 1 4 1 0.05
	boots "$OUT/slow4.jsonl" 2 4 5 0.05
	run "$BT" diff --alpha 0.1 "$OUT/base4.jsonl" "$OUT/slow4.jsonl"
	[ "$status" -eq 1 ]
	run --separate-stderr "$BT" diff --alpha 1.5 "$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: invalid --alpha '1.5': a significance level between 0 and 1 (e.g. 0.01) (see boot-trace diff --help)" ]
}

@test "diff: incomplete boots are left out by default, with a note" {
	boots "$OUT/base.jsonl" 1 6 1
	boots "$OUT/new.jsonl" 2 6 1
	# A VMM killed in the Kernel stage: no Userspace, its VM ended by SIGKILL.
	python3 - "$OUT/new.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
out = []
for l in lines:
    r = json.loads(l)
    if r.get("pid") == 1 and r.get("label") == "Userspace":
        continue
    if r.get("pid") == 1 and r["type"] == "vm_end":
        r.update(exit_status=None, signal=9, reason="killed by signal 9")
    out.append(json.dumps(r))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
	run --separate-stderr "$BT" diff "$OUT/base.jsonl" "$OUT/new.jsonl"
	[ "$status" -eq 0 ]
	[ "$stderr" = "boot-trace: left out 0 incomplete boots of BASE and 1 of NEW (killed mid-boot; --include-incomplete counts them)" ]
	grep -Eq '^  Kernel +6 +5 ' <<<"$output"
	run --separate-stderr "$BT" diff --include-incomplete "$OUT/base.jsonl" "$OUT/new.jsonl"
	grep -Eq '^  Kernel +6 +6 ' <<<"$output"
	[ -z "$stderr" ]
}
