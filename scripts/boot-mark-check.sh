#!/bin/sh
# Check build/boot-mark inside a real Linux guest: Debian's kernel and busybox-static (fetched
# with apt-get download into build/boot-mark-check/), an initramfs whose /init writes bytes to
# QEMU's isa-debugcon port 0xe9 by every method the README documents (boot-mark through
# ioperm, boot-mark -d through /dev/port, and dd to /dev/port), then leaves through
# isa-debug-exit. QEMU runs with TCG (a Linux guest does not get through early boot under KVM
# on the project's CI host), so boot-trace cannot see these writes: the debugcon file can.
# Not part of `make test` (it downloads about 70 MB); run it as root after `make`.
set -eu
cd "$(dirname "$0")/.."

dir=build/boot-mark-check
mkdir -p "$dir"
cd "$dir"
kernel_pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$kernel_pkg" ] || { echo "boot-mark-check: no linux-image-amd64 in apt (apt-get update?)" >&2; exit 1; }
if [ ! -d kernel ] || [ ! -d busybox ]; then
	rm -f ./*.deb
	apt-get download "$kernel_pkg" busybox-static >/dev/null 2>&1 ||
		{ echo "boot-mark-check: apt-get download $kernel_pkg busybox-static failed" >&2; exit 1; }
	mkdir -p kernel busybox
	dpkg-deb --fsys-tarfile linux-image-*.deb | tar -x -C kernel --wildcards './boot/vmlinuz-*'
	dpkg-deb -x busybox-static_*.deb busybox
	rm -f ./*.deb
fi

rm -rf root && mkdir -p root/bin root/dev root/proc
cp busybox/bin/busybox ../boot-mark root/bin/
cat >root/init <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
/bin/boot-mark -p 0xe9 0x41                                    # A: ioperm
/bin/boot-mark -d -p 0xe9 kernel+2                             # B: /dev/port
printf '\103' | /bin/busybox dd of=/dev/port bs=1 seek=233 count=1 conv=notrunc status=none # C
/bin/boot-mark -p 0xe9 userspace+4                             # d: 0x64
/bin/boot-mark -p 0x501 0x21                                   # QEMU exits 67
/bin/busybox poweroff -f
EOF
chmod +x root/init
(cd root && find . | ../busybox/bin/busybox cpio -o -H newc 2>/dev/null) | gzip >initrd.gz

rm -f debugcon.txt
status=0
timeout 300 qemu-system-x86_64 -accel tcg -M pc -m 256 -nodefaults -no-user-config \
	-display none -serial file:console.txt -kernel kernel/boot/vmlinuz-* -initrd initrd.gz \
	-append "console=ttyS0 quiet panic=-1" -chardev file,id=dbg,path=debugcon.txt \
	-device isa-debugcon,iobase=0xe9,chardev=dbg \
	-device isa-debug-exit,iobase=0x501,iosize=1 || status=$?
got=$(cat debugcon.txt 2>/dev/null || true)
echo "boot-mark-check: $kernel_pkg: QEMU status $status (want 67), port 0xe9 got '$got' (want 'ABCd')"
[ "$status" -eq 67 ] && [ "$got" = ABCd ]
