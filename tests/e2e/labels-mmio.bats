#!/usr/bin/env bats
# Other marker conventions, end to end in vmm-min: qboot's values on port 0xf4 through a label
# map, a user's label file, and Firecracker's MMIO boot timer through kvm:kvm_mmio; read back
# by report and diff, and traced by the daemon.

load common
bats_require_minimum_version 1.5.0

setup() {
	require_bpf
	OUT="$BATS_TEST_TMPDIR"
}

teardown() {
	[ -n "${DAEMON:-}" ] && kill -KILL "$DAEMON" 2>/dev/null || true
}

@test "--port 0xf4 --labels qboot: qemu-boot-time's names, 0x80 keeps its ranges" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/q.jsonl" --port 0x80 --port 0xf4 --labels qboot -- \
		"$VMM" --timeout 60 "$GUESTS/qboot.bin"
	[ "$status" -eq 0 ]
	got=$(jsonl_events "$OUT/q.jsonl" | jq -r '"\(.port):\(.code):\(.label)"' | tr '\n' ' ')
	[ "$got" = "244:1:fw_start 244:5:fw_do_boot 244:2:linux_start_fwcfg 244:3:linux_start_boot 244:4:linux_start_pvhboot 128:64:Kernel 244:6:linux_start_kernel 244:7:linux_start_user 244:9:Unknown " ]
	# Each label is a stage, in the guest's order; time to userspace is linux_start_user.
	summary_has "$OUT/q.jsonl" '[.vms[0].stages[].stage] == ["fw_start", "fw_do_boot",
		"linux_start_fwcfg", "linux_start_boot", "linux_start_pvhboot", "Kernel",
		"linux_start_kernel", "linux_start_user", "Unknown"] and
		all(.vms[0].stages[]; .codes == 1 and .duration_ns >= 0)'
	user=$(jsonl_events "$OUT/q.jsonl" | jq -r 'select(.label == "linux_start_user") | .since_start_ns')
	summary_has "$OUT/q.jsonl" ".vms[0].time_to_userspace_ns == $user"
}

@test "--labels qboot: log lines and summary table" {
	require_kvm
	"$BT" run -o "$OUT/q.log" --port 0xf4 --labels qboot -- "$VMM" --timeout 60 \
		"$GUESTS/qboot.bin" 2>"$OUT/stderr"
	[ "$(grep -c 'Debug I/O port 0xf4' "$OUT/q.log")" -eq 8 ]
	grep -Eq 'vm[0-9]+ vcpu0: \[Debug I/O port 0xf4: fw_start code 0x1\] [0-9]+\.[0-9]{6} seconds$' "$OUT/q.log"
	grep -q '\[Debug I/O port 0xf4: linux_start_user code 0x7\]' "$OUT/q.log"
	grep -q '\[Debug I/O port 0xf4: Unknown code 0x9\]' "$OUT/q.log"
	# 0x80 is not traced: --port replaced it.
	[ "$(grep -c 'Debug I/O port:' "$OUT/q.log")" -eq 0 ]
	grep -Eq '^  linux_start_pvhboot +[0-9]+\.[0-9]{6} +[0-9]+\.[0-9]{6} +1$' "$OUT/stderr"
	grep -Eq '^  time to Userspace: [0-9]+\.[0-9]{6} s$' "$OUT/stderr"
}

@test "--labels FILE: a user's map names codes and ranges; the rest is Unknown" {
	require_kvm
	cat >"$OUT/my.labels" <<-'LABELS'
	# the demo guest's codes, my way
	0x00-0x02   firmware init
	0x20        loader       # a single code
	0x21        kernel load
	0x40-0x5f   kernel
	96          Userspace
	LABELS
	run "$BT" run -f jsonl -o "$OUT/my.jsonl" --port 0x80 --labels "$OUT/my.labels" -- \
		"$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	got=$(jsonl_events "$OUT/my.jsonl" | jq -r '.label' | tr '\n' ',')
	[ "$got" = "firmware init,firmware init,firmware init,loader,kernel load,kernel,kernel,kernel,Userspace,Unknown,Unknown," ]
	summary_has "$OUT/my.jsonl" '[.vms[0].stages[] | "\(.stage)=\(.codes)"] ==
		["firmware init=3", "loader=1", "kernel load=1", "kernel=3", "Userspace=1", "Unknown=2"]
		and .vms[0].time_to_userspace_ns > 0'
}

@test "--mmio: Firecracker's boot timer (0xc0000000 = 123) on the host clock, vCPU known" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/bt.jsonl" --mmio -- "$VMM" --mode long --timeout 60 \
		"$GUESTS/boottimer64.bin"
	[ "$status" -eq 0 ]
	# Only the one-byte write of 123 to 0xc0000000: not 7, not the 4-byte write, not
	# 0xc0000001, not the read. Port 0x80 is still traced.
	got=$(jsonl_events "$OUT/bt.jsonl" | jq -r '"\(.port):\(.gpa):\(.size):\(.value):\(.label)"' | tr '\n' ' ')
	[ "$got" = "128:null:1:64:Kernel null:3221225472:1:123:Guest-boot-time 128:null:1:96:Userspace " ]
	jsonl_events "$OUT/bt.jsonl" | jq -s -e 'all(.[]; .vcpu == 0 and .thread == "vcpu0" and
		.since_start_ns > 0) and .[0].ts_ns < .[1].ts_ns and .[1].ts_ns < .[2].ts_ns'
	# The boot timer ends the boot: it is the time to userspace here (before 0x60).
	timer=$(jsonl_events "$OUT/bt.jsonl" | jq -r 'select(.gpa != null) | .since_start_ns')
	summary_has "$OUT/bt.jsonl" ".vms[0].time_to_userspace_ns == $timer and
		[.vms[0].stages[].stage] == [\"Kernel\", \"Guest-boot-time\", \"Userspace\"]"
}

@test "--mmio ADDR and ADDR=VALUE select other writes; log line text" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/any.jsonl" --mmio 0xc0000000 -- "$VMM" --mode long \
		--timeout 60 "$GUESTS/boottimer64.bin"
	[ "$status" -eq 0 ]
	[ "$(jsonl_events "$OUT/any.jsonl" | jq -r 'select(.gpa != null) | .value' | tr '\n' ' ')" = "7 123 " ]
	run "$BT" run -f jsonl -o "$OUT/other.jsonl" --mmio=0xc0000001=123 -- "$VMM" --mode long \
		--timeout 60 "$GUESTS/boottimer64.bin"
	[ "$status" -eq 0 ]
	[ "$(jsonl_events "$OUT/other.jsonl" | jq -r 'select(.gpa != null) | "\(.gpa):\(.value)"')" = "3221225473:123" ]
	"$BT" run -o "$OUT/bt.log" --mmio -- "$VMM" --mode long --timeout 60 \
		"$GUESTS/boottimer64.bin" 2>"$OUT/stderr"
	grep -Eq 'vm[0-9]+ vcpu0: \[MMIO 0xc0000000: Guest-boot-time value 123\] [0-9]+\.[0-9]{6} seconds$' "$OUT/bt.log"
	grep -Eq '^  Guest-boot-time +[0-9]+\.[0-9]{6} +[0-9]+\.[0-9]{6} +1$' "$OUT/stderr"
}

@test "without --mmio, MMIO writes are not traced" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/none.jsonl" -- "$VMM" --mode long --timeout 60 \
		"$GUESTS/boottimer64.bin"
	[ "$status" -eq 0 ]
	[ "$(jsonl_events "$OUT/none.jsonl" | jq -r '.code' | tr '\n' ' ')" = "64 96 " ]
}

# Seconds with six decimals, as the summary prints nanoseconds.
sec() {
	printf '%d.%06d' $(($1 / 1000000000)) $(($1 % 1000000000 / 1000))
}

@test "report reads the labels back: qboot's table, the chart, conversions, diff per label" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/q.jsonl" --port 0x80 --port 0xf4 --labels qboot -- \
		"$VMM" --timeout 60 "$GUESTS/qboot.bin"
	[ "$status" -eq 0 ]
	# The table the run recorded, in the log format's layout (labels wider than 12 columns).
	jq -r 'select(.type == "vm_summary") | .stages[] |
		"\(.stage) \(.first_ns) \(.duration_ns) \(.codes)"' "$OUT/q.jsonl" |
		while read -r name first dur codes; do
			printf '  %-19s %12s %14s %7s\n' "$name" "$(sec "$first")" "$(sec "$dur")" "$codes"
		done >"$OUT/expected"
	run --separate-stderr "$BT" report "$OUT/q.jsonl"
	[ "$status" -eq 0 ]
	diff -u "$OUT/expected" <(grep -v '^  stage \|^  time to\|^boot-trace' <<<"$output")
	user=$(jq -r 'select(.type == "vm_summary") | .time_to_userspace_ns' "$OUT/q.jsonl")
	grep -q "^  time to Userspace: $(sec "$user") s$" <<<"$output"

	# The chart: a bar per label in the summary's order, the qboot names in the legend.
	"$BT" report -q --svg "$OUT/q.svg" "$OUT/q.jsonl"
	bars=$(grep -o 'class="stage" data-stage="[^"]*"' "$OUT/q.svg" | sed 's/.*="//;s/"$//' |
		tr '\n' ' ')
	[ "$bars" = "fw_start fw_do_boot linux_start_fwcfg linux_start_boot linux_start_pvhboot Kernel linux_start_kernel linux_start_user Unknown " ]
	grep -q '<text x="[0-9.]*" y="[0-9]*">linux_start_pvhboot</text>' "$OUT/q.svg"
	# Chrome and CSV carry the recorded labels.
	"$BT" report -q -f chrome -o "$OUT/q.json" "$OUT/q.jsonl"
	jq -e '[.traceEvents[] | select(.ph == "X") | .name] == ["fw_start", "fw_do_boot",
		"linux_start_fwcfg", "linux_start_boot", "linux_start_pvhboot", "Kernel",
		"linux_start_kernel", "linux_start_user", "Unknown"]' "$OUT/q.json"
	jq -e '[.traceEvents[] | select(.ph == "i" and .s == "t") | .name][0] ==
		"port 0xf4: fw_start 0x1"' "$OUT/q.json"
	[ "$("$BT" report -q -f csv "$OUT/q.jsonl" | cut -d, -f9,13 | tail -n +2 | tr '\n' ' ')" = \
		"244,fw_start 244,fw_do_boot 244,linux_start_fwcfg 244,linux_start_boot 244,linux_start_pvhboot 128,Kernel 244,linux_start_kernel 244,linux_start_user 244,Unknown " ]

	# diff compares per label: the same file passes; a debug-port boot lacks qboot's stages.
	run "$BT" diff "$OUT/q.jsonl" "$OUT/q.jsonl"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' +0.0% ' <<<"$output")" -eq 10 ]
	grep -Eq '^  linux_start_pvhboot +1 +1 ' <<<"$output"
	"$BT" run -q -f jsonl -o "$OUT/demo.jsonl" -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin"
	run "$BT" diff "$OUT/q.jsonl" "$OUT/demo.jsonl"
	[ "$status" -eq 1 ]
	grep -Eq '^  linux_start_user +1 +0 .*MISSING in new$' <<<"$output"
	grep -Eq '^  Firmware +0 +1 .*new stage$' <<<"$output"
}

@test "report reads --mmio writes back: the same events, Guest-boot-time ends the boot" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/bt.jsonl" --mmio -- "$VMM" --mode long --timeout 60 \
		"$GUESTS/boottimer64.bin"
	[ "$status" -eq 0 ]
	# Converted back to jsonl: every event and VM summary as recorded.
	"$BT" report -f jsonl -o "$OUT/back.jsonl" "$OUT/bt.jsonl" >/dev/null
	[ "$(jsonl_events "$OUT/bt.jsonl")" = "$(jsonl_events "$OUT/back.jsonl")" ]
	[ "$(jq -c 'select(.type == "vm_summary")' "$OUT/bt.jsonl")" = \
		"$(jq -c 'select(.type == "vm_summary")' "$OUT/back.jsonl")" ]
	# The VMM's command line too.
	[ "$(jq -r 'select(.type == "vm_start") | .cmdline' "$OUT/back.jsonl")" = \
		"$VMM --mode long --timeout 60 $GUESTS/boottimer64.bin" ]
	run "$BT" report "$OUT/bt.jsonl"
	[ "$status" -eq 0 ]
	grep -Eq '^  Guest-boot-time +[0-9]+\.[0-9]{6} +[0-9]+\.[0-9]{6} +1$' <<<"$output"
	timer=$(jsonl_events "$OUT/bt.jsonl" | jq -r 'select(.gpa != null) | .since_start_ns')
	grep -q "^  time to Userspace: $(sec "$timer") s$" <<<"$output"
	# The log writer's MMIO line, the chart's tooltip and the CSV's empty port.
	"$BT" report -q -f log "$OUT/bt.jsonl" |
		grep -Eq 'vcpu0: \[MMIO 0xc0000000: Guest-boot-time value 123\] [0-9.]+ seconds$'
	"$BT" report -q --svg "$OUT/bt.svg" "$OUT/bt.jsonl"
	grep -q '<title>Guest-boot-time code 0x7b at [0-9.]* ms (MMIO 0xc0000000)</title>' "$OUT/bt.svg"
	"$BT" report -q -f csv "$OUT/bt.jsonl" | grep -q ',vcpu0,0,,1,123,123,Guest-boot-time,,,0xc0000000$'
}

@test "daemon: --port, --labels and --mmio, in the log, the summary line and the metrics" {
	require_kvm
	"$BT" daemon --lock "$OUT/lock" --log-file "$OUT/d.log" --jsonl "$OUT/d.jsonl" \
		--metrics-dir "$OUT" --port 0x80 --port 0xf4 --labels qboot --mmio \
		2>"$OUT/daemon.err" &
	DAEMON=$!
	wait_for_line "$OUT/daemon.err" "daemon tracing every KVM guest"
	"$VMM" --timeout 60 "$GUESTS/qboot.bin" &
	q=$!
	wait "$q"
	"$VMM" --mode long --timeout 60 "$GUESTS/boottimer64.bin" &
	b=$!
	wait "$b"
	wait_for_line "$OUT/d.log" "vmm-min\[$q\] vm[0-9]*: boot summary"
	wait_for_line "$OUT/d.log" "vmm-min\[$b\] vm[0-9]*: boot summary"
	kill -TERM "$DAEMON"
	wait "$DAEMON"
	DAEMON=
	grep -q "vmm-min\[$q\] vm[0-9]* vcpu0: \[Debug I/O port 0xf4: linux_start_user code 0x7\]" "$OUT/d.log"
	grep -Eq "vmm-min\[$q\] vm[0-9]+: boot summary: exit status 0, 9 codes; fw_start at [0-9.]+ s .*; time to Userspace [0-9.]+ s$" "$OUT/d.log"
	grep -q "vmm-min\[$b\] vm[0-9]* vcpu0: \[MMIO 0xc0000000: Guest-boot-time value 123\]" "$OUT/d.log"
	grep -Eq "vmm-min\[$b\] vm[0-9]+: boot summary: .*, Guest-boot-time at [0-9.]+ s" "$OUT/d.log"
	jq -s -e "[.[] | select(.type == \"event\" and .pid == $b and .gpa == 3221225472)] |
		length == 1" "$OUT/d.jsonl"
	# Histograms per label: the debug port's five always, then qboot's and the boot timer's.
	prom=$OUT/boot_trace.prom
	for stage in Firmware fw_start linux_start_user Unknown Guest-boot-time; do
		grep -q "^boot_trace_stage_start_seconds_count{comm=\"vmm-min\",stage=\"$stage\"} " "$prom"
	done
	[ "$(sed -n 's/^boot_trace_stage_start_seconds_count{comm="vmm-min",stage="Guest-boot-time"} //p' "$prom")" -ge 1 ]
}
