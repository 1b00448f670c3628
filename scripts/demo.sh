#!/bin/sh
# make demo: boot the demo guest in vmm-min under `boot-trace run` and print its labelled
# boot timeline (the trace on stdout, the stage summary on stderr).
set -eu
cd "$(dirname "$0")/.."

# No /dev/kvm (a nested host whose KVM does not bind): no guest boots here, but the rest of
# boot-trace works. Show a recorded boot of the same guest, read back by boot-trace report.
if [ ! -e /dev/kvm ]; then
	echo "make demo: no /dev/kvm on this host (dmesg | grep kvm says why): no guest can boot here; showing a recorded boot of the demo guest instead (boot-trace report -f log tests/data/demo.jsonl)" >&2
	echo "\$ boot-trace report -f log tests/data/demo.jsonl"
	exec ${BUILD:-build}/boot-trace report -f log tests/data/demo.jsonl
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo: boot-trace needs root (or CAP_BPF and CAP_PERFMON): run 'sudo make demo'" >&2
	exit 1
fi
serial=$(mktemp)
trap 'rm -f "$serial"' EXIT

echo "\$ boot-trace run -- vmm-min --serial GUEST-SERIAL build/guests/demo.bin"
build/boot-trace run -- build/vmm-min --timeout 60 --serial "$serial" build/guests/demo.bin
echo
echo "What the guest said on its serial port:"
sed 's/^/  | /' "$serial"
