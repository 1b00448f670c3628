# Shared set-up for the end-to-end tests (bats). Paths are relative to the repository root.
ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# BUILD: the build directory (make check-asan: build-asan). BT and VMM: the binaries, or
# wrappers that run them under a checker (make check-valgrind).
BUILD="${BUILD:-$ROOT/build}"
VMM="${VMM:-$BUILD/vmm-min}"
GUESTS="$BUILD/guests"
BT="${BT:-$BUILD/boot-trace}"

# BT_CHECKER: set by make check-asan (asan) and make check-valgrind (valgrind), which change
# the speed and memory use of the binaries. True when a checker is on: a test skips what
# measures speed or memory, not correctness, and says so.
under_checker() {
	[ -n "${BT_CHECKER:-}" ]
}

# A delay for the demo guest (--arg: kilo-TSC-cycles per step) that gives a tracer started
# after the guest time to attach: 20 times longer under a checker, where boot-trace needs
# seconds to load.
slow() {
	if under_checker; then echo $(($1 * 20)); else echo "$1"; fi
}

# The process that boot-trace run (pid $1) started, once it runs as vmm-min (not before its
# exec).
child_of() {
	local child tries=300
	! under_checker || tries=$((tries * 4))
	while [ "$tries" -gt 0 ]; do
		child=$(pgrep -x -P "$1" vmm-min | head -1)
		[ -n "$child" ] && { echo "$child"; return 0; }
		tries=$((tries - 1))
		sleep 0.1
	done
	echo "no child of $1" >&2
	return 1
}

# Skip when this host has no /dev/kvm at all (a nested host whose KVM does not bind: see
# `dmesg | grep kvm`): no guest can run here, in CI or not. A /dev/kvm that exists but cannot
# be used is a broken set-up: under CI=true that fails.
require_kvm() {
	if [ ! -e /dev/kvm ]; then
		skip "no /dev/kvm on this host: no guest can run (dmesg | grep kvm says why)"
	fi
	if [ ! -w /dev/kvm ]; then
		[ "${CI:-}" = true ] && { echo "CI=true but /dev/kvm is not usable" >&2; return 1; }
		skip "/dev/kvm is not usable here"
	fi
}

# Skip (or, under CI=true, fail) when BPF tracing is not possible (needs root and kernel BTF).
# No guest is needed: the programs load and attach to the kvm tracepoints without /dev/kvm.
require_bpf() {
	if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
		[ "${CI:-}" = true ] && { echo "CI=true but BPF tracing is unavailable" >&2; return 1; }
		skip "BPF tracing needs root and /sys/kernel/btf/vmlinux"
	fi
}

# A guest traced by boot-trace: KVM and BPF both.
require_guest() {
	require_kvm
	require_bpf
}

# Events of a jsonl trace, one compact JSON object per line.
jsonl_events() {
	jq -c 'select(.type == "event")' "$1"
}

# The final summary record of a jsonl trace.
jsonl_summary() {
	jq -c 'select(.type == "summary")' "$1"
}

# alive PID...: one of them is still running (a zombie is not: PID 1 here may never reap
# an orphan). After `wait`, `pgrep -P PARENT` cannot tell: a child left behind has a new
# parent.
alive() {
	local pid
	for pid; do
		case "$(ps -o stat= -p "$pid" 2>/dev/null)" in
		'' | Z*) ;;
		*) return 0 ;;
		esac
	done
	return 1
}

# record_has FILE TYPE FILTER: FILE holds exactly one record of TYPE, and FILTER (jq) is true
# of it. Not `jsonl_summary FILE | jq -e FILTER`: jq 1.6 exits 0 on empty input, so a missing
# record (or file) would pass.
record_has() {
	jq -s -e "[.[] | select(.type == \"$2\")] | length == 1 and (.[0] | $3)" "$1"
}

# summary_has FILE FILTER: the trace's one summary record, FILTER true of it.
summary_has() {
	record_has "$1" summary "$2"
}

# json_has FILTER: standard input is one JSON document, and FILTER is true of it.
json_has() {
	jq -s -e "length == 1 and (.[0] | $1)"
}

# Wait until FILE contains PATTERN (a background tracer saying it is attached).
wait_for_line() {
	local file=$1 pattern=$2 tries=${3:-300}
	# Under valgrind boot-trace needs seconds just to load its BPF programs.
	! under_checker || tries=$((tries * 4))
	while ! grep -q "$pattern" "$file" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || { echo "timed out waiting for '$pattern' in $file" >&2; tail -20 "$file" >&2; return 1; }
		sleep 0.1
	done
}

# Wait up to 30 s for the number that CMD prints to reach N (a wave of copies up, say);
# return either way: what follows checks what came of it.
wait_for_count() {
	local n=$1 tries=300
	shift
	while [ "$("$@")" -lt "$n" ] && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
}

# Skip (or, under CI=true, fail: scripts/install-deps.sh installs it) without QEMU.
require_qemu() {
	require_guest
	if ! command -v qemu-system-x86_64 >/dev/null 2>&1 || [ ! -r /usr/share/qemu/qboot.rom ]; then
		[ "${CI:-}" = true ] && { echo "CI=true but qemu-system-x86 is not installed" >&2; return 1; }
		skip "qemu-system-x86 is not installed"
	fi
}

# boots FILE SEED N KERNEL_FACTOR [SPREAD]: N boots of four stages (ms: 5, 3, 20 x factor, 4),
# each stage multiplied by exp(normal(0, SPREAD)) (default 0.25: tens of percent). Synthetic, seeded: for
# diff and report without a guest (diff-gate.bats, report-diff.bats).
boots() {
	python3 - "$@" <<'PY'
import json, math, random, sys
path, seed, n, factor = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
spread = float(sys.argv[5]) if len(sys.argv) > 5 else 0.25
rng = random.Random(seed)
stages = [("Firmware", 0x01, 5e6), ("Bootloader", 0x21, 3e6), ("Kernel", 0x41, 20e6 * factor),
          ("Userspace", 0x61, 4e6)]
with open(path, "w") as f:
    for vm in range(1, n + 1):
        start = 10**12 + vm * 10**10
        rec = dict(type="vm_start", ts_ns=start, pid=vm, comm="vmm", vm=1, start_seen=True,
                   cmdline="")
        f.write(json.dumps(rec) + "\n")
        t = start + 1000
        for label, code, ns in stages:
            f.write(json.dumps(dict(type="event", ts_ns=t, pid=vm, comm="vmm", vm=1,
                since_start_ns=t - start, tid=vm + 1, thread="vcpu0", vcpu=0, port=128, size=1,
                value=code, code=code, label=label)) + "\n")
            t += int(ns * math.exp(rng.gauss(0, spread)))
        f.write(json.dumps(dict(type="vm_end", ts_ns=t, pid=vm, comm="vmm", vm=1,
                exit_status=0, signal=None, reason="exit status 0")) + "\n")
PY
}
