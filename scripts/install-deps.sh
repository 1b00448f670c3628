#!/bin/sh
# Install the Debian 12 packages boot-trace needs to build and test, if any is missing.
# With --bench: the ones `make bench` needs instead (the peers it compares against, and GNU
# time). Idempotent: does nothing (and needs no network) when everything is present.
# qemu-system-x86 (for the QEMU tests) brings SeaBIOS (seabios) and qboot.rom (qemu-system-data).
set -eu

PKGS="build-essential clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config \
libcmocka-dev bats libjson-c-dev jq groff-base bsdextrautils libxml2-utils qemu-system-x86 \
libclang-rt-14-dev valgrind clang-format bash-completion logrotate uthash-dev prometheus \
chromium"
[ "${1:-}" = --bench ] && PKGS="bpftrace linux-perf time"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
