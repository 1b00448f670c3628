#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Write a synthetic jsonl trace (docs/formats.md) of any size, for the scaling benchmark.

N VMs, V vCPU threads per VM and E events (guest writes) in all, spread evenly: VM i gets
E // N events (the first E % N VMs one more), written by its vCPUs in turn, with debug-port
codes that go through Firmware, Bootloader, Kernel and Userspace. VMs run in batches of C at
once (their starts, their events interleaved, their ends), as a daemon's trace of a busy host
has them, and the run ends with a summary record whose "vms" lists none (as the daemon's, which
forgets ended VMs). Every record passes boot-trace's reader checks. Stdlib only; streams, so any
size fits in memory.

  scripts/gen-trace.py --vms 100000 --vcpus 1 --events 100000 -o fleet.jsonl
  scripts/gen-trace.py --vms 1 --vcpus 1000000 --events 1000000 > wide.jsonl
"""
import argparse
import sys

STAGES = (  # debug-port ranges (user/decode/labels.c): first code, label
    (0x00, "Firmware"),
    (0x20, "Bootloader"),
    (0x40, "Kernel"),
    (0x60, "Userspace"),
)
T0 = 4_100_000_000_000  # host CLOCK_MONOTONIC at the first record, ns
STEP = 1_000  # ns between records


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vms", type=int, required=True, help="VMs (N)")
    ap.add_argument("--vcpus", type=int, default=1, help="vCPU threads per VM (V, default 1)")
    ap.add_argument("--events", type=int, help="events in all (E, default N)")
    ap.add_argument("--concurrent", type=int, default=1000,
                    help="VMs running at once (C, default 1000)")
    ap.add_argument("--vms-per-vmm", type=int, default=1,
                    help="VMs per VMM process (default 1)")
    ap.add_argument("-o", "--output", help="file to write (default standard output)")
    a = ap.parse_args()
    if a.events is None:
        a.events = a.vms
    if a.vms < 1 or a.vcpus < 1 or a.events < 0 or a.concurrent < 1 or a.vms_per_vmm < 1:
        ap.error("N, V, C and the VMs per VMM must be positive, E not negative")
    # A VMM's threads get the pids after its own: pid, then one tid per vCPU of each VM.
    pid_span = 1 + a.vcpus * a.vms_per_vmm
    if 1000 + (a.vms // a.vms_per_vmm + 1) * pid_span > 2**31 - 1:
        ap.error("too many threads for 31-bit pids")

    out = open(a.output, "w", buffering=1 << 20) if a.output else sys.stdout
    w = out.write
    ts = T0
    per_vm, extra = divmod(a.events, a.vms)
    for first in range(0, a.vms, a.concurrent):
        batch = range(first, min(first + a.concurrent, a.vms))
        start, left, done, tids = {}, {}, {}, {}
        for i in batch:
            vmm = i // a.vms_per_vmm
            pid = 1000 + vmm * pid_span
            tids[i] = pid + 1 + (i % a.vms_per_vmm) * a.vcpus
            start[i] = ts
            left[i] = per_vm + (i < extra)
            done[i] = 0
            w(f'{{"type":"vm_start","ts_ns":{ts},"pid":{pid},"comm":"vmm-min","vm":{i + 1},'
              f'"start_seen":true,"cmdline":"vmm-min --serial /dev/null guest{i}.bin"}}\n')
            ts += STEP
        # The batch's events, one VM after the other in turn.
        live = [i for i in batch if left[i]]
        while live:
            still = []
            for i in live:
                k, n = done[i], done[i] + left[i]
                vcpu = k % a.vcpus
                # Firmware first and, from two events on, Userspace last.
                base, label = STAGES[k * (len(STAGES) - 1) // (n - 1) if n > 1 else 0]
                code = base + k % 32
                pid = 1000 + (i // a.vms_per_vmm) * pid_span
                w(f'{{"type":"event","ts_ns":{ts},"pid":{pid},"comm":"vmm-min","vm":{i + 1},'
                  f'"since_start_ns":{ts - start[i]},"tid":{tids[i] + vcpu},'
                  f'"thread":"vcpu{vcpu}","vcpu":{vcpu},"port":128,"size":1,'
                  f'"value":{code},"code":{code},"label":"{label}"}}\n')
                ts += STEP
                done[i] += 1
                left[i] -= 1
                if left[i]:
                    still.append(i)
            live = still
        for i in batch:
            pid = 1000 + (i // a.vms_per_vmm) * pid_span
            w(f'{{"type":"vm_end","ts_ns":{ts},"pid":{pid},"comm":"vmm-min","vm":{i + 1},'
              f'"exit_status":0,"signal":null,"reason":"exit status 0"}}\n')
            ts += STEP
    w(f'{{"type":"summary","events":{a.events},"dropped":0,"string_lost":0,'
      f'"lifecycle_dropped":0,"malformed":0,"map_full":0,"vms":[]}}\n')
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
