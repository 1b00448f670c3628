#!/usr/bin/env bats
# boot-trace beside a real VMM: QEMU with KVM and its own firmware (SeaBIOS, qboot), through
# scripts/qemu-boot.sh, with the project's QEMU guests (qemu-guests/). Every QEMU exits through
# isa-debug-exit: status (value << 1) | 1, which boot-trace must forward unchanged. Every boot
# has a 300 s limit (boot-trace run --timeout, or a watchdog): a guest that stalls, as L2 guests
# of an emulated KVM host sometimes do, fails its test instead of hanging the suite.

load common

setup() {
	require_qemu
	OUT="$BATS_TEST_TMPDIR"
	QEMU_PID=
	WATCHDOG=
	cd "$ROOT"
}

teardown() {
	[ -z "$QEMU_PID" ] || kill -KILL "$QEMU_PID" 2>/dev/null || true
	[ -z "$WATCHDOG" ] || kill "$WATCHDOG" 2>/dev/null || true
}

@test "QEMU + SeaBIOS boots the boot sector: every range, vCPU 0 'CPU 0/KVM', status 67" {
	start=$(date +%s%N)
	run scripts/qemu-boot.sh --firmware seabios --serial "$OUT/serial" -- -f jsonl -o "$OUT/bs.jsonl"
	echo "# SeaBIOS path: $(( ($(date +%s%N) - start) / 1000000 )) ms" >&3
	[ "$status" -eq 67 ]
	# SeaBIOS writes nothing to port 0x80: exactly the boot sector's codes.
	got=$(jsonl_events "$OUT/bs.jsonl" | jq -r '"\(.code):\(.label)"' | tr '\n' ' ')
	[ "$got" = "1:Firmware 33:Bootloader 65:Kernel 66:Kernel 97:Userspace 129:Custom " ]
	jsonl_events "$OUT/bs.jsonl" | jq -s -e 'all(.[]; .vcpu == 0 and .thread == "CPU 0/KVM"
		and .comm == "qemu-system-x86" and .port == 128 and .since_start_ns > 0) and
		([range(1; length) as $i | .[$i].ts_ns > .[$i - 1].ts_ns] | all)'
	jq -s -e '[.[] | select(.type == "vm_end")] | length == 1 and .[0].exit_status == 67' \
		"$OUT/bs.jsonl"
	summary_has "$OUT/bs.jsonl" '.events == 6 and .dropped == 0 and
		(.vms | length) == 1 and .vms[0].complete and
		[.vms[0].stages[].stage] == ["Firmware", "Bootloader", "Kernel", "Userspace", "Custom"]'
	[ "$(cat "$OUT/serial")" = "bootsector: start
bootsector: done" ]
}

@test "QEMU -M microvm (PVH, qboot) -smp 2: each write carries its vCPU and thread" {
	run scripts/qemu-boot.sh --firmware microvm --smp 2 -- -f jsonl -o "$OUT/mv.jsonl"
	[ "$status" -eq 33 ]
	got=$(jsonl_events "$OUT/mv.jsonl" | jq -r '"\(.vcpu):\(.thread):\(.code)"' | tr '\n' ',')
	# vCPU 1 (APIC ID 1) writes 0x91 between vCPU 0's 0x62 and 0x82.
	[ "$got" = "0:CPU 0/KVM:2,0:CPU 0/KVM:34,0:CPU 0/KVM:67,0:CPU 0/KVM:98,1:CPU 1/KVM:145,0:CPU 0/KVM:130," ]
}

@test "QEMU -bios qboot.rom (multiboot) -smp 2: log lines name the vCPU thread" {
	rc=0
	scripts/qemu-boot.sh --firmware qboot --smp 2 -- -o "$OUT/qb.log" 2>"$OUT/stderr" || rc=$?
	[ "$rc" -eq 33 ]
	[ "$(grep -c 'Debug I/O port' "$OUT/qb.log")" -eq 6 ]
	grep -Eq '^\[ *[0-9]+\.[0-9]{9}\] qemu-system-x86\[[0-9]+\] vm[0-9]+ vcpu0 \(CPU 0/KVM\): \[Debug I/O port: Firmware code 0x2\] [0-9]+\.[0-9]{6} seconds$' "$OUT/qb.log"
	grep -Eq ' vcpu1 \(CPU 1/KVM\): \[Debug I/O port: Custom code 0x91\] ' "$OUT/qb.log"
	grep -Eq 'vm[0-9]+: VMM exited \(exit status 33\)$' "$OUT/qb.log"
	grep -Eq '^boot-trace: qemu-system-x86\[[0-9]+\] vm[0-9]+: 6 codes, exit status 33$' "$OUT/stderr"
}

@test "QEMU without debug-threads: vCPUs still right, thread name not repeated" {
	run "$BT" run --timeout 300 -f jsonl -o "$OUT/nt.jsonl" -- qemu-system-x86_64 -accel kvm -M microvm \
		-smp 2 -nodefaults -no-user-config -display none -m 32 -serial none \
		-device isa-debug-exit,iobase=0x501,iosize=1 -kernel "$ROOT/build/qemu-guests/direct.elf"
	[ "$status" -eq 33 ]
	jsonl_events "$OUT/nt.jsonl" | jq -s -e 'length == 6 and
		all(.[]; .thread == "qemu-system-x86") and
		([.[] | select(.code == 145) | .vcpu] == [1]) and
		all(.[] | select(.code != 145); .vcpu == 0)'
	"$BT" run --timeout 300 -o "$OUT/nt.log" -q -- qemu-system-x86_64 -accel kvm -M microvm -smp 2 \
		-nodefaults -no-user-config -display none -m 32 -serial none \
		-device isa-debug-exit,iobase=0x501,iosize=1 -kernel "$ROOT/build/qemu-guests/direct.elf" || true
	grep -Eq ' vcpu1: \[Debug I/O port: Custom code 0x91\]' "$OUT/nt.log"
}

@test "record -p attaches to a QEMU already running: vCPUs found in /proc" {
	# QEMU starts paused (-S) with its monitor on two FIFOs; "cont" once record is attached.
	mkfifo "$OUT/mon.in" "$OUT/mon.out"
	qemu-system-x86_64 -accel kvm -M microvm -smp 2 -name rec,debug-threads=on -nodefaults \
		-no-user-config -display none -m 32 -serial none -S \
		-device isa-debug-exit,iobase=0x501,iosize=1 -kernel "$ROOT/build/qemu-guests/direct.elf" \
		-chardev pipe,id=mon,path="$OUT/mon" -mon chardev=mon,mode=readline 2>/dev/null &
	QEMU_PID=$!
	(sleep 300 && kill "$QEMU_PID") >/dev/null 2>&1 &
	WATCHDOG=$!
	exec 7<>"$OUT/mon.out" # keep the monitor's output flowing
	for _ in $(seq 100); do
		ls -l "/proc/$QEMU_PID/fd" 2>/dev/null | grep -q 'kvm-vcpu:1' && break
		sleep 0.1
	done
	"$BT" record -p "$QEMU_PID" -f jsonl -o "$OUT/rec.jsonl" 2>"$OUT/stderr" &
	bt=$!
	wait_for_line "$OUT/stderr" "tracing the given processes"
	echo cont >"$OUT/mon.in"
	wait "$bt"
	exec 7<&-
	rc=0
	wait "$QEMU_PID" || rc=$?
	[ "$rc" -eq 33 ]
	got=$(jsonl_events "$OUT/rec.jsonl" | jq -r '"\(.vcpu):\(.thread):\(.code)"' | tr '\n' ',')
	[ "$got" = "0:CPU 0/KVM:2,0:CPU 0/KVM:34,0:CPU 0/KVM:67,0:CPU 0/KVM:98,1:CPU 1/KVM:145,0:CPU 0/KVM:130," ]
	jsonl_events "$OUT/rec.jsonl" | jq -s -e 'all(.[]; .since_start_ns == null)'
	jq -s -e '[.[] | select(.type == "vm_end")] | length == 1 and .[0].exit_status == 33' \
		"$OUT/rec.jsonl"
}

# QEMU + SeaBIOS booting the boot sector, under `boot-trace run OPTIONS... --`: QEMU's own
# options after "--" (boot-trace run's command line cannot go through scripts/qemu-boot.sh,
# which takes none). Status 67 (bootsector.S).
seabios_boot() {
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	"$BT" run --timeout 300 "${args[@]}" -- qemu-system-x86_64 -accel kvm -name seabios,debug-threads=on \
		-M pc -nodefaults -no-user-config -display none -m 32 \
		-device isa-debug-exit,iobase=0x501,iosize=1 \
		-drive file="$BUILD/qemu-guests/bootsector.img",format=raw,if=ide "$@"
}

# The lines of console output FILE as boot-trace shows them (docs/console.md): each CR or LF
# ends a line and a line with no byte is none (so CR LF is one end), a line is cut at 256 bytes,
# then ANSI escape sequences (CSI, and two-byte ESC x) are stripped, a tab becomes a space,
# other control bytes and invalid UTF-8 become \xNN. A last line with no end is a line too.
clean_lines() {
	python3 - "$1" <<'PY'
import re, sys
for raw in re.split(rb"[\r\n]", open(sys.argv[1], "rb").read()):
    if not raw:
        continue
    text = re.sub(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[^\[\]]", b"", raw[:256]).replace(b"\t", b" ")
    text = re.sub(rb"[\x00-\x1f\x7f]", lambda m: b"\\x%02x" % m.group()[0], text)
    print(text.decode("utf-8", "backslashreplace"))
PY
}

@test "QEMU + SeaBIOS: its debug log on debugcon 0x402, line for line as QEMU wrote it" {
	rc=0
	seabios_boot --debugcon=0x402 -f jsonl -o "$OUT/dc.jsonl" -- -serial none \
		-chardev file,id=dbg,path="$OUT/debugcon.txt" \
		-device isa-debugcon,iobase=0x402,chardev=dbg || rc=$?
	[ "$rc" -eq 67 ]
	# SeaBIOS's first words on its debug port (src/output.c, post.c): its version banner.
	[[ "$(head -1 "$OUT/debugcon.txt")" == "SeaBIOS (version "* ]]
	diff <(jq -r 'select(.type == "console") | .text' "$OUT/dc.jsonl") \
		<(clean_lines "$OUT/debugcon.txt")
	jq -s -e '[.[] | select(.type == "console")] |
		length > 10 and all(.[]; .port == 1026 and .console == "debugcon" and
			.thread == "CPU 0/KVM" and .comm == "qemu-system-x86" and .last_ts_ns >= .ts_ns and
			.since_start_ns > 0 and (has("truncated") | not) and (has("unterminated") | not)) and
		([range(1; length) as $i | .[$i].ts_ns > .[$i - 1].last_ts_ns] | all) and
		.[0].stage == "Firmware" and
		([.[] | select(.text == "Booting from Hard Disk...") | .stage] == ["Bootloader"])' \
		"$OUT/dc.jsonl"
	# Lines and codes make one timeline: the banner starts Firmware (from the first entry),
	# "Booting from Hard Disk..." Bootloader, before the boot sector's own codes.
	jq -s -e '[.[] | select(.type == "vm_summary")] | length == 1 and .[0].events == 6 and
		[.[0].stages[].stage] == ["VMM set-up", "Firmware", "Bootloader", "Kernel",
			"Userspace", "Custom"] and
		[.[0].stages[].codes] == [0, 1, 1, 2, 1, 1]' "$OUT/dc.jsonl"
	boot=$(jq -r 'select(.type == "console" and .text == "Booting from Hard Disk...") |
		.since_start_ns' "$OUT/dc.jsonl")
	jq -s -e --argjson boot "$boot" '
		([.[] | select(.type == "vm_summary")][0].stages[] | select(.stage == "Bootloader") |
			.first_ns == $boot) and
		([.[] | select(.type == "event" and .code == 33)][0].since_start_ns > $boot)' \
		"$OUT/dc.jsonl"
}

@test "QEMU + SeaBIOS on the serial console (sercon) and the boot sector's lines: --console" {
	# SeaBIOS prints its screen on COM1 when etc/sercon-port names it (src/sercon.c): the
	# banner after a reset and a screen clear in escape sequences, then "Booting from Hard
	# Disk...". sercon draws lazily: what it still held when the boot sector took over (here,
	# under TCG, the last "." and the line end) never comes, and the boot sector's first line
	# then continues SeaBIOS's last: "Booting from Hard Disk..bootsector: start".
	printf '\xf8\x03' >"$OUT/sercon-port"
	rc=0
	seabios_boot --console -f jsonl -o "$OUT/sc.jsonl" -- -serial file:"$OUT/serial" \
		-fw_cfg name=etc/sercon-port,file="$OUT/sercon-port" 2>"$OUT/stderr" || rc=$?
	[ "$rc" -eq 67 ]
	diff <(jq -r 'select(.type == "console") | .text' "$OUT/sc.jsonl") \
		<(clean_lines "$OUT/serial")
	jq -s -e '[.[] | select(.type == "console")] |
		length >= 3 and (.[0].text | startswith("SeaBIOS (version ")) and
		.[0].stage == "Firmware" and (.[1].text | startswith("Booting from Hard Disk")) and
		(.[-2].text | endswith("bootsector: start")) and .[-1].text == "bootsector: done" and
		all(.[]; .port == 1016 and .console == "uart" and .thread == "CPU 0/KVM" and
			.last_ts_ns >= .ts_ns)' "$OUT/sc.jsonl"
	# Whether sercon's "Booting from" line came whole or not, the boot sector's 0x21 is there.
	jq -s -e '[.[] | select(.type == "vm_summary")] | length == 1 and .[0].events == 6 and
		[.[0].stages[].stage] == ["VMM set-up", "Firmware", "Bootloader", "Kernel",
			"Userspace", "Custom"]' "$OUT/sc.jsonl"
	# The boot sector's "done" line comes after its last code.
	jq -s -e '[.[] | select(.type == "console")] as $l | [.[] | select(.type == "event")] as $e |
		$l[-1].ts_ns > $e[-1].ts_ns' "$OUT/sc.jsonl"
}

@test "qemu-boot.sh --timeout: a boot still running at the limit is stopped, status 124" {
	# QEMU alone takes longer than 10 ms to start.
	run --separate-stderr scripts/qemu-boot.sh --firmware microvm --timeout 0.01 -- -q \
		-f jsonl -o "$OUT/to.jsonl"
	[ "$status" -eq 124 ]
	[[ "$stderr" == *"boot-trace: 'qemu-system-x86_64' still running after 0.01 s (--timeout): SIGTERM sent"* ]]
	jq -e . "$OUT/to.jsonl" >/dev/null
}

@test "qemu-boot.sh: bad arguments" {
	run scripts/qemu-boot.sh --firmware ovmf
	[ "$status" -eq 2 ]
	[ "$output" = "qemu-boot.sh: unknown firmware 'ovmf': seabios, qboot or microvm" ]
	run scripts/qemu-boot.sh --smp
	[ "$status" -eq 2 ]
}
