#!/usr/bin/env bats
# End-to-end tests of vmm-min and its guests: exit status, serial output, --log-io lines, errors.

load common

bats_require_minimum_version 1.5.0

setup() {
	[ -x "$VMM" ] || skip "build/vmm-min is not built (make build/vmm-min)"
}

# The values of the port-0x80 lines in --log-io output ($stderr), one per line.
io_values() {
	printf '%s\n' "$stderr" | sed -n 's/^vmm-min: io 0x80 vcpu=[0-9]* size=[0-9]* value=\(0x[0-9a-f]*\) mono_ns=[0-9]*$/\1/p'
}

@test "--help prints usage on stdout and exits 0" {
	run --separate-stderr "$VMM" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "USAGE: vmm-min "* ]]
	[[ "$output" == *"--mode real|long"* ]]
	[ -z "$stderr" ]
}

@test "demo: eleven steps in order on serial, exit 0" {
	require_kvm
	run --separate-stderr "$VMM" "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	expected="demo: firmware: reset vector (0x00)
demo: firmware: memory init (0x01)
demo: firmware: device enumeration (0x02)
demo: bootloader: start (0x20)
demo: bootloader: load kernel (0x21)
demo: kernel: entry (0x40)
demo: kernel: subsystems init (0x41)
demo: kernel: mount root (0x42)
demo: init: start (0x60)
demo: init: services started (0x61)
demo: ready: boot complete (0x80)"
	[ "$output" = "$expected" ]
	[ -z "$stderr" ]
}

@test "demo --log-io: exact code sequence, monotonic stamps" {
	require_kvm
	run --separate-stderr "$VMM" --log-io "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	[ "$(io_values | tr '\n' ' ')" = "0x0 0x1 0x2 0x20 0x21 0x40 0x41 0x42 0x60 0x61 0x80 " ]
	# stamps never go backwards
	printf '%s\n' "$stderr" | sed -n 's/.*mono_ns=//p' | sort -c -n
	[[ "$stderr" == *"vmm-min: unknown accesses: 0 port, 0 mmio"* ]]
}

@test "demo: arg1 stretches only the kernel stage (rdtsc delays)" {
	require_kvm
	# step delay 0.4 Mcycles, kernel extra 40 Mcycles (~16 ms at 2.4 GHz) after each kernel code
	run --separate-stderr "$VMM" --log-io --arg 400 --arg 40000 "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	ns=($(printf '%s\n' "$stderr" | sed -n 's/^vmm-min: io 0x80 .*mono_ns=//p'))
	[ "${#ns[@]}" -eq 11 ]
	boot=$((ns[5] - ns[3]))   # 0x20 -> 0x40
	kernel=$((ns[8] - ns[5])) # 0x40 -> 0x60
	[ "$kernel" -gt $((boot * 5)) ]
}

@test "flood: 1000 writes with the low byte of a counter" {
	require_kvm
	run --separate-stderr "$VMM" --log-io --arg 1000 "$GUESTS/flood.bin"
	[ "$status" -eq 0 ]
	mapfile -t v < <(io_values)
	[ "${#v[@]}" -eq 1000 ]
	[ "${v[0]}" = 0x0 ]
	[ "${v[1]}" = 0x1 ]
	[ "${v[255]}" = 0xff ]
	[ "${v[256]}" = 0x0 ]
	[ "${v[999]}" = 0xe7 ]
}

@test "flood: arg0 0 writes nothing" {
	require_kvm
	run --separate-stderr "$VMM" --log-io "$GUESTS/flood.bin"
	[ "$status" -eq 0 ]
	[ -z "$(io_values)" ]
}

@test "flood64: long mode, 1000 writes, 64-bit arg" {
	require_kvm
	run --separate-stderr "$VMM" --mode long --log-io --arg 0x3e8 "$GUESTS/flood64.bin"
	[ "$status" -eq 0 ]
	mapfile -t v < <(io_values)
	[ "${#v[@]}" -eq 1000 ]
	[ "${v[0]}" = 0x0 ]
	[ "${v[255]}" = 0xff ]
	[ "${v[999]}" = 0xe7 ]
	# a 64-bit count is accepted in long mode (the guest stops at its own pace: use 0 to exit)
	run "$VMM" --mode long --memory 2 --arg 0 --arg 0xffffffffffffffff "$GUESTS/flood64.bin"
	[ "$status" -eq 0 ]
}

@test "strio: rep outsb, outw, outl give 18 lines with sizes and values" {
	require_kvm
	run --separate-stderr "$VMM" --log-io "$GUESTS/strio.bin"
	[ "$status" -eq 0 ]
	mapfile -t l < <(printf '%s\n' "$stderr" | grep '^vmm-min: io 0x80 ')
	[ "${#l[@]}" -eq 18 ]
	for i in $(seq 0 15); do
		[[ "${l[$i]}" == "vmm-min: io 0x80 vcpu=0 size=1 value=0x1$(printf %x "$i") mono_ns="* ]]
	done
	[[ "${l[16]}" == "vmm-min: io 0x80 vcpu=0 size=2 value=0x3231 mono_ns="* ]]
	[[ "${l[17]}" == "vmm-min: io 0x80 vcpu=0 size=4 value=0x36353433 mono_ns="* ]]
}

@test "smp: 4 vCPUs each write their codes and report, all halted -> exit 0" {
	require_kvm
	run --separate-stderr "$VMM" --cpus 4 --log-io "$GUESTS/smp.bin"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	for i in 0 1 2 3; do
		[[ "$output" == *"smp: cpu $i done"* ]]
		codes=$(printf '%s\n' "$stderr" | sed -n "s/^vmm-min: io 0x80 vcpu=$i size=1 value=\(0x[0-9a-f]*\) .*/\1/p" | tr '\n' ' ')
		[ "$codes" = "$(printf '0x%x ' $((0x80 + 4 * i)) $((0x81 + 4 * i)) $((0x82 + 4 * i)) $((0x83 + 4 * i)))" ]
	done
}

@test "smp: vCPU threads are named vcpuN" {
	require_kvm
	"$VMM" --cpus 3 --timeout 20 "$GUESTS/hang.bin" 3>&- &
	pid=$!
	for _ in $(seq 50); do
		[ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -ge 4 ] && break
		sleep 0.1
	done
	# KVM adds kernel worker threads (kvm-nx-lpage-re...) to the process: look at ours only
	names=$(cat /proc/$pid/task/*/comm | grep -E '^(vcpu|vmm-min)' | sort | tr '\n' ' ')
	kill "$pid"
	wait "$pid" || true
	[ "$names" = "vcpu0 vcpu1 vcpu2 vmm-min " ]
}

@test "noise: only 0x80 writes are logged, 12 unknown port accesses" {
	require_kvm
	run --separate-stderr "$VMM" --log-io "$GUESTS/noise.bin"
	[ "$status" -eq 0 ]
	[ "$output" = "abcd" ]
	[ "$(io_values | tr '\n' ' ')" = "0x1 0x21 0x41 0x61 0x81 " ]
	[[ "$stderr" == *"vmm-min: unknown accesses: 12 port, 0 mmio"* ]]
}

@test "noise: no --log-io, no stderr" {
	require_kvm
	run --separate-stderr "$VMM" "$GUESTS/noise.bin"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "exitcode: the byte written to 0x501 is the exit status" {
	require_kvm
	run "$VMM" --arg 7 "$GUESTS/exitcode.bin"
	[ "$status" -eq 7 ]
	run "$VMM" --arg 0x1fe "$GUESTS/exitcode.bin"
	[ "$status" -eq 254 ]
}

@test "--boots: each boot in a new VM, the previous one closed; a failed boot stops there" {
	require_kvm
	run --separate-stderr "$VMM" --boots 3 --cpus 2 "$GUESTS/smp.bin"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^smp: cpu 1 done$' <<<"$output")" -eq 3 ]
	# A vCPU still running when the boot ends (the exit port) is stopped before the next.
	run "$VMM" --boots 4 --arg 0 "$GUESTS/exitcode.bin"
	[ "$status" -eq 0 ]
	# One VM at a time: the process never holds two VM fds.
	"$VMM" --boots 50 --serial /dev/null "$GUESTS/demo.bin" &
	pid=$!
	max=0
	while kill -0 "$pid" 2>/dev/null; do
		n=$(ls -l /proc/"$pid"/fd 2>/dev/null | grep -c 'anon_inode:kvm-vm') || true
		[ "$n" -le "$max" ] || max=$n
	done
	wait "$pid"
	[ "$max" -le 1 ]
	run "$VMM" --boots 3 --arg 7 "$GUESTS/exitcode.bin"
	[ "$status" -eq 7 ]
	run --separate-stderr "$VMM" --boots 2 --timeout 1 "$GUESTS/hang.bin"
	[ "$status" -eq 124 ]
	[ "$stderr" = "vmm-min: timeout after 1 s" ]
}

@test "--linger: the VM is closed, the process stays, then exits with the boot's status" {
	require_kvm
	"$VMM" --linger 2 --serial /dev/null "$GUESTS/demo.bin" &
	pid=$!
	# The guest is done in well under 2 s here; give a slow host 20 s to get there.
	for _ in $(seq 200); do
		grep -q 'anon_inode:kvm-vm' <(ls -l /proc/"$pid"/fd 2>/dev/null) || break
		sleep 0.1
	done
	kill -0 "$pid"
	! ls -l /proc/"$pid"/fd | grep -q 'anon_inode:kvm' || false
	wait "$pid"
	run "$VMM" --linger 1 --arg 7 "$GUESTS/exitcode.bin"
	[ "$status" -eq 7 ]
}

@test "hang: --timeout 1 -> 124 and a message" {
	require_kvm
	run --separate-stderr "$VMM" --timeout 1 "$GUESTS/hang.bin"
	[ "$status" -eq 124 ]
	[ "$stderr" = "vmm-min: timeout after 1 s" ]
}

@test "--serial FILE receives the serial output" {
	require_kvm
	f="$BATS_TEST_TMPDIR/serial.txt"
	echo stale > "$f"
	run --separate-stderr "$VMM" --serial "$f" "$GUESTS/demo.bin"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(wc -l < "$f")" -eq 11 ]
	[ "$(head -n1 "$f")" = "demo: firmware: reset vector (0x00)" ]
	[ "$(tail -n1 "$f")" = "demo: ready: boot complete (0x80)" ]
}

@test "MMIO read returns all ones and is counted" {
	require_kvm
	# long mode: mov eax, [0x300000] (past 3 MiB of RAM, still mapped); out 0x501, al
	img="$BATS_TEST_TMPDIR/mmio.bin"
	printf '\x8b\x04\x25\x00\x00\x30\x00\xba\x01\x05\x00\x00\xee' > "$img"
	run --separate-stderr "$VMM" --mode long --memory 3 --log-io "$img"
	[ "$status" -eq 255 ]
	[[ "$stderr" == *"vmm-min: unknown accesses: 0 port, 1 mmio"* ]]
}

@test "boottimer64: the boot timer at 0xc0000000 logs each write with --log-io" {
	require_kvm
	run --separate-stderr "$VMM" --mode long --log-io "$GUESTS/boottimer64.bin"
	[ "$status" -eq 0 ]
	got=$(printf '%s\n' "$stderr" | sed -n 's/^vmm-min: \(mmio [0-9a-fx]* vcpu=0 size=[0-9] value=0x[0-9a-f]*\) mono_ns=[0-9]*$/\1/p')
	[ "$got" = "mmio 0xc0000000 vcpu=0 size=1 value=0x7
mmio 0xc0000000 vcpu=0 size=4 value=0x7b
mmio 0xc0000001 vcpu=0 size=1 value=0x7b
mmio 0xc0000000 vcpu=0 size=1 value=0x7b" ]
	[[ "$stderr" == *"vmm-min: unknown accesses: 0 port, 0 mmio"* ]]
}

@test "qboot: writes to port 0xf4 are counted as unknown, exit 0" {
	require_kvm
	run --separate-stderr "$VMM" --log-io "$GUESTS/qboot.bin"
	[ "$status" -eq 0 ]
	[ "$(io_values | tr '\n' ' ')" = "0x40 " ]
	[[ "$stderr" == *"vmm-min: unknown accesses: 8 port, 0 mmio"* ]]
}

@test "triple fault -> status 1 naming the reason" {
	require_kvm
	img="$BATS_TEST_TMPDIR/ud2.bin"
	printf '\x0f\x0b' > "$img" # ud2 with no IDT
	run "$VMM" --mode long "$img"
	[ "$status" -eq 1 ]
	# AMD's KVM resets the vCPU on a shutdown: its RIP is then the reset vector's, not ours.
	[[ "$output" == "vmm-min: vcpu0: KVM_EXIT_SHUTDOWN (triple fault) at rip=0x100000" ||
		"$output" == "vmm-min: vcpu0: KVM_EXIT_SHUTDOWN (triple fault); KVM reset the vCPU, where it failed is lost" ]]
}

# usage errors: status 2 and a one-line message
usage_error() {
	local want="$1"
	shift
	run "$VMM" "$@"
	[ "$status" -eq 2 ] || { echo "status $status for $*: $output"; return 1; }
	[ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output"; return 1; }
	[[ "$output" == "vmm-min: "*"$want"* ]] || { echo "unexpected: $output"; return 1; }
}

@test "usage errors exit 2 with a one-line message" {
	img="$GUESTS/demo.bin"
	usage_error "--memory: 0 is out of range" --memory 0 "$img"
	usage_error "--memory: 4097 is out of range" --memory 4097 "$img"
	usage_error "--memory: 'lots' is not a number" --memory lots "$img"
	usage_error "--cpus: 0 is out of range" --cpus 0 "$img"
	usage_error "--cpus: 65 is out of range" --cpus 65 "$img"
	usage_error "--cpus: '2x' is not a number" --cpus 2x "$img"
	usage_error "--mode: 'bogus'" --mode bogus "$img"
	usage_error "--timeout: 0 is out of range" --timeout 0 "$img"
	usage_error "--timeout: 'soon' is not a number" --timeout soon "$img"
	usage_error "--boots: 0 is out of range" --boots 0 "$img"
	usage_error "--boots: 1001 is out of range" --boots 1001 "$img"
	usage_error "--arg: 'x1' is not a number" --arg x1 "$img"
	usage_error "--arg: '-1' is negative" --arg -1 "$img"
	usage_error "does not fit in 32 bits" --arg 0x100000000 "$img"
	usage_error "does not fit in 64 bits" --mode long --arg 0x10000000000000000 "$img"
	usage_error "--arg: at most 4" --arg 1 --arg 2 --arg 3 --arg 4 --arg 5 "$img"
	usage_error "unknown option '--bogus'" --bogus "$img"
	usage_error "option '--memory' needs a value" --memory
	usage_error "missing IMAGE" --cpus 2
	usage_error "unexpected argument 'extra'" "$img" extra
	usage_error "long mode needs at least 2 MiB" --mode long --memory 1 "$GUESTS/flood64.bin"
}

@test "runtime errors exit 1 with a one-line message" {
	run "$VMM" "$BATS_TEST_TMPDIR/missing.bin"
	[ "$status" -eq 1 ]
	[ "$output" = "vmm-min: cannot open image $BATS_TEST_TMPDIR/missing.bin: No such file or directory" ]

	: > "$BATS_TEST_TMPDIR/empty.bin"
	run "$VMM" "$BATS_TEST_TMPDIR/empty.bin"
	[ "$status" -eq 1 ]
	[[ "$output" == "vmm-min: image "*"empty.bin is empty" ]]

	head -c $((1024 * 1024)) /dev/zero > "$BATS_TEST_TMPDIR/big.bin"
	run "$VMM" --memory 1 "$BATS_TEST_TMPDIR/big.bin"
	[ "$status" -eq 1 ]
	[[ "$output" == "vmm-min: image "*"big.bin is larger than"* ]]
	echo >> "$BATS_TEST_TMPDIR/big.bin" # 1 MiB + 1 byte does not fit at 1 MiB in 2 MiB
	run "$VMM" --mode long --memory 2 "$BATS_TEST_TMPDIR/big.bin"
	[ "$status" -eq 1 ]
	[[ "$output" == "vmm-min: image "*"big.bin is larger than"* ]]

	run "$VMM" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[[ "$output" == "vmm-min: cannot read image "*"Is a directory" ]]
}

@test "serial file that cannot be created -> status 1" {
	require_kvm
	run "$VMM" --serial "$BATS_TEST_TMPDIR/no/such/dir/out" "$GUESTS/demo.bin"
	[ "$status" -eq 1 ]
	[[ "$output" == "vmm-min: cannot create serial file "*"No such file or directory" ]]
}

@test "no permission on /dev/kvm -> status 1 and strerror" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	command -v setpriv >/dev/null || skip "setpriv missing"
	[ -e /dev/kvm ] || skip "no /dev/kvm"
	# Root's and its group's only (0600, or a udev host's 0660 root:kvm: --clear-groups drops
	# the kvm group): the unprivileged user is refused either way.
	[ $((0$(stat -c %a /dev/kvm) & 6)) -eq 0 ] || skip "/dev/kvm is open to every user here"
	# the image must be readable by the unprivileged user (bats temp dirs are not)
	d=$(mktemp -d /tmp/vmm-min-kvm.XXXXXX)
	chmod 755 "$d"
	cp "$GUESTS/demo.bin" "$d/demo.bin"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$VMM" "$d/demo.bin"
	rm -rf "$d"
	[ "$status" -eq 1 ]
	[ "$output" = "vmm-min: cannot open /dev/kvm: Permission denied" ]
}

# Run "$@" where /dev/kvm cannot be used: as is on a host without it; elsewhere in a mount
# namespace where /dev/null hides it (root and unshare needed).
without_kvm() {
	if [ ! -e /dev/kvm ]; then
		"$@"
		return
	fi
	unshare -m --propagation private sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' \
		sh "$@"
}

@test "--serial FILE is left as it was when the VM cannot start (no usable KVM, bad image)" {
	if [ -e /dev/kvm ]; then
		[ "$(id -u)" -eq 0 ] || skip "needs root to hide /dev/kvm"
		command -v unshare >/dev/null || skip "unshare missing"
	fi
	f="$BATS_TEST_TMPDIR/serial.txt"
	echo precious >"$f"
	run -1 --separate-stderr without_kvm "$VMM" --serial "$f" "$GUESTS/demo.bin"
	[[ "$stderr" == "vmm-min: cannot open /dev/kvm: "* ||
		"$stderr" == "vmm-min: KVM API version -1, expected 12" ]]
	[ "$(cat "$f")" = precious ]
	# The same with KVM: a guest image that cannot run.
	: >"$BATS_TEST_TMPDIR/empty.bin"
	run -1 --separate-stderr "$VMM" --serial "$f" "$BATS_TEST_TMPDIR/empty.bin"
	[ "$stderr" = "vmm-min: image $BATS_TEST_TMPDIR/empty.bin is empty" ]
	[ "$(cat "$f")" = precious ]
	head -c $((1024 * 1024)) /dev/zero >"$BATS_TEST_TMPDIR/big.bin"
	run -1 --separate-stderr "$VMM" --memory 1 --serial "$f" "$BATS_TEST_TMPDIR/big.bin"
	[[ "$stderr" == "vmm-min: image "*"big.bin is larger than"* ]]
	[ "$(cat "$f")" = precious ]
	run -2 --separate-stderr "$VMM" --cpus 0 --serial "$f" "$GUESTS/demo.bin"
	[ "$(cat "$f")" = precious ]
	# Nor is a new one created.
	run -1 --separate-stderr without_kvm "$VMM" --serial "$BATS_TEST_TMPDIR/new.txt" \
		"$GUESTS/demo.bin"
	[ ! -e "$BATS_TEST_TMPDIR/new.txt" ]
}

@test "--serial: another user's file or a hard link in a shared directory is refused" {
	require_kvm
	[ "$(id -u)" -eq 0 ] || skip "needs root (file owners)"
	shared="$BATS_TEST_TMPDIR/shared"
	mkdir -m 1777 "$shared"
	echo precious >"$shared/victim"
	chown 65534:65534 "$shared/victim"
	run -1 --separate-stderr "$VMM" --serial "$shared/victim" "$GUESTS/demo.bin"
	[ "$stderr" = "vmm-min: refusing to write serial file $shared/victim: it belongs to uid 65534 in the shared directory $shared (remove it or choose another name)" ]
	[ -z "$output" ]
	[ "$(cat "$shared/victim")" = precious ]
	echo mine >"$BATS_TEST_TMPDIR/mine"
	ln "$BATS_TEST_TMPDIR/mine" "$shared/link"
	run -1 --separate-stderr "$VMM" --serial "$shared/link" "$GUESTS/demo.bin"
	[ "$stderr" = "vmm-min: refusing to write serial file $shared/link: it has 2 hard links in the shared directory $shared (remove it or choose another name)" ]
	[ "$(cat "$BATS_TEST_TMPDIR/mine")" = mine ]
	# The sudo user's own file there is overwritten as asked; so is ours.
	echo stale >"$shared/users"
	chown 65534:65534 "$shared/users"
	run -0 env SUDO_UID=65534 "$VMM" --serial "$shared/users" "$GUESTS/demo.bin"
	[ "$(wc -l <"$shared/users")" -eq 11 ]
	echo stale >"$shared/own"
	run -0 "$VMM" --serial "$shared/own" "$GUESTS/demo.bin"
	[ "$(wc -l <"$shared/own")" -eq 11 ]
	# A character device is written as it is.
	run -0 --separate-stderr "$VMM" --serial /dev/null "$GUESTS/demo.bin"
	[ -c /dev/null ]
	[ -z "$output" ]
}
