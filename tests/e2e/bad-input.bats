#!/usr/bin/env bats
# The bad-input battery: tables of bad inputs to every command (options, numbers out of range,
# files, jsonl traces, guest images), each row with the exact error line it must give on
# stderr and its exact exit status, and nothing else: no crash (no signal exit) and no
# sanitizer report (under make check-asan those go to files the target checks, and change the
# status). Label maps (--labels) get their rows when that branch is merged.

load common
bats_require_minimum_version 1.5.0

setup() {
	D="$BATS_TEST_TMPDIR"
	G="$GUESTS"
	make_bad_files
}

# Every file the rows name, in $D.
make_bad_files() {
	local start='{"type":"vm_start","ts_ns":1,"pid":1,"comm":"v","vm":1,"start_seen":true}'
	ev() {
		printf '{"type":"event","ts_ns":%s,"pid":%s,"comm":"v","vm":1,"since_start_ns":null,"tid":2,"thread":"t","vcpu":0,"port":%s,"size":%s,"value":%s,"code":%s,"label":"Kernel"}\n' "$@"
	}
	end() {
		printf '{"type":"vm_end","ts_ns":%s,"pid":1,"comm":"v","vm":1,"exit_status":%s,"signal":null,"reason":"x"}\n' "$@"
	}
	cd "$D"
	echo "$start" >nocodes.jsonl
	{ echo "$start"; ev 5 1 128 1 64 64; } >good.jsonl
	: >empty.jsonl
	printf '\n \n\t\n' >blank.jsonl
	printf '{"type":"event"}\0\n' >nul.jsonl
	printf '%s\n{"type":"event","ts_ns":20' "$start" >truncated.jsonl
	echo '{"ts_ns":1}' >notype.jsonl
	echo '[1, 2]' >array.jsonl
	printf '\xff\xfe{}\n' >binary.jsonl
	echo '{"type":"x"} {"a":1}' >trailing.jsonl
	echo '{"type":"event","ts_ns":"20"}' >types.jsonl
	echo '{"type":"event","ts_ns":1}' >fields.jsonl
	ev 5 1 128 1 64 65 >code.jsonl
	ev 5 1 70000 1 64 64 >port.jsonl
	ev 5 1 128 9 64 64 >size.jsonl
	ev 5 -1 128 1 64 64 >pid.jsonl
	ev -5 1 128 1 64 64 >ts.jsonl
	{ end 5 0; end 6 0; } >twice.jsonl
	end 0 0 >ts0.jsonl
	end 5 256 >status.jsonl
	echo '{"type":"vm_start","ts_ns":1,"pid":1,"comm":"v","vm":1,"start_seen":"yes"}' >seen.jsonl
	echo '{"type":"summary","events":0,"dropped":0,"string_lost":0,"malformed":0,"vms":{}}' >summary.jsonl
	{ echo "$start"; head -c 1100000 /dev/zero | tr '\0' ' '; echo x; } >huge.jsonl
	cp good.jsonl self.jsonl
	mkdir -p adir
	ln -sf /etc/passwd link
	touch not-exec
	: >empty.bin
	head -c $((1024 * 1024)) /dev/zero >big.bin
	printf 'not a directory' >afile
	cd - >/dev/null
}

# check_rows < TABLE: each row "STATUS | EXPECTED STDERR | COMMAND ARGS", in shell words ($D,
# $G and $H expanded; COMMAND is boot-trace or vmm-min). Every row runs; the failures are
# listed.
check_rows() {
	local row want_status want words bin failed=0 n=0
	while IFS= read -r row; do
		[[ "$row" =~ ^[[:space:]]*(#|$) ]] && continue
		want_status=${row%% | *}
		row=${row#* | }
		want=${row%% | *}
		words=${row#* | }
		eval "set -- $words"
		case $1 in
		boot-trace) bin=$BT ;;
		vmm-min) bin=$VMM ;;
		*)
			echo "bad row: $row"
			return 1
			;;
		esac
		shift
		# The hint of a usage error names the command's own --help.
		case $bin:${1:-} in
		"$BT":run | "$BT":record | "$BT":report | "$BT":diff | "$BT":daemon)
			H=" (see boot-trace $1 --help)" ;;
		*) H=" (see boot-trace --help)" ;;
		esac
		want=$(eval "printf '%s' \"$want\"")
		# bats warns about a 127 it was not told to expect.
		if [ "$want_status" -eq 127 ]; then
			run -127 --separate-stderr "$bin" "$@"
		else
			run --separate-stderr "$bin" "$@"
		fi
		n=$((n + 1))
		if [ "$status" -ne "$want_status" ] || [ "$stderr" != "$want" ] ||
			[ "$status" -ge 128 ]; then
			echo "FAIL: $words"
			echo "  want status $want_status: $want"
			echo "  got  status $status: $stderr"
			failed=$((failed + 1))
		fi
	done
	echo "$n rows, $failed failed"
	[ "$n" -gt 0 ]
	[ "$failed" -eq 0 ]
}

# $H: the hint after a usage error, set per row by check_rows.

@test "bad input: command line of every command (usage errors, status 2)" {
	check_rows <<'EOF'
2 | boot-trace: missing command: expected run, record, report, diff or daemon$H | boot-trace
2 | boot-trace: unknown command 'start': expected run, record, report, diff or daemon$H | boot-trace start
2 | boot-trace: unknown option '--bogus'$H | boot-trace run --bogus -- true
2 | boot-trace: unknown option '-x'$H | boot-trace record -x
2 | boot-trace: option '-o' needs a value$H | boot-trace run -o
2 | boot-trace: option '--port' needs a value$H | boot-trace record -a --port
2 | boot-trace: empty output file name$H | boot-trace run -o '' -- true
2 | boot-trace: unknown format 'xml': expected log, jsonl, chrome, csv or svg$H | boot-trace run -f xml -- true
2 | boot-trace: no COMMAND given after --$H | boot-trace run --
2 | boot-trace: -p and -a belong to record, not run$H | boot-trace run -p 1 -- true
2 | boot-trace: --svg cannot be used with run without a --parallel sweep (e.g. --parallel 1,2,4,8)$H | boot-trace run --svg x.svg -- true
2 | boot-trace: record needs -p PID or -a$H | boot-trace record
2 | boot-trace: -p and -a cannot be combined$H | boot-trace record -a -p 1
2 | boot-trace: unexpected argument 'extra'$H | boot-trace record -a extra
2 | boot-trace: --repeat cannot be used with record$H | boot-trace record -a --repeat 2
2 | boot-trace: --timeout cannot be used with record$H | boot-trace record -a --timeout 5
2 | boot-trace: --timeout cannot be used with daemon$H | boot-trace daemon --timeout 5
2 | boot-trace: --threshold cannot be used with record$H | boot-trace record -a --threshold 5
2 | boot-trace: too many pids at '65': at most 64$H | boot-trace record $(for i in $(seq 65); do printf -- '-p %d ' $i; done)
2 | boot-trace: the daemon writes --log-file and --jsonl, not -o or -f$H | boot-trace daemon -o x
2 | boot-trace: the daemon traces every VM: no -p or -a$H | boot-trace daemon -a
2 | boot-trace: empty file name for --jsonl$H | boot-trace daemon --jsonl ''
2 | boot-trace: --svg cannot be used with daemon$H | boot-trace daemon --svg x
2 | boot-trace: report needs one FILE (a jsonl trace)$H | boot-trace report
2 | boot-trace: standard input (-) named twice: it can be read once$H | boot-trace report - a.jsonl -
2 | boot-trace: -p and -a belong to record, not report$H | boot-trace report -p 1 a.jsonl
2 | boot-trace: --threshold cannot be used with report$H | boot-trace report --threshold 5 a.jsonl
2 | boot-trace: empty SVG file name$H | boot-trace report --svg '' a.jsonl
2 | boot-trace: diff needs two files: BASE.jsonl NEW.jsonl$H | boot-trace diff a.jsonl
2 | boot-trace: -o and -f cannot be used with diff$H | boot-trace diff -f csv a.jsonl b.jsonl
2 | boot-trace: empty file name$H | boot-trace diff '' b.jsonl
EOF
}

@test "bad input: numbers out of range or not numbers (status 2)" {
	check_rows <<'EOF'
2 | boot-trace: invalid port '0x10000': expected a number from 0 to 0xffff$H | boot-trace run --port 0x10000 -- true
2 | boot-trace: invalid port '': expected a number from 0 to 0xffff$H | boot-trace run --port '' -- true
2 | boot-trace: invalid port '-1': expected a number from 0 to 0xffff$H | boot-trace run --port -1 -- true
2 | boot-trace: invalid port '99999999999999999999999': expected a number from 0 to 0xffff$H | boot-trace run --port 99999999999999999999999 -- true
2 | boot-trace: invalid port ' 80': expected a number from 0 to 0xffff$H | boot-trace run --port ' 80' -- true
2 | boot-trace: too many ports at '9': at most 8$H | boot-trace run --port 1 --port 2 --port 3 --port 4 --port 5 --port 6 --port 7 --port 8 --port 9 -- true
2 | boot-trace: invalid buffer size '3': a power of two from 4 to 1048576 KiB$H | boot-trace run -b 3 -- true
2 | boot-trace: invalid buffer size '6': a power of two from 4 to 1048576 KiB$H | boot-trace run -b 6 -- true
2 | boot-trace: invalid buffer size '2097152': a power of two from 4 to 1048576 KiB$H | boot-trace record -a -b 2097152
2 | boot-trace: invalid buffer size '4k': a power of two from 4 to 1048576 KiB$H | boot-trace daemon -b 4k
2 | boot-trace: invalid pid '0'$H | boot-trace record -p 0
2 | boot-trace: invalid pid '-5'$H | boot-trace record -p -5
2 | boot-trace: invalid pid '1073741824'$H | boot-trace record -p 1073741824
2 | boot-trace: invalid pid '12abc'$H | boot-trace record -p 12abc
2 | boot-trace: invalid repeat count '0': a number from 1 to 10000$H | boot-trace run --repeat 0 -- true
2 | boot-trace: invalid repeat count '10001': a number from 1 to 10000$H | boot-trace run --repeat 10001 -- true
2 | boot-trace: invalid --timeout '0': seconds, more than 0, with at most 9 decimals (e.g. 30 or 0.5)$H | boot-trace run --timeout 0 -- true
2 | boot-trace: invalid --timeout '-1': seconds, more than 0, with at most 9 decimals (e.g. 30 or 0.5)$H | boot-trace run --timeout -1 -- true
2 | boot-trace: invalid --timeout '1.0000000001': seconds, more than 0, with at most 9 decimals (e.g. 30 or 0.5)$H | boot-trace run --timeout 1.0000000001 -- true
2 | boot-trace: invalid --timeout '30s': seconds, more than 0, with at most 9 decimals (e.g. 30 or 0.5)$H | boot-trace run --timeout 30s -- true
2 | boot-trace: invalid threshold '-1': a percentage from 0 to 1000000$H | boot-trace diff --threshold -1 a b
2 | boot-trace: invalid threshold 'nan': a percentage from 0 to 1000000$H | boot-trace diff --threshold nan a b
2 | boot-trace: invalid threshold '1e7': a percentage from 0 to 1000000$H | boot-trace diff --threshold 1e7 a b
2 | boot-trace: invalid threshold '5 %': a percentage from 0 to 1000000$H | boot-trace diff --threshold '5 %' a b
EOF
}

@test "bad input: jsonl traces given to report and diff (status 2, file and line named)" {
	cd "$D"
	check_rows <<'EOF'
2 | boot-trace: cannot read missing.jsonl: No such file or directory | boot-trace report missing.jsonl
2 | boot-trace: adir: cannot read: Is a directory | boot-trace report adir
2 | boot-trace: empty.jsonl: empty file: no boot-trace records | boot-trace report empty.jsonl
2 | boot-trace: blank.jsonl: only blank lines: no boot-trace records | boot-trace report blank.jsonl
2 | boot-trace: nul.jsonl:1: NUL byte in the line: not a jsonl trace | boot-trace report nul.jsonl
2 | boot-trace: truncated.jsonl:2: truncated record: the file ends in the middle of it | boot-trace report truncated.jsonl
2 | boot-trace: notype.jsonl:1: record without a \"type\" string | boot-trace report notype.jsonl
2 | boot-trace: array.jsonl:1: expected a JSON object, found array | boot-trace report array.jsonl
2 | boot-trace: binary.jsonl:1: invalid JSON at column 1: unexpected character | boot-trace report binary.jsonl
2 | boot-trace: trailing.jsonl:1: unexpected text after the JSON record at column 14 | boot-trace report trailing.jsonl
2 | boot-trace: types.jsonl:1: event record: \"ts_ns\" must be a non-negative integer, not a string | boot-trace report types.jsonl
2 | boot-trace: fields.jsonl:1: event record without \"since_start_ns\" | boot-trace report fields.jsonl
2 | boot-trace: code.jsonl:1: event record: \"code\" 65 is not the low byte of \"value\" 64 | boot-trace report code.jsonl
2 | boot-trace: port.jsonl:1: event record: \"port\" must be an integer from 0 to 65535, not 70000 (or null) | boot-trace report port.jsonl
2 | boot-trace: size.jsonl:1: event record: \"size\" must be an integer from 0 to 8, not 9 | boot-trace report size.jsonl
2 | boot-trace: pid.jsonl:1: event record: \"pid\" must be an integer from 0 to 2147483647, not -1 | boot-trace report pid.jsonl
2 | boot-trace: ts.jsonl:1: event record: \"ts_ns\" must be a non-negative integer, not -5 | boot-trace report ts.jsonl
2 | boot-trace: twice.jsonl:2: vm_end record for a VM that already ended | boot-trace report -q twice.jsonl
2 | boot-trace: ts0.jsonl:1: vm_end record: \"ts_ns\" must not be 0 | boot-trace report ts0.jsonl
2 | boot-trace: status.jsonl:1: vm_end record: \"exit_status\" must be an integer from 0 to 255, not 256 (or null) | boot-trace report status.jsonl
2 | boot-trace: seen.jsonl:1: vm_start record: \"start_seen\" must be true or false, not string | boot-trace report seen.jsonl
2 | boot-trace: summary.jsonl:1: summary record: \"vms\" must be an array | boot-trace report summary.jsonl
2 | boot-trace: huge.jsonl:2: line longer than 1048576 bytes: not a jsonl trace | boot-trace report huge.jsonl
2 | boot-trace: self.jsonl is both the input and an output | boot-trace report -f csv -o self.jsonl self.jsonl
2 | boot-trace: nocodes.jsonl: no boot codes to compare | boot-trace diff nocodes.jsonl good.jsonl
2 | boot-trace: code.jsonl:1: event record: \"code\" 65 is not the low byte of \"value\" 64 | boot-trace diff -q good.jsonl code.jsonl
2 | boot-trace: cannot read missing.jsonl: No such file or directory | boot-trace diff good.jsonl missing.jsonl
EOF
	cmp good.jsonl self.jsonl # the input was not truncated
}

@test "bad input: output files of report (status 1)" {
	cd "$D"
	check_rows <<'EOF'
1 | boot-trace: cannot write adir: Is a directory | boot-trace report -q -f csv -o adir good.jsonl
1 | boot-trace: cannot write link: it is a symbolic link (not followed) | boot-trace report -q --svg link good.jsonl
1 | boot-trace: cannot write afile/x.csv: Not a directory | boot-trace report -q -f csv -o afile/x.csv good.jsonl
EOF
}

@test "bad input: guest images and options of vmm-min" {
	check_rows <<'EOF'
2 | vmm-min: missing IMAGE (see --help) | vmm-min
2 | vmm-min: --memory: 0 is out of range 1..4096 | vmm-min --memory 0 $G/demo.bin
2 | vmm-min: --memory: 99999999999999999999 is out of range 1..4096 | vmm-min --memory 99999999999999999999 $G/demo.bin
2 | vmm-min: --cpus: 65 is out of range 1..64 | vmm-min --cpus 65 $G/demo.bin
2 | vmm-min: --timeout: 86401 is out of range 1..86400 | vmm-min --timeout 86401 $G/demo.bin
2 | vmm-min: --boots: 'twice' is not a number | vmm-min --boots twice $G/demo.bin
2 | vmm-min: --linger: 0 is out of range 1..86400 | vmm-min --linger 0 $G/demo.bin
2 | vmm-min: --arg: 0x100000000 does not fit in 32 bits (real mode) | vmm-min --arg 0x100000000 $G/demo.bin
2 | vmm-min: --arg: '1x' is not a number | vmm-min --arg 1x $G/demo.bin
2 | vmm-min: --mode: 'protected' is not real or long | vmm-min --mode protected $G/demo.bin
2 | vmm-min: --memory: long mode needs at least 2 MiB | vmm-min --mode long --memory 1 $G/flood64.bin
2 | vmm-min: unexpected argument 'extra' after IMAGE | vmm-min $G/demo.bin extra
1 | vmm-min: cannot open image $D/missing.bin: No such file or directory | vmm-min $D/missing.bin
1 | vmm-min: image $D/empty.bin is empty | vmm-min $D/empty.bin
1 | vmm-min: cannot read image $D/adir: Is a directory | vmm-min $D/adir
1 | vmm-min: image $D/big.bin is larger than the 1016832 bytes of guest memory at its load address | vmm-min --memory 1 $D/big.bin
EOF
}

@test "bad input: guests and files vmm-min runs into (KVM)" {
	require_kvm
	# A guest that triple-faults: vmm-min.bats (its message depends on the host's KVM).
	check_rows <<'EOF'
1 | vmm-min: cannot create serial file $D/link: Too many levels of symbolic links | vmm-min --serial $D/link $G/demo.bin
1 | vmm-min: cannot create serial file $D/adir/x/y: No such file or directory | vmm-min --serial $D/adir/x/y $G/demo.bin
EOF
}

@test "bad input: runtime errors of the tracing commands (status 1, 126, 127)" {
	require_bpf
	check_rows <<'EOF'
1 | boot-trace: no process with pid 1073741823 | boot-trace record -p 1073741823
1 | boot-trace: cannot write $D/adir: Is a directory | boot-trace run -o $D/adir -- true
1 | boot-trace: cannot write $D/link: it is a symbolic link (not followed) | boot-trace run -f chrome -o $D/link -- true
1 | boot-trace: cannot write $D/afile/x: Not a directory | boot-trace record -a -o $D/afile/x
127 | boot-trace: cannot run 'no-such-vmm-here': No such file or directory | boot-trace run -q -- no-such-vmm-here
126 | boot-trace: cannot run '$D/not-exec': Permission denied | boot-trace run -q -- $D/not-exec
1 | boot-trace: cannot open lock file $D/afile/lock: Not a directory | boot-trace daemon --lock $D/afile/lock
1 | boot-trace: cannot write $D/afile/boot_trace.prom: Not a directory | boot-trace daemon --lock $D/lock --metrics-dir $D/afile
1 | boot-trace: cannot write $D/adir: Is a directory | boot-trace daemon --lock $D/lock --jsonl $D/adir
EOF
}
