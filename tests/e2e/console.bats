#!/usr/bin/env bats
# Console text and host phases, end to end: vmm-min's console guest (vmm-min/guests/console.S),
# whose console looks like an unmodified Linux boot's and which writes no code, traced with
# --console / --debugcon / --rules; Linux's I/O delay writes to port 0x80 (iodelay.S) told
# apart from real markers; and the bad input of those options, which needs no guest.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

# What console.S prints: the string line (one rep outsb) and the over-long line, spelled as
# console.S spells them (STRIO_LINE, LONG_PREFIX + 24 x LONG_PARAM: 457 characters).
STRIO_LINE='[    0.100000] Memory: 16384K/16384K available (rep outsb)'
LONG_LINE="[    0.200000] Kernel command line: console=ttyS0$(printf ' quiet.param=0123%.0s' $(seq 24))"

# The bytes console.S writes to its console (after the UART's set-up), exactly.
console_bytes() {
	printf 'SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\nBooting from Hard Disk...\r\n'
	printf '\033[0m\033[1;32mLoading Linux 6.1.0-test ...\033[0m\r\n'
	printf '[    0.000000] Linux version 6.1.0-test (vmm-min console guest)\r\n'
	printf '%s\r\n' "$STRIO_LINE" "$LONG_LINE"
	printf '[    0.500000] Run /init as init process\r\nStarting syslogd: OK\r'
	printf 'Welcome to boot-trace test\r\nvmm-min login: '
}

# The lines boot-trace must give for them (a JSON array): escapes stripped, the over-long line
# cut to the kernel's 256 bytes (BT_CONSOLE_LINE_MAX), the string line whole, the line ended
# by a bare CR on its own, the prompt without its line end.
console_texts() {
	jq -n -c --arg strio "$STRIO_LINE" --arg long "${LONG_LINE:0:256}" '[
		"SeaBIOS (version 1.16.2-debian-1.16.2-1)", "Booting from Hard Disk...",
		"Loading Linux 6.1.0-test ...",
		"[    0.000000] Linux version 6.1.0-test (vmm-min console guest)", $strio, $long,
		"[    0.500000] Run /init as init process", "Starting syslogd: OK",
		"Welcome to boot-trace test", "vmm-min login: "]'
}

# The stage the built-in linux rules give each of those lines (null: no rule matches).
LINUX_STAGES='["Firmware", "Bootloader", "Bootloader", "Kernel", null, null, "Userspace", null,
	"Userspace", "Ready"]'

# Console records of a jsonl trace, one compact JSON object per line.
jsonl_consoles() {
	jq -c 'select(.type == "console")' "$1"
}

# The one vm_summary record of a jsonl trace.
jsonl_vm_summary() {
	jq -c 'select(.type == "vm_summary")' "$1"
}

# check_console_lines FILE PORT KIND: the console guest's ten lines, in order, with their
# text, flags, port, console kind, thread and stamps: no divisor byte and no escape left in
# any text (the cleaner shows other control bytes as \xNN), each line stamped after the last
# byte of the one before it.
check_console_lines() {
	local file=$1 port=$2 kind=$3
	[ "$(jsonl_consoles "$file" | jq -s -c '[.[].text]')" = "$(console_texts)" ]
	jsonl_consoles "$file" | jq -s -e --argjson port "$port" --arg kind "$kind" '
		(.[0].ts_ns - .[0].since_start_ns) as $start |
		length == 10 and
		all(.[]; .port == $port and .console == $kind and .comm == "vmm-min" and
			.thread == "vcpu0" and .since_start_ns > 0 and .last_ts_ns >= .ts_ns and
			.ts_ns - .since_start_ns == $start and
			(.text | explode | all(. >= 32 and . != 127)) and
			(.text | contains("\\x") | not)) and
		([range(1; length) as $i | .[$i].ts_ns > .[$i - 1].last_ts_ns] | all) and
		[.[] | .truncated // false] == [range(10) | . == 5] and
		[.[] | .unterminated // false] == [range(10) | . == 9]'
}

# check_stage_table FILE STAGES: the vm_summary's stages are STAGES (a JSON array), in order,
# with no codes; each stage after the guest's first starts at its first console line, and
# each lasts until the next starts.
check_stage_table() {
	local file=$1 stages=$2
	jsonl_vm_summary "$file" | jq -s -e --argjson want "$stages" \
		--argjson lines "$(jsonl_consoles "$file" | jq -s -c .)" '
		length == 1 and .[0] as $s | $s.stages as $t |
		[$t[].stage] == $want and $s.events == 0 and $s.complete and
		all($t[]; .codes == 0) and
		$t[0].stage == "VMM set-up" and $t[0].first_ns <= 0 and
		([range(0; $t | length - 1) as $i |
			$t[$i].first_ns + $t[$i].duration_ns == $t[$i + 1].first_ns] | all) and
		($t[1].first_ns <= ([$lines[] | select(.stage == $t[1].stage)][0].since_start_ns)) and
		([$t[2:][] | .stage as $n | .first_ns ==
			([$lines[] | select(.stage == $n)][0].since_start_ns)] | all)'
}

@test "vmm-min: the console guest's bytes, the UART's divisor left out; the same on 0xe9" {
	require_kvm
	run --separate-stderr "$VMM" --timeout 60 --serial "$OUT/uart" "$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	cmp <(console_bytes) "$OUT/uart"
	# arg2: the debug console at 0xe9, whose bytes go to the same output.
	run --separate-stderr "$VMM" --timeout 60 --serial "$OUT/debugcon" --arg 0 --arg 0 --arg 1 \
		"$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	cmp <(console_bytes) "$OUT/debugcon"
	run --separate-stderr "$VMM" --log-io --timeout 60 --serial /dev/null "$GUESTS/console.bin"
	[[ "$stderr" == *"vmm-min: unknown accesses: 0 port, 0 mmio"* ]]
	[[ "$stderr" != *"vmm-min: io 0x80 "* ]]
}

@test "run --console: every line of a Linux-like console in order, cleaned, stamped, staged" {
	require_guest
	run "$BT" run --console -f jsonl -o "$OUT/c.jsonl" -- "$VMM" --timeout 60 \
		--serial "$OUT/serial" "$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	cmp <(console_bytes) "$OUT/serial"
	check_console_lines "$OUT/c.jsonl" 1016 uart
	# The linux rules' stage on each line, a stage named once and never restarted.
	[ "$(jsonl_consoles "$OUT/c.jsonl" | jq -s -c '[.[].stage]')" = \
		"$(jq -n -c "$LINUX_STAGES")" ]
	check_stage_table "$OUT/c.jsonl" \
		'["VMM set-up", "Firmware", "Bootloader", "Kernel", "Userspace", "Ready"]'
	# No code at all: the guest wrote nothing to port 0x80.
	[ -z "$(jsonl_events "$OUT/c.jsonl")" ]
	# Time to Userspace: the "Run /init" line.
	user=$(jsonl_consoles "$OUT/c.jsonl" | jq -r 'select(.stage == "Userspace") | .since_start_ns' | head -1)
	summary_has "$OUT/c.jsonl" ".vms[0].time_to_userspace_ns == $user and .dropped == 0"
}

@test "run --console: host phases in order, all before the first line of text" {
	require_guest
	run "$BT" run --console -f jsonl -o "$OUT/p.jsonl" -- "$VMM" --timeout 60 \
		--serial /dev/null "$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	# First entry where the kernel has kvm_entry, else the earliest exit seen.
	jq -s -e '
		[.[] | select(.type == "phase")] as $p |
		[.[] | select(.type == "console")][0].ts_ns as $text |
		def at($name): [$p[] | select(.name == $name) | .ts_ns] | min;
		(at("first_entry") // at("first_exit")) as $entry |
		at("vmm_start") != null and at("vm_create") != null and at("first_vcpu") != null and
		$entry != null and $text != null and
		at("vmm_start") <= at("vm_create") and at("vm_create") <= at("first_vcpu") and
		at("first_vcpu") <= $entry and $entry <= $text' "$OUT/p.jsonl"
}

@test "run --console: a longer pause in the kernel shows as a longer Kernel stage, no other" {
	require_guest
	# arg1: 400,000 kilo-cycles (4e8 TSC cycles) more after "Linux version": at least 66 ms
	# at up to 6 GHz, about 160 ms at 2.5 GHz. Asserted: more than 50 ms longer (a lower bound
	# only: a slow or busy host lengthens both runs, it cannot shorten the added pause).
	for extra in 0 400000; do
		"$BT" run --console -f jsonl -o "$OUT/k$extra.jsonl" -- "$VMM" --timeout 60 \
			--serial /dev/null --arg 0 --arg "$extra" "$GUESTS/console.bin"
	done
	kernel() {
		jsonl_vm_summary "$1" | jq '.stages[] | select(.stage == "Kernel") | .duration_ns'
	}
	plain=$(kernel "$OUT/k0.jsonl")
	long=$(kernel "$OUT/k400000.jsonl")
	echo "Kernel stage: $plain ns, stretched $long ns"
	[ $((long - plain)) -gt 50000000 ]
	# The same lines and stages either way.
	for f in "$OUT/k0.jsonl" "$OUT/k400000.jsonl"; do
		check_console_lines "$f" 1016 uart
		check_stage_table "$f" \
			'["VMM set-up", "Firmware", "Bootloader", "Kernel", "Userspace", "Ready"]'
	done
}

@test "run --debugcon: the same console on port 0xe9; --console sees none of it" {
	require_guest
	run "$BT" run --console --debugcon -f jsonl -o "$OUT/d.jsonl" -- "$VMM" --timeout 60 \
		--serial /dev/null --arg 0 --arg 0 --arg 1 "$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	check_console_lines "$OUT/d.jsonl" 233 debugcon
	[ "$(jsonl_consoles "$OUT/d.jsonl" | jq -s -c '[.[].stage]')" = \
		"$(jq -n -c "$LINUX_STAGES")" ]
	check_stage_table "$OUT/d.jsonl" \
		'["VMM set-up", "Firmware", "Bootloader", "Kernel", "Userspace", "Ready"]'
}

@test "--rules FILE: a rule set of one's own names the stages; --rules none names none" {
	require_guest
	cat >"$OUT/my.rules" <<-'RULES'
	# The console guest's stages, by other names (the first rule that matches wins).
	^SeaBIOS \(version -> BIOS
	Linux version [0-9.]+-test -> OS
	   Run /init as init process   ->   Init
	login: *$ -> Prompt
	Run -> Never
	RULES
	run "$BT" run --console --rules "$OUT/my.rules" -f jsonl -o "$OUT/r.jsonl" -- "$VMM" \
		--timeout 60 --serial /dev/null "$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	check_console_lines "$OUT/r.jsonl" 1016 uart
	[ "$(jsonl_consoles "$OUT/r.jsonl" | jq -s -c '[.[].stage]')" = \
		'["BIOS",null,null,"OS",null,null,"Init",null,null,"Prompt"]' ]
	check_stage_table "$OUT/r.jsonl" '["VMM set-up", "BIOS", "OS", "Init", "Prompt"]'

	run "$BT" run --console --rules none -f jsonl -o "$OUT/n.jsonl" -- "$VMM" --timeout 60 \
		--serial /dev/null "$GUESTS/console.bin"
	[ "$status" -eq 0 ]
	check_console_lines "$OUT/n.jsonl" 1016 uart
	jsonl_consoles "$OUT/n.jsonl" | jq -s -e 'all(.[]; has("stage") | not)'
	record_has "$OUT/n.jsonl" vm_summary '[.stages[].stage] == ["VMM set-up"]'
}

@test "iodelay: Linux's I/O delay writes to port 0x80 are not markers; the stages stand" {
	require_guest
	# code:io_delay:after_port:label, in order (iodelay.S lists the exact accesses).
	want="0:false:-:Firmware 32:false:-:Bootloader 0:true:161:I/O delay 0:true:33:I/O delay 0:true:240:I/O delay 0:true:100:I/O delay 64:false:-:Kernel 96:false:-:Userspace "
	# A delay is told by the host's clock: the vCPU thread's previous port access less than
	# 200 us before, on the same CPU (docs/console.md). A busy host that preempts or migrates
	# the thread between a device access and its delay makes that delay a marker: up to three
	# boots, the first classified as written is enough (a wrong classifier fails all three).
	for try in 1 2 3; do
		run "$BT" run -f jsonl -o "$OUT/io.jsonl" -- "$VMM" --timeout 60 --serial /dev/null \
			"$GUESTS/iodelay.bin"
		[ "$status" -eq 0 ]
		got=$(jsonl_events "$OUT/io.jsonl" |
			jq -r '"\(.code):\(.io_delay // false):\(.after_port // "-"):\(.label)"' |
			tr '\n' ' ')
		[ "$got" = "$want" ] && break
		echo "boot $try: $got"
	done
	[ "$got" = "$want" ]
	jsonl_events "$OUT/io.jsonl" | jq -s -e 'all(.[]; .port == 128 and .vcpu == 0 and
		(has("after_port") == (.io_delay == true)))'
	# Exactly the four stages of the real markers, one code each: no restart at a delay.
	summary_has "$OUT/io.jsonl" '
		[.vms[0].stages[].stage] == ["Firmware", "Bootloader", "Kernel", "Userspace"] and
		all(.vms[0].stages[]; .codes == 1)'
	# And vmm-min saw the writes as they were made.
	run --separate-stderr "$VMM" --log-io --timeout 60 --serial /dev/null "$GUESTS/iodelay.bin"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | sed -n 's/^vmm-min: io 0x80 vcpu=0 size=1 value=\(0x[0-9a-f]*\) .*/\1/p' | tr '\n' ' ')" = \
		"0x0 0x20 0x0 0x0 0x0 0x0 0x40 0x60 " ]
	[[ "$stderr" == *"vmm-min: unknown accesses: 5 port, 0 mmio"* ]]
}

# expect_error STATUS PATTERN -- ARGS...: one line on stderr matching PATTERN, that status (as
# in boot-trace-errors.bats). Needs no guest, no KVM and no BPF: refused before tracing.
expect_error() {
	local want_status=$1 pattern=$2
	shift 3
	run "-$want_status" --separate-stderr timeout 60 "$BT" "$@"
	echo "status=$status stderr=$stderr"
	[ "$status" -eq "$want_status" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == $pattern ]]
}

@test "bad input: a rules file with a bad regex, an unknown rule set (status 2, one line)" {
	printf '# fine so far\n^SeaBIOS -> Firmware\n[unclosed -> Kernel\n' >"$OUT/bad.rules"
	expect_error 2 "boot-trace: $OUT/bad.rules:3: *" -- \
		run --console --rules "$OUT/bad.rules" -- true
	expect_error 2 "boot-trace: *nosuchset*" -- run --console --rules nosuchset -- true
	printf 'Linux version Kernel\n' >"$OUT/noarrow.rules"
	expect_error 2 "boot-trace: $OUT/noarrow.rules:1: *" -- \
		run --console --rules "$OUT/noarrow.rules" -- true
	# The daemon and record check them the same way.
	expect_error 2 "boot-trace: $OUT/bad.rules:3: *" -- \
		record -a --console --rules "$OUT/bad.rules"
	expect_error 2 "boot-trace: $OUT/bad.rules:3: *" -- \
		daemon --console --rules "$OUT/bad.rules"
}

@test "bad input: console ports out of range or also traced, too many (status 2, one line)" {
	expect_error 2 "boot-trace: *--console*0x10000*" -- run --console=0x10000 -- true
	expect_error 2 "boot-trace: *--debugcon*0x10000*" -- run --debugcon=0x10000 -- true
	expect_error 2 "boot-trace: *--console*'-1'*" -- run --console=-1 -- true
	# Port 0x80 is traced by default: it cannot be a console too.
	expect_error 2 "boot-trace: *0x80*" -- run --console=0x80 -- true
	expect_error 2 "boot-trace: *0x80*" -- run --debugcon=0x80 -- true
	expect_error 2 "boot-trace: *0x3f8*" -- run --port 0x3f8 --console -- true
	expect_error 2 "boot-trace: *at most 4*" -- run --console --console=0x2f8 \
		--console=0x3e8 --console=0x2e8 --debugcon -- true
}
