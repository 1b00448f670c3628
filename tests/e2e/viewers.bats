#!/usr/bin/env bats
# The chrome format in the viewers people open it with: speedscope's own importer and Chrome
# DevTools' trace engine (npm packages, run under Node by the drivers in tests/viewers/).
# They are installed on demand, once per build directory, into $BUILD/viewers; without node,
# npm or the registry the tests skip, except under CI=true, where they fail.

load common
bats_require_minimum_version 1.5.0

VIEWERS_PKGS="speedscope@1.25.0 @paulirish/trace_engine@0.0.65"
DRIVERS="$ROOT/tests/viewers"

setup_file() {
	local dir="$BUILD/viewers" why=""
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		why="node or npm not installed"
	elif [ ! -f "$dir/.installed" ] || [ "$(cat "$dir/.installed")" != "$VIEWERS_PKGS" ]; then
		mkdir -p "$dir"
		# shellcheck disable=SC2086
		if npm install --prefix "$dir" --no-audit --no-fund --silent $VIEWERS_PKGS \
			>"$dir/npm.log" 2>&1; then
			echo "$VIEWERS_PKGS" >"$dir/.installed"
		else
			why="npm install failed (no registry?): see $dir/npm.log"
		fi
	fi
	echo "$why" >"$BATS_FILE_TMPDIR/skip"
}

setup() {
	OUT="$BATS_TEST_TMPDIR"
	MODS="$BUILD/viewers/node_modules"
	local why
	why=$(cat "$BATS_FILE_TMPDIR/skip")
	if [ -n "$why" ]; then
		[ "${CI:-}" != true ] || { echo "CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

# convert NAME JSONL: $OUT/NAME.json
convert() {
	"$BT" report -q -f chrome -o "$OUT/$1.json" "$2"
}

# views NAME...: both consumers' reports on $OUT/NAME.json, one line each, in $OUT/NAME.ss
# (speedscope) and $OUT/NAME.te (trace engine); none may have logged anything.
views() {
	local n
	for n in "$@"; do
		node "$DRIVERS/speedscope.mjs" "$MODS" "$OUT/$n.json" >"$OUT/$n.ss"
		node "$DRIVERS/trace-engine.mjs" "$MODS" "$OUT/$n.json" >"$OUT/$n.te"
		jq -e '.logs == []' "$OUT/$n.ss" || { cat "$OUT/$n.ss" >&2; return 1; }
		jq -e '.logs == []' "$OUT/$n.te" || { cat "$OUT/$n.te" >&2; return 1; }
	done
}

# stages NAME: the boot-stage slices each consumer saw, per track, as "name@depth" lists
ss_stages() {
	jq -c '[.profiles[] | select(.name | test("boot stages")) |
		[.slices[] | "\(.name | sub(" \\{.*"; ""))@\(.depth)"]]' "$OUT/$1.ss"
}
te_stages() {
	jq -c '[.processes[] | .threads[] | select(.name == "boot stages") |
		[.slices[] | "\(.name)@\(.depth)"]]' "$OUT/$1.te"
}

@test "viewers: demo.jsonl (real stamps): stage slices siblings in order, names seen" {
	convert demo "$ROOT/tests/data/demo.jsonl"
	views demo
	want='[["Firmware@0","Bootloader@0","Kernel@0","Userspace@0","Custom@0"]]'
	[ "$(ss_stages demo)" = "$want" ]
	[ "$(te_stages demo)" = "$want" ]
	jq -e '[.profiles[].name] == ["vmm-min[32340] vm1 (pid 32340), boot stages (tid 1073741825)"]' \
		"$OUT/demo.ss"
	jq -e '[.processes[] | .name] == ["vmm-min[32340] vm1"]' "$OUT/demo.te"
	# speedscope ends each slice exactly where the next begins: no gap, no overlap.
	jq -e '[.profiles[0].slices as $s | range(1; $s | length) |
		$s[.].start == $s[. - 1].end] | all' "$OUT/demo.ss"
	# Still exact to the nanosecond: dur rounds to args.duration_ns, ts to the jsonl stamps.
	jq -e '[.traceEvents[] | select(.ph == "X")] |
		all(.[]; (.dur * 1000 | round) == .args.duration_ns) and
		([range(1; length) as $i | .[$i - 1].ts + .[$i - 1].dur == .[$i].ts] | all)' \
		"$OUT/demo.json"
	[ "$(jq -c '[.traceEvents[] | select(.ph == "X") | .ts * 1000 | round]' "$OUT/demo.json")" = \
		"$(jq -s -c '[.[] | select(.type == "event")] | reduce .[] as $e ([];
			if any(.[]; .label == $e.label) then . else . + [$e] end) | map(.ts_ns)' \
			"$ROOT/tests/data/demo.jsonl")" ]
}

@test "viewers: fleet.jsonl (several runs and VMs): no nesting, all totals" {
	convert fleet "$ROOT/tests/data/fleet.jsonl"
	views fleet
	jq -e '[.profiles[].slices[].depth] | length == 19 and all(. == 0)' "$OUT/fleet.ss"
	jq -e '[.processes[].threads[].slices[].depth] | length == 19 and all(. == 0)' "$OUT/fleet.te"
	jq -e '[.processes[].name] | sort == ["cloud-hyperviso[5400] vm?", "firecracker[5300] vm3",
		"qemu-system-x86[5200] vm2", "vmm-min[5101] vm1"]' "$OUT/fleet.te"
	# otherData: the totals of both runs (20 + 4 events), not the last run's.
	jq -e '.otherData.events == 24 and .otherData.dropped == 3' "$OUT/fleet.json"
	# Two traces reported together: the sum of both.
	cat "$ROOT/tests/data/demo.jsonl" "$ROOT/tests/data/demo.jsonl" >"$OUT/two.jsonl"
	convert two "$OUT/two.jsonl"
	jq -e '.otherData.events == 22' "$OUT/two.json"
}

@test "viewers: synthetic fleet: several VMs and vCPUs, two ports, an incomplete boot" {
	python3 - "$OUT/synth.jsonl" <<'PY'
import json, sys
# Real-sized CLOCK_MONOTONIC stamps with odd nanoseconds: the doubles do not add up.
f = open(sys.argv[1], "w")
def w(**r): f.write(json.dumps(r) + "\n")
stages = [("Firmware", 0x01), ("Bootloader", 0x21), ("Kernel", 0x41), ("Userspace", 0x61)]
for vm in range(1, 5):
    pid = 7000 + vm
    start = 2881740390593 + vm * 1234567891
    w(type="vm_start", ts_ns=start, pid=pid, comm="vmm", vm=vm, start_seen=True, cmdline="")
    t = start + 1535421
    n = 2 if vm == 4 else len(stages)  # vm 4 never gets past the Bootloader
    for i, (label, code) in enumerate(stages[:n]):
        for k in range(3):
            vcpu = (i + k) % 2
            w(type="event", ts_ns=t, pid=pid, comm="vmm", vm=vm, since_start_ns=t - start,
              tid=pid + 1 + vcpu, thread="vcpu%d" % vcpu, vcpu=vcpu, port=128, size=1,
              value=code + k, code=code + k, label=label)
            t += 1777013 + 333 * vm + 7 * k
        w(type="event", ts_ns=t, pid=pid, comm="vmm", vm=vm, since_start_ns=t - start,
          tid=pid + 1, thread="vcpu0", vcpu=0, port=0xf4, size=1, value=code, code=code,
          label=label)
        t += 1000003
    if vm == 4:
        w(type="vm_end", ts_ns=t, pid=pid, comm="vmm", vm=vm, exit_status=None, signal=9,
          reason="killed by signal 9")
    else:
        w(type="vm_end", ts_ns=t, pid=pid, comm="vmm", vm=vm, exit_status=0, signal=None,
          reason="exit status 0")
PY
	convert synth "$OUT/synth.jsonl"
	views synth
	full='["Firmware@0","Bootloader@0","Kernel@0","Userspace@0"]'
	want="[$full,$full,$full,[\"Firmware@0\",\"Bootloader@0\"]]"
	[ "$(ss_stages synth | jq -c 'sort_by(length)')" = "$(jq -c 'sort_by(length)' <<<"$want")" ]
	[ "$(te_stages synth | jq -c 'sort_by(length)')" = "$(jq -c 'sort_by(length)' <<<"$want")" ]
	jq -e '[.profiles[] | .slices as $s | range(1; $s | length) |
		$s[.].start == $s[. - 1].end] | all' "$OUT/synth.ss"
	jq -e '[.processes[].name] | sort == ["vmm[7001] vm1", "vmm[7002] vm2", "vmm[7003] vm3",
		"vmm[7004] vm4"]' "$OUT/synth.te"
	# Both vCPU tracks of each VM carry their names, and the second port is named.
	jq -e '[.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] |
		(map(select(startswith("vCPU"))) | length) == 8' "$OUT/synth.json"
	grep -q '"name":"port 0xf4: Firmware 0x1"' "$OUT/synth.json"
}

# unit_sinks: the console boot that tests/unit/test_console_sinks.c gives the writers, kept as
# $OUT/console.json (chrome) and $OUT/console.svg.
unit_sinks() {
	local unit="$BUILD/tests/test_console_sinks"
	if [ ! -x "$unit" ]; then
		[ "${CI:-}" != true ] || { echo "CI=true but $unit is not built" >&2; return 1; }
		skip "$unit is not built (make test builds it)"
	fi
	BT_SINK_DIR="$OUT" "$unit" >"$OUT/unit.out" 2>&1 || { cat "$OUT/unit.out" >&2; return 1; }
}

# track_slices NAME TRACK: the slices each consumer saw on a track, as "name@depth" lists.
ss_track() {
	jq -c --arg t "$2" '[.profiles[] | select(.name | contains(", " + $t + " (tid")) |
		[.slices[] | "\(.name | sub(" \\{.*"; "") | .[0:24])@\(.depth)"]]' "$OUT/$1.ss"
}
te_track() {
	jq -c --arg t "$2" '[.processes[] | .threads[] | select(.name == $t) |
		[.slices[] | "\(.name | .[0:24])@\(.depth)"]]' "$OUT/$1.te"
}

@test "viewers: console lines, host phases, I/O delays (an unmodified guest's boot): siblings" {
	unit_sinks
	views console
	# VMM set-up and the stages of console rules are stage slices like a code's.
	want='[["VMM set-up@0","Firmware@0","Bootloader@0","Kernel@0","Userspace@0","Ready@0"]]'
	[ "$(ss_stages console)" = "$want" ]
	[ "$(te_stages console)" = "$want" ]
	# Every line printed over more than one exit is a slice on its console's track, none
	# nested (a line ends before the next begins); the others are instants.
	want='[["SeaBIOS (version 1.16.2-@0","Probing EDD (edd=off to @0","[    0.000000] Linux ver@0",'
	want+='"[    0.001000] Command l@0","Run /init as init proces@0","Welcome to Debian GNU/Li@0",'
	want+='"debian login: @0"]]'
	[ "$(ss_track console "console ttyS0 0x3f8")" = "$want" ]
	[ "$(te_track console "console ttyS0 0x3f8")" = "$want" ]
	[ "$(te_track console "debugcon 0x402")" = '[["SeaBIOS (version 1.16.2-@0"]]' ]
	jq -e '[.profiles[].slices[] | select(.end < .start)] == []' "$OUT/console.ss"
	# Phases: instants on the VM's process; the I/O delay on its own track, no code.
	jq -e '[.traceEvents[] | select(.cat == "phase") | "\(.name):\(.ph):\(.s)"] ==
		["vmm_start:i:p", "vm_create:i:p", "first_vcpu:i:p", "first_entry:i:p",
		 "vm_end:i:p"]' "$OUT/console.json"
	jq -e '[.traceEvents[] | select(.cat == "io_delay") | .name] ==
		["I/O delay after port 0x61"]' "$OUT/console.json"
	jq -e '[.traceEvents[] | select(.cat == "code") | .name] == ["Kernel 0x41"]' \
		"$OUT/console.json"
	jq -e '[.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] |
		index("I/O delay") != null' "$OUT/console.json"
}

@test "viewers: console.jsonl (report of the synthetic console boot): every line, no nesting" {
	local data="$ROOT/tests/data/console.jsonl"
	convert console "$data"
	views console
	# The stages, in the order the report gives them, are siblings on the stage track.
	want=$("$BT" report -f jsonl "$data" | jq -s -c '[.[] | select(.type == "summary") |
		.vms[].stages | map("\(.stage)@0")]')
	[ "$(ss_stages console)" = "$want" ]
	[ "$(te_stages console)" = "$want" ]
	# A track per console, every line on it once (a slice, or an instant for a line of one
	# exit or one that begins before the last ends); no slice inside another in either viewer.
	for port in 1016 1026; do
		n=$(jq -s "[.[] | select(.type == \"console\" and .port == $port)] | length" "$data")
		[ "$n" -gt 0 ]
		track=$(jq -r "[.traceEvents[] | select(.cat == \"console\" and .args.port == $port) |
			.tid] | unique | if length == 1 then .[0] else error end" "$OUT/console.json")
		[ "$(jq "[.traceEvents[] | select(.tid == $track and .cat == \"console\")] | length" \
			"$OUT/console.json")" -eq "$n" ]
		slices=$(jq "[.traceEvents[] | select(.tid == $track and .ph == \"X\")] | length" \
			"$OUT/console.json")
		[ "$(jq "[.profiles[] | select(.name | endswith(\"(tid $track)\")) | .slices[] |
			select(.depth == 0)] | length" "$OUT/console.ss")" -eq "$slices" ]
		[ "$(jq "[.processes[].threads[] | select(.tid == $track) | .slices[] |
			select(.depth == 0)] | length" "$OUT/console.te")" -eq "$slices" ]
	done
	jq -e '[.profiles[] | select(.name | contains("console")) | .slices as $s |
		range(1; $s | length) | $s[.].start >= $s[. - 1].end] | all' "$OUT/console.ss"
	jq -e '[.processes[].threads[].name] | index("console ttyS0 0x3f8") != null and
		index("debugcon 0x402") != null' "$OUT/console.te"
	# The stage a rule matched, in args, for each line the jsonl gives one.
	[ "$(jq -s -c '[.[] | select(.type == "console" and .stage) | .stage]' "$data")" = \
		"$(jq -c '[.traceEvents[] | select(.cat == "console" and .args.stage) |
			.args.stage]' "$OUT/console.json")" ]
	# Phases as process instants, I/O delays on their track: as many as the jsonl has.
	[ "$(jq -s -c '[.[] | select(.type == "phase") | .name]' "$data")" = \
		"$(jq -c '[.traceEvents[] | select(.cat == "phase") | .name]' "$OUT/console.json")" ]
	n=$(jq -s '[.[] | select(.type == "event" and .io_delay == true)] | length' "$data")
	[ "$n" -gt 0 ]
	[ "$(jq '[.traceEvents[] | select(.cat == "io_delay")] | length' "$OUT/console.json")" -eq "$n" ]
	[ "$(jq '[.traceEvents[] | select(.cat == "code")] | length' "$OUT/console.json")" -eq \
		"$(jq -s '[.[] | select(.type == "event" and .io_delay != true)] | length' "$data")" ]
}
