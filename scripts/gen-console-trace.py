#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Writes tests/data/console.jsonl: a SYNTHETIC trace (made here, not recorded) of what
`boot-trace run --console --debugcon=0x402 -- qemu-system-x86_64 -accel kvm ...` gives for a
Debian 12 cloud image booted by QEMU's SeaBIOS on a serial console: host phases, SeaBIOS's
debug log on 0x402, SeaBIOS (sercon), iPXE, GRUB, the kernel's log, the initramfs, systemd
and the login prompt on ttyS0; the real-mode setup code's four I/O delays on port 0x80; two
boot-mark codes from the guest's own units. The texts are those the programs print (escape
sequences already removed, as boot-trace's decoder does); the stamps are made up, with the
gaps of a real boot.

Usage: scripts/gen-console-trace.py BOOT-TRACE > tests/data/console.jsonl
The records are passed through `BOOT-TRACE report -f jsonl` once, so that the file is in the
writer's own form (field order, json-c's escapes, the vm_summary records it computes): the
test that reads it back and writes it again (tests/e2e/console-report.bats) expects the same
bytes.
"""
import json
import subprocess
import sys

MS = 1000000
START = 7234567890123  # KVM_CREATE_VM, host CLOCK_MONOTONIC (about 2 hours of uptime)
PID, COMM, VM = 4242, "qemu-system-x86", 1
VCPU = {0: (4250, "CPU 0/KVM"), 1: (4251, "CPU 1/KVM")}
CMDLINE = ("qemu-system-x86_64 -accel kvm -m 1G -smp 2 -nographic "
           "-drive file=debian-12-nocloud-amd64.qcow2,if=virtio "
           "-chardev file,id=seabios,path=seabios.log "
           "-device isa-debugcon,iobase=0x402,chardev=seabios -serial mon:stdio")
LINE_MAX = 256  # BT_CONSOLE_LINE_MAX: a longer line is cut and marked truncated

records = []


def vm(rec_type, ts):
    return {"type": rec_type, "ts_ns": ts, "pid": PID, "comm": COMM, "vm": VM}


def since(ts):
    return ts - START if ts >= START else None


def phase(ms, name):
    ts = START + round(ms * MS)
    rec = vm("phase", ts)
    rec["since_start_ns"] = since(ts)
    rec["name"] = name
    records.append(rec)


def line(ms, text, stage=None, port=0x3f8, vcpu=0, dur_us=None, unterminated=False):
    """A console line at ms after VM creation; its last byte dur_us later (a byte per ~87 us
    at 115200 baud on a UART, a few us on the debug console)."""
    ts = START + round(ms * MS)
    debugcon = port != 0x3f8
    truncated = len(text.encode()) > LINE_MAX
    if truncated:
        text = text.encode()[:LINE_MAX].decode()
    if dur_us is None:
        dur_us = len(text) * (2 if debugcon else 87)
    tid, thread = VCPU[vcpu]
    rec = vm("console", ts)
    rec.update({"since_start_ns": since(ts), "last_ts_ns": ts + dur_us * 1000, "tid": tid,
                "thread": thread, "port": port,
                "console": "debugcon" if debugcon else "uart", "text": text})
    if stage:
        rec["stage"] = stage
    if truncated:
        rec["truncated"] = True
    if unterminated:
        rec["unterminated"] = True
    records.append(rec)


def code(ms, value, label, vcpu=0, after_port=None):
    ts = START + round(ms * MS)
    tid, thread = VCPU[vcpu]
    rec = vm("event", ts)
    rec.update({"since_start_ns": since(ts), "tid": tid, "thread": thread, "vcpu": vcpu,
                "port": 0x80, "size": 1, "value": value, "code": value & 0xff})
    if after_port is not None:
        rec.update({"io_delay": True, "after_port": after_port})
    rec["label"] = label
    records.append(rec)


records.append({"type": "clock", "monotonic_ns": START - 52 * MS,
                "realtime_ns": 1796601234000000000 - 52 * MS,
                "realtime": "2026-12-06T23:53:54.000000000Z"})
start = vm("vm_start", START)
start.update({"start_seen": True, "cmdline": CMDLINE})
records.append(start)
phase(-41.3, "vmm_start")  # run started QEMU 41 ms before it made its VM
phase(0, "vm_create")
phase(2.114, "first_vcpu")
phase(63.402, "first_exit")  # no kvm_entry on this host: the first port exit
# SeaBIOS's log on the debug console (QEMU's -device isa-debugcon,iobase=0x402).
line(63.981, "SeaBIOS (version 1.16.2-debian-1.16.2-1)", "Firmware", port=0x402)
line(64.012, "BUILD: gcc: (Debian 12.2.0-14) 12.2.0 binutils: (GNU Binutils for Debian) 2.40",
     port=0x402)
line(64.790, "No Xen hypervisor found.", port=0x402)
line(66.251, "Running on QEMU (i440fx)", port=0x402)
line(71.833, "Found QEMU fw_cfg", port=0x402)
line(118.204, "Found 2 cpu(s) max supported 2 cpu(s)", port=0x402)
# SeaBIOS's serial console (sercon), once the option ROMs ran.
line(210.318, "SeaBIOS (version 1.16.2-debian-1.16.2-1)", "Firmware")
line(312.044, "iPXE (http://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM+3FF8B3A0+3FECB3A0 CA00",
     "Firmware")
line(481.126, "Booting from Hard Disk...", "Bootloader")
line(523.007, "Welcome to GRUB!", "Bootloader")
line(1540.551, "  Booting `Debian GNU/Linux'", "Bootloader")
line(1602.310, "Loading Linux 6.1.0-13-amd64 ...", "Bootloader")
line(1655.872, "Loading initial ramdisk ...", "Bootloader")
# arch/x86/boot/pm.c: reset_coprocessor() and mask_all_interrupts(), an io_delay() each.
code(1902.101, 0, "I/O delay", after_port=0xf0)
code(1902.103, 0, "I/O delay", after_port=0xf1)
code(1902.108, 0, "I/O delay", after_port=0xa1)
code(1902.110, 0, "I/O delay", after_port=0x21)
line(1971.204, "[    0.000000] Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) "
     "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP "
     "PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)", "Kernel")
line(1990.512, "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 "
     "root=PARTUUID=af6a0f6a-03 ro console=tty0 console=ttyS0,115200 "
     "earlyprintk=ttyS0,115200 consoleblank=0 net.ifnames=0 biosdevname=0 "
     "systemd.journald.forward_to_console=1 systemd.show_status=1 "
     "init_on_free=1 page_alloc.shuffle=1")
line(2010.947, "[    0.000000] BIOS-provided physical RAM map:")
line(2022.331, "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable")
line(2041.870, "[    0.000000] NX (Execute Disable) protection: active")
line(2052.118, "[    0.000000] DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS "
     "1.16.2-debian-1.16.2-1 04/01/2014")
line(2063.440, "[    0.000000] Hypervisor detected: KVM")
line(2071.902, "[    0.000000] kvm-clock: Using msrs 4b564d01 and 4b564d00")
line(2130.566, "[    0.041821] smpboot: Allowing 2 CPUs, 0 hotplug CPUs")
line(2371.013, "[    0.270113] smp: Brought up 1 node, 2 CPUs")
line(2614.729, "[    0.512904] Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled", vcpu=1)
line(2620.305, "[    0.513731] 00:04: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a "
     "16550A", vcpu=1)
line(2931.118, "[    0.823451] Freeing unused kernel image (initmem) memory: 2920K")
line(2938.774, "[    0.831002] Write protecting the kernel read-only data: 26624k")
line(2950.391, "[    0.842118] Run /init as init process", "Userspace")
code(2978.415, 0x60, "Userspace", vcpu=1)  # boot-mark, from the initramfs
line(2990.602, "Loading, please wait...")
line(3042.517, "Starting systemd-udevd version 252.17-1~deb12u1")
line(3201.088, "Begin: Loading essential drivers ... done.", vcpu=1)
line(3320.456, "Begin: Mounting root file system ... Begin: Running /scripts/local-top ... "
     "done.")
line(3601.239, "[    1.612330] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota "
     "mode: none.")
line(3912.007, "Welcome to Debian GNU/Linux 12 (bookworm)!", "Userspace")
line(4210.650, "[  OK  ] Started systemd-journald.service - Journal Service.")
line(4431.872, "[  OK  ] Reached target local-fs.target - Local File Systems.", vcpu=1)
line(5013.290, "[  OK  ] Started ssh.service - OpenBSD Secure Shell server.")
code(5110.204, 0x81, "Custom")  # boot-mark, from the application's unit
line(5201.366, "[  OK  ] Reached target multi-user.target - Multi-User System.", "Ready")
line(5202.031, "[  OK  ] Reached target graphical.target - Graphical Interface.", "Ready")
line(5203.118, "         Starting systemd-update-utmp-runlevel.service - Record Runlevel "
     "Change in UTMP...")
line(5331.240, "Debian GNU/Linux 12 debian ttyS0")
# The prompt has no line end: taken out after 500 ms of quiet.
line(5332.012, "debian login: ", "Ready", unterminated=True)
end_ts = START + 14211 * MS  # the user quit QEMU (Ctrl-A x): exit status 0
phase(14211, "vm_end")
end = vm("vm_end", end_ts)
end.update({"exit_status": 0, "signal": None, "reason": "exit status 0"})
records.append(end)
writes = sum(r["type"] == "event" for r in records)
records.append({"type": "summary", "events": writes, "dropped": 0, "string_lost": 0,
                "lifecycle_dropped": 0, "malformed": 0, "map_full": 0, "console_lost": 0,
                "vms": []})

raw = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
out = subprocess.run([sys.argv[1], "report", "-f", "jsonl", "-"], input=raw.encode(),
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
sys.stdout.buffer.write(out.stdout)
