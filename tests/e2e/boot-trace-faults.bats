#!/usr/bin/env bats
# The fault matrix, end to end: boot-trace interrupted mid-flood, a ring buffer too small, two
# tracers on one guest, a full disk, missing privileges, a VMM gone before attach, missing
# kernel features. (The VMM killed mid-boot: boot-trace-run.bats, boot-trace-daemon.bats and
# the record -p case below.)

load common
bats_require_minimum_version 1.5.0

setup() {
	require_bpf
	OUT="$BATS_TEST_TMPDIR"
}

teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
	[ -z "${MOUNTED:-}" ] || umount "$MOUNTED"
}

# A flood that outlasts the test (a tracer under a checker takes long to start and to stop).
FLOOD=(--timeout "$(slow 60)" --serial /dev/null --arg "$(slow 3000000)")

# The events line of the summary on stderr (file $1): prints N of "N events, M dropped".
summary_events() {
	sed -n 's/^boot-trace: \([0-9]*\) events, [0-9]* dropped.*$/\1/p' "$1"
}

# check_complete FORMAT TRACE STDERR: the trace is whole and valid and holds as many codes as
# its summary counted (at least one).
check_complete() {
	local fmt=$1 f=$2 err=$3 n ticks
	case $fmt in
	log)
		[ -z "$(tail -c1 "$f")" ] # ends with a whole line
		n=$(grep -c 'Debug I/O port' "$f")
		[ "$(summary_events "$err")" -eq "$n" ]
		;;
	jsonl)
		jq -c . "$f" >/dev/null # every line parses
		[ "$(tail -1 "$f" | jq -r .type)" = summary ]
		n=$(jq -s '[.[] | select(.type == "event")] | length' "$f")
		[ "$(tail -1 "$f" | jq .events)" -eq "$n" ]
		;;
	chrome)
		jq -e '.displayTimeUnit == "ns"' "$f" >/dev/null # closed: the whole file parses
		n=$(jq '[.traceEvents[] | select(.cat == "code")] | length' "$f")
		[ "$(jq .otherData.events "$f")" -eq "$n" ]
		;;
	csv)
		[ "$(head -1 "$f" | cut -d, -f1-3)" = "ts_ns,pid,comm" ]
		awk -F, 'NF != 16 { bad++ } END { exit bad > 0 }' "$f"
		[ -z "$(tail -c1 "$f")" ]
		n=$(($(wc -l <"$f") - 1))
		[ "$(summary_events "$err")" -eq "$n" ]
		;;
	svg)
		xmllint --noout "$f"
		n=$(summary_events "$err")
		ticks=$(xmllint --xpath "count(//*[local-name()='line'][@class='tick'])" "$f")
		# A tick per code, at most 20000 per VM (record -p may see a VM twice: writes made
		# before it was found in /proc have no VM yet).
		[ "$ticks" -le "$n" ]
		[ "$ticks" -ge $((n < 20000 ? n : 20000)) ]
		;;
	esac
	echo "$fmt: $n codes"
	[ "$n" -gt 0 ]
}

@test "SIGINT and SIGTERM of run mid-flood: every format complete and valid" {
	require_kvm
	command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
	sig=INT
	for fmt in log jsonl chrome csv svg; do
		"$BT" run -f "$fmt" -o "$OUT/run.$fmt" -- "$VMM" "${FLOOD[@]}" "$GUESTS/flood.bin" \
			2>"$OUT/run-$fmt.err" &
		pid=$!
		PIDS="$pid"
		child_of "$pid" >/dev/null
		sleep 0.3
		kill "-$sig" "$pid"
		status=0
		wait "$pid" || status=$?
		echo "$fmt: SIG$sig, status $status"
		# run passes the signal to the VMM and exits with its status.
		[ "$status" -eq $((128 + $(kill -l "$sig"))) ]
		check_complete "$fmt" "$OUT/run.$fmt" "$OUT/run-$fmt.err"
		[ "$sig" = INT ] && sig=TERM || sig=INT
	done
	# The VMM's end is in the trace, with the signal that killed it (SIGTERM for jsonl),
	# unless its exit record was lost to a full buffer (a reader slowed by a checker), which
	# the summary then counts.
	jq -s -e '([.[] | select(.type == "vm_end")] | length == 1 and .[0].signal == 15) or
		(.[-1].lifecycle_dropped > 0)' "$OUT/run.jsonl"
	grep -q 'VMM exited (killed by signal 2)' "$OUT/run.log" ||
		grep -q 'VM/process records dropped' "$OUT/run-log.err"
}

@test "SIGINT and SIGTERM of record -p mid-flood, five recorders at once: all complete" {
	require_kvm
	command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
	"$VMM" "${FLOOD[@]}" "$GUESTS/flood.bin" &
	vmm=$!
	PIDS="$vmm"
	for fmt in log jsonl chrome csv svg; do
		"$BT" record -p "$vmm" -f "$fmt" -o "$OUT/rec.$fmt" 2>"$OUT/rec-$fmt.err" &
		eval "rec_$fmt=$!"
		PIDS="$PIDS $!"
	done
	for fmt in log jsonl chrome csv svg; do
		wait_for_line "$OUT/rec-$fmt.err" "tracing"
	done
	sleep 0.5
	# The opposite signals of the run test: log TERM, jsonl INT, chrome TERM, ...
	sig=TERM
	for fmt in log jsonl chrome csv svg; do
		eval "kill -$sig \$rec_$fmt"
		[ "$sig" = INT ] && sig=TERM || sig=INT
	done
	for fmt in log jsonl chrome csv svg; do
		eval "wait \$rec_$fmt"
		check_complete "$fmt" "$OUT/rec.$fmt" "$OUT/rec-$fmt.err"
	done
	kill "$vmm" 2>/dev/null || true
	# The VM was still running: its summary says so. (Writes made before record -p found the
	# VM in /proc have no VM id: they may make a second, unnamed VM.)
	jq -s -e '[.[] | select(.type == "vm_summary")] | length >= 1 and all(.[]; .complete == false)' \
		"$OUT/rec.jsonl"
	grep -Eq "^boot-trace: vmm-min\[$vmm\] vm[0-9]+: [0-9]+ codes, still running \(incomplete\)" \
		"$OUT/rec-log.err"
}

@test "VMM killed mid-boot under record -p: its end and an incomplete summary in the trace" {
	require_kvm
	"$VMM" --timeout 120 --serial /dev/null --arg "$(slow 400000)" "$GUESTS/demo.bin" &
	vmm=$!
	PIDS="$vmm"
	"$BT" record -p "$vmm" -f chrome -o "$OUT/kill.json" 2>"$OUT/kill.err" &
	rec=$!
	PIDS="$PIDS $rec"
	wait_for_line "$OUT/kill.err" "tracing"
	sleep 0.5
	kill -KILL "$vmm"
	wait "$rec" # record -p ends by itself when the process is gone
	jq -e '[.traceEvents[] | select(.name == "VMM exited (killed by signal 9)")] | length == 1' \
		"$OUT/kill.json"
	grep -Eq "^boot-trace: vmm-min\[$vmm\] vm[0-9]+: [0-9]+ codes, killed by signal 9 \(incomplete\)" \
		"$OUT/kill.err"
}

@test "ring buffer overflow (-b 4): dropped == written - captured exactly, in every summary" {
	require_kvm
	n=30000
	# The trace goes to a pipe whose reader waits a second: boot-trace blocks writing it while
	# the guest floods a 4 KiB ring buffer, so writes are dropped whatever the host's speed.
	# log: the count on stderr; every captured write is a line.
	"$BT" run -b 4 -- "$VMM" --timeout 120 --serial /dev/null --arg "$n" "$GUESTS/flood.bin" \
		2>"$OUT/tiny.err" | { sleep 1; cat >"$OUT/tiny.log"; }
	captured=$(grep -c 'Debug I/O port' "$OUT/tiny.log")
	# (The VMM's exit record may be lost too: counted apart, as a VM/process record.)
	dropped=$(sed -n 's/^boot-trace: [0-9]* events, \([0-9]*\) dropped.*$/\1/p' "$OUT/tiny.err")
	echo "log: captured=$captured dropped=$dropped"
	[ "$dropped" -gt 0 ]
	[ $((captured + dropped)) -eq "$n" ]
	[ "$(summary_events "$OUT/tiny.err")" -eq "$captured" ]
	# chrome: the totals in otherData; -q still names the loss.
	"$BT" run -q -b 4 -f chrome -- "$VMM" --timeout 120 --serial /dev/null --arg "$n" \
		"$GUESTS/flood.bin" 2>"$OUT/tiny-q.err" | { sleep 1; cat >"$OUT/tiny.json"; }
	jq -e --argjson n "$n" '([.traceEvents[] | select(.cat == "code")] | length) as $c |
		.otherData.events == $c and .otherData.dropped > 0 and
		$c + .otherData.dropped == $n' "$OUT/tiny.json"
	grep -Eq '^boot-trace: [0-9]+ events, [1-9][0-9]* dropped' "$OUT/tiny-q.err"
}

@test "ring buffer overflow in the daemon: the loss is in its log and its final line" {
	require_kvm
	"$BT" daemon -b 4 --log-file "$OUT/d.log" --lock "$OUT/lock" 2>"$OUT/d.err" &
	d=$!
	PIDS="$d"
	wait_for_line "$OUT/d.err" "daemon tracing"
	# The daemon is stopped while the guest floods its 4 KiB buffer: writes are dropped
	# whatever the host's speed (the VMM's exit record too, most likely). Once it runs again
	# it must still report the VM, from its drained buffer, without waiting for another VM.
	kill -STOP "$d"
	"$VMM" --timeout 120 --serial /dev/null --arg 30000 "$GUESTS/flood.bin" &
	vmm=$!
	wait "$vmm"
	kill -CONT "$d"
	wait_for_line "$OUT/d.log" "vmm-min\[$vmm\] vm[0-9]*: boot summary"
	kill -TERM "$d"
	wait "$d"
	# Other VMs of this host share the daemon's buffer: the count is host-wide, not exact here.
	grep -Eq "vmm-min\[$vmm\] vm[0-9]+: boot summary: .*; host-wide since the daemon started: [1-9][0-9]* dropped" \
		"$OUT/d.log"
	tail -1 "$OUT/d.log" | grep -Eq '^\[ *[0-9]+\.[0-9]{9}\] boot-trace: [0-9]+ events, [1-9][0-9]* dropped'
	grep -Eq '^boot-trace: [0-9]+ events, [1-9][0-9]* dropped' "$OUT/d.err"
}

@test "two tracers at once on one guest: both see every write" {
	require_kvm
	"$BT" record -a -f jsonl -o "$OUT/all.jsonl" 2>"$OUT/rec.err" &
	rec=$!
	PIDS="$rec"
	wait_for_line "$OUT/rec.err" "tracing"
	"$BT" run -f jsonl -o "$OUT/run.jsonl" -- "$VMM" --timeout 60 --serial /dev/null \
		--arg 10000 "$GUESTS/flood.bin"
	kill -INT "$rec"
	wait "$rec"
	pid=$(jq -r 'select(.type == "vm_start") | .pid' "$OUT/run.jsonl")
	# record -a sees every guest of the host: only this one counts here.
	jsonl_events "$OUT/run.jsonl" | jq -r .code >"$OUT/run.codes"
	jsonl_events "$OUT/all.jsonl" | jq -r "select(.pid == $pid) | .code" >"$OUT/all.codes"
	[ "$(wc -l <"$OUT/run.codes")" -eq 10000 ]
	cmp "$OUT/run.codes" "$OUT/all.codes"
	summary_has "$OUT/run.jsonl" '.events == 10000 and .dropped == 0'
	summary_has "$OUT/all.jsonl" "[.vms[] | select(.pid == $pid)][0].events == 10000"
}

@test "output disk full: one clear error, non-zero status, no partial trace left" {
	require_kvm
	command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
	# A trace bigger than the small disk, recorded elsewhere first (for report).
	"$BT" run -q -f jsonl -o "$OUT/big.jsonl" -- "$VMM" --timeout 60 --serial /dev/null \
		--arg 5000 "$GUESTS/flood.bin"
	mkdir "$OUT/full"
	mount -t tmpfs -o size=64k tmpfs "$OUT/full"
	MOUNTED="$OUT/full"
	F="$OUT/full"
	# -q: no boot summary, so that stderr is the error alone.
	run --separate-stderr "$BT" run -q -f jsonl -o "$F/trace.jsonl" -- "$VMM" --timeout 60 \
		--serial /dev/null --arg 5000 "$GUESTS/flood.bin"
	echo "status=$status stderr=$stderr"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: error writing $F/trace.jsonl: No space left on device (the incomplete file was removed)" ]
	[ ! -e "$F/trace.jsonl" ]
	# log: the error once, the summary still on stderr.
	run --separate-stderr "$BT" run -o "$F/trace.log" -- "$VMM" --timeout 60 --serial /dev/null \
		--arg 5000 "$GUESTS/flood.bin"
	[ "$status" -eq 1 ]
	[ "$(grep -c '^boot-trace: error' <<<"$stderr")" -eq 1 ]
	grep -qx "boot-trace: error writing $F/trace.log: No space left on device (the incomplete file was removed)" <<<"$stderr"
	grep -q '^boot-trace: 5000 events, 0 dropped$' <<<"$stderr"
	[ ! -e "$F/trace.log" ]
	# report, converting and drawing into the full disk.
	run --separate-stderr "$BT" report -q -f csv -o "$F/conv.csv" "$OUT/big.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: error writing $F/conv.csv: No space left on device (the incomplete file was removed)" ]
	run --separate-stderr "$BT" report -q --svg "$F/chart.svg" "$OUT/big.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: error writing $F/chart.svg: No space left on device (the incomplete file was removed)" ]
	[ -z "$(ls -A "$F")" ]
	# The daemon's log is appended to, not removed: the error is named, the status at stop is 1.
	"$BT" daemon --log-file "$F/d.log" --lock "$OUT/lock" 2>"$OUT/d.err" &
	d=$!
	PIDS="$d"
	wait_for_line "$OUT/d.err" "daemon tracing"
	"$VMM" --timeout 60 --serial /dev/null --arg 5000 "$GUESTS/flood.bin"
	kill -TERM "$d"
	status=0
	wait "$d" || status=$?
	[ "$status" -eq 1 ]
	grep -qx "boot-trace: error writing $F/d.log: No space left on device" "$OUT/d.err"
	[ -s "$F/d.log" ]
}

# expect_fail STATUS LINE -- COMMAND...: exactly one line on stderr, exactly that status.
expect_fail() {
	local want_status=$1 want=$2
	shift 3
	run "-$want_status" --separate-stderr "$@"
	echo "status=$status stderr=$stderr"
	[ "$stderr" = "$want" ]
}

@test "no privileges: the missing capability is named" {
	command -v setpriv >/dev/null || skip "setpriv is missing"
	# uid 0 without CAP_SYS_ADMIN (which would stand in for both) and one of the two.
	expect_fail 1 "boot-trace: permission denied: tracing needs root or CAP_BPF (try sudo)" -- \
		setpriv --bounding-set=-sys_admin,-bpf --inh-caps=-all "$BT" run -- true
	expect_fail 1 "boot-trace: permission denied: tracing needs root or CAP_PERFMON (try sudo)" -- \
		setpriv --bounding-set=-sys_admin,-perfmon --inh-caps=-all "$BT" record -a
	expect_fail 1 "boot-trace: permission denied: tracing needs root or CAP_BPF and CAP_PERFMON (try sudo)" -- \
		setpriv --bounding-set=-sys_admin,-bpf,-perfmon --inh-caps=-all "$BT" daemon \
		--lock "$OUT/lock"
}

@test "no privileges: what the systemd unit grants (no CAP_SYS_ADMIN) traces a boot" {
	require_kvm
	command -v setpriv >/dev/null || skip "setpriv is missing"
	run --separate-stderr setpriv --bounding-set=-sys_admin --inh-caps=-all "$BT" run \
		-f jsonl -o "$OUT/caps.jsonl" -- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	# (Not -q: it leaves the summary record out, and the check passed on no record at all.)
	summary_has "$OUT/caps.jsonl" '.events == 11 and .vms[0].events == 11'
}

@test "the traced VMM exits before attach completes" {
	require_kvm
	# A process that has exited but not been reaped (a zombie: its parent never waits)
	# passes record's pid check and is gone by the time the tracer attaches.
	python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
open(sys.argv[1], "w").write("%d\n" % pid)
time.sleep(60)' "$OUT/zombie" &
	zparent=$!
	PIDS="$zparent"
	for _ in $(seq 50); do [ -s "$OUT/zombie" ] && break; sleep 0.1; done
	z=$(cat "$OUT/zombie")
	for _ in $(seq 50); do [[ "$(ps -o stat= -p "$z")" == Z* ]] && break; sleep 0.1; done
	[[ "$(ps -o stat= -p "$z")" == Z* ]]
	expect_fail 1 "boot-trace: process $z exited before tracing started" -- \
		"$BT" record -p "$z" -f jsonl -o "$OUT/z.jsonl"
	[ ! -e "$OUT/z.jsonl" ] # no empty trace left behind
	# With a live process as well: that one is traced, the other named, status 1 (record -p
	# ends by itself when the live one is gone).
	"$VMM" --timeout 120 --serial /dev/null --arg "$(slow 400000)" "$GUESTS/demo.bin" &
	vmm=$!
	PIDS="$PIDS $vmm"
	"$BT" record -p "$vmm" -p "$z" -f jsonl -o "$OUT/one.jsonl" 2>"$OUT/one.err" &
	rec=$!
	PIDS="$PIDS $rec"
	wait_for_line "$OUT/one.err" "tracing"
	wait_for_line "$OUT/one.jsonl" '"type":"event"'
	kill "$vmm" 2>/dev/null || true
	status=0
	wait "$rec" || status=$?
	[ "$status" -eq 1 ]
	grep -qx "boot-trace: process $z exited before tracing started" "$OUT/one.err"
	[ "$(grep -c '^boot-trace: process' "$OUT/one.err")" -eq 1 ]
	jsonl_events "$OUT/one.jsonl" | jq -s -e "length >= 1 and all(.[]; .pid == $vmm)"
	kill "$zparent"
	wait "$zparent" 2>/dev/null || true
}

@test "missing kernel features (simulated): the fallbacks work, or the error says what is missing" {
	require_kvm
	# BOOT_TRACE_TEST_MISSING (a test knob, see README) makes the probe act as if the kernel
	# lacked a feature.
	# No raw kvm_pio: the classic tracepoint, with a notice; every byte of the string write
	# is captured or counted as unseen. The notice comes first on stderr, the summary after.
	BOOT_TRACE_TEST_MISSING=raw_tp run --separate-stderr "$BT" run -f jsonl -o "$OUT/strio.jsonl" \
		-- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/strio.bin"
	[ "$status" -eq 0 ]
	[ "${stderr%%$'\n'*}" = "boot-trace: no raw kvm_pio tracepoint: using the classic one; string I/O may show its first element only, the rest is counted as unseen" ]
	summary_has "$OUT/strio.jsonl" '.events + .string_lost == 18'
	# The classic tracepoints see the VM's creation and its vCPU just as well.
	jq -e -s 'map(select(.type == "vm_start")) | length == 1 and .[0].start_seen' "$OUT/strio.jsonl"
	jsonl_events "$OUT/strio.jsonl" | jq -s -e 'length > 0 and all(.[]; .vm == 1 and .vcpu == 0)'
	# Without the built-in BTF subset (another kernel than the build's): the kernel's own
	# BTF, the same trace, every string byte read.
	BOOT_TRACE_TEST_MISSING=core_btf run --separate-stderr "$BT" run -v -f jsonl \
		-o "$OUT/strio-kbtf.jsonl" -- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/strio.bin"
	[ "$status" -eq 0 ]
	summary_has "$OUT/strio-kbtf.jsonl" '.events == 18 and .string_lost == 0'
	grep -qx "boot-trace: loaded with raw tracepoints, CO-RE against the kernel's BTF" <<<"$stderr"
	# And by default, on the kernel it was built on, the built-in subset; on another (a
	# nested host's) the kernel's own. build/core_btf.h names the kernel: its BTF's size and
	# /proc/version.
	built_on=$(python3 -c 'import re, sys
h = open(sys.argv[1]).read().split("core_btf_kernel[]", 1)
print(bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", h[1].split("}")[0])).decode()
      if len(h) == 2 else "")' "$BUILD/core_btf.h")
	btf="kernel's BTF"
	[ "$built_on" != "$(stat -c %s /sys/kernel/btf/vmlinux) $(cat /proc/version)" ] ||
		btf="built-in BTF"
	run --separate-stderr "$BT" run -v -f jsonl -o "$OUT/strio-core.jsonl" \
		-- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/strio.bin"
	[ "$status" -eq 0 ]
	grep -qx "boot-trace: loaded with raw tracepoints, CO-RE against the $btf" <<<"$stderr"
	summary_has "$OUT/strio-core.jsonl" '.events == 18 and .string_lost == 0'
	# --rip without kvm:kvm_exit: no guest RIP, nothing else changes.
	BOOT_TRACE_TEST_MISSING=kvm_exit run --separate-stderr "$BT" run -v --rip -f jsonl -o "$OUT/demo.jsonl" \
		-- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	grep -qx 'boot-trace: kvm:kvm_exit not attached: no guest RIP in the trace' <<<"$stderr"
	jsonl_events "$OUT/demo.jsonl" | jq -s -e 'length == 11 and all(.[]; .rip == null)'
	# What cannot be done without: one line naming it, status 1.
	BOOT_TRACE_TEST_MISSING=btf expect_fail 1 \
		"boot-trace: kernel has no BTF (/sys/kernel/btf/vmlinux is missing; needs CONFIG_DEBUG_INFO_BTF=y)" \
		-- "$BT" run -- true
	BOOT_TRACE_TEST_MISSING=kvm_pio expect_fail 1 \
		"boot-trace: kernel has no kvm:kvm_pio tracepoint (is KVM loaded? try: modprobe kvm)" \
		-- "$BT" record -a
	# No x86 KVM tracepoint inside KVM_CREATE_VM/VCPU: a notice; VMs are found at their first
	# write (start unseen), the trace is otherwise the same.
	BOOT_TRACE_TEST_MISSING=kvm_update_master_clock run --separate-stderr "$BT" run -f jsonl \
		-o "$OUT/nocreate.jsonl" -- "$VMM" --timeout 60 --serial /dev/null "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	[ "${stderr%%$'\n'*}" = "boot-trace: kernel has no kvm:kvm_update_master_clock or kvm:kvm_write_tsc_offset tracepoint: VM creation is not seen, times are from each VM's first write" ]
	jq -e -s 'map(select(.type == "vm_start")) | length == 1 and (.[0].start_seen | not)' \
		"$OUT/nocreate.jsonl"
	jsonl_events "$OUT/nocreate.jsonl" | jq -s -e 'length == 11 and all(.[]; .vcpu == 0)'
}
