#!/bin/sh
# Boot one of the project's QEMU guests under `boot-trace run`, with QEMU's own firmware, and
# exit with QEMU's status as boot-trace forwards it.
#
#   scripts/qemu-boot.sh [--firmware seabios|qboot|microvm] [--smp N] [--serial FILE]
#                        [--timeout SEC] [-- BOOT-TRACE-RUN-OPTIONS...]
#
#   seabios  (default) SeaBIOS boots build/qemu-guests/bootsector.img from an IDE raw disk;
#            codes 0x01 0x21 0x41 0x42 0x61 0x81, QEMU status 67. Several seconds here.
#   qboot    -M pc -bios qboot.rom -kernel build/qemu-guests/direct.elf (multiboot)
#   microvm  -M microvm -kernel build/qemu-guests/direct.elf (PVH entry, qboot firmware)
#            direct.elf: codes 0x02 0x22 0x43 0x62, 0x90 + APIC ID from every other vCPU,
#            0x82; QEMU status 33. A fraction of a second.
#
# A boot still running after --timeout SEC (default 300) is stopped (boot-trace run --timeout):
# status 124. A guest that stalls (as L2 guests on an emulated KVM host do) cannot hang a test.
#
# vCPU threads are named ("CPU 0/KVM", ...: -name ...,debug-threads=on), so the trace shows
# them. Environment: QEMU (default qemu-system-x86_64), BOOT_TRACE (default build/boot-trace).
set -eu
cd "$(dirname "$0")/.."

usage() {
	echo "usage: scripts/qemu-boot.sh [--firmware seabios|qboot|microvm] [--smp N]" \
		"[--serial FILE] [--timeout SEC] [-- BOOT-TRACE-RUN-OPTIONS...]" >&2
	exit 2
}

firmware=seabios smp=1 serial=none timeout=300
while [ $# -gt 0 ]; do
	case $1 in
	--firmware) [ $# -ge 2 ] || usage; firmware=$2; shift 2 ;;
	--smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
	--serial) [ $# -ge 2 ] || usage; serial=file:$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "qemu-boot.sh: unknown option '$1'" >&2; usage ;;
	esac
done

QEMU=${QEMU:-qemu-system-x86_64}
BOOT_TRACE=${BOOT_TRACE:-build/boot-trace}
if ! command -v "$QEMU" >/dev/null 2>&1; then
	echo "qemu-boot.sh: $QEMU not found (apt-get install qemu-system-x86)" >&2
	exit 127
fi
case $firmware in
seabios) guest=build/qemu-guests/bootsector.img ;;
qboot | microvm) guest=build/qemu-guests/direct.elf ;;
*) echo "qemu-boot.sh: unknown firmware '$firmware': seabios, qboot or microvm" >&2; exit 2 ;;
esac
for f in "$BOOT_TRACE" "$guest"; do
	[ -e "$f" ] || { echo "qemu-boot.sh: $f is missing: run make first" >&2; exit 1; }
done

# What every variant shares: KVM, no default devices, no display, the exit device.
set -- --timeout "$timeout" "$@" -- "$QEMU" -accel kvm -name "boot-trace-$firmware,debug-threads=on" \
	-nodefaults -no-user-config -display none -m 32 -smp "$smp" -serial "$serial" \
	-device isa-debug-exit,iobase=0x501,iosize=1
case $firmware in
seabios) set -- "$@" -M pc -drive "file=$guest,format=raw,if=ide" ;;
qboot) set -- "$@" -M pc -bios /usr/share/qemu/qboot.rom -kernel "$guest" ;;
microvm) set -- "$@" -M microvm -kernel "$guest" ;;
esac

echo "\$ boot-trace run $*" >&2
exec "$BOOT_TRACE" run "$@"
