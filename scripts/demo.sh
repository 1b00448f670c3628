#!/bin/sh
# make demo: boot the demo guest in vmm-min under `boot-trace run` and print its labelled
# boot timeline (the trace on stdout, the stage summary on stderr).
set -eu
cd "$(dirname "$0")/.."

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
