#!/usr/bin/env bats
# report over several files, report's filters (--vm, --pid, --comm, --since, --until), and
# diff's results for machines (--json, --junit). No guest: the recorded traces of tests/data
# and synthetic boots (boots() in common.bash).

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
	DEMO="$ROOT/tests/data/demo.jsonl"
	FLEET="$ROOT/tests/data/fleet.jsonl"
}

# The VMs a report's tables name, one "NAME: N codes, how it ended" line each.
vms() {
	sed -n 's/^boot-trace: \(.*\): \([0-9]*\) codes, .*/\1 \2/p'
}

# usage_error ARGS...: report/diff refuses the line with one line on stderr, status 2, and
# nothing on stdout; the line is left in $stderr.
usage_error() {
	run --separate-stderr "$BT" "$@"
	echo "status $status: $stderr"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

# ---- report: several files --------------------------------------------------------------

@test "report: several files are read in order as one stream of runs, through the same outputs" {
	run --separate-stderr "$BT" report "$DEMO"
	local demo=$output
	run --separate-stderr "$BT" report "$FLEET"
	local fleet=$output
	run --separate-stderr "$BT" report "$DEMO" "$FLEET"
	[ "$status" -eq 0 ]
	[ "$output" = "$demo"$'\n'"$fleet" ]
	# A conversion holds the records of every file, in order: those of the files concatenated.
	run --separate-stderr "$BT" report -f jsonl -o "$OUT/both.jsonl" "$DEMO" "$FLEET"
	[ "$status" -eq 0 ]
	cat "$DEMO" "$FLEET" >"$OUT/cat.jsonl"
	"$BT" report -q -f jsonl -o "$OUT/cat-conv.jsonl" "$OUT/cat.jsonl"
	"$BT" report -q -f jsonl -o "$OUT/both-q.jsonl" "$DEMO" "$FLEET"
	cmp "$OUT/both-q.jsonl" "$OUT/cat-conv.jsonl"
	[ "$(jq -s '[.[] | select(.type == "summary")] | length' "$OUT/both.jsonl")" -eq 3 ]
	# The chart and a Chrome trace draw the VMs of both files.
	run --separate-stderr "$BT" report -q --svg "$OUT/both.svg" -f chrome -o "$OUT/both.json" \
		"$DEMO" "$FLEET"
	[ "$status" -eq 0 ]
	xmllint --noout "$OUT/both.svg"
	grep -q 'vmm-min\[32340\] vm1' "$OUT/both.svg"
	grep -q 'qemu-system-x86\[5200\] vm2' "$OUT/both.svg"
	jq -r '.traceEvents[] | select(.ph == "M" and .name == "process_name") | .args.name' \
		"$OUT/both.json" >"$OUT/names"
	grep -qx 'vmm-min\[32340\] vm1' "$OUT/names"
	grep -qx 'qemu-system-x86\[5200\] vm2' "$OUT/names"
}

@test "report: standard input (-) among the files, read once, in its place" {
	run --separate-stderr "$BT" report "$DEMO" "$FLEET"
	local want=$output
	run --separate-stderr "$BT" report "$DEMO" - <"$FLEET"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run --separate-stderr "$BT" report - "$FLEET" <"$DEMO"
	[ "$output" = "$want" ]
	usage_error report - "$DEMO" -
	[ "$stderr" = "boot-trace: standard input (-) named twice: it can be read once (see boot-trace report --help)" ]
}

@test "report: a bad second file stops with its name and line, status 2; no output is left" {
	head -3 "$DEMO" >"$OUT/bad.jsonl"
	echo '{"type":"event",' >>"$OUT/bad.jsonl"
	run --separate-stderr "$BT" report -f csv -o "$OUT/conv.csv" --svg "$OUT/chart.svg" \
		"$DEMO" "$OUT/bad.jsonl" "$FLEET"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: $OUT/bad.jsonl:4: incomplete JSON record" ]
	# The first file's tables were printed; the third file was not read; no half outputs.
	grep -q '^boot-trace: vmm-min\[32340\] vm1: 11 codes' <<<"$output"
	! grep -q 'qemu-system-x86' <<<"$output" || false
	[ ! -e "$OUT/conv.csv" ]
	[ ! -e "$OUT/chart.svg" ]
	# On standard input, the file is named as such.
	run --separate-stderr "$BT" report -q "$DEMO" - <"$OUT/bad.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: standard input:4: incomplete JSON record" ]
	run --separate-stderr "$BT" report -q "$DEMO" "$OUT/missing.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: cannot read $OUT/missing.jsonl: No such file or directory" ]
	# Any of the inputs that is also an output is refused before anything is written.
	cp "$DEMO" "$OUT/in.jsonl"
	run --separate-stderr "$BT" report -f jsonl -o "$OUT/in.jsonl" "$FLEET" "$OUT/in.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: $OUT/in.jsonl is both the input and an output" ]
	cmp "$DEMO" "$OUT/in.jsonl"
}

# ---- report: filters --------------------------------------------------------------------

@test "report --vm, --pid, --comm: any value of a kind, every kind given; tables and conversion" {
	# fleet.jsonl: run 1 has vmm-min[5101] vm1, qemu-system-x86[5200] vm2, firecracker[5300]
	# vm3 and cloud-hyperviso[5400] vm?; run 2 vmm-min[5101] vm1 again.
	run --separate-stderr "$BT" report --vm 1 "$FLEET"
	[ "$status" -eq 0 ]
	[ "$(vms <<<"$output")" = $'vmm-min[5101] vm1 11\nvmm-min[5101] vm1 4' ]
	run --separate-stderr "$BT" report --vm 3 --vm 2 "$FLEET"
	[ "$(vms <<<"$output")" = $'qemu-system-x86[5200] vm2 10\nfirecracker[5300] vm3 2' ]
	run --separate-stderr "$BT" report --pid 5400 "$FLEET"
	[ "$(vms <<<"$output")" = 'cloud-hyperviso[5400] vm? 1' ]
	run --separate-stderr "$BT" report --comm firecracker --comm vmm-min "$FLEET"
	[ "$(vms <<<"$output")" = $'vmm-min[5101] vm1 11\nfirecracker[5300] vm3 2\nvmm-min[5101] vm1 4' ]
	# Kinds combine: a VM must match each one given.
	run --separate-stderr "$BT" report --comm qemu-system-x86 --pid 5200 --vm 2 "$FLEET"
	[ "$(vms <<<"$output")" = 'qemu-system-x86[5200] vm2 10' ]
	run --separate-stderr "$BT" report --comm vmm-min --vm 2 "$FLEET"
	[ "$status" -eq 0 ]
	[ -z "$(vms <<<"$output")" ]
	# Each run still ends with its counts: the events kept, the recording's losses.
	run --separate-stderr "$BT" report --pid 5200 "$FLEET"
	[ "$(grep -c '^boot-trace: [0-9]* events' <<<"$output")" -eq 2 ]
	grep -q '^boot-trace: 10 events, 3 dropped, 1 string I/O bytes unseen' <<<"$output"
	grep -q '^boot-trace: 0 events (no summary record: losses unknown)$' <<<"$output"
	# The VM's table is the one the whole trace gives.
	local whole
	whole=$("$BT" report "$FLEET" | sed -n '/qemu-system-x86\[5200\]/,/time to Userspace/p')
	[ "$(sed -n '/qemu-system-x86\[5200\]/,/time to Userspace/p' <<<"$output")" = "$whole" ]

	# A conversion holds the kept VMs' records only, and reads back to the same tables.
	run --separate-stderr "$BT" report --comm vmm-min --comm firecracker -f jsonl \
		-o "$OUT/kept.jsonl" "$FLEET"
	[ "$status" -eq 0 ]
	local tables=$output
	[ "$(jq -r 'select(.pid != null) | .comm' "$OUT/kept.jsonl" | sort -u | tr '\n' ' ')" = "firecracker vmm-min " ]
	[ "$(jq -r 'select(.type == "summary") | .vms[].pid' "$OUT/kept.jsonl" | tr '\n' ' ')" = "5101 5300 5101 " ]
	[ "$(jq -s '[.[] | select(.type == "event")] | length' "$OUT/kept.jsonl")" -eq 17 ]
	[ "$(jq -s '[.[] | select(.type == "summary")] | map(.events)' -c "$OUT/kept.jsonl")" = "[13,4]" ]
	run --separate-stderr "$BT" report "$OUT/kept.jsonl"
	[ "$(vms <<<"$output")" = "$(vms <<<"$tables")" ]
	[ "$(grep -v '^boot-trace: [0-9]* events' <<<"$output")" = "$(grep -v '^boot-trace: [0-9]* events' <<<"$tables")" ]
	# The chart too.
	run --separate-stderr "$BT" report -q --pid 5200 --svg "$OUT/one.svg" "$FLEET"
	xmllint --noout "$OUT/one.svg"
	grep -q 'qemu-system-x86\[5200\] vm2' "$OUT/one.svg"
	! grep -q 'vmm-min\[5101\]' "$OUT/one.svg" || false
}

@test "report --since/--until: the events inside, the VMs that started or wrote inside" {
	# Run 1 of fleet.jsonl, seconds: vm1 starts at 4100.0 and writes until 4100.0226; vm2
	# starts at 4100.03 and writes from 4100.12 to 4100.276; vm3, found at 4100.05, writes at
	# 4100.17 and 4100.171; vm? writes at 4100.4. Run 2: vm1 from 4100.9.
	run --separate-stderr "$BT" report --since 4100.1 --until 4100.2 "$FLEET"
	[ "$status" -eq 0 ]
	# vm2 and vm3 started before the window but wrote inside it: shown, with those codes.
	[ "$(vms <<<"$output")" = $'qemu-system-x86[5200] vm2 7\nfirecracker[5300] vm3 2' ]
	grep -q '^boot-trace: qemu-system-x86\[5200\] vm2: 7 codes, killed by signal 9 (incomplete)$' <<<"$output"
	grep -q '^boot-trace: 9 events, 3 dropped' <<<"$output"
	# Times stay relative to the VM's start, as without a window.
	grep -Eq '^  qemu_init_end +0\.090000 ' <<<"$output"
	# A VM that started inside the window is shown even without a write in it.
	run --separate-stderr "$BT" report --since 4100.029 --until 4100.1 "$FLEET"
	[ "$(vms <<<"$output")" = $'qemu-system-x86[5200] vm2 0\nfirecracker[5300] vm3 0' ]
	# Both ends are kept: one instant, one code.
	run --separate-stderr "$BT" report --since 4100.12 --until 4100.120000000 "$FLEET"
	[ "$(vms <<<"$output")" = 'qemu-system-x86[5200] vm2 1' ]
	# --since alone, --until alone.
	run --separate-stderr "$BT" report --since 4100.5 "$FLEET"
	[ "$(vms <<<"$output")" = 'vmm-min[5101] vm1 4' ]
	run --separate-stderr "$BT" report --until 4100.0015 "$FLEET"
	[ "$(vms <<<"$output")" = 'vmm-min[5101] vm1 1' ]
	# With a filter: the window and --comm together.
	run --separate-stderr "$BT" report --comm firecracker --since 4100.1 --until 4100.2 "$FLEET"
	[ "$(vms <<<"$output")" = 'firecracker[5300] vm3 2' ]

	# In a conversion, every event is inside the window, and a VM's start (recorded before
	# it) comes before its first event.
	run --separate-stderr "$BT" report --since 4100.1 --until 4100.2 -f jsonl -o "$OUT/w.jsonl" "$FLEET"
	[ "$status" -eq 0 ]
	jq -s -e 'map(select(.type == "event")) | length == 9 and
		all(.ts_ns >= 4100100000000 and .ts_ns <= 4100200000000)' "$OUT/w.jsonl"
	[ "$(jq -r 'select(.pid == 5200) | .type' "$OUT/w.jsonl" | head -2 | tr '\n' ' ')" = "vm_start event " ]
	[ "$(jq -r 'select(.pid == 5200 and .type == "vm_start") | .ts_ns' "$OUT/w.jsonl")" = 4100030000000 ]
	run --separate-stderr "$BT" report "$OUT/w.jsonl"
	[ "$(vms <<<"$output")" = $'qemu-system-x86[5200] vm2 7\nfirecracker[5300] vm3 2' ]

	# A window that holds everything changes nothing (demo.jsonl: its counts are its own).
	for fmt in log jsonl chrome csv svg; do
		[ "$("$BT" report --since 0 -f "$fmt" "$DEMO" 2>&1)" = "$("$BT" report -f "$fmt" "$DEMO" 2>&1)" ]
	done
	[ "$("$BT" report --since 2881 --until 2882 "$DEMO")" = "$("$BT" report "$DEMO")" ]
}

@test "report: bad filter values are usage errors, one line, status 2" {
	local H
	H=" (see boot-trace report --help)"
	usage_error report --vm x "$DEMO"
	[ "$stderr" = "boot-trace: invalid --vm 'x': a VM number from 1 to 4294967295 (vmN in the tables)$H" ]
	usage_error report --vm 0 "$DEMO"
	usage_error report --vm 4294967296 "$DEMO"
	usage_error report --vm -1 "$DEMO"
	usage_error report --pid abc "$DEMO"
	[ "$stderr" = "boot-trace: invalid pid 'abc'$H" ]
	usage_error report --pid 0 "$DEMO"
	usage_error report --comm '' "$DEMO"
	[ "$stderr" = "boot-trace: empty --comm name$H" ]
	usage_error report --comm cloud-hypervisor "$DEMO"
	[ "$stderr" = "boot-trace: --comm 'cloud-hypervisor' is longer than a process name: the kernel keeps 15 bytes, 'cloud-hyperviso'$H" ]
	usage_error report --since abc "$DEMO"
	[ "$stderr" = "boot-trace: invalid --since 'abc': seconds on the trace's clock with at most 9 decimals, such as 2881.74$H" ]
	for t in '' -1 +1 ' 1' '1 ' 1e3 0x10 . 1.2.3 1.0000000001 inf nan 18446744074 18446744073.709551616; do
		usage_error report --since "$t" "$DEMO"
		[ "$stderr" = "boot-trace: invalid --since '$t': seconds on the trace's clock with at most 9 decimals, such as 2881.74$H" ]
	done
	usage_error report --until abc "$DEMO"
	[ "$stderr" = "boot-trace: invalid --until 'abc': seconds on the trace's clock with at most 9 decimals, such as 2881.74$H" ]
	usage_error report --until 2881.5 --since 2881.740 "$DEMO"
	[ "$stderr" = "boot-trace: --until 2881.5 is before --since 2881.74$H" ]
	usage_error report --since 10 --until 9.999999999 "$DEMO"
	[ "$stderr" = "boot-trace: --until 9.999999999 is before --since 10$H" ]
	# The largest stamp and the smallest are fine.
	run "$BT" report -q --since 0 --until 18446744073.709551615 "$DEMO"
	[ "$status" -eq 0 ]
	# -p stays record's: report's filter is --pid alone.
	usage_error report -p 1 "$DEMO"
	[ "$stderr" = "boot-trace: -p and -a belong to record, not report$H" ]
	# The filters are report's.
	usage_error diff --since 1 "$DEMO" "$DEMO"
	[ "$stderr" = "boot-trace: --vm, --comm, --since and --until cannot be used with diff (see boot-trace diff --help)" ]
	usage_error record -a --vm 1
	[ "$stderr" = "boot-trace: --vm, --comm, --since and --until cannot be used with record (see boot-trace record --help)" ]
	usage_error report --json x "$DEMO"
	[ "$stderr" = "boot-trace: --json and --junit cannot be used with report$H" ]
}

# ---- diff: --json and --junit -----------------------------------------------------------

# xpath XPATH FILE: the value of an XPath expression.
xpath() {
	xmllint --xpath "$1" "$2"
}

@test "diff --json/--junit: a passing diff" {
	boots "$OUT/base.jsonl" 1 10 1
	boots "$OUT/same.jsonl" 2 10 1
	run --separate-stderr "$BT" diff --json "$OUT/r.json" --junit "$OUT/r.xml" \
		"$OUT/base.jsonl" "$OUT/same.jsonl"
	[ "$status" -eq 0 ]
	# The table is still printed when the results go to files.
	grep -q '^boot-trace: no stage significantly slower' <<<"$output"
	jq -e --arg b "$OUT/base.jsonl" --arg n "$OUT/same.jsonl" '
		.base == $b and .new == $n and .test == "Mann-Whitney U, one-sided" and
		.alpha == 0.01 and .threshold_pct == 10 and .ci_level_pct == 95 and
		.min_boots == 5 and .boots_base == 10 and .boots_new == 10 and
		.include_incomplete == false and .incomplete_left_out_base == 0 and
		.incomplete_left_out_new == 0 and .result == "pass" and
		([.stages[].name] == ["Firmware", "Bootloader", "Kernel", "Userspace",
			"time to Userspace"]) and
		all(.stages[]; .verdict == "same" and .n_base == 10 and .n_new == 10 and
			(.median_base_ns | type) == "number" and (.p_value | type) == "number")' \
		"$OUT/r.json"
	# Each stage's figures are the table's (which prints microseconds and 0.1 %).
	local row
	row=$(grep -E '^  Kernel ' <<<"$output")
	jq -e --argjson b "$(awk '{ split($4, s, "."); print s[1] * 1000000 + s[2] }' <<<"$row")" \
		--argjson n "$(awk '{ split($5, s, "."); print s[1] * 1000000 + s[2] }' <<<"$row")" \
		--argjson c "$(awk '{ sub(/%/, "", $6); print $6 + 0 }' <<<"$row")" \
		'.stages[2] | (.median_base_ns / 1000 | floor) == $b and
		(.median_new_ns / 1000 | floor) == $n and
		(.change_pct - $c | if . < 0 then -. else . end) <= 0.05' "$OUT/r.json"
	# The last stage ends at its own code: median 0, so no percentage.
	jq -e '.stages[3] | .median_base_ns == 0 and .change_pct == null and
		.ci_low_pct == null and .ci_high_pct == null' "$OUT/r.json"

	xmllint --noout "$OUT/r.xml"
	[ "$(xpath 'string(/testsuites/testsuite/@name)' "$OUT/r.xml")" = "boot-trace diff" ]
	[ "$(xpath 'count(/testsuites/testsuite)' "$OUT/r.xml")" -eq 1 ]
	[ "$(xpath 'count(//testcase)' "$OUT/r.xml")" -eq 5 ]
	[ "$(xpath 'string(/testsuites/testsuite/@tests)' "$OUT/r.xml")" -eq 5 ]
	[ "$(xpath 'string(/testsuites/testsuite/@failures)' "$OUT/r.xml")" -eq 0 ]
	[ "$(xpath 'count(//failure) + count(//skipped) + count(//error)' "$OUT/r.xml")" -eq 0 ]
	[ "$(xpath 'string(//testcase[5]/@name)' "$OUT/r.xml")" = "time to Userspace" ]
	[ "$(xpath 'string(//property[@name="alpha"]/@value)' "$OUT/r.xml")" = 0.01 ]
	xpath 'string(//testcase[@name="Kernel"]/system-out)' "$OUT/r.xml" |
		grep -Eq '^base 0\.0[0-9]+ s \(10 boots\), new 0\.0[0-9]+ s \(10 boots\), change [-+][0-9.]+%, 95% CI \[[-+][0-9.]+%, [-+][0-9.]+%\], p = [01]\.[0-9]{4}$'
}

@test "diff --json/--junit: a failing diff: slower and missing stages" {
	boots "$OUT/base.jsonl" 1 10 1
	boots "$OUT/slow.jsonl" 3 10 1.8
	# NEW without its Bootloader codes: that stage is missing (and Firmware lasts until Kernel).
	grep -v '"Bootloader"' "$OUT/slow.jsonl" >"$OUT/noboot.jsonl"
	run --separate-stderr "$BT" diff --json "$OUT/r.json" --junit "$OUT/r.xml" \
		"$OUT/base.jsonl" "$OUT/noboot.jsonl"
	[ "$status" -eq 1 ]
	jq -e '.result == "fail" and
		(.stages | map({(.name): .verdict}) | add) == {"Firmware": "slower",
			"Bootloader": "missing", "Kernel": "slower", "Userspace": "same",
			"time to Userspace": "slower"}' "$OUT/r.json"
	jq -e '.stages[] | select(.name == "Kernel") | .change_pct > 10 and .p_value < 0.01 and
		.ci_low_pct <= .change_pct and .change_pct <= .ci_high_pct' "$OUT/r.json"
	jq -e '.stages[] | select(.name == "Bootloader") | .n_base == 10 and .n_new == 0 and
		(.median_base_ns | type) == "number" and .median_new_ns == null and
		.change_pct == null and .p_value == null' "$OUT/r.json"

	xmllint --noout "$OUT/r.xml"
	[ "$(xpath 'string(/testsuites/testsuite/@failures)' "$OUT/r.xml")" -eq 4 ]
	[ "$(xpath 'string(//testcase[@name="Kernel"]/failure/@type)' "$OUT/r.xml")" = slower ]
	[ "$(xpath 'string(//testcase[@name="Bootloader"]/failure/@type)' "$OUT/r.xml")" = missing ]
	[ "$(xpath 'count(//testcase[@name="Userspace"]/failure)' "$OUT/r.xml")" -eq 0 ]
	# The message holds the row's figures, as the table prints them.
	local row msg
	row=$(grep -E '^  Kernel ' <<<"$output")
	msg=$(xpath 'string(//testcase[@name="Kernel"]/failure/@message)' "$OUT/r.xml")
	echo "$row"
	echo "$msg"
	[[ "$msg" == "slower (p < 0.01, by more than 10%): base $(awk '{print $4}' <<<"$row") s (10 boots), new $(awk '{print $5}' <<<"$row") s (10 boots), change $(awk '{print $6}' <<<"$row"), 95% CI $(awk '{print $7, $8}' <<<"$row"), p = $(awk '{print $9}' <<<"$row")" ]]
	msg=$(xpath 'string(//testcase[@name="Bootloader"]/failure/@message)' "$OUT/r.xml")
	[[ "$msg" =~ ^missing\ in\ NEW:\ base\ 0\.00[0-9]+\ s\ \(10\ boots\),\ new:\ no\ boots$ ]]

	# A stage only NEW has passes, as "new_stage".
	run --separate-stderr "$BT" diff -q --json - "$OUT/noboot.jsonl" "$OUT/base.jsonl"
	[ "$status" -eq 0 ]
	json_has '.stages[] | select(.name == "Bootloader") | .verdict == "new_stage" and
		.median_base_ns == null and (.median_new_ns | type) == "number"' <<<"$output"
}

@test "diff --json/--junit: too few boots are skipped tests; incomplete boots are counted" {
	boots "$OUT/base.jsonl" 1 3 1
	boots "$OUT/slow.jsonl" 2 3 5
	run --separate-stderr "$BT" diff --json "$OUT/r.json" --junit "$OUT/r.xml" \
		"$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$status" -eq 0 ]
	jq -e '.result == "pass" and all(.stages[]; .verdict == "too_few_boots")' "$OUT/r.json"
	[ "$(xpath 'string(/testsuites/testsuite/@skipped)' "$OUT/r.xml")" -eq 5 ]
	[ "$(xpath 'count(//testcase/skipped)' "$OUT/r.xml")" -eq 5 ]
	xpath 'string(//testcase[@name="Kernel"]/skipped/@message)' "$OUT/r.xml" |
		grep -q '^too few boots to decide (at least 5 a side are needed for p < 0.01): base '

	# A VMM killed in the Kernel stage: left out, and counted.
	boots "$OUT/base6.jsonl" 1 6 1
	boots "$OUT/new6.jsonl" 2 6 1
	python3 - "$OUT/new6.jsonl" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1]).read().splitlines():
    r = json.loads(l)
    if r.get("pid") == 1 and r.get("label") == "Userspace":
        continue
    if r.get("pid") == 1 and r["type"] == "vm_end":
        r.update(exit_status=None, signal=9, reason="killed by signal 9")
    out.append(json.dumps(r))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
	run --separate-stderr "$BT" diff --json "$OUT/r.json" "$OUT/base6.jsonl" "$OUT/new6.jsonl"
	jq -e '.incomplete_left_out_base == 0 and .incomplete_left_out_new == 1 and
		.boots_new == 5 and .include_incomplete == false' "$OUT/r.json"
	run --separate-stderr "$BT" diff --include-incomplete --json "$OUT/r.json" \
		"$OUT/base6.jsonl" "$OUT/new6.jsonl"
	jq -e '.incomplete_left_out_new == 0 and .boots_new == 6 and .include_incomplete' "$OUT/r.json"
}

@test "diff --json - / --junit -: standard output holds the results alone" {
	boots "$OUT/base.jsonl" 1 3 1
	boots "$OUT/slow.jsonl" 2 3 5
	run --separate-stderr "$BT" diff --json - "$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$status" -eq 0 ]
	json_has '.result == "pass"' <<<"$output"
	# The notes stay on stderr.
	[ "$stderr" = "boot-trace: too few boots to decide 5 stages: at least 5 a side are needed for p < 0.01 (run --repeat)" ]
	run --separate-stderr "$BT" diff --junit - --json "$OUT/r.json" "$OUT/base.jsonl" "$OUT/slow.jsonl"
	xmllint --noout - <<<"$output"
	[[ "$output" == '<?xml version="1.0" encoding="UTF-8"?>'* ]]
	jq -e '.result == "pass"' "$OUT/r.json"
	usage_error diff --json - --junit - "$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$stderr" = "boot-trace: --json and --junit name the same standard output (see boot-trace diff --help)" ]
	usage_error diff --json "$OUT/x" --junit "$OUT/x" "$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$stderr" = "boot-trace: --json and --junit name the same file (see boot-trace diff --help)" ]
	usage_error diff --junit '' "$OUT/base.jsonl" "$OUT/slow.jsonl"
	[ "$stderr" = "boot-trace: empty file name for --junit (see boot-trace diff --help)" ]
}

@test "diff --json/--junit: bad input leaves no results; results files follow the output rules" {
	boots "$OUT/base.jsonl" 1 5 1
	head -3 "$OUT/base.jsonl" >"$OUT/bad.jsonl"
	echo '{"type":"event",' >>"$OUT/bad.jsonl"
	echo old >"$OUT/old.xml"
	run --separate-stderr "$BT" diff --json "$OUT/new.json" --junit "$OUT/old.xml" \
		"$OUT/base.jsonl" "$OUT/bad.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: $OUT/bad.jsonl:4: incomplete JSON record" ]
	# A results file of an earlier run must not pass for this one.
	[ ! -e "$OUT/new.json" ]
	[ -f "$OUT/old.xml" ]
	[ ! -s "$OUT/old.xml" ]
	# An input named as an output; a symlink; a directory.
	run --separate-stderr "$BT" diff --json "$OUT/base.jsonl" "$OUT/base.jsonl" "$OUT/base.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: $OUT/base.jsonl is both an input and an output" ]
	[ "$(wc -l <"$OUT/base.jsonl")" -eq 30 ]
	ln -s "$OUT/target" "$OUT/link"
	run --separate-stderr "$BT" diff --junit "$OUT/link" "$OUT/base.jsonl" "$OUT/base.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: cannot write $OUT/link: it is a symbolic link (not followed)" ]
	[ ! -e "$OUT/target" ]
	mkdir "$OUT/adir"
	run --separate-stderr "$BT" diff --json "$OUT/r.json" --junit "$OUT/adir" \
		"$OUT/base.jsonl" "$OUT/base.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: cannot write $OUT/adir: Is a directory" ]
	[ ! -e "$OUT/r.json" ]
	# A file name that is not UTF-8 still gives valid JSON and XML.
	cp "$OUT/base.jsonl" "$OUT/$(printf 'b\xffa<&">.jsonl')"
	run --separate-stderr "$BT" diff --json "$OUT/r.json" --junit "$OUT/r.xml" \
		"$OUT/$(printf 'b\xffa<&">.jsonl')" "$OUT/base.jsonl"
	[ "$status" -eq 0 ]
	jq -e --arg n "$OUT/b?a<&\">.jsonl" '.base == $n' "$OUT/r.json"
	xmllint --noout "$OUT/r.xml"
	[ "$(xpath 'string(//property[@name="base"]/@value)' "$OUT/r.xml")" = "$OUT/b?a<&\">.jsonl" ]
}
