#!/usr/bin/env bats
# Timelines and reports, end to end: Chrome trace JSON, CSV, report (summary and SVG chart),
# run --repeat statistics, diff as a CI gate, and malformed jsonl input.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
}

demo() {
	"$BT" run "$@" -- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
}

# Seconds with six decimals, as the summary prints nanoseconds.
sec() {
	printf '%d.%06d' $(($1 / 1000000000)) $(($1 % 1000000000 / 1000))
}

# The X slices of a Chrome trace, one {k, name, s, e} per line, times in integer ns.
chrome_slices() {
	jq -c '.traceEvents[] | select(.ph == "X") | {k: "\(.pid)/\(.tid)", name,
		s: (.ts * 1000 | round), e: ((.ts * 1000 | round) + (.dur * 1000 | round))}' "$1"
}

# Every pair of slices on one track is either disjoint or nested.
slices_nest() {
	chrome_slices "$1" | jq -s -e '
		def ok(a; b): a.e <= b.s or b.e <= a.s or (a.s >= b.s and a.e <= b.e)
			or (b.s >= a.s and b.e <= a.e);
		[group_by(.k)[] | . as $g | [range(0; length) as $i |
			range($i + 1; $g | length) as $j | ok($g[$i]; $g[$j])] | all] | all'
}

# Every event has what the format requires.
chrome_fields_ok() {
	jq -e '.displayTimeUnit == "ns" and (.traceEvents | length) > 0 and
		all(.traceEvents[]; (.name | type) == "string" and (.ph | type) == "string" and
			(.ts | type) == "number" and (.pid | type) == "number" and
			(.tid | type) == "number" and
			(if .ph == "X" then (.dur | type) == "number" and .dur >= 0
			 elif .ph == "i" then (.s == "t" or .s == "p")
			 elif .ph == "M" then (.args | type) == "object"
			 else false end))' "$1"
}

@test "chrome: valid trace, required fields, named tracks, nested slices" {
	require_guest
	demo -f chrome -o "$OUT/demo.json" 2>"$OUT/stderr"
	jq -e . "$OUT/demo.json" >/dev/null
	chrome_fields_ok "$OUT/demo.json"
	slices_nest "$OUT/demo.json"
	# One process for the VM, named with comm and pid; a stage track and a vCPU track.
	pid=$(jq -r '.traceEvents[] | select(.name == "process_name") | .pid' "$OUT/demo.json")
	jq -e --arg n "vmm-min[$pid] vm1" '[.traceEvents[] | select(.name == "process_name")
		| .args.name] == [$n]' "$OUT/demo.json"
	jq -e '[.traceEvents[] | select(.name == "thread_name") | .args.name] | sort ==
		["boot stages", "vCPU 0 (vcpu0)"]' "$OUT/demo.json"
	# Eleven codes as instants with label and value; five stage slices on one track.
	jq -e '[.traceEvents[] | select(.ph == "i" and .s == "t")] | length == 11 and
		([.[].args.value] == [0, 1, 2, 32, 33, 64, 65, 66, 96, 97, 128]) and
		all(.[]; (.args.label | type) == "string")' "$OUT/demo.json"
	jq -e '[.traceEvents[] | select(.ph == "X")] | length == 5 and
		([.[].tid] | unique | length) == 1 and
		([.[].name] == ["Firmware", "Bootloader", "Kernel", "Userspace", "Custom"])' \
		"$OUT/demo.json"
	# Microseconds with three decimals: exact nanoseconds, CLOCK_MONOTONIC.
	grep -Eq '"ts":[0-9]+\.[0-9]{3},' "$OUT/demo.json"
	jq -e '.otherData.clock == "CLOCK_MONOTONIC" and .otherData.events == 11 and
		.otherData.dropped == 0' "$OUT/demo.json"
	# The human summary still goes to stderr.
	grep -q '^  Kernel .* 3$' "$OUT/stderr"
}

@test "chrome: stage slices agree with the codes in the same trace" {
	require_guest
	demo -f chrome -o "$OUT/demo.json" 2>/dev/null
	# Recompute each stage from the instants (first code to the next stage's first code).
	expected=$(jq -c '[.traceEvents[] | select(.ph == "i" and .s == "t") |
		{label: .args.label, t: (.ts * 1000 | round)}] | group_by(.label) |
		map({name: .[0].label, s: (map(.t) | min), last: (map(.t) | max)}) | sort_by(.s) |
		. as $s | [range(0; length) as $i | {name: $s[$i].name, s: $s[$i].s,
		e: (if $i + 1 < ($s | length) then $s[$i + 1].s else $s[$i].last end)}]' \
		"$OUT/demo.json")
	actual=$(chrome_slices "$OUT/demo.json" | jq -s -c 'map({name, s, e})')
	# The demo's five stages (two empty lists would agree too).
	jq -e 'map(.name) == ["Firmware", "Bootloader", "Kernel", "Userspace", "Custom"]' \
		<<<"$expected"
	[ "$expected" = "$actual" ]
}

@test "chrome: stage slices match the jsonl summary of the same boot (report -f chrome)" {
	require_guest
	demo -f jsonl -o "$OUT/demo.jsonl"
	run "$BT" report -q -f chrome -o "$OUT/conv.json" "$OUT/demo.jsonl"
	[ "$status" -eq 0 ]
	chrome_fields_ok "$OUT/conv.json"
	slices_nest "$OUT/conv.json"
	expected=$(jq -c 'select(.type == "vm_summary") | .start_ns as $t0 |
		[.stages[] | {name: .stage, s: ($t0 + .first_ns),
		e: ($t0 + .first_ns + .duration_ns)}]' "$OUT/demo.jsonl")
	actual=$(chrome_slices "$OUT/conv.json" | jq -s -c 'map({name, s, e})')
	[ "$expected" = "$actual" ]
	# The instants carry the codes' exact stamps.
	[ "$(jq -c '[select(.type == "event") | .ts_ns]' "$OUT/demo.jsonl" | jq -s -c add)" = \
		"$(jq -c '[.traceEvents[] | select(.ph == "i" and .s == "t") |
			.ts * 1000 | round]' "$OUT/conv.json")" ]
}

@test "chrome: 4 vCPUs, one track each" {
	require_guest
	"$BT" run -q -f chrome -o "$OUT/smp.json" -- "$VMM" --timeout 60 --cpus 4 \
		--serial /dev/null "$GUESTS/smp.bin"
	chrome_fields_ok "$OUT/smp.json"
	slices_nest "$OUT/smp.json"
	jq -e '[.traceEvents[] | select(.name == "thread_name") | .args.name] | sort ==
		["boot stages", "vCPU 0 (vcpu0)", "vCPU 1 (vcpu1)", "vCPU 2 (vcpu2)",
		 "vCPU 3 (vcpu3)"]' "$OUT/smp.json"
	# Each code on the track of the vCPU that wrote it.
	jq -e '[.traceEvents[] | select(.ph == "i" and .s == "t")] | length == 16 and
		all(.[]; .args.vcpu == ((.args.code - 128) / 4 | floor))' "$OUT/smp.json"
}

@test "chrome: SIGINT during run still leaves valid JSON" {
	require_guest
	"$BT" run -f chrome -o "$OUT/int.json" -- "$VMM" --timeout 60 --arg 100000 \
		--serial /dev/null "$GUESTS/demo.bin" 2>/dev/null &
	pid=$!
	PIDS="$pid"
	wait_for_line "$OUT/int.json" '"cat":"code"'
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 130 ]
	jq -e . "$OUT/int.json" >/dev/null
	chrome_fields_ok "$OUT/int.json"
	slices_nest "$OUT/int.json"
	jq -e '[.traceEvents[] | select(.ph == "i" and .s == "t")] | length >= 1 and length < 11' \
		"$OUT/int.json"
}

@test "chrome: record -a stopped by SIGINT and by SIGTERM, valid JSON both times" {
	require_guest
	for sig in INT TERM; do
		"$BT" record -a -f chrome -o "$OUT/rec-$sig.json" 2>"$OUT/rec.err" &
		rec=$!
		PIDS="$rec"
		wait_for_line "$OUT/rec.err" "tracing"
		"$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
		kill "-$sig" "$rec"
		wait "$rec"
		chrome_fields_ok "$OUT/rec-$sig.json"
		slices_nest "$OUT/rec-$sig.json"
		jq -e '[.traceEvents[] | select(.ph == "i" and .s == "t")] | length >= 11' \
			"$OUT/rec-$sig.json"
	done
}

@test "csv: a header row, then one row per write" {
	require_guest
	demo -f csv -o "$OUT/demo.csv" 2>/dev/null
	[ "$(head -1 "$OUT/demo.csv")" = \
		"ts_ns,pid,comm,vm,since_start_ns,tid,thread,vcpu,port,size,value,code,label,string_index,rip,gpa" ]
	[ "$(wc -l <"$OUT/demo.csv")" -eq 12 ]
	awk -F, 'NF != 16 { bad++ } END { exit bad > 0 }' "$OUT/demo.csv"
	[ "$(tail -n +2 "$OUT/demo.csv" | cut -d, -f12 | tr '\n' ' ')" = \
		"0 1 2 32 33 64 65 66 96 97 128 " ]
	[ "$(tail -n +2 "$OUT/demo.csv" | cut -d, -f13 | uniq | tr '\n' ' ')" = \
		"Firmware Bootloader Kernel Userspace Custom " ]
	tail -n +2 "$OUT/demo.csv" | awk -F, '$3 != "vmm-min" || $7 != "vcpu0" || $8 != 0 ||
		$9 != 128 || $5 <= 0 { bad++ } END { exit bad > 0 }'
}

@test "report: reproduces the run's summary from the recorded jsonl" {
	require_guest
	demo -f jsonl -o "$OUT/demo.jsonl"
	run --separate-stderr "$BT" report "$OUT/demo.jsonl"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# The table the run wrote as its vm_summary record, in the log format's layout.
	jq -r 'select(.type == "vm_summary") | "\(.pid) \(.events) \(.time_to_userspace_ns)"' \
		"$OUT/demo.jsonl" | { read -r pid events user
		printf 'boot-trace: vmm-min[%s] vm1: %s codes, exit status 0\n' "$pid" "$events"
		printf '  %-12s %12s %14s %7s\n' stage "first (s)" "duration (s)" codes
		jq -r 'select(.type == "vm_summary") | .stages[] |
			"\(.stage) \(.first_ns) \(.duration_ns) \(.codes)"' "$OUT/demo.jsonl" |
		while read -r name first dur codes; do
			printf '  %-12s %12s %14s %7s\n' "$name" "$(sec "$first")" "$(sec "$dur")" \
				"$codes"
		done
		printf '  time to Userspace: %s s\n' "$(sec "$user")"
		printf 'boot-trace: 11 events, 0 dropped\n'
	} >"$OUT/expected"
	diff -u "$OUT/expected" <(printf '%s\n' "$output")
}

@test "report: concatenated runs, a file without summaries, standard input" {
	require_guest
	demo -f jsonl -o "$OUT/a.jsonl"
	demo -q -f jsonl -o "$OUT/b.jsonl"
	cat "$OUT/a.jsonl" "$OUT/b.jsonl" >"$OUT/ab.jsonl"
	run "$BT" report "$OUT/ab.jsonl"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^boot-trace: vmm-min\[[0-9]*\] vm1: 11 codes, exit status 0$' <<<"$output")" -eq 2 ]
	grep -q '^boot-trace: 11 events, 0 dropped$' <<<"$output"
	grep -q '^boot-trace: 11 events (no summary record: losses unknown)$' <<<"$output"
	run "$BT" report - <"$OUT/a.jsonl"
	[ "$status" -eq 0 ]
	grep -q '^  time to Userspace: ' <<<"$output"
}

@test "report --svg: well-formed XML, one bar per stage, a tick per code, a row per vCPU" {
	require_guest
	command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
	demo -f jsonl -o "$OUT/demo.jsonl"
	run "$BT" report -q --svg "$OUT/demo.svg" "$OUT/demo.jsonl"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	xmllint --noout "$OUT/demo.svg"
	count() { xmllint --xpath "count($1)" "$OUT/demo.svg"; }
	[ "$(count "//*[local-name()='rect'][@class='stage']")" -eq 5 ]
	[ "$(count "//*[local-name()='line'][@class='tick']")" -eq 11 ]
	[ "$(count "//*[local-name()='rect'][@class='legend']")" -eq 5 ]
	# The bars in the summary's order, each with its stage's tooltip.
	bars=$(xmllint --xpath "//*[local-name()='rect'][@class='stage']/@data-stage" \
		"$OUT/demo.svg" | sed 's/.*="\(.*\)"/\1/' | tr '\n' ' ')
	[ "$bars" = "Firmware Bootloader Kernel Userspace Custom " ]
	[ "$(count "//*[local-name()='text'][@class='row']")" -eq 2 ] # stages, vCPU 0
	# smp through run -f svg: one row per vCPU.
	"$BT" run -q -f svg -o "$OUT/smp.svg" -- "$VMM" --timeout 60 --cpus 4 --serial /dev/null \
		"$GUESTS/smp.bin"
	xmllint --noout "$OUT/smp.svg"
	[ "$(xmllint --xpath "count(//*[local-name()='text'][@class='row'])" "$OUT/smp.svg")" -eq 5 ]
	[ "$(xmllint --xpath "count(//*[local-name()='line'][@class='tick'])" "$OUT/smp.svg")" -eq 16 ]
}

@test "run --repeat 5: five runs kept, statistics consistent with them" {
	require_guest
	cd "$OUT"
	"$BT" run --repeat 5 -f jsonl -o boot.jsonl -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin" 2>stats
	cat stats
	for i in 1 2 3 4 5; do
		jq -e 'select(.type == "summary") | .events == 11' "boot.$i.jsonl"
	done
	[ ! -e boot.6.jsonl ]
	[ "$(grep -c '^boot-trace: run [1-5]/5: status 0, 1 VM, time to Userspace [0-9.]* s -> boot\.[1-5]\.jsonl$' stats)" -eq 5 ]
	grep -q '^boot-trace: 5 runs, 5 boots with codes$' stats
	# Each row against the files: n, min, p50, max exactly; p90, p99, mean, stddev to 1 us
	# (numpy's linear percentiles), cv to 0.1 %.
	check_row() { # NAME JQ-EXPRESSION-FOR-THE-SAMPLES
		local row want
		row=$(grep "^  $1 " stats | sed "s/^  $1 *//; s/%.*//")
		want=$(cat boot.[1-5].jsonl | jq -s -r "[.[] | select(.type == \"vm_summary\") |
			$2] | sort | . as \$v | (length) as \$n | (\$v | add / \$n) as \$m |
			def pct(p): ((\$n - 1) * p) as \$r | (\$r | floor) as \$lo |
				if \$lo + 1 >= \$n then \$v[\$n - 1]
				else \$v[\$lo] + (\$r - \$lo) * (\$v[\$lo + 1] - \$v[\$lo]) end;
			((\$v | map((. - \$m) * (. - \$m)) | add) / (\$n - 1) | sqrt) as \$sd |
			[\$n, \$v[0], \$v[2], pct(0.9), pct(0.99), \$v[4], \$m, \$sd,
			 (if \$m > 0 then \$sd / \$m * 100 else 0 end)] |
			map(tostring) | join(\" \")")
		read -r n min p50 p90 p99 max mean sd cv <<<"$row"
		read -r wn wmin wp50 wp90 wp99 wmax wmean wsd wcv <<<"$want"
		echo "$1: got $row; want $want"
		[ "$n" -eq "$wn" ]
		[ "$min" = "$(sec "$wmin")" ]
		[ "$p50" = "$(sec "$wp50")" ]
		[ "$max" = "$(sec "$wmax")" ]
		awk -v a="$p90" -v b="$wp90" -v c="$p99" -v d="$wp99" -v e="$mean" -v f="$wmean" \
			-v g="$sd" -v h="$wsd" -v i="$cv" -v j="$wcv" 'BEGIN {
			ok = 1
			if ((a * 1e9 - b) ^ 2 >= 1e6 || (c * 1e9 - d) ^ 2 >= 1e6) ok = 0
			if ((e * 1e9 - f) ^ 2 >= 1e6 || (g * 1e9 - h) ^ 2 >= 1e6) ok = 0
			if ((i - j) ^ 2 >= 0.01) ok = 0
			exit !ok }'
		awk -v a="$min" -v b="$p50" -v c="$p90" -v d="$p99" -v e="$max" \
			'BEGIN { exit !(a <= b && b <= c && c <= d && d <= e) }'
	}
	check_row Firmware '.stages[] | select(.stage == "Firmware") | .duration_ns'
	check_row Kernel '.stages[] | select(.stage == "Kernel") | .duration_ns'
	check_row Userspace '.stages[] | select(.stage == "Userspace") | .duration_ns'
	check_row "time to Userspace" '.time_to_userspace_ns'
}

@test "run --repeat: without -o nothing is kept; a failing run stops the series" {
	require_guest
	mkdir "$OUT/work"
	cd "$OUT/work"
	run --separate-stderr "$BT" run --repeat 2 -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A)" ] || { ls -la; false; }
	grep -q '^boot-trace: 2 runs, 2 boots with codes$' <<<"$stderr"
	run --separate-stderr "$BT" run --repeat 3 -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	grep -q '^boot-trace: run 1/3: status 3, 0 VMs, time to Userspace none$' <<<"$stderr"
	grep -q '^boot-trace: stopped after run 1 of 3 (status 3)$' <<<"$stderr"
}

@test "diff: flags a guest slowed in its Kernel stage, passes an identical one" {
	require_guest
	cd "$OUT"
	# Five boots a side: the fewest whose Mann-Whitney test can reach p < 0.01.
	"$BT" run -q --repeat 5 -f jsonl -o base.jsonl -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin"
	"$BT" run -q --repeat 5 -f jsonl -o same.jsonl -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin"
	# Second --arg: 200000 kilo-cycles of extra work in the Kernel stage only (~40 times
	# the stage's usual length here).
	"$BT" run -q --repeat 5 -f jsonl -o slow.jsonl -- "$VMM" --timeout 60 --serial /dev/null \
		--arg 2000 --arg 200000 "$GUESTS/demo.bin"
	cat base.[1-5].jsonl >base.jsonl
	cat same.[1-5].jsonl >same.jsonl
	cat slow.[1-5].jsonl >slow.jsonl

	run "$BT" diff base.jsonl slow.jsonl
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Eq '^  Kernel +5 +5 +[0-9.]+ +[0-9.]+ +\+[0-9.]+% +\[.*\] +0\.00[0-9]+  SLOWER$' <<<"$output"
	grep -Eq '^  time to Userspace +5 +5 .* SLOWER$' <<<"$output"
	grep -q '^boot-trace: slower (p < 0.01, by more than 10%): .*Kernel' <<<"$output"
	run "$BT" diff --threshold 500 base.jsonl slow.jsonl
	[ "$status" -eq 1 ]

	# The same file: every change is 0, nothing significant.
	run "$BT" diff base.jsonl base.jsonl
	[ "$status" -eq 0 ]
	[ "$(grep -c ' +0.0% ' <<<"$output")" -eq 6 ]
	grep -q '^boot-trace: no stage significantly slower (p < 0.01) by more than 10%$' <<<"$output"
	# The same guest booted again: emulation makes stage times noisy (tens of percent), but
	# noise is not a significant slowdown by more than the threshold.
	run "$BT" diff base.jsonl same.jsonl
	echo "$output"
	[ "$status" -eq 0 ]
	# The slowed guest as the base: nothing got slower.
	run "$BT" diff -q slow.jsonl base.jsonl
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# expect_bad_input PATTERN -- ARGS...: status 2, one line on stderr matching PATTERN.
expect_bad_input() {
	local pattern=$1
	shift 2
	run -2 --separate-stderr "$BT" "$@"
	echo "status=$status stderr=$stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == $pattern ]]
}

@test "malformed jsonl: truncated line, wrong types, empty file, huge line, and more" {
	cd "$OUT"
	good='{"type":"vm_start","ts_ns":1000,"pid":42,"comm":"vmm","vm":1,"start_seen":true}'
	printf '%s\n{"type":"event","ts_ns":20' "$good" >truncated.jsonl
	printf '%s\n{"type":"event","ts_ns":"20"}\n' "$good" >types.jsonl
	printf '{"type":"vm_start","ts_ns":1,"pid":42,"comm":"vmm","vm":"one","start_seen":true}\n' \
		>types2.jsonl
	: >empty.jsonl
	{ echo "$good"; echo "$good"; head -c 2000000 /dev/zero | tr '\0' 'x'; echo; } >huge.jsonl
	printf 'GIF89a\001\002\n' >binary.jsonl
	printf '%s\n[1, 2]\n' "$good" >array.jsonl
	for cmd in report diff; do
		extra=()
		[ "$cmd" = diff ] && extra=(empty.jsonl)
		expect_bad_input "boot-trace: truncated.jsonl:2: truncated record: the file ends in the middle of it" \
			-- "$cmd" truncated.jsonl "${extra[@]}"
		expect_bad_input 'boot-trace: types.jsonl:2: event record: "ts_ns" must be a non-negative integer, not a string' \
			-- "$cmd" types.jsonl "${extra[@]}"
		expect_bad_input 'boot-trace: types2.jsonl:1: vm_start record: "vm" must be an integer from 0 to 4294967295, not a string (or null)' \
			-- "$cmd" types2.jsonl "${extra[@]}"
		expect_bad_input "boot-trace: empty.jsonl: empty file: no boot-trace records" \
			-- "$cmd" empty.jsonl "${extra[@]}"
		expect_bad_input "boot-trace: huge.jsonl:3: line longer than 1048576 bytes: not a jsonl trace" \
			-- "$cmd" huge.jsonl "${extra[@]}"
		expect_bad_input "boot-trace: binary.jsonl:1: invalid JSON at column 1: *" \
			-- "$cmd" binary.jsonl "${extra[@]}"
		expect_bad_input "boot-trace: array.jsonl:2: expected a JSON object, found array" \
			-- "$cmd" array.jsonl "${extra[@]}"
		expect_bad_input "boot-trace: cannot read missing.jsonl: No such file or directory" \
			-- "$cmd" missing.jsonl "${extra[@]}"
	done
	# A chart of a bad file is not left behind.
	expect_bad_input "boot-trace: truncated.jsonl:2: *" -- report --svg out.svg truncated.jsonl
	[ ! -e out.svg ]
	# An output that is the input would destroy it before it is read.
	cp types.jsonl self.jsonl
	expect_bad_input "boot-trace: self.jsonl is both the input and an output" -- \
		report --svg self.jsonl self.jsonl
	cmp types.jsonl self.jsonl
	# diff: the second file is checked too; a file with no codes cannot be compared.
	printf '%s\n' "$good" >nocodes.jsonl
	expect_bad_input "boot-trace: nocodes.jsonl: no boot codes to compare" -- \
		diff nocodes.jsonl nocodes.jsonl
}

@test "usage errors of report and diff" {
	expect_bad_input "boot-trace: report needs one FILE (a jsonl trace)*" -- report
	expect_bad_input "boot-trace: diff needs two files: BASE.jsonl NEW.jsonl*" -- diff a.jsonl
	expect_bad_input "boot-trace: invalid threshold 'x': a percentage from 0 to 1000000*" -- \
		diff --threshold x a b
	expect_bad_input "boot-trace: --svg cannot be used with run*" -- run --svg x.svg -- true
	expect_bad_input "boot-trace: invalid repeat count '0': a number from 1 to 10000*" -- \
		run --repeat 0 -- true
	expect_bad_input "boot-trace: --repeat cannot be used with record*" -- record -a --repeat 2
}

@test "chrome + perf record -k mono: one timeline (scripts/perf-to-chrome.sh)" {
	require_guest
	command -v perf >/dev/null || skip "perf (linux-perf) is not installed"
	cd "$OUT"
	# Whether perf can, apart: its status is then the traced command's, boot-trace's.
	perf record -q -k mono -e kvm:kvm_pio -o probe.data -- true ||
		skip "perf cannot record kvm:kvm_pio here"
	perf record -q -k mono -e kvm:kvm_pio -o perf.data -- \
		"$BT" run -q -f chrome -o boot.json -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin"
	"$ROOT/scripts/perf-to-chrome.sh" boot.json perf.data >merged.json
	chrome_fields_ok merged.json
	slices_nest merged.json
	# Every boot code has perf's sample of the same write on the same thread track: both
	# clocks are CLOCK_MONOTONIC, so they agree to 0.2 ms in the median and 5 ms each. (Not
	# 1 ms each: on the nested host, where QEMU translates code the first time it runs, the
	# freshly loaded program's first write was stamped 1.3-2.3 ms after perf's, twice; the
	# ten after it agreed within 40 us.)
	jq -e '[.traceEvents[] | select(.cat == "perf" and
			(.args.detail | test("pio_write at 0x80 ")))] as $p |
		[.traceEvents[] | select(.cat == "code")] as $b |
		[range(0; 11) | ($b[.].ts - $p[.].ts) | fabs] as $d |
		($b | length) == 11 and ($p | length) == 11 and
		all(range(0; 11); $b[.].tid == $p[.].tid) and
		all($d[]; . < 5000) and ($d | sort | .[5]) < 200' merged.json || {
		# What differed (it failed once on the nested host, with a second one busy).
		jq -c '[.traceEvents[] | select(.cat == "code" or (.cat == "perf" and
			(.args.detail | test("pio_write at 0x80 "))))] | map([.cat, .tid, .ts])' merged.json
		false
	}
}
