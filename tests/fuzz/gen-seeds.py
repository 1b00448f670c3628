#!/usr/bin/env python3
# Write the binary seed inputs of the fuzz targets (tests/fuzz/corpus/{decoder,options,
# vmm_args,vmm_io}/) from readable descriptions. Run from the repository root after `make`
# (vmm_args seeds embed build/guests images). The jsonl seeds are traces recorded by boot-trace
# and hand-written files, kept as they are.
import struct

CORPUS = 'tests/fuzz/corpus/'


def write(target, name, data):
    with open(CORPUS + target + '/' + name, 'wb') as f:
        f.write(data)


# ---- decoder: struct bt_event (bpf/boot_trace.h), 64 bytes ----
def ev(ts, typ, tgid, tid=0, vm=0, vcpu=0xffffffff, value=0, port=0x80, aux=0, index=0,
       size=1, flags=0, comm=b'vmm-min'):
    return struct.pack('<QQIIIIIHHHBB16s4x', ts, aux, tgid, tid, vm, vcpu, value, port, typ,
                       index, size, flags, comm)


def raw(record):  # a raw record: header 0x80 | length
    return bytes([0x80 | len(record)]) + record


PID = 0x7fff0001  # above PID_MAX_LIMIT: never a process
PIO, VM_CREATE, PROC_EXIT, MMIO = 1, 2, 4, 5
RETIRED_VCPU_CREATE, RETIRED_VM_CLOSE = 3, 6  # no longer sent: must be counted as malformed

recs = raw(ev(1000, VM_CREATE, PID, vm=1, aux=5)) + raw(ev(1100, RETIRED_VCPU_CREATE, PID, vm=1, vcpu=0))
for i, code in enumerate([0, 1, 2, 0x20, 0x21, 0x40, 0x41, 0x42, 0x60, 0x61, 0x80]):
    recs += raw(ev(2000 + i * 100, PIO, PID, tid=PID + 1, vm=1, vcpu=0, value=code, comm=b'vcpu0'))
recs += raw(ev(9000, PROC_EXIT, PID, value=9))  # killed by SIGKILL
write('decoder', 'demo-killed', bytes([0]) + struct.pack('<4Q', 0, 0, 0, 0) + recs)

recs = raw(ev(1000, VM_CREATE, PID, vm=1)) + raw(ev(1100, RETIRED_VCPU_CREATE, PID, vm=1, vcpu=0))
for i in range(4):  # the bytes of a rep outsb
    recs += raw(ev(1200 + i, PIO, PID, tid=PID + 1, vm=1, vcpu=0, value=0x30 + i, index=i,
                   flags=1, comm=b'CPU 0/KVM'))
recs += raw(ev(1300, PIO, PID, tid=PID + 1, vm=1, vcpu=0, value=0x3241, size=2, flags=4,
               aux=0xfff0, port=0xf4))
recs += raw(ev(1400, RETIRED_VM_CLOSE, PID, vm=1, aux=5)) + raw(b'\x01\x02\x03') + raw(ev(1500, 9, PID))
recs += raw(ev(1600, PIO, PID + 1, tid=3, vm=0, comm=b'\xe2\x82\n\x1b[31m'))
write('decoder', 'daemon-drops', bytes([1]) + struct.pack('<4Q', 7, 1, 3, 0) + recs)

# Structured records (header < 0x80: type 1 + h % 6, process (h >> 3) % 4).
body = bytes([0x01]) + ev(5, 0, 0, vm=1) + bytes([0x00]) + ev(6, 0, 0, vm=1, value=0x40)
body += bytes([0x03]) + ev(7, 0, 0)
write('decoder', 'structured', bytes([2]) + struct.pack('<4Q', 0, 0, 0, 0) + body)

# ---- options: arguments after "boot-trace", NUL-separated ----
for name, args in {
    'run-jsonl': ['run', '-f', 'jsonl', '-o', 'boot.jsonl', '--port', '0x80', '-b', '4', '--',
                  'vmm-min', 'demo.bin'],
    'run-repeat': ['run', '-q', '--repeat', '10', '-f', 'chrome', '--', 'x'],
    'record-a': ['record', '-a', '--port', '0x80', '--port', '0xf4', '-v'],
    'record-p': ['record', '-p', '4242', '-p', '17', '-f', 'csv', '-o', 'x.csv'],
    'report': ['report', '--svg', 'a.svg', '-f', 'log', '-o', 'out', 'in.jsonl'],
    'diff': ['diff', '--threshold', '12.5%', 'base.jsonl', 'new.jsonl', '-q'],
    'daemon': ['daemon', '--log-file', 'l', '--jsonl', 'j', '--metrics-dir', 'd', '--lock', 'k',
               '-b', '64'],
    'help': ['--help'],
    'bad': ['run', '--port', '-1', '-b', '3', '--repeat', '0'],
}.items():
    write('options', name, b'\0'.join(a.encode() for a in args))


# ---- vmm_args: 2-byte length, NUL-separated arguments, image ----
def vargs(args, image):
    a = b'\0'.join(x.encode() for x in args)
    return struct.pack('<H', len(a)) + a + image


demo = open('build/guests/demo.bin', 'rb').read()
flood64 = open('build/guests/flood64.bin', 'rb').read()
write('vmm_args', 'demo', vargs(['--timeout', '60', '--serial', '/dev/null', 'img'], demo))
write('vmm_args', 'long', vargs(['--mode', 'long', '--memory', '2', '--cpus', '4', '--arg',
                                 '0x123456789', 'img'], flood64))
write('vmm_args', 'bad', vargs(['--memory', '0', '--arg', '-1', 'img'], b''))
write('vmm_args', 'help', vargs(['--help'], b''))

# ---- vmm_io: exit kind, 2-byte extra mapping size, struct kvm_run (2352 bytes) ----
RUN = 2352
EXTRA = 8192 - RUN


def kvm_run(io=None, mmio=None, data=b''):
    b = bytearray(RUN + EXTRA)
    if io:  # direction, size, port, count, data_offset
        struct.pack_into('<BBHIQ', b, 32, *io)
    if mmio:  # phys_addr, data, len, is_write
        struct.pack_into('<Q8sIB', b, 32, *mmio)
    b[4096:4096 + len(data)] = data
    return bytes(b)


def exit_seed(kind, run):
    return bytes([kind]) + struct.pack('<H', EXTRA) + run


write('vmm_io', 'out-0x80', exit_seed(0, kvm_run(io=(1, 1, 0x80, 1, 4096), data=b'\x40')))
write('vmm_io', 'outsb-serial', exit_seed(0, kvm_run(io=(1, 1, 0x3f8, 5, 4096), data=b'hello')))
write('vmm_io', 'in-lsr', exit_seed(0, kvm_run(io=(0, 1, 0x3fd, 1, 4096))))
write('vmm_io', 'exit', exit_seed(0, kvm_run(io=(1, 1, 0x501, 1, 4096), data=b'\x07')))
write('vmm_io', 'outl-outside', exit_seed(0, kvm_run(io=(1, 4, 0x80, 1024, 8000))))
write('vmm_io', 'mmio-read', exit_seed(1, kvm_run(mmio=(0xfee00000, b'\0' * 8, 4, 0))))
