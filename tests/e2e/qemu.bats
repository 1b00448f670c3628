#!/usr/bin/env bats
# boot-trace beside a real VMM: QEMU with KVM and its own firmware (SeaBIOS, qboot), through
# scripts/qemu-boot.sh, with the project's QEMU guests (qemu-guests/). Every QEMU exits through
# isa-debug-exit: status (value << 1) | 1, which boot-trace must forward unchanged.

load common

setup() {
	require_qemu
	OUT="$BATS_TEST_TMPDIR"
	QEMU_PID=
	cd "$ROOT"
}

teardown() {
	[ -z "$QEMU_PID" ] || kill -KILL "$QEMU_PID" 2>/dev/null || true
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
	jsonl_summary "$OUT/bs.jsonl" | jq -e '.events == 6 and .dropped == 0 and
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
	run "$BT" run -f jsonl -o "$OUT/nt.jsonl" -- qemu-system-x86_64 -accel kvm -M microvm \
		-smp 2 -nodefaults -no-user-config -display none -m 32 -serial none \
		-device isa-debug-exit,iobase=0x501,iosize=1 -kernel "$ROOT/build/qemu-guests/direct.elf"
	[ "$status" -eq 33 ]
	jsonl_events "$OUT/nt.jsonl" | jq -s -e 'length == 6 and
		all(.[]; .thread == "qemu-system-x86") and
		([.[] | select(.code == 145) | .vcpu] == [1]) and
		all(.[] | select(.code != 145); .vcpu == 0)'
	"$BT" run -o "$OUT/nt.log" -q -- qemu-system-x86_64 -accel kvm -M microvm -smp 2 \
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

@test "qemu-boot.sh: bad arguments" {
	run scripts/qemu-boot.sh --firmware ovmf
	[ "$status" -eq 2 ]
	[ "$output" = "qemu-boot.sh: unknown firmware 'ovmf': seabios, qboot or microvm" ]
	run scripts/qemu-boot.sh --smp
	[ "$status" -eq 2 ]
}
