#!/usr/bin/env bats
# boot-trace run, end to end: real guests in vmm-min, real tracepoints, a real ring buffer.

load common
bats_require_minimum_version 1.5.0

setup() {
	require_bpf
	OUT="$BATS_TEST_TMPDIR"
}

# A test that failed while boot-trace ran in the background leaves nothing behind.
teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
}

@test "demo: the exact code sequence, labels, increasing stamps, VM-relative times" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/demo.jsonl" -- "$VMM" --timeout 60 "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	codes=$(jsonl_events "$OUT/demo.jsonl" | jq -r '.code' | tr '\n' ' ')
	[ "$codes" = "0 1 2 32 33 64 65 66 96 97 128 " ]
	labels=$(jsonl_events "$OUT/demo.jsonl" | jq -r '.label' | uniq | tr '\n' ' ')
	[ "$labels" = "Firmware Bootloader Kernel Userspace Custom " ]
	# Strictly increasing host stamps, since_start_ns > 0 and consistent with ts_ns.
	jsonl_events "$OUT/demo.jsonl" | jq -s -e '
		(. | length) == 11 and
		all(.[]; .since_start_ns > 0 and .vcpu == 0 and .port == 128 and .size == 1
			and .comm == "vmm-min" and .thread == "vcpu0") and
		([range(1; length) as $i | .[$i].ts_ns > .[$i - 1].ts_ns] | all) and
		([.[] | .ts_ns - .since_start_ns] | unique | length) == 1'
	# The VM start record precedes the events and matches since_start_ns.
	jq -s -e --arg cmd "$VMM --timeout 60 $GUESTS/demo.bin" \
		'[.[] | select(.type == "vm_start")] | length == 1 and .[0].cmdline == $cmd' "$OUT/demo.jsonl"
	start=$(jq -r 'select(.type == "vm_start") | .ts_ns' "$OUT/demo.jsonl")
	first=$(jsonl_events "$OUT/demo.jsonl" | head -1 | jq -r '.ts_ns - .since_start_ns')
	[ "$start" = "$first" ]
}

@test "demo: the summary's stage table matches the events" {
	require_kvm
	run "$BT" run -f jsonl -o "$OUT/demo.jsonl" -- "$VMM" --timeout 60 "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	# Recompute the table from the events and compare with the summary record.
	expected=$(jsonl_events "$OUT/demo.jsonl" | jq -s -c '
		group_by(.label) | map({stage: .[0].label, first: .[0].since_start_ns,
			last: .[-1].since_start_ns, codes: length}) | sort_by(.first) as $s |
		[range(0; $s | length) as $i | {stage: $s[$i].stage, first_ns: $s[$i].first,
			duration_ns: ((if $i + 1 < ($s | length) then $s[$i + 1].first
				else $s[$i].last end) - $s[$i].first), codes: $s[$i].codes}]')
	actual=$(jsonl_summary "$OUT/demo.jsonl" | jq -c '.vms[0].stages')
	[ "$expected" = "$actual" ]
	summary_has "$OUT/demo.jsonl" '.events == 11 and .dropped == 0 and
		(.vms | length) == 1 and .vms[0].events == 11 and .vms[0].end_ns > .vms[0].start_ns'
	# Time to userspace = since_start_ns of the first Userspace code.
	user=$(jsonl_events "$OUT/demo.jsonl" | jq -r 'select(.label == "Userspace") | .since_start_ns' | head -1)
	summary_has "$OUT/demo.jsonl" ".vms[0].time_to_userspace_ns == $user"
}

@test "log format: cloud-hypervisor's text on every line, summary on stderr" {
	require_kvm
	"$BT" run -o "$OUT/demo.log" -- "$VMM" --timeout 60 --serial "$OUT/serial" \
		"$GUESTS/demo.bin" 2>"$OUT/stderr"
	[ "$(grep -c 'Debug I/O port' "$OUT/demo.log")" -eq 11 ]
	grep 'Debug I/O port' "$OUT/demo.log" | while read -r line; do
		[[ "$line" =~ ^\[\ *[0-9]+\.[0-9]{9}\]\ vmm-min\[[0-9]+\]\ vm[0-9]+\ vcpu0:\ \[Debug\ I/O\ port:\ (Firmware|Bootloader|Kernel|Userspace|Custom)\ code\ 0x[0-9a-f]+\]\ [0-9]+\.[0-9]{6}\ seconds$ ]]
	done
	grep -q '\[Debug I/O port: Firmware code 0x0\]' "$OUT/demo.log"
	grep -q '\[Debug I/O port: Kernel code 0x42\]' "$OUT/demo.log"
	grep -q '\[Debug I/O port: Custom code 0x80\]' "$OUT/demo.log"
	grep -q '^  Firmware .* 3$' "$OUT/stderr"
	grep -q '^  Kernel .* 3$' "$OUT/stderr"
	grep -q '^  time to Userspace: [0-9]*\.[0-9]\{6\} s$' "$OUT/stderr"
	grep -q '^boot-trace: 11 events, 0 dropped$' "$OUT/stderr"
}

@test "log format: seconds stay exact past one second" {
	require_kvm
	# 4e8 TSC cycles (~0.15 s here) between steps: the last code lands past one second.
	"$BT" run -o "$OUT/slow.log" -- "$VMM" --timeout 120 --serial /dev/null --arg 400000 \
		"$GUESTS/demo.bin"
	last=$(grep 'Custom code 0x80' "$OUT/slow.log" | sed 's/.*\] \([0-9.]*\) seconds$/\1/')
	[[ "$last" =~ ^[1-9][0-9]*\.[0-9]{6}$ ]]
}

@test "-q: no summary" {
	require_kvm
	run "$BT" run -q -o "$OUT/q.log" -- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(grep -c 'Debug I/O port' "$OUT/q.log")" -eq 11 ]
}

@test "flood: 100000 writes, every one captured, none dropped" {
	require_kvm
	# An 8 MiB buffer holds the whole flood (116000 records): this checks that every write
	# arrives, in order, whatever the machine's speed (under valgrind too). Whether the default buffer keeps up with
	# 1M writes is a speed question, measured by make bench (loss section).
	"$BT" run -b 8192 -f jsonl -o "$OUT/flood.jsonl" -- "$VMM" --timeout 120 --arg 100000 \
		"$GUESTS/flood.bin"
	summary=$(jsonl_summary "$OUT/flood.jsonl")
	captured=$(jsonl_events "$OUT/flood.jsonl" | wc -l)
	dropped=$(echo "$summary" | jq .dropped)
	[ "$captured" -eq 100000 ]
	[ "$dropped" -eq 0 ]
	summary_has "$OUT/flood.jsonl" '.events == 100000'
	# Values in order: the guest writes the low byte of its loop counter.
	jsonl_events "$OUT/flood.jsonl" | jq -r .code | awk '$1 != (NR - 1) % 256 { bad++ } END { exit bad > 0 }'
}

@test "flood in long mode: every write captured" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/flood64.jsonl" -- "$VMM" --mode long --timeout 120 --arg 20000 \
		"$GUESTS/flood64.bin"
	summary_has "$OUT/flood64.jsonl" '.events == 20000 and .dropped == 0'
}

# Run by `boot-trace run -- sh -c`: stops boot-trace (the shell's parent) for the whole flood,
# so no reader drains the ring and a tiny one overflows however fast or slow the machine is.
FLOOD_READER_STOPPED='kill -STOP $PPID; "$0" --timeout 120 --arg 100000 "$1"; s=$?; kill -CONT $PPID; exit $s'

@test "flood into a tiny ring buffer: captured + dropped == written, drops reported" {
	require_kvm
	"$BT" run -b 4 -f jsonl -o "$OUT/tiny.jsonl" -- \
		sh -c "$FLOOD_READER_STOPPED" "$VMM" "$GUESTS/flood.bin" 2>"$OUT/stderr"
	captured=$(jsonl_events "$OUT/tiny.jsonl" | wc -l)
	dropped=$(jsonl_summary "$OUT/tiny.jsonl" | jq .dropped)
	echo "captured=$captured dropped=$dropped"
	[ $((captured + dropped)) -eq 100000 ]
	[ "$dropped" -gt 0 ]
	# The log format names the loss on stderr.
	"$BT" run -b 4 -o /dev/null -- sh -c "$FLOOD_READER_STOPPED" "$VMM" "$GUESTS/flood.bin" \
		2>"$OUT/stderr"
	# (a tiny buffer may also lose a VM/process record: counted apart, on the same line)
	grep -Eq '^boot-trace: [0-9]+ events, [1-9][0-9]* dropped(, [0-9]+ VM/process records dropped)?$' "$OUT/stderr"
}

@test "strio: every byte of rep outsb in order, then the 16- and 32-bit writes" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/strio.jsonl" -- "$VMM" --timeout 60 "$GUESTS/strio.bin"
	got=$(jsonl_events "$OUT/strio.jsonl" | jq -r '"\(.size):\(.value):\(.code)"' | tr '\n' ' ')
	want=""
	for v in $(seq 16 31); do want="${want}1:$v:$v "; done
	want="${want}2:12849:49 4:909456435:51 "
	[ "$got" = "$want" ]
}

@test "smp: each write carries the vCPU that made it" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/smp.jsonl" -- "$VMM" --timeout 60 --cpus 4 "$GUESTS/smp.bin"
	jsonl_events "$OUT/smp.jsonl" | jq -s -e '
		length == 16 and all(.[]; .vcpu == ((.code - 128) / 4 | floor) and
			.thread == "vcpu\(.vcpu)") and ([.[].vcpu] | unique) == [0, 1, 2, 3]'
}

@test "a VMM that reboots: each boot its own VM, the closed one ends before the next starts" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/boots.jsonl" -- "$VMM" --timeout 60 --boots 3 --serial /dev/null \
		"$GUESTS/demo.bin"
	jq -s -e '[.[] | select(.type == "vm_start")] |
		length == 3 and all(.[]; .start_seen) and ([.[].vm] | unique | length) == 3' \
		"$OUT/boots.jsonl"
	# Every boot's eleven codes, in order, in its own VM (a new VM's struct kvm and vCPU
	# may sit at the closed one's addresses: nothing of the old one may stick).
	jsonl_events "$OUT/boots.jsonl" | jq -s -e '
		group_by(.vm) | length == 3 and
		all(.[]; length == 11 and [.[].code] == [0, 1, 2, 32, 33, 64, 65, 66, 96, 97, 128])'
	# A closed VM ends when KVM's uevent says so, or where the next VM starts if that is read
	# first: after its last write, never after the next start.
	jq -s -e '
		[.[] | select(.type == "vm_start")] as $starts |
		[.[] | select(.type == "vm_end")] as $ends |
		[.[] | select(.type == "event")] as $events |
		($ends | map(.reason)) == ["VM closed", "VM closed", "exit status 0"] and
		$ends[0].ts_ns <= $starts[1].ts_ns and $ends[1].ts_ns <= $starts[2].ts_ns and
		all($ends[]; .vm as $vm | .ts_ns as $stop |
			all($events[] | select(.vm == $vm); .ts_ns < $stop))' \
		"$OUT/boots.jsonl"
	# And each vCPU of each boot is told apart.
	"$BT" run -f jsonl -o "$OUT/smp-boots.jsonl" -- "$VMM" --timeout 60 --boots 2 --cpus 2 \
		--serial /dev/null "$GUESTS/smp.bin"
	jsonl_events "$OUT/smp-boots.jsonl" | jq -s -e '
		group_by(.vm) | length == 2 and all(.[]; length == 8 and
			all(.[]; .vcpu == ((.code - 128) / 4 | floor)))'
}

@test "a VMM that closes its VM and lives on: the VM ends when KVM destroys it, not at exit" {
	require_kvm
	# KVM's destroy uevent ends it; without it the VM would end at the VMM's exit 2 s later.
	"$BT" run -f jsonl -o "$OUT/linger.jsonl" -- "$VMM" --timeout 60 --linger 2 \
		--serial /dev/null "$GUESTS/demo.bin"
	jq -s -e '[.[] | select(.type == "vm_end")] | length == 1 and .[0].reason == "VM closed"' \
		"$OUT/linger.jsonl"
	jsonl_events "$OUT/linger.jsonl" | jq -s -e 'length == 11'
}

@test "noise: writes to other ports stay out unless asked for" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/noise.jsonl" -- "$VMM" --timeout 60 "$GUESTS/noise.bin"
	[ "$(jsonl_events "$OUT/noise.jsonl" | jq -r '"\(.port):\(.code)"' | tr '\n' ' ')" = \
		"128:1 128:33 128:65 128:97 128:129 " ]
	"$BT" run -f jsonl -o "$OUT/noise2.jsonl" --port 0x80 --port 0xf4 -- "$VMM" --timeout 60 \
		"$GUESTS/noise.bin"
	[ "$(jsonl_events "$OUT/noise2.jsonl" | jq -r '"\(.port):\(.code)"' | tr '\n' ' ')" = \
		"128:1 244:177 128:33 244:178 128:65 244:179 128:97 244:180 128:129 " ]
	# --port replaces the default: only 0x81 now.
	"$BT" run -f jsonl -o "$OUT/noise3.jsonl" --port 129 -- "$VMM" --timeout 60 "$GUESTS/noise.bin"
	[ "$(jsonl_events "$OUT/noise3.jsonl" | jq -r '"\(.port):\(.code)"' | tr '\n' ' ')" = \
		"129:161 129:162 129:163 129:164 " ]
}

@test "a wrapper script that starts vmm-min is followed through fork and exec" {
	require_kvm
	cat >"$OUT/wrapper.sh" <<-SCRIPT
	#!/bin/sh
	echo "wrapper: starting the VMM"
	"$VMM" --timeout 60 --serial /dev/null "\$@"
	status=\$?
	echo "wrapper: VMM exited \$status"
	exit \$status
	SCRIPT
	chmod +x "$OUT/wrapper.sh"
	run "$BT" run -f jsonl -o "$OUT/wrap.jsonl" -- "$OUT/wrapper.sh" "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	jsonl_events "$OUT/wrap.jsonl" | jq -s -e 'length == 11 and all(.[]; .comm == "vmm-min")'
	summary_has "$OUT/wrap.jsonl" '.vms[0].time_to_userspace_ns > 0'
}

@test "run exits with the command's status" {
	require_kvm
	run "$BT" run -q -- "$VMM" --timeout 60 --arg 7 "$GUESTS/exitcode.bin"
	[ "$status" -eq 7 ]
	run "$BT" run -q -- "$VMM" --timeout 1 "$GUESTS/hang.bin"
	[ "$status" -eq 124 ]
	run "$BT" run -q -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "--timeout stops a command still running: SIGTERM, SIGKILL 5 s later if need be, status 124" {
	# Each would run for minutes (and pass 0) if the limit were not kept.
	run --separate-stderr "$BT" run -q --timeout 0.3 -- sleep 300
	[ "$status" -eq 124 ]
	[ "${stderr%%$'\n'*}" = "boot-trace: 'sleep' still running after 0.3 s (--timeout): SIGTERM sent" ]
	run --separate-stderr "$BT" run -q --timeout 0.3 -- sh -c 'trap "" TERM; sleep 300 & wait; sleep 300'
	[ "$status" -eq 124 ]
	[[ "$stderr" == *"boot-trace: 'sh' still running after 0.3 s (--timeout): SIGTERM sent"$'\n'"boot-trace: 'sh' still running 5 s after SIGTERM: SIGKILL sent"* ]]
	# What the command started is stopped with it (a wrapper script's VMM).
	run --separate-stderr "$BT" run -q --timeout 0.3 -- sh -c "sleep 300 & echo \$! >'$OUT/child'; wait"
	[ "$status" -eq 124 ]
	local child
	child=$(cat "$OUT/child")
	# Gone, or a zombie (where PID 1 does not reap orphans).
	[ ! -e "/proc/$child" ] || [ "$(awk '{print $3}' "/proc/$child/stat")" = Z ]
	# A wrapper that dies at SIGTERM leaves its VMM the whole grace to shut down, and each
	# process gets one SIGTERM (a second one is "force quit" to many programs).
	cat >"$OUT/vmm.sh" <<-EOF
		#!/bin/sh
		trap 'echo TERM >>"$OUT/vmm.log"; sleep 0.5; echo clean >>"$OUT/vmm.log"; exit 0' TERM
		while :; do sleep 0.05; done
	EOF
	chmod +x "$OUT/vmm.sh"
	run --separate-stderr "$BT" run -q --timeout 0.3 -- sh -c "'$OUT/vmm.sh' & wait"
	[ "$status" -eq 124 ]
	[ "$(cat "$OUT/vmm.log")" = $'TERM\nclean' ]
	[[ "$stderr" != *SIGKILL* ]]
	# A second stop signal during the grace is a SIGKILL, as before the limit.
	"$BT" run -q --timeout 0.3 -- sh -c 'trap "" TERM INT; sleep 300 & wait; sleep 300' \
		2>"$OUT/stderr" &
	PIDS=$!
	wait_for_line "$OUT/stderr" "SIGTERM sent"
	kill -TERM "$PIDS"
	sleep 1 # two signals at once would be one (well inside the 5 s grace)
	kill -TERM "$PIDS"
	status=0
	wait "$PIDS" || status=$?
	[ "$status" -eq 124 ]
	run grep -c "after SIGTERM: SIGKILL sent" "$OUT/stderr" # the grace's own SIGKILL: not reached
	[ "$output" -eq 0 ]
	# A command that ends in time keeps its own status, and nothing is said; a limit of
	# centuries (past epoll_wait's 24 days, near 2^64 ns) does not wrap around to now.
	for limit in 60 3000000 18446744073; do
		run --separate-stderr "$BT" run -q --timeout "$limit" -- sh -c 'sleep 0.2; exit 3'
		[ "$status" -eq 3 ]
		[[ "$stderr" != *"--timeout"* ]]
	done
	# Each boot of a series has the limit: the first one over it stops the series.
	run --separate-stderr "$BT" run --repeat 3 --timeout 0.2 -- sleep 300
	[ "$status" -eq 124 ]
	[[ "$stderr" == *"boot-trace: run 1/3: status 124, 0 VMs, time to Userspace none"* ]]
	[[ "$stderr" == *"boot-trace: stopped after run 1 of 3 (status 124)"* ]]
}

@test "--timeout stops a guest that hangs: its VM ends, marked incomplete" {
	require_kvm
	run --separate-stderr "$BT" run --timeout 1 -f jsonl -o "$OUT/hang.jsonl" -- \
		"$VMM" "$GUESTS/hang.bin"
	[ "$status" -eq 124 ]
	[ "${stderr%%$'\n'*}" = "boot-trace: '$VMM' still running after 1 s (--timeout): SIGTERM sent" ]
	summary_has "$OUT/hang.jsonl" '.vms | length == 1 and .[0].end_ns > 0'
	jq -s -e 'map(select(.type == "vm_end")) | length == 1 and .[0].signal == 15' "$OUT/hang.jsonl"
}

@test "SIGINT stops the command and the trace cleanly, with a summary" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/int.jsonl" -- "$VMM" --timeout 60 --arg 100000 \
		--serial /dev/null "$GUESTS/demo.bin" 2>"$OUT/stderr" &
	pid=$!
	PIDS="$pid"
	# Wait for the first code, then interrupt.
	wait_for_line "$OUT/int.jsonl" '"type":"event"'
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 130 ]
	jq -e . "$OUT/int.jsonl" >/dev/null
	summary_has "$OUT/int.jsonl" '.events >= 1 and .vms[0].end_ns > 0'
}

@test "--help, help COMMAND and --version" {
	run "$BT" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"USAGE: boot-trace COMMAND"* ]]
	for cmd in run record report diff daemon help; do [[ "$output" == *"  $cmd "* ]]; done
	run "$BT" help
	[ "$status" -eq 0 ]
	[[ "$output" == *"USAGE: boot-trace COMMAND"* ]]
	# Each command's usage is its own: its options and examples only.
	for cmd in run record report diff daemon; do
		run "$BT" help "$cmd"
		[ "$status" -eq 0 ]
		[[ "$output" == "USAGE: boot-trace $cmd "* ]]
		[[ "$output" == *"EXAMPLES:"* ]]
		local usage=$output
		run "$BT" "$cmd" --help
		[ "$status" -eq 0 ]
		[ "$output" = "$usage" ]
	done
	[[ "$output" == *"--lock"* && "$output" != *"--threshold"* ]] # daemon's
	run "$BT" help diff
	[[ "$output" == *"--threshold"* && "$output" != *"--port"* && "$output" != *"--svg"* ]]
	run --separate-stderr "$BT" help start
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: unknown command 'start': expected run, record, report, diff or daemon (see boot-trace --help)" ]
	run "$BT" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^boot-trace\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "VMM killed mid-boot: its VM ends, summary marked incomplete, status 137" {
	require_kvm
	"$BT" run -f jsonl -o "$OUT/kill.jsonl" -- "$VMM" --timeout 60 --arg 400000 \
		--serial /dev/null "$GUESTS/demo.bin" &
	pid=$!
	PIDS="$pid"
	wait_for_line "$OUT/kill.jsonl" '"type":"event"'
	kill -KILL "$(child_of "$pid")"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 137 ]
	jq -s -e '[.[] | select(.type == "vm_end")] | length == 1 and .[0].signal == 9
		and .[0].exit_status == null' "$OUT/kill.jsonl"
	jq -s -e '[.[] | select(.type == "vm_summary")] | length == 1 and .[0].complete == false
		and .[0].events >= 1 and .[0].events < 11' "$OUT/kill.jsonl"
	"$BT" run -o /dev/null -- "$VMM" --timeout 60 --arg 400000 --serial /dev/null \
		"$GUESTS/demo.bin" 2>"$OUT/stderr" &
	pid=$!
	vmm=$(child_of "$pid")
	sleep 1
	kill -KILL "$vmm"
	wait "$pid" || true
	grep -Eq '^boot-trace: vmm-min\[[0-9]+\] vm[0-9]+: [0-9]+ codes, killed by signal 9 \(incomplete\)$' "$OUT/stderr"
}
