#!/bin/bash
# Time an unmodified Linux boot from the host: Debian 12's kernel and a busybox initramfs
# under QEMU + KVM, traced by `boot-trace run --console` from its serial console alone (the
# guest writes no code to port 0x80).
#
#   scripts/linux-guest.sh [-- BOOT-TRACE-RUN-OPTIONS...]
#
# The initramfs's init prints what an init prints, runs busybox's getty on ttyS0 for a few
# seconds (a real login prompt: the "ready" rule), then powers off. The kernel and busybox
# come from the files scripts/nested-kvm.sh downloads (apt-get download, never installed).
# Environment: QEMU (default qemu-system-x86_64), BOOT_TRACE (default build/boot-trace),
# LINUX_GUEST_CPU (QEMU's -cpu, default qemu64), LINUX_GUEST_APPEND (more kernel arguments),
# LINUX_GUEST_TIMEOUT (seconds before a stalled boot is stopped, status 124; default 900).
#
# On the nested host (2026-12-07) the guest's kernel stalled early in 3 boots of 5 (with
# -cpu host; with idle=poll; once as below); the two that reached userspace had -cpu qemu64
# and LINUX_GUEST_APPEND="no_timer_check lpj=2000000".
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${NESTED_DIR:-$(pwd)/build/nested}"
root="$dir/root"

[ "${1:-}" = -- ] && shift

die() {
	echo "linux-guest: $*" >&2
	exit 2
}
vmlinuz=$(find "$root/boot" -name 'vmlinuz-*' 2>/dev/null | head -n1)
if [ -z "$vmlinuz" ] || [ ! -x "$root/bin/busybox" ]; then
	die "no Debian kernel and busybox in $root (run scripts/nested-kvm.sh -- true once)"
fi
[ -c /dev/kvm ] || die "no /dev/kvm here (scripts/nested-kvm.sh -- scripts/linux-guest.sh)"

ir="$dir/linux-guest"
initrd="$dir/linux-guest.cpio"
rm -rf "$ir" && mkdir -p "$ir"/{bin,proc,sys,dev}
cp "$root/bin/busybox" "$ir/bin/busybox"
cat >"$ir/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
hostname linux-guest
echo "init: busybox $(busybox | head -n1 | cut -d' ' -f2), $(cut -d' ' -f1 /proc/uptime) s after the kernel started"
timeout 3 getty -L 115200 ttyS0 vt100
poweroff -f
EOF
chmod +x "$ir/init"
(cd "$ir" && find . | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) >"$initrd"

serial="$dir/linux-guest.serial"
exec "${BOOT_TRACE:-build/boot-trace}" run --console --timeout "${LINUX_GUEST_TIMEOUT:-900}" "$@" -- \
	"${QEMU:-qemu-system-x86_64}" -accel kvm -cpu "${LINUX_GUEST_CPU:-qemu64}" -m 256 -smp 1 -nodefaults -no-reboot \
	-display none -serial "file:$serial" -kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 rdinit=/init ${LINUX_GUEST_APPEND:-}" -name linux-guest,debug-threads=on
