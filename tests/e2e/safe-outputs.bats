#!/usr/bin/env bats
# Safe outputs when root: no symlink followed, no file of another user overwritten in a shared
# directory, files handed to the sudo user; and names from the traced side cannot break a
# format.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
	[ "$(id -u)" -eq 0 ] || skip "needs root (file owners)"
	# A shared directory like /tmp: world-writable and sticky, owned by root.
	SHARED="$OUT/shared"
	mkdir -m 1777 "$SHARED"
	printf '%s\n' '{"type":"vm_start","ts_ns":1000,"pid":42,"comm":"vmm","vm":1,"start_seen":true}' \
		'{"type":"event","ts_ns":2000,"pid":42,"comm":"vmm","vm":1,"since_start_ns":1000,"tid":43,"thread":"vcpu0","vcpu":0,"port":128,"size":1,"value":64,"code":64,"label":"Kernel"}' \
		>"$OUT/in.jsonl"
}

teardown() {
	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
}

# Run as an ordinary user would, with sudo: what sudo puts in the environment.
as_sudo() {
	SUDO_UID=65534 SUDO_GID=65534 SUDO_USER=nobody "$@"
}

@test "another user's file in a shared directory is not overwritten, nor a hard link" {
	echo precious >"$SHARED/victim"
	chown 65534:65534 "$SHARED/victim"
	run -1 --separate-stderr "$BT" report -q -f csv -o "$SHARED/victim" "$OUT/in.jsonl"
	[ "$stderr" = "boot-trace: refusing to write $SHARED/victim: it belongs to uid 65534 in the shared directory $SHARED (remove it or choose another name)" ]
	[ "$(cat "$SHARED/victim")" = precious ]
	# A second name for a file (here root's own) in a shared directory.
	echo mine >"$OUT/mine"
	ln "$OUT/mine" "$SHARED/link"
	run -1 --separate-stderr "$BT" report -q --svg "$SHARED/link" "$OUT/in.jsonl"
	[ "$stderr" = "boot-trace: refusing to write $SHARED/link: it has 2 hard links in the shared directory $SHARED (remove it or choose another name)" ]
	[ "$(cat "$OUT/mine")" = mine ]
	# Our own file there, or one of the directory's owner, is overwritten as asked.
	echo old >"$SHARED/own.csv"
	run -0 "$BT" report -q -f csv -o "$SHARED/own.csv" "$OUT/in.jsonl"
	[ "$(head -1 "$SHARED/own.csv" | cut -d, -f1)" = ts_ns ]
	# So is the sudo user's own file: it asked for it.
	echo old >"$SHARED/users.csv"
	chown 65534:65534 "$SHARED/users.csv"
	as_sudo run -0 "$BT" report -q -f csv -o "$SHARED/users.csv" "$OUT/in.jsonl"
	[ "$(head -1 "$SHARED/users.csv" | cut -d, -f1)" = ts_ns ]
	[ "$(stat -c %u "$SHARED/users.csv")" -eq 65534 ]
	# Outside a shared directory the owner does not matter.
	echo old >"$OUT/theirs.csv"
	chown 65534:65534 "$OUT/theirs.csv"
	run -0 "$BT" report -q -f csv -o "$OUT/theirs.csv" "$OUT/in.jsonl"
}

@test "a symlink is never followed, whatever it points to" {
	echo target >"$OUT/target"
	ln -s "$OUT/target" "$SHARED/sym"
	run -1 --separate-stderr "$BT" report -q -f jsonl -o "$SHARED/sym" "$OUT/in.jsonl"
	[ "$stderr" = "boot-trace: cannot write $SHARED/sym: it is a symbolic link (not followed)" ]
	[ "$(cat "$OUT/target")" = target ]
	ln -s "$OUT/nowhere" "$OUT/dangling"
	run -1 --separate-stderr "$BT" report -q --svg "$OUT/dangling" "$OUT/in.jsonl"
	[ "$stderr" = "boot-trace: cannot write $OUT/dangling: it is a symbolic link (not followed)" ]
	[ ! -e "$OUT/nowhere" ]
}

@test "run through sudo: new trace files belong to the invoking user, the daemon's do not" {
	require_guest
	as_sudo "$BT" run -q -f jsonl -o "$OUT/run.jsonl" -- "$VMM" --timeout 60 --serial /dev/null \
		"$GUESTS/demo.bin"
	[ "$(stat -c %u:%g "$OUT/run.jsonl")" = 65534:65534 ]
	as_sudo "$BT" run -q --repeat 2 -f chrome -o "$OUT/rep.json" -- "$VMM" --timeout 60 \
		--serial /dev/null "$GUESTS/demo.bin"
	[ "$(stat -c %u:%g "$OUT/rep.1.json" "$OUT/rep.2.json" | sort -u)" = 65534:65534 ]
	as_sudo "$BT" report -q -f csv -o "$OUT/conv.csv" --svg "$OUT/chart.svg" "$OUT/run.jsonl"
	[ "$(stat -c %u:%g "$OUT/conv.csv" "$OUT/chart.svg" | sort -u)" = 65534:65534 ]
	# An existing file keeps its owner.
	: >"$OUT/root.jsonl"
	as_sudo "$BT" report -q -f jsonl -o "$OUT/root.jsonl" "$OUT/run.jsonl"
	[ "$(stat -c %u "$OUT/root.jsonl")" -eq 0 ]
	[ -s "$OUT/root.jsonl" ]
	# The daemon is root's service: its files stay root's.
	# (Not through as_sudo: $! must be the daemon itself, not a subshell.)
	SUDO_UID=65534 SUDO_GID=65534 "$BT" daemon --log-file "$OUT/d.log" --jsonl "$OUT/d.jsonl" \
		--metrics-dir "$OUT" --lock "$OUT/lock" 2>"$OUT/d.err" &
	d=$!
	PIDS="$d"
	wait_for_line "$OUT/d.err" "daemon tracing"
	kill -TERM "$d"
	wait "$d"
	[ "$(stat -c %u "$OUT/d.log" "$OUT/d.jsonl" "$OUT/boot_trace.prom" "$OUT/lock" | sort -u)" -eq 0 ]
}

@test "a hostile process name breaks no format: log, jsonl, chrome, csv, svg" {
	require_guest
	command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
	# The VMM's name (comm) is its file name, cut at 15 bytes: a newline, markup, quotes, a
	# comma, an escape, an invalid byte, and a UTF-8 character cut in half at the end.
	name=$'e\n<b>"&\',\x1b\xffxyz\xe2\x82\xac'
	cp "$VMM" "$OUT/$name"
	for fmt in log jsonl chrome csv svg; do
		"$BT" run -f "$fmt" -o "$OUT/evil.$fmt" -- "$OUT/$name" --timeout 60 --serial /dev/null \
			"$GUESTS/demo.bin" 2>"$OUT/evil-$fmt.err"
	done
	# log: one line per record, the name with '?' for what cannot be shown (in every line
	# but the first, the clock's).
	[ "$(wc -l <"$OUT/evil.log")" -eq 14 ]
	[ "$(grep -c $'e?<b>"&\',??xyz?\\[' "$OUT/evil.log")" -eq 13 ]
	grep -q '^boot-trace: e?<b>"&'"'"',??xyz?\[[0-9]*\] vm[0-9]*: 11 codes, exit status 0$' \
		"$OUT/evil-log.err"
	# jsonl: valid JSON and UTF-8 on every line (iconv fails on invalid UTF-8).
	jq -c . "$OUT/evil.jsonl" >/dev/null
	iconv -f UTF-8 -t UTF-8 "$OUT/evil.jsonl" >/dev/null
	jq -s -e '[.[] | select(.comm)] | length > 0 and
		all(.[]; .comm == "e?<b>\"&'"'"',??xyz?")' "$OUT/evil.jsonl"
	# chrome: one JSON document.
	jq -e '.traceEvents | length > 0' "$OUT/evil.chrome" >/dev/null
	iconv -f UTF-8 -t UTF-8 "$OUT/evil.chrome" >/dev/null
	# csv: the field quoted, 16 fields per row (counted by a real CSV parser).
	python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 12 and all(len(r) == 16 for r in rows), rows
assert all(r[2] == "e?<b>\"&'"'"',??xyz?" for r in rows[1:]), rows[1]' "$OUT/evil.csv"
	# svg: well-formed XML.
	xmllint --noout "$OUT/evil.svg"
	iconv -f UTF-8 -t UTF-8 "$OUT/evil.svg" >/dev/null
}

# The daemon with its files in $OUT and the lock file $1: refused at once, or (before the lock
# file was checked) cut short by timeout, status 124.
daemon_lock() {
	timeout 30 "$BT" daemon --log-file "$OUT/d.log" --jsonl "$OUT/d.jsonl" --metrics-dir "$OUT" \
		--lock "$1"
}

@test "daemon --lock: another user's file, a hard link, a symlink, a device or a FIFO is refused" {
	require_bpf
	echo precious >"$SHARED/lock"
	chown 65534:65534 "$SHARED/lock"
	run -1 --separate-stderr daemon_lock "$SHARED/lock"
	[ "$stderr" = "boot-trace: refusing to use lock file $SHARED/lock: it belongs to uid 65534 in the shared directory $SHARED (remove it or choose another name)" ]
	[ "$(cat "$SHARED/lock")" = precious ]
	echo mine >"$OUT/mine"
	ln "$OUT/mine" "$SHARED/link"
	run -1 --separate-stderr daemon_lock "$SHARED/link"
	[ "$stderr" = "boot-trace: refusing to use lock file $SHARED/link: it has 2 hard links in the shared directory $SHARED (remove it or choose another name)" ]
	[ "$(cat "$OUT/mine")" = mine ]
	ln -s "$OUT/mine" "$OUT/sym"
	run -1 --separate-stderr daemon_lock "$OUT/sym"
	[ "$stderr" = "boot-trace: refusing to use lock file $OUT/sym: it is a symbolic link (not followed)" ]
	[ "$(cat "$OUT/mine")" = mine ]
	# The pid is not written into a device, which stays one.
	run -1 --separate-stderr daemon_lock /dev/null
	[ "$stderr" = "boot-trace: refusing to use lock file /dev/null: it is not a regular file" ]
	[ -c /dev/null ]
	mkfifo "$OUT/fifo"
	run -1 --separate-stderr daemon_lock "$OUT/fifo"
	[ "$stderr" = "boot-trace: refusing to use lock file $OUT/fifo: it is not a regular file" ]
	[ -p "$OUT/fifo" ]
	# None of these started a daemon.
	[ ! -e "$OUT/d.log" ]
}

@test "daemon --lock: a stale lock file of ours, or the sudo user's in a shared directory, is taken" {
	require_bpf
	echo 1073741823 >"$OUT/lock"
	"$BT" daemon --log-file "$OUT/d.log" --jsonl "$OUT/d.jsonl" --metrics-dir "$OUT" \
		--lock "$OUT/lock" 2>"$OUT/d.err" &
	d=$!
	PIDS="$d"
	wait_for_line "$OUT/d.err" "daemon tracing"
	[ "$(cat "$OUT/lock")" = "$d" ]
	kill -TERM "$d"
	wait "$d"
	# (Not through as_sudo: $! must be the daemon itself, not a subshell.)
	echo 1073741823 >"$SHARED/users.lock"
	chown 65534:65534 "$SHARED/users.lock"
	SUDO_UID=65534 SUDO_GID=65534 "$BT" daemon --log-file "$OUT/d.log" --jsonl "$OUT/d.jsonl" \
		--metrics-dir "$OUT" --lock "$SHARED/users.lock" 2>"$OUT/d2.err" &
	d=$!
	PIDS="$d"
	wait_for_line "$OUT/d2.err" "daemon tracing"
	[ "$(cat "$SHARED/users.lock")" = "$d" ]
	kill -TERM "$d"
	wait "$d"
}
