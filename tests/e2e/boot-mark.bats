#!/usr/bin/env bats
# boot-mark, the guest-side tool: usage, what it would write, and its errors. (It runs inside
# Linux guests; here it runs on the host, whose kernel may lack ioperm and /dev/port.)

load common
bats_require_minimum_version 1.5.0

BM="$BUILD/boot-mark"

setup() {
	[ -x "$BM" ] || skip "build/boot-mark is not built"
}

@test "static, small, and --help shows usage" {
	# No program interpreter: nothing to find in a guest's root filesystem.
	[ "$(readelf -l "$BM" | grep -c INTERP)" -eq 0 ]
	[ "$(stat -c %s "$BM")" -lt 1048576 ]
	run --separate-stderr "$BM" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "USAGE: boot-mark [-p PORT] [-d] [-n] CODE" ]]
	[[ "$output" == *"EXAMPLES:"* ]]
}

@test "--dry-run: the code, the port and the method" {
	run "$BM" -n userspace+3
	[ "$status" -eq 0 ]
	[ "$output" = "boot-mark: would write 0x63 to port 0x80 through ioperm" ]
	run "$BM" --dry-run --port 0xf4 --dev-port 7
	[ "$output" = "boot-mark: would write 0x07 to port 0xf4 through /dev/port" ]
	run "$BM" -n KERNEL
	[ "$output" = "boot-mark: would write 0x40 to port 0x80 through ioperm" ]
}

@test "usage errors: one line, status 2" {
	run -2 --separate-stderr "$BM"
	[ "$stderr" = "boot-mark: missing CODE (e.g. boot-mark 0x60, boot-mark userspace+3) (see boot-mark --help)" ]
	run -2 --separate-stderr "$BM" 0x100
	[[ "$stderr" == "boot-mark: invalid code '0x100': expected 0..255"* ]]
	run -2 --separate-stderr "$BM" userspace+32
	[ "$stderr" = "boot-mark: 'userspace+32' is past the userspace range 0x60-0x7f (offsets 0..31) (see boot-mark --help)" ]
	run -2 --separate-stderr "$BM" --port 70000 0x60
	[[ "$stderr" == "boot-mark: invalid port '70000'"* ]]
}

@test "without privileges: a clear error, status 1" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop privileges"
	run -1 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$BM" 0x60
	[ "$stderr" = "boot-mark: writing port 0x80 needs root (CAP_SYS_RAWIO)" ]
	run -1 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$BM" -d -p 0xf4 7
	[ "$stderr" = "boot-mark: writing port 0xf4 needs root (CAP_SYS_RAWIO)" ]
}

@test "as root: written, or one line naming what this kernel lacks" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	# On a host whose kernel has ioperm this writes 0x60 to the host's port 0x80, which
	# Linux itself uses as its I/O delay port: harmless.
	run --separate-stderr "$BM" 0x60
	echo "status=$status stderr=$stderr"
	if [ "$status" -ne 0 ]; then
		[ "$status" -eq 1 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == "boot-mark: cannot write port 0x80: "* ]]
	fi
	if [ ! -e /dev/port ]; then
		run -1 --separate-stderr "$BM" -d 0x60
		[ "$stderr" = "boot-mark: cannot open /dev/port: No such file or directory (kernel without CONFIG_DEVPORT: try without -d)" ]
	fi
}
