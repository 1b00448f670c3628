#!/usr/bin/env bats
# Every bad input gets one clear line on stderr and a non-zero status.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

# expect_error STATUS PATTERN -- ARGS...: one line on stderr matching PATTERN, that status.
# $AS (if set) is a command prefix, e.g. setpriv to drop privileges.
expect_error() {
	local want_status=$1 pattern=$2
	shift 3
	# timeout: a command that wrongly starts tracing must not hang the suite.
	run "-$want_status" --separate-stderr timeout 60 ${AS:-} "$BT" "$@"
	echo "status=$status stderr=$stderr"
	[ "$status" -eq "$want_status" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == $pattern ]]
}

@test "no command" {
	expect_error 2 "boot-trace: missing command*" --
}

@test "unknown command" {
	expect_error 2 "boot-trace: unknown command 'start'*" -- start
}

@test "unknown option" {
	expect_error 2 "boot-trace: unknown option '--bogus'*" -- run --bogus -- true
}

@test "option without its value" {
	expect_error 2 "boot-trace: option '-o' needs a value*" -- run -o
}

@test "unknown format" {
	expect_error 2 "boot-trace: unknown format 'xml': expected log, jsonl, chrome, csv or svg*" -- run -f xml -- true
}

@test "bad port numbers" {
	expect_error 2 "boot-trace: invalid port '0x10000'*" -- run --port 0x10000 -- true
	expect_error 2 "boot-trace: invalid port 'eighty'*" -- run --port eighty -- true
	expect_error 2 "boot-trace: invalid port '-1'*" -- run --port -1 -- true
	expect_error 2 "boot-trace: invalid port ''*" -- run --port '' -- true
}

@test "too many ports" {
	expect_error 2 "boot-trace: too many ports at '9': at most 8*" -- run --port 1 --port 2 \
		--port 3 --port 4 --port 5 --port 6 --port 7 --port 8 --port 9 -- true
}

@test "bad buffer size" {
	expect_error 2 "boot-trace: invalid buffer size '3'*" -- run -b 3 -- true
	expect_error 2 "boot-trace: invalid buffer size '100'*" -- run -b 100 -- true
}

@test "no COMMAND after --" {
	expect_error 2 "boot-trace: no COMMAND given after --*" -- run --
	expect_error 2 "boot-trace: no COMMAND given after --*" -- run -q
}

@test "record without -p or -a, or with both" {
	expect_error 2 "boot-trace: record needs -p PID or -a*" -- record
	expect_error 2 "boot-trace: -p and -a cannot be combined*" -- record -a -p 1
	expect_error 2 "boot-trace: invalid pid 'abc'*" -- record -p abc
	expect_error 2 "boot-trace: invalid pid '0'*" -- record -p 0
}

@test "record -p of a process that does not exist" {
	expect_error 1 "boot-trace: no process with pid 1073741823" -- record -p 1073741823
}

@test "COMMAND not found: status 127" {
	require_bpf
	expect_error 127 "boot-trace: cannot run 'no-such-vmm-here': No such file or directory" -- \
		run -- no-such-vmm-here --foo
}

@test "COMMAND not executable: status 126" {
	require_bpf
	touch "$OUT/not-exec"
	expect_error 126 "boot-trace: cannot run '$OUT/not-exec': Permission denied" -- \
		run -- "$OUT/not-exec"
}

@test "output file that cannot be written" {
	require_bpf
	# A directory of this test's own: another test on the host may create /nonexistent-dir.
	expect_error 1 "boot-trace: cannot write $OUT/no-such-dir/trace.log: No such file or directory" -- \
		run -o "$OUT/no-such-dir/trace.log" -- true
}

@test "not root: names the missing capabilities" {
	require_bpf
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
	expect_error 1 "boot-trace: permission denied: tracing needs root or CAP_BPF and CAP_PERFMON (try sudo)" -- \
		run -- true
}

@test "daemon: options that belong elsewhere" {
	expect_error 2 "boot-trace: the daemon writes --log-file and --jsonl, not -o or -f*" -- daemon -o x
	expect_error 2 "boot-trace: the daemon traces every VM: no -p or -a*" -- daemon -p 1
	expect_error 2 "boot-trace: unexpected argument 'extra'*" -- daemon extra
	expect_error 2 "boot-trace: --log-file, --jsonl, --metrics-dir and --lock cannot be used with run*" -- \
		run --log-file x -- true
	expect_error 2 "boot-trace: empty file name for --jsonl*" -- daemon --jsonl ''
}

@test "daemon: metrics directory or log file that cannot be written" {
	require_bpf
	expect_error 1 "boot-trace: cannot write /nonexistent-dir/boot_trace.prom: No such file or directory" -- \
		daemon --lock "$OUT/lock" --metrics-dir /nonexistent-dir
	expect_error 1 "boot-trace: cannot write /nonexistent-dir/x.log: No such file or directory" -- \
		daemon --lock "$OUT/lock" --log-file /nonexistent-dir/x.log
	expect_error 1 "boot-trace: cannot open lock file /nonexistent-dir/lock: No such file or directory" -- \
		daemon --lock /nonexistent-dir/lock
}
