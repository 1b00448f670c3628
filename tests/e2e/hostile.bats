#!/usr/bin/env bats
# What a hostile week of use found (output files, signals, trace sanity), each case held here.
# None needs a guest: BPF attaches without /dev/kvm, and the traces are written by hand.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
	[ -z "${MOUNTED:-}" ] || umount "$MOUNTED"
	# A binary with the old defect removes /dev/null: put the device back for the host.
	if [ ! -c /dev/null ] && [ "$(id -u)" -eq 0 ]; then
		rm -f /dev/null && mknod -m 666 /dev/null c 1 3
	fi
}

# A trace that is bad at its last line.
broken_trace() {
	head -3 "$ROOT/tests/data/demo.jsonl" >"$1"
	echo '{"type":"event",' >>"$1"
}

@test "report of a bad trace removes only a file it created: never a device, a FIFO or another file" {
	require_bpf # root: /dev/null could be removed
	broken_trace "$OUT/broken.jsonl"
	for fmt in csv jsonl chrome; do
		run --separate-stderr "$BT" report -f "$fmt" -o /dev/null "$OUT/broken.jsonl"
		[ "$status" -eq 2 ]
		[ -c /dev/null ]
	done
	run --separate-stderr "$BT" report --svg /dev/null "$OUT/broken.jsonl"
	[ "$status" -eq 2 ]
	[ -c /dev/null ]
	mkfifo "$OUT/fifo"
	cat "$OUT/fifo" >/dev/null &
	run --separate-stderr "$BT" report -f csv -o "$OUT/fifo" "$OUT/broken.jsonl"
	[ "$status" -eq 2 ]
	[ -p "$OUT/fifo" ]
	# A file this run created is removed; one that was there is emptied, not removed.
	run --separate-stderr "$BT" report -f csv -o "$OUT/new.csv" "$OUT/broken.jsonl"
	[ "$status" -eq 2 ]
	[ ! -e "$OUT/new.csv" ]
	echo old >"$OUT/old.csv"
	run --separate-stderr "$BT" report -f csv -o "$OUT/old.csv" "$OUT/broken.jsonl"
	[ "$status" -eq 2 ]
	[ -f "$OUT/old.csv" ]
	[ ! -s "$OUT/old.csv" ]
	# stdout gets no half chart of a bad trace either.
	run --separate-stderr "$BT" report -f svg "$OUT/broken.jsonl"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

# Start "$@" in the background with its stderr in $OUT/err, wait for LINE on it.
start_bg() {
	local line=$1
	shift
	"$@" 2>"$OUT/err" &
	BG=$!
	PIDS="${PIDS:-} $BG"
	wait_for_line "$OUT/err" "$line"
}

# Send SIG to the background job, wait for it; its exit status in $status.
stop_bg() {
	kill -"$1" "$BG"
	status=0
	wait "$BG" || status=$?
}

@test "SIGHUP ends record like SIGTERM: a valid Chrome file, a summary, status 0" {
	require_bpf
	start_bg "tracing" "$BT" record -a -f chrome -o "$OUT/hup.json"
	stop_bg HUP
	[ "$status" -eq 0 ]
	jq -e '.otherData.events == 0' "$OUT/hup.json"
	grep -q '^boot-trace: 0 events, 0 dropped$' "$OUT/err"
}

@test "SIGHUP ends run like SIGTERM: passed on to COMMAND, valid trace, summary" {
	require_bpf
	"$BT" run -f chrome -o "$OUT/hup.json" -- sh -c 'echo started >&2; exec sleep 60' \
		2>"$OUT/err" &
	BG=$!
	PIDS="$BG"
	wait_for_line "$OUT/err" "started"
	kid=$(pgrep -P "$BG") # COMMAND's shell, sleep once it has exec'd: the same pid
	[ -n "$kid" ]
	stop_bg HUP
	# COMMAND got the SIGHUP (128 + 1); nothing is left running.
	[ "$status" -eq 129 ]
	! alive "$kid" || false
	jq -e '.otherData.events == 0' "$OUT/hup.json"
	grep -q '^boot-trace: 0 events, 0 dropped$' "$OUT/err"
}

@test "daemon: a SIGHUP whose files cannot be reopened is said, retried, counted; no crash" {
	require_bpf
	mkdir "$OUT/log"
	start_bg "daemon tracing" "$BT" daemon --lock "$OUT/lock" --log-file "$OUT/log/boot.log" \
		--jsonl "$OUT/log/boot.jsonl" --metrics-dir "$OUT"
	# logrotate moved the directory away and did not make a new one.
	mv "$OUT/log" "$OUT/log.1"
	kill -HUP "$BG"
	wait_for_line "$OUT/err" "boot.log not reopened"
	grep -q "boot-trace: $OUT/log/boot.jsonl not reopened" "$OUT/err"
	# The next SIGHUP, with the directory back, opens new files.
	mkdir "$OUT/log"
	kill -HUP "$BG"
	for _ in $(seq 100); do [ -e "$OUT/log/boot.log" ] && break; sleep 0.05; done
	[ -e "$OUT/log/boot.log" ]
	[ -e "$OUT/log/boot.jsonl" ]
	stop_bg TERM
	# The failed reopen is in the exit status and the metrics; the final lines reached the
	# new files.
	[ "$status" -eq 1 ]
	grep -q '^boot_trace_reopen_failures_total 2$' "$OUT/boot_trace.prom"
	grep -q 'boot-trace: 0 events, 0 dropped' "$OUT/log/boot.log"
	jq -e -s 'length == 1 and .[0].type == "summary"' "$OUT/log/boot.jsonl"
}

# A trace of one VM (start at 1000 ns) with its events' lines replaced by "$@".
trace_with() {
	echo '{"type":"vm_start","ts_ns":1000,"pid":7,"comm":"vmm","vm":1,"start_seen":true,"cmdline":""}'
	printf '%s\n' "$@"
	echo '{"type":"vm_end","ts_ns":900000,"pid":7,"comm":"vmm","vm":1,"exit_status":0,"signal":null,"reason":"exit status 0"}'
}

# An event record of that VM at TS, SINCE_START_NS after its start, with CODE (and extra fields).
ev() {
	printf '{"type":"event","ts_ns":%s,"pid":7,"comm":"vmm","vm":1,"since_start_ns":%s,"tid":8,"thread":"vcpu0","vcpu":0,"port":128,"size":1,"value":%s,"code":%s,"label":"%s"%s}' \
		"$1" "$2" "$3" "$3" "${4:-Firmware}" "${5:-}"
}

@test "traces that cannot be true are refused with file:line, by report and diff alike" {
	good=$(ev 2000 1000 1)
	trace_with "$good" >"$OUT/good.jsonl"
	run "$BT" report -q "$OUT/good.jsonl"
	[ "$status" -eq 0 ]
	check() {
		local want=$1
		shift
		trace_with "$@" >"$OUT/bad.jsonl"
		for cmd in "report $OUT/bad.jsonl" "diff $OUT/good.jsonl $OUT/bad.jsonl"; do
			# shellcheck disable=SC2086
			run --separate-stderr "$BT" $cmd
			[ "$status" -eq 2 ] || { echo "$cmd: status $status"; return 1; }
			[[ "$stderr" == "boot-trace: $OUT/bad.jsonl:"*"$want"* ]] ||
				{ echo "$cmd: $stderr"; return 1; }
		done
	}
	# A write before its VM started would print wrapped times (18446744072.7 s).
	check '2: event record: "ts_ns" 500 is before its VM'"'"'s start 1000' "$(ev 500 null 1)"
	check '"since_start_ns" 5 does not match' "$(ev 2000 5 1)"
	# Integers past 2^64 - 1 were clamped to it; a NUL cut a label short.
	check '2: the integer at column' "$(ev 18446744073709551616 null 1)"
	check 'out of range (above 18446744073709551615)' "$(ev 2000 99999999999999999999999 1)"
	check '"label" holds a NUL character' "$(ev 2000 1000 1 'Firm\u0000ware')"
	check '"thread" holds a NUL character' \
		'{"type":"event","ts_ns":2000,"pid":7,"comm":"vmm","vm":1,"since_start_ns":1000,"tid":8,"thread":"v\u0000","vcpu":0,"port":128,"size":1,"value":1,"code":1,"label":"Firmware"}'
	# An I/O delay is a write to port 0x80 right after another legacy port (below 0x100).
	check 'port 128 after port 1016 is no I/O delay ("after_port")' \
		"$(ev 2000 1000 0 'I/O delay' ',"io_delay":true,"after_port":1016')"
	check 'port 128 after port 128 is no I/O delay' \
		"$(ev 2000 1000 0 'I/O delay' ',"io_delay":true,"after_port":128')"
	trace_with "$(ev 2000 1000 0 'I/O delay' ',"io_delay":true,"after_port":97')" >"$OUT/delay.jsonl"
	run "$BT" report -q "$OUT/delay.jsonl"
	[ "$status" -eq 0 ]
	# The largest value there is still reads.
	trace_with "$(ev 18446744073709551615 18446744073709550615 1)" >"$OUT/max.jsonl"
	run "$BT" report -q "$OUT/max.jsonl"
	[ "$status" -eq 0 ]
}

@test "report: -o and --svg on the same file are refused" {
	run --separate-stderr "$BT" report -f csv -o "$OUT/x" --svg "$OUT/x" "$ROOT/tests/data/demo.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: -o and --svg name the same file $OUT/x" ]
	[ ! -e "$OUT/x" ]
	: >"$OUT/y"
	ln -s y "$OUT/link" 2>/dev/null || true
	run --separate-stderr "$BT" report -f csv -o "$OUT/y" --svg "$OUT/./y" "$ROOT/tests/data/demo.jsonl"
	[ "$status" -eq 2 ]
}

# A trace of five boots (VMs) with 40 stages, one code each, STEP (plus a little) ns apart:
# five a side is the least that can show a change at p < 0.01.
stages_trace() {
	local step=$1 i vm
	for vm in 1 2 3 4 5; do
		printf '{"type":"vm_start","ts_ns":1000,"pid":%d,"comm":"vmm","vm":1,"start_seen":true,"cmdline":""}\n' "$vm"
		for i in $(seq 1 40); do
			printf '{"type":"event","ts_ns":%d,"pid":%d,"comm":"vmm","vm":1,"since_start_ns":%d,"tid":8,"thread":"vcpu0","vcpu":0,"port":128,"size":1,"value":1,"code":1,"label":"a-rather-long-stage-name-%02d"}\n' \
				$((1000 + i * (step + vm))) "$vm" $((i * (step + vm))) "$i"
		done
		printf '{"type":"vm_end","ts_ns":99000000,"pid":%d,"comm":"vmm","vm":1,"exit_status":0,"signal":null,"reason":"exit status 0"}\n' "$vm"
	done
}

@test "diff: every slower stage is named, however many and however long" {
	local i line
	stages_trace 1000 >"$OUT/base.jsonl"
	stages_trace 2000 >"$OUT/new.jsonl"
	# Each stage but the last (it ends at its only code) takes twice as long: all 39 named.
	run "$BT" diff "$OUT/base.jsonl" "$OUT/new.jsonl"
	[ "$status" -eq 1 ]
	line=$(echo "$output" | grep '^boot-trace: slower (p < 0.01, by more than 10%): ')
	for i in $(seq 1 39); do
		[[ "$line" == *"a-rather-long-stage-name-$(printf %02d "$i")"* ]] ||
			{ echo "$i missing: $line"; false; }
	done
}

# The exit-status table of the man page (EXIT STATUS), held for every command.
@test "exit status: 0 done, 1 failed (an output that cannot be written), 2 usage or bad input" {
	local demo="$ROOT/tests/data/demo.jsonl"
	run "$BT" report -q "$demo"
	[ "$status" -eq 0 ]
	run "$BT" diff "$demo" "$demo"
	[ "$status" -eq 0 ]
	for args in "help" "--version" "help run" "report $demo" "diff $demo $demo" \
		"report -f chrome $demo"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$BT" $args
		[ "$status" -eq 0 ] || { echo "$args: $status"; false; }
		# shellcheck disable=SC2086
		run --separate-stderr sh -c "\"\$0\" $args >/dev/full" "$BT"
		[ "$status" -eq 1 ] || { echo "$args >/dev/full: $status"; false; }
		[[ "$stderr" == *"boot-trace: error writing standard output"* ]]
	done
	for cmd in run record report diff daemon; do
		run --separate-stderr "$BT" "$cmd" --bogus
		[ "$status" -eq 2 ] || { echo "$cmd --bogus: $status"; false; }
	done
	echo '{' >"$OUT/bad.jsonl"
	run "$BT" report "$OUT/bad.jsonl"
	[ "$status" -eq 2 ]
	run "$BT" diff "$demo" "$OUT/bad.jsonl"
	[ "$status" -eq 2 ]
}

@test "exit status of the tracing commands: 1 when the trace cannot be written" {
	require_bpf
	run --separate-stderr sh -c '"$0" run -f jsonl -- true >/dev/full' "$BT"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"boot-trace: error writing standard output: No space left on device"* ]]
	# run exits with its COMMAND's status, 128 + N when a signal killed it.
	run "$BT" run -q -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run "$BT" run -q -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	"$BT" record -a -f jsonl >/dev/full 2>"$OUT/err" &
	BG=$!
	PIDS="$BG"
	wait_for_line "$OUT/err" "tracing"
	stop_bg INT
	[ "$status" -eq 1 ]
	"$BT" daemon --lock "$OUT/lock" >/dev/full 2>"$OUT/err" &
	BG=$!
	PIDS="$BG"
	wait_for_line "$OUT/err" "daemon tracing"
	stop_bg TERM
	[ "$status" -eq 1 ]
}

@test "a file emptied after a failed write stays empty: the rest of the trace goes nowhere" {
	require_bpf # root: a small tmpfs
	python3 "$ROOT/scripts/gen-trace.py" --vms 50 --events 20000 -o "$OUT/big.jsonl"
	mkdir "$OUT/small"
	mount -t tmpfs -o size=64k tmpfs "$OUT/small"
	MOUNTED="$OUT/small"
	echo "an older trace" >"$OUT/small/old.jsonl"
	run --separate-stderr "$BT" report -q -f jsonl -o "$OUT/small/old.jsonl" "$OUT/big.jsonl"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "boot-trace: error writing $OUT/small/old.jsonl: No space left on device (the incomplete file was emptied)" ]]
	# Emptied through its descriptor, and nothing written into it afterwards.
	[ -f "$OUT/small/old.jsonl" ]
	[ ! -s "$OUT/small/old.jsonl" ]
	run --separate-stderr "$BT" report -q -f jsonl -o "$OUT/small/new.jsonl" "$OUT/big.jsonl"
	[ "$status" -eq 1 ]
	[ ! -e "$OUT/small/new.jsonl" ]
	umount "$OUT/small"
	MOUNTED=
}

@test "under nohup SIGHUP stays ignored: record and run's COMMAND go on" {
	require_bpf
	(trap '' HUP; exec "$BT" record -a -f jsonl -o "$OUT/nohup.jsonl") 2>"$OUT/err" &
	BG=$!
	PIDS="$BG"
	wait_for_line "$OUT/err" "tracing"
	kill -HUP "$BG"
	sleep 0.5
	kill -0 "$BG" # still tracing
	stop_bg INT
	[ "$status" -eq 0 ]
	jq -e -s 'map(.type) == ["clock", "summary"]' "$OUT/nohup.jsonl"
	(trap '' HUP; exec "$BT" run -q -- sh -c 'echo started >&2; sleep 1; exit 7') 2>"$OUT/err" &
	BG=$!
	PIDS="$BG"
	wait_for_line "$OUT/err" "started"
	stop_bg HUP
	[ "$status" -eq 7 ] # COMMAND ran to its end
}

@test "a summary table that cannot be written to stderr changes no exit status" {
	require_bpf
	# Inside sh -c: bats's run captures the stderr of what it runs, so "run X 2>/dev/full"
	# would point run's own stderr there, not boot-trace's.
	run sh -c '"$0" run -- sh -c "exit 5" 2>/dev/full' "$BT"
	[ "$status" -eq 5 ]
	run sh -c '"$0" run -- true 2>/dev/full' "$BT"
	[ "$status" -eq 0 ]
	run sh -c '"$0" run -- true 2>&-' "$BT"
	[ "$status" -eq 0 ]
}

@test "record with nothing traced: no file left, but standard output gets a whole document" {
	require_bpf
	# A zombie: it exists for kill(pid, 0), but has exited before tracing starts. Its parent
	# (sleep) never reaps it.
	sh -c 'sleep 0 & echo $! >"$0"; exec sleep 30' "$OUT/zombie" &
	PIDS="$!"
	for _ in $(seq 100); do [ -s "$OUT/zombie" ] && break; sleep 0.05; done
	gone=$(cat "$OUT/zombie")
	sleep 0.2
	run --separate-stderr "$BT" record -p "$gone" -f svg
	[[ "$stderr" == *"process $gone exited before tracing started"* ]]
	[ "$status" -eq 1 ]
	[[ "$output" == *"</svg>" ]]
	echo "$output" | xmllint --noout -
	run --separate-stderr "$BT" record -p "$gone" -f chrome -o "$OUT/none.json"
	[ "$status" -eq 1 ]
	[ ! -e "$OUT/none.json" ]
}

@test "daemon metrics: the temporary file is ours, another user's metrics file is not replaced" {
	require_bpf
	SHARED="$OUT/shared"
	mkdir -m 1777 "$SHARED"
	# A file planted under the old, guessable temporary name is left alone.
	echo planted >"$SHARED/.boot_trace.prom.tmp"
	chown 65534 "$SHARED/.boot_trace.prom.tmp"
	start_bg "daemon tracing" "$BT" daemon --lock "$OUT/lock" --log-file "$OUT/log" \
		--metrics-dir "$SHARED"
	kill -TERM "$BG"
	wait "$BG"
	[ "$(cat "$SHARED/.boot_trace.prom.tmp")" = planted ]
	grep -q '^boot_trace_dropped_events_total 0$' "$SHARED/boot_trace.prom"
	[ -z "$(find "$SHARED" -name '.boot_trace.prom.??????')" ] # no temporary file left
	# Another user's boot_trace.prom in a shared directory is refused, and kept.
	rm "$SHARED/boot_trace.prom"
	echo theirs >"$SHARED/boot_trace.prom"
	chown 65534 "$SHARED/boot_trace.prom"
	run --separate-stderr "$BT" daemon --lock "$OUT/lock" --log-file "$OUT/log" --metrics-dir "$SHARED"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: refusing to write $SHARED/boot_trace.prom: it belongs to uid 65534 in the shared directory $SHARED (remove it or choose another name)" ]
	[ "$(cat "$SHARED/boot_trace.prom")" = theirs ]
	# Nor is a symlink followed or replaced.
	rm "$SHARED/boot_trace.prom"
	ln -s /etc/hostname "$SHARED/boot_trace.prom"
	run --separate-stderr "$BT" daemon --lock "$OUT/lock" --log-file "$OUT/log" --metrics-dir "$SHARED"
	[ "$status" -eq 1 ]
	[ "$stderr" = "boot-trace: refusing to replace $SHARED/boot_trace.prom: not a regular file" ]
	[ -L "$SHARED/boot_trace.prom" ]
}

@test "a wall-clock anchor heads every trace: jsonl, log, Chrome; --wall-clock stamps the log" {
	require_bpf
	start_bg "tracing" "$BT" record -a -f jsonl -o "$OUT/wc.jsonl"
	kill -INT "$BG"
	wait "$BG"
	now=$(date +%s)
	# Both clocks read together: the realtime is now, the monotonic is this boot's.
	jq -e -s --argjson now "$now" '.[0] | .type == "clock" and
		(.realtime_ns / 1e9 - $now | fabs) < 30 and
		(.monotonic_ns / 1e9 - ($up | tonumber) | fabs) < 30 and
		(.realtime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$"))' \
		--arg up "$(cut -d' ' -f1 /proc/uptime)" "$OUT/wc.jsonl"
	real=$(jq -r -s '.[0].realtime' "$OUT/wc.jsonl")
	# report carries it on: a log line, Chrome's otherData; --wall-clock stamps with it.
	run "$BT" report -q -f log "$OUT/wc.jsonl"
	[[ "${lines[0]}" =~ ^\[\ *[0-9]+\.[0-9]{9}\]\ boot-trace:\ clock:\ CLOCK_MONOTONIC\ [0-9]+\.[0-9]{9}\ is\ CLOCK_REALTIME\ $real$ ]]
	run "$BT" report -q --wall-clock -f log "$OUT/wc.jsonl"
	[[ "${lines[0]}" == "[$real] boot-trace: clock: "* ]]
	run "$BT" report -q -f chrome "$OUT/wc.jsonl"
	[ "$(jq -r .otherData.clock_anchor.realtime <<<"$output")" = "$real" ]
	# A trace without an anchor (written before it existed) keeps monotonic stamps.
	run "$BT" report -q --wall-clock -f log "$ROOT/tests/data/demo.jsonl"
	[[ "${lines[0]}" =~ ^\[\ *2881\.740390593\] ]]
	run --separate-stderr "$BT" diff --wall-clock a b
	[ "$status" -eq 2 ]
	[ "$stderr" = "boot-trace: --wall-clock cannot be used with diff (see boot-trace diff --help)" ]
}
