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

@test "label maps: unknown name or missing file" {
	expect_error 2 "boot-trace: cannot read label map 'qbot': No such file or directory (built-in maps: debug-port, qboot) (see boot-trace run --help)" -- \
		run --port 0xf4 --labels qbot -- true
	expect_error 2 "boot-trace: cannot read label map '$OUT': Is a directory (built-in maps: debug-port, qboot)*" -- \
		run --port 0xf4 --labels "$OUT" -- true
}

@test "label maps: --labels without a --port before it, or twice for one port" {
	expect_error 2 "boot-trace: --labels 'qboot' needs a --port before it (e.g. --port 0xf4 --labels qboot)*" -- \
		run --labels qboot --port 0xf4 -- true
	expect_error 2 "boot-trace: port 0xf4 already has labels 'qboot'*" -- \
		run --port 0xf4 --labels qboot --labels debug-port -- true
}

# A label file holding TEXT (a printf format) is refused: status 2 and one line, the file's
# name then MESSAGE (a pattern). PORT: the port it labels (default 0xf4).
bad_label_file() {
	local file="$OUT/$1.labels" text=$2 message=$3 port=${4:-0xf4}
	# shellcheck disable=SC2059 # TEXT is a printf format, escapes and all
	printf -- "$text" >"$file"
	expect_error 2 "boot-trace: $file$message" -- run --port "$port" --labels "$file" -- true
}

@test "label files: malformed lines, each named with its file and line" {
	bad_label_file noname '# ok so far\n1 fw_start\nfw_do_boot\n' \
		":3: expected 'VALUE NAME' or 'LOW-HIGH NAME', got 'fw_do_boot' (see boot-trace run --help)"
	bad_label_file badnum '0x2z two\n' \
		":1: '0x2z' is not a code or a LOW-HIGH range (codes are numbers like 7, 0x1f)*"
	bad_label_file back '0x20-0x10 backwards\n' \
		":1: range 0x20-0x10 runs backwards*"
	bad_label_file ctrl '1 \001\n' \
		":1: label name has a byte 0x01 that is not printable ASCII*"
	bad_label_file empty '# nothing but comments\n\n' \
		": no labels (lines 'VALUE NAME' or 'LOW-HIGH NAME')*"
}

@test "label files: duplicate and overlapping codes" {
	bad_label_file dup '1 fw_start\n2 fwcfg\n1 again\n' \
		":3: code 0x1 is already labelled 'fw_start' on line 1*"
	bad_label_file overlap '0x00-0x1f Firmware\n0x1f-0x3f Bootloader\n' \
		":2: code 0x1f is already labelled 'Firmware' on line 1*" 0x80
}

@test "label files: out-of-range values" {
	bad_label_file big '0x100 too_big\n' \
		":1: '0x100' is out of range: codes are 0x00-0xff (the low byte of a write)*"
	bad_label_file range '# fine\n0xf0-256 custom\n' \
		":2: '0xf0-256' is out of range: codes are 0x00-0xff (the low byte of a write)*"
	bad_label_file neg '-1 negative\n' \
		":1: '-1' is not a code or a LOW-HIGH range*"
}

@test "bad --mmio" {
	expect_error 2 "boot-trace: invalid --mmio '0xc0000000=300': expected ADDR or ADDR=VALUE with VALUE 0..255 (e.g. 0xc0000000=123)*" -- \
		run --mmio 0xc0000000=300 -- true
	expect_error 2 "boot-trace: invalid --mmio 'timer': expected ADDR or ADDR=VALUE*" -- \
		run --mmio=timer -- true
	expect_error 2 "boot-trace: --mmio given twice: one address at most*" -- \
		run --mmio --mmio 0xd0000000 -- true
}

@test "--labels and --mmio belong to the tracing commands" {
	expect_error 2 "boot-trace: --labels and --mmio cannot be used with report*" -- \
		report --labels qboot x.jsonl
	expect_error 2 "boot-trace: --labels and --mmio cannot be used with diff*" -- \
		diff --mmio a.jsonl b.jsonl
	expect_error 2 "boot-trace: cannot read label map 'qbot'*" -- \
		daemon --port 0xf4 --labels qbot
	expect_error 2 "boot-trace: invalid --mmio 'x': expected ADDR or ADDR=VALUE*" -- \
		daemon --mmio=x
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
