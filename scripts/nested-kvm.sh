#!/bin/bash
# Run a command on a KVM host made for it, where this machine has no /dev/kvm (a nested
# host whose kvm_pvm does not bind): QEMU emulates (TCG) an AMD CPU with SVM, Debian 12's
# own kernel runs in it with kvm_amd, and the command runs there as root with a working
# /dev/kvm, this machine's root file system read-only under a tmpfs overlay and the project
# directory read-write at its own path. Slow (every instruction is emulated, twice for a
# guest's), but real: real KVM, real kvm:* tracepoints (kvm_exit and kvm_entry included,
# which kvm_pvm never fires), real BPF, on the kernel most Debian 12 hosts run.
#
#   scripts/nested-kvm.sh [--timeout SEC] [--memory MiB] -- COMMAND [ARG...]
#
# Exits with COMMAND's status; 125 if the nested host died first (its console is in
# build/nested/console.log). Needs root (9p passthrough), qemu-system-x86, and, the first
# time, apt-get to download (not install) linux-image-amd64 and busybox-static.
#
# QEMU runs one TCG thread (thread=single): with one thread per vCPU, QEMU 7.2's SVM
# emulation locks the nested kernel up (soft lockups) after a few dozen VMs.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(pwd)
dir="${NESTED_DIR:-$project/build/nested}"

die() {
	echo "nested-kvm: $*" >&2
	exit 2
}
usage() {
	echo "usage: scripts/nested-kvm.sh [--timeout SEC] [--memory MiB] -- COMMAND [ARG...]" >&2
	exit 2
}

timeout=7200 memory=6144
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--memory) [ $# -ge 2 ] || usage; memory=$2; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -ge 1 ] || usage
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout: not a number of seconds: $timeout"
[[ $memory =~ ^[1-9][0-9]*$ ]] || die "--memory: not a number of MiB: $memory"
[ "$(id -u)" -eq 0 ] || die "needs root (the project is shared with the nested host as root)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"

# Debian's kernel and a static busybox, downloaded once (never installed on this machine).
fetch() {
	local pkg=$1
	ls "$dir"/debs/"$pkg"_*.deb >/dev/null 2>&1 && return
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		die "apt-get download $pkg failed (network, or run apt-get update)"
}
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
[ -n "$kernel_pkg" ] || die "apt-cache does not know linux-image-amd64 (run apt-get update)"
fetch "$kernel_pkg"
fetch busybox-static

root="$dir/root"
if [ ! -e "$root/.done-$kernel_pkg" ]; then
	rm -rf "$root" && mkdir -p "$root"
	for deb in "$dir"/debs/"$kernel_pkg"_*.deb "$dir"/debs/busybox-static_*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	touch "$root/.done-$kernel_pkg"
fi
release=${kernel_pkg#linux-image-}
vmlinuz="$root/boot/vmlinuz-$release"
modules="$root/lib/modules/$release/kernel"
busybox="$root/bin/busybox"

# The initramfs: busybox, the modules for 9p, overlayfs and KVM (in load order), and an init
# that mounts the shares and hands over to stage 2 on the real root. /tmp and /run are
# mounted before the project, which may be under them.
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet \
9pnet_virtio netfs fscache 9p overlay irqbypass kvm ccp kvm-amd"
initrd="$dir/initrd-$release"
# Built every time (a second): it holds this script's init.
ir="$dir/initramfs"
rm -rf "$ir" && mkdir -p "$ir"/{bin,mods,proc,sys,dev,lower,upper,newroot}
cp "$busybox" "$ir/bin/busybox"
for m in $mods; do
	cp "$(find "$modules" -name "$m.ko" | head -n1)" "$ir/mods/" || die "module $m not in $kernel_pkg"
done
cat >"$ir/init" <<-EOF
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
	for m in $mods; do insmod /mods/\$m.ko || echo "nested-kvm: insmod \$m failed"; done
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower
	mount -t tmpfs -o size=75% tmpfs /upper && mkdir -p /upper/u /upper/w
	mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot
	mount -t tmpfs tmpfs /newroot/tmp; mount -t tmpfs tmpfs /newroot/run
	mkdir -p /newroot$project
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 project /newroot$project
	mount --move /proc /newroot/proc; mount --move /sys /newroot/sys; mount --move /dev /newroot/dev
	exec switch_root /newroot /bin/bash $dir/stage2.sh
EOF
chmod +x "$ir/init"
(cd "$ir" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$initrd.tmp"
mv "$initrd.tmp" "$initrd"

# Stage 2, on the real root: what a booted system has (tmpfs, tracefs, bpffs, /dev/fd), then
# the command, its status to a file, power off.
cat >"$dir/stage2.sh" <<EOF
mount -t tracefs tracefs /sys/kernel/tracing; mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
ip link set lo up 2>/dev/null; hostname nested-kvm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
cd $project
echo "nested-kvm: up: kernel \$(uname -r), /dev/kvm \$(test -c /dev/kvm && echo present || echo MISSING)"
bash $dir/job.sh </dev/null
echo \$? >$dir/status
sync
echo o >/proc/sysrq-trigger
# init must not exit before the power-off: that is a panic
sleep 60 2>/dev/null || while :; do :; done
EOF
{
	echo "set -u"
	printf '%q ' "$@"
	echo
} >"$dir/job.sh"
rm -f "$dir/status"

echo "nested-kvm: booting $kernel_pkg under QEMU (TCG, SVM), ${memory} MiB; console in $dir/console.log" >&2
rc=0
timeout "$timeout" qemu-system-x86_64 -accel tcg,thread=single -cpu max,+svm,+npt -smp 2 \
	-m "$memory" -kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1" -no-reboot -display none -monitor none \
	-serial stdio -nic none \
	-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
	-virtfs "local,path=$project,mount_tag=project,security_model=passthrough" \
	</dev/null 2>&1 | sed -u 's/\r$//' | tee "$dir/console.log" |
	sed -u -n '/^nested-kvm: up:/,$p' || rc=$?
if [ ! -s "$dir/status" ]; then
	echo "nested-kvm: the nested host stopped before the command ended (exit $rc; see $dir/console.log)" >&2
	exit 125
fi
exit "$(cat "$dir/status")"
