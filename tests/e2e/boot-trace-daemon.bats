#!/usr/bin/env bats
# boot-trace daemon: every VM of the host, logs, jsonl, Prometheus metrics, SIGHUP, one per host.

load common

setup() {
	require_bpf
	D="$BATS_TEST_TMPDIR"
	start_daemon
}

teardown() {
	[ -n "${DAEMON:-}" ] && kill -KILL "$DAEMON" 2>/dev/null || true
}

start_daemon() {
	"$BT" daemon --log-file "$D/boot.log" --jsonl "$D/boot.jsonl" --metrics-dir "$D" \
		--lock "$D/lock" 2>"$D/daemon.err" &
	DAEMON=$!
	wait_for_line "$D/daemon.err" "daemon tracing every KVM guest"
}

stop_daemon() {
	kill -TERM "$DAEMON"
	local status=0
	wait "$DAEMON" || status=$?
	DAEMON=
	return "$status"
}

# Wait until the log holds the boot summary of process $1.
wait_summary() {
	wait_for_line "$D/boot.log" "vmm-min\[$1\] vm[0-9]*: boot summary"
}

# The demo guest's command line (not a function: "$!" must be vmm-min's own pid).
DEMO=(--timeout 60 --serial /dev/null)

# The histogram count of a stage for comm vmm-min, from the .prom file.
prom_count() {
	sed -n "s/^boot_trace_stage_start_seconds_count{comm=\"vmm-min\",stage=\"$1\"} //p" "$D/boot_trace.prom"
}

@test "daemon: 3 VMs one after another and 2 at once, each with its lines, summary and metrics" {
	require_kvm
	pids=""
	for _ in 1 2 3; do
		"$VMM" "${DEMO[@]}" "$GUESTS/demo.bin" &
		pids="$pids $!"
		wait $!
	done
	"$VMM" "${DEMO[@]}" "$GUESTS/demo.bin" &
	a=$!
	"$VMM" "${DEMO[@]}" "$GUESTS/demo.bin" &
	b=$!
	wait "$a" "$b"
	pids="$pids $a $b"
	for p in $pids; do wait_summary "$p"; done
	# Read the files once the daemon has closed them (a live file may end mid-line).
	stop_daemon

	for p in $pids; do
		# The cloud-hypervisor lines, with the VMM's pid and comm on each.
		[ "$(grep -c "vmm-min\[$p\] vm[0-9]* vcpu0: \[Debug I/O port: " "$D/boot.log")" -eq 11 ]
		# The command line is read from /proc when the daemon gets to the VM: a daemon slowed
		# by a checker may get there after the VMM has gone.
		if ! grep -q "vmm-min\[$p\] vm[0-9]*: VM created, cmdline: $VMM --timeout 60" "$D/boot.log"; then
			under_checker
			grep -q "vmm-min\[$p\] vm[0-9]*: VM created" "$D/boot.log"
		fi
		grep -Eq "vmm-min\[$p\] vm[0-9]+: boot summary: exit status 0, 11 codes; Firmware at 0\.[0-9]{6} s .*; time to Userspace 0\.[0-9]{6} s$" "$D/boot.log"
		# The same in jsonl, with the summary record.
		[ "$(jq -c "select(.type == \"event\" and .pid == $p)" "$D/boot.jsonl" | wc -l)" -eq 11 ]
		jq -s -e "[.[] | select(.type == \"vm_summary\" and .pid == $p)] | length == 1 and
			.[0].complete and .[0].events == 11 and (.[0].stages | length) == 5" "$D/boot.jsonl"
	done

	# The .prom histograms count every vmm-min VM whose summary has the stage (other VMs may
	# run on this host too, so the expected counts come from the daemon's own jsonl).
	for stage in Firmware Bootloader Kernel Userspace Custom; do
		want=$(jq -s "[.[] | select(.type == \"vm_summary\" and .comm == \"vmm-min\" and
			.start_ns != null) | .stages[] | select(.stage == \"$stage\")] | length" "$D/boot.jsonl")
		[ "$want" -ge 5 ]
		[ "$(prom_count "$stage")" -eq "$want" ]
		[ "$(sed -n "s/^boot_trace_stage_start_seconds_bucket{comm=\"vmm-min\",stage=\"$stage\",le=\"+Inf\"} //p" \
			"$D/boot_trace.prom")" -eq "$want" ]
	done
	# Buckets are cumulative: never decreasing.
	sed -n 's/^boot_trace_stage_start_seconds_bucket{comm="vmm-min",stage="Kernel",le="[^"]*"} //p' \
		"$D/boot_trace.prom" | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1 } END { exit bad }'
	# Every line is a comment or `name{labels} value`.
	run grep -Ev '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$' "$D/boot_trace.prom"
	[ "$status" -eq 1 ]
	grep -q '^boot_trace_dropped_events_total 0$' "$D/boot_trace.prom"
}

@test "daemon: a VM closed by a VMM that lives on gets its summary at once, not at the exit" {
	require_kvm
	"$VMM" "${DEMO[@]}" --linger 30 "$GUESTS/demo.bin" &
	vmm=$!
	# KVM's destroy uevent ends the VM; without it the summary would wait 30 s for the exit.
	wait_summary "$vmm"
	kill -0 "$vmm"
	grep -q "vmm-min\[$vmm\] vm[0-9]*: VM closed$" "$D/boot.log"
	grep -Eq "vmm-min\[$vmm\] vm[0-9]+: boot summary: VM closed, 11 codes;" "$D/boot.log"
	kill "$vmm"
	stop_daemon
}

@test "daemon: SIGHUP after logrotate moves the files, the new files get the lines" {
	require_kvm
	"$VMM" "${DEMO[@]}" "$GUESTS/demo.bin"
	mv "$D/boot.log" "$D/boot.log.1"
	mv "$D/boot.jsonl" "$D/boot.jsonl.1"
	kill -HUP "$DAEMON"
	# The daemon reopens asynchronously: wait for the new files to appear.
	for _ in $(seq 100); do [ -e "$D/boot.log" ] && break; sleep 0.05; done
	"$VMM" "${DEMO[@]}" "$GUESTS/demo.bin" &
	p=$!
	wait "$p"
	wait_summary "$p"
	stop_daemon
	[ "$(grep -c "vmm-min\[$p\] .*Debug I/O port" "$D/boot.log")" -eq 11 ]
	[ "$(grep -c "vmm-min\[$p\]" "$D/boot.log.1")" -eq 0 ]
	[ "$(jq -c "select(.type == \"event\" and .pid == $p)" "$D/boot.jsonl" | wc -l)" -eq 11 ]
	grep -q "Debug I/O port" "$D/boot.log.1"
}

@test "daemon: a VMM killed mid-boot still gets a summary, marked incomplete" {
	require_kvm
	"$VMM" --timeout 60 --serial /dev/null --arg 400000 "$GUESTS/demo.bin" &
	p=$!
	wait_for_line "$D/boot.log" "vmm-min\[$p\] vm[0-9]* vcpu0: \[Debug I/O port: Firmware code 0x1\]"
	kill -KILL "$p"
	wait "$p" || true
	wait_summary "$p"
	stop_daemon
	grep -Eq "vmm-min\[$p\] vm[0-9]+: boot summary: killed by signal 9 \(incomplete\), [0-9]+ codes" "$D/boot.log"
	jq -s -e "[.[] | select(.type == \"vm_summary\" and .pid == $p)] | length == 1 and
		.[0].complete == false" "$D/boot.jsonl"
	grep -q 'boot_trace_vms_total{comm="vmm-min",complete="false"} [1-9]' "$D/boot_trace.prom"
}

@test "daemon: stopping writes summaries of running VMs, every file complete and valid, exit 0" {
	require_kvm
	"$VMM" --timeout 60 --serial /dev/null --arg 400000 "$GUESTS/demo.bin" &
	p=$!
	wait_for_line "$D/boot.log" "vmm-min\[$p\] vm[0-9]* vcpu0: \[Debug I/O port"
	stop_daemon
	kill -KILL "$p"
	grep -Eq "vmm-min\[$p\] vm[0-9]+: boot summary: still running \(incomplete\)" "$D/boot.log"
	# Every jsonl line parses; the last is the final summary.
	jq -c . "$D/boot.jsonl" >/dev/null
	[ "$(tail -1 "$D/boot.jsonl" | jq -r .type)" = summary ]
	[ -z "$(tail -c1 "$D/boot.log")" ] # ends with a complete line
	[ ! -e "$D/.boot_trace.prom.tmp" ]
	grep -q '^boot_trace_dropped_events_total ' "$D/boot_trace.prom"
	grep -q 'daemon stopped' "$D/daemon.err"
}

@test "daemon: a second daemon refuses, naming the first" {
	run "$BT" daemon --log-file "$D/other.log" --lock "$D/lock"
	[ "$status" -eq 1 ]
	[ "$output" = "boot-trace: another daemon is already running (pid $DAEMON, lock $D/lock)" ]
	[ ! -e "$D/other.log" ]
	stop_daemon
}

# The processes (tgids) that one of the daemon's BPF maps holds entries for, found via its fds.
map_tgids() {
	local name=$1 id
	for fdinfo in /proc/"$DAEMON"/fdinfo/*; do
		id=$(sed -n 's/^map_id:\t*//p' "$fdinfo")
		[ -n "$id" ] || continue
		if bpftool -j map show id "$id" | jq -e ".name == \"$name\"" >/dev/null; then
			# The tgid: in the key (fd maps, tgid maps) or in the value (vms).
			bpftool -j map dump id "$id" | jq -r '.[] | .formatted |
				if (.value | type) == "object" and .value.tgid != null then .value.tgid
				elif (.key | type) == "object" then .key.tgid else .key end'
			return
		fi
	done
	echo "no map $name" >&2
	return 1
}

@test "daemon: state is freed when VMs end, in userspace and in the kernel maps" {
	require_kvm
	for _ in $(seq 50); do "$VMM" --serial /dev/null "$GUESTS/exitcode.bin"; done
	sleep 0.5
	rss_before=$(awk '/^VmRSS/ { print $2 }' /proc/"$DAEMON"/status)
	for _ in $(seq 2000); do "$VMM" --serial /dev/null "$GUESTS/exitcode.bin"; done
	# Records are read in order: once the last VM's summary is in, every exit before it was
	# handled (a daemon slowed by a checker, or by floods of other VMs, may lag behind).
	"$VMM" --serial /dev/null "$GUESTS/exitcode.bin" &
	last=$!
	wait "$last"
	if ! wait_summary "$last"; then
		under_checker || return 1
		skip "the daemon under $BT_CHECKER did not catch up with the other VMs of this host"
	fi
	rss_after=$(awk '/^VmRSS/ { print $2 }' /proc/"$DAEMON"/status)
	echo "VmRSS before=$rss_before kB after=$rss_after kB"
	# ASan's quarantine and valgrind hold freed memory on purpose: leaks are theirs to find.
	under_checker || [ $((rss_after - rss_before)) -lt 1024 ]
	# Other KVM processes of this host may hold entries; none is left for a dead process.
	# (The kernel side forgets a process at its exit; what slips past that, e.g. entries
	# learned from /proc just as the process exits, went at the last VM's creation.)
	for map in vms vm_fds pending_vm vm_tgids; do
		tgids=$(map_tgids "$map")
		echo "$map: entries for tgids:" $tgids
		for t in $tgids; do kill -0 "$t"; done
	done
	[ "$(grep -c 'boot summary: exit status 0' "$D/boot.log")" -ge 2051 ]
	# Even VMMs that lived 4 ms have their command line (read by the kernel side).
	[ "$(grep -c "VM created, cmdline: $VMM --serial /dev/null $GUESTS/exitcode.bin$" "$D/boot.log")" -ge 2051 ]
	stop_daemon
}
