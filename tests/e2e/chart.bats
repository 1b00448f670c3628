#!/usr/bin/env bats
# The boot chart (report --svg) as a real consumer sees it: valid XML, then drawn by headless
# Chromium, whose pixels must show the bars of a short boot beside a long one, and no text
# cut at the chart's edges; of many boots, a bimodal stage's two groups of dots.

load common
bats_require_minimum_version 1.5.0

setup() {
	OUT="$BATS_TEST_TMPDIR"
}

# fleet FILE: a ~20 ms boot (vmm-min, two vCPUs, ports 0x80 and 0xf4, complete) and a ~1.3 s
# one (three vCPUs with long thread names, long stage names, no end: incomplete).
fleet() {
	python3 - "$1" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
def rec(**kw):
    out.write(json.dumps(kw) + "\n")
def code(pid, comm, start, t_ms, tid, thread, vcpu, port, value, label, size=1):
    ts = start + int(t_ms * 1e6)
    rec(type="event", ts_ns=ts, pid=pid, comm=comm, vm=1, since_start_ns=ts - start, tid=tid,
        thread=thread, vcpu=vcpu, port=port, size=size, value=value, code=value & 0xff,
        label=label)

# The short boot: four debug-port stages over 20 ms, qboot-style codes on 0xf4 from vCPU 1.
s = 10**12
rec(type="vm_start", ts_ns=s, pid=100, comm="vmm-min", vm=1, start_seen=True, cmdline="vmm-min")
for t, v, label in [(0.5, 0x01, "Firmware"), (2, 0x02, "Firmware"), (5, 0x21, "Bootloader"),
                    (7, 0x22, "Bootloader"), (8, 0x41, "Kernel"), (13, 0x42, "Kernel"),
                    (15, 0x61, "Userspace"), (20, 0x62, "Userspace")]:
    code(100, "vmm-min", s, t, 101, "vcpu0", 0, 0x80, v, label)
for t, v in [(9, 3), (14, 4)]:
    code(100, "vmm-min", s, t, 102, "vcpu1", 1, 0xf4, v, "Kernel")
rec(type="vm_end", ts_ns=s + 21 * 10**6, pid=100, comm="vmm-min", vm=1, exit_status=0,
    signal=None, reason="exit status 0")

# The long boot: 1.3 s, three vCPUs, stages with long names, never ends.
s = 2 * 10**12
comm = "qemu-system-x86"
rec(type="vm_start", ts_ns=s, pid=200, comm=comm, vm=1, start_seen=True,
    cmdline="qemu-system-x86_64 " + "-device virtio-blk-pci,drive=disk%d " * 40)
long1, long2 = "a_very_long_stage_name_from_lab", "another_long_stage_name_of_mine"
for t, v, vcpu, label in [(1, 0x01, 0, "Firmware"), (300, 0x02, 0, "Firmware"),
                          (310, 0x10, 1, long1), (312, 0x11, 1, long1),
                          (320, 0x21, 0, "Bootloader"), (500, 0x41, 2, "Kernel"),
                          (1200, 0x42, 2, "Kernel"), (1210, 0x12, 1, long2),
                          (1300, 0x61, 0, "Userspace")]:
    code(200, comm, s, t, 201 + vcpu, "vcpu-thread-nam", 4000000000 + vcpu, 0x80, v, label)
code(200, comm, s, 1302, 203, "vcpu-thread-nam", 4000000002, 0xf4, 0xffffffff, "Userspace", 4)
PY
}

# pixels PNG SVG VMNAME: for each stage bar of VMNAME in SVG, how many pixels of its colour
# the PNG has along its row ("name count" lines); then "edge N": the non-white pixels in the
# outer 3 columns of each side (text cut at the chart's edge).
pixels() {
	PYTHONPATH="$BATS_TEST_DIRNAME/../viewers" python3 - "$@" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
from png import read_png
png, svg, vm = sys.argv[1:4]

w, h, px = read_png(png)

ns = {"s": "http://www.w3.org/2000/svg"}
current, bars = None, []
for el in ET.parse(svg).getroot().iter():
    tag = el.tag.split("}")[1]
    if tag == "text" and el.get("class") == "vm":
        current = "".join(el.itertext())
    elif tag == "rect" and el.get("class") == "stage" and current and current.startswith(vm):
        bars.append((el.get("data-stage"), float(el.get("x")), float(el.get("y")),
                     el.get("fill")))
assert bars, "no stage bars for " + vm
for name, x, y, fill in bars:
    want = tuple(int(fill[k:k + 2], 16) for k in (1, 3, 5))
    yy = int(y) + 3  # near the bar's top, above its text
    n = sum(1 for xx in range(w) if max(abs(p - q) for p, q in zip(px(xx, yy), want)) <= 8)
    print(name, n)
edge = sum(1 for y in range(h) for x in list(range(3)) + list(range(w - 3, w))
           if min(px(x, y)) < 200)
print("edge", edge)
PY
}

@test "chart: a 20 ms and a 1.3 s boot, two ports, long names: valid, and drawn by Chromium" {
	fleet "$OUT/fleet.jsonl"
	run --separate-stderr "$BT" report -q --svg "$OUT/chart.svg" "$OUT/fleet.jsonl"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	xmllint --noout "$OUT/chart.svg"
	# The short boot has its own axis; the long one, the shared axis on top.
	[ "$(grep -c '>own time axis</text>' "$OUT/chart.svg")" -eq 1 ]
	grep -q '<text class="axis" x="[0-9.]*" y="[0-9]*">20 ms</text>' "$OUT/chart.svg"
	grep -q '<text class="axis" x="[0-9.]*" y="[0-9]*">1400 ms</text>' "$OUT/chart.svg"
	grep -q 'qemu-system-x86\[200\] vm1 .*still running (incomplete)' "$OUT/chart.svg"
	# Two ports: every value label and tooltip says its port.
	grep -q '<text class="value" [^>]*>0xf4:3</text>' "$OUT/chart.svg"
	grep -q '<text class="value" [^>]*>0x80:41</text>' "$OUT/chart.svg"
	grep -q '<title>Kernel code 0x3 at 9.000 ms (port 0xf4)</title>' "$OUT/chart.svg"
	grep -q '<title>Kernel code 0x41 at 8.000 ms (port 0x80)</title>' "$OUT/chart.svg"
	! grep -q '<text class="value" [^>]*>0x[0-9a-f]*</text>' "$OUT/chart.svg" || false
	# Long row labels and stage names are shortened, whole in their tooltip; bar labels clipped.
	grep -q '>vCPU 4000000000 (vcpu-[^<]*…<title>vCPU 4000000000 (vcpu-thread-nam)</title>' \
		"$OUT/chart.svg"
	grep -q '<text class="bar" [^>]*clip-path="url(#bar1-[0-9]*)">another…</text>' \
		"$OUT/chart.svg"

	if ! command -v chromium >/dev/null; then
		[ "${CI:-}" != true ] || { echo "chromium is missing (apt-get install chromium)"; false; }
		skip "needs chromium to draw the chart (apt-get install chromium)"
	fi
	run "$ROOT/scripts/svg-screenshot.sh" "$OUT/chart.svg" "$OUT/chart.png"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run pixels "$OUT/chart.png" "$OUT/chart.svg" "vmm-min[100]"
	echo "$output"
	[ "$status" -eq 0 ]
	# Each of the short boot's four stages (3 to 7 ms of its 20) is a bar over 100 pixels
	# wide; on the long boot's axis they were 3 to 7 pixels.
	for stage in Firmware Bootloader Kernel Userspace; do
		n=$(awk -v s="$stage" '$1 == s { print $2 }' <<<"$output")
		[ "${n:-0}" -ge 100 ] || { echo "$stage: ${n:-0} pixels"; false; }
	done
	# Nothing drawn in the outer columns: no text runs off the chart's left or right edge.
	grep -qx 'edge 0' <<<"$output"
}

# ticks PNG SVG: for each console tick of SVG ("cmatch": a line a rule matched, in its stage's
# colour; "cline": the others, light grey), whether Chromium drew it (a cmatch in its colour):
# one "class colour ok|missing" line each.
ticks() {
	PYTHONPATH="$BATS_TEST_DIRNAME/../viewers" python3 - "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET
from png import read_png
png, svg = sys.argv[1:3]
w, h, px = read_png(png)
for el in ET.parse(svg).getroot().iter():
    cls = el.get("class")
    if el.tag.split("}")[1] != "line" or cls not in ("cmatch", "cline"):
        continue
    colour = el.get("stroke") or "#b4b4b4"
    want = tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))
    x, y = float(el.get("x1")), (float(el.get("y1")) + float(el.get("y2"))) / 2
    # Anti-aliased: one of the columns around it, near the tick's middle, has its colour (a
    # light 1-pixel tick between two columns, or under a matched line's: is not the lane's
    # #f6f6f6, at least).
    near = [px(xx, yy) for xx in range(int(x) - 1, int(x) + 2)
            for yy in range(int(y) - 2, int(y) + 3)]
    if cls == "cmatch":
        seen = any(max(abs(p - q) for p, q in zip(c, want)) <= 24 for c in near)
    else:
        seen = any(max(abs(p - 0xf6) for p in c) > 16 for c in near)
    print(cls, colour, "ok" if seen else "missing")
PY
}

@test "chart: an unmodified guest's console boot: lines, phases, VMM set-up, drawn by Chromium" {
	local unit="$BUILD/tests/test_console_sinks"
	if [ ! -x "$unit" ]; then
		[ "${CI:-}" != true ] || { echo "CI=true but $unit is not built"; false; }
		skip "$unit is not built (make test builds it)"
	fi
	BT_SINK_DIR="$OUT" "$unit" >"$OUT/unit.out" 2>&1 || { cat "$OUT/unit.out"; false; }
	xmllint --noout "$OUT/console.svg"
	# Rows of its own for the phases and each console; no line's text outside a tooltip
	# unless a rule matched it.
	grep -q '>host phases</text>' "$OUT/console.svg"
	grep -q '>console ttyS0 0x3f8</text>' "$OUT/console.svg"
	grep -q '>debugcon 0x402</text>' "$OUT/console.svg"
	[ "$(grep -c '<text class="ctext"[^>]*>\[    0.001000\] Command' "$OUT/console.svg")" -eq 0 ]
	grep -q '<text class="ctext"[^>]*>Run /init as init process</text>' "$OUT/console.svg"

	if ! command -v chromium >/dev/null; then
		[ "${CI:-}" != true ] || { echo "chromium is missing (apt-get install chromium)"; false; }
		skip "needs chromium to draw the chart (apt-get install chromium)"
	fi
	run "$ROOT/scripts/svg-screenshot.sh" "$OUT/console.svg" "$OUT/console.png"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run pixels "$OUT/console.png" "$OUT/console.svg" "qemu-system-x86[4242]"
	echo "$output"
	[ "$status" -eq 0 ]
	# VMM set-up (40 ms of a 1 s axis) and the stages the rules found are bars on screen.
	for stage in "VMM" Firmware Bootloader Kernel Userspace; do
		n=$(awk -v s="$stage" '$1 == s { print $NF }' <<<"$output")
		[ "${n:-0}" -ge 30 ] || { echo "$stage: ${n:-0} pixels"; false; }
	done
	grep -qx 'edge 0' <<<"$output"
	# Every console tick is on screen in its colour: 7 lines a rule matched, 3 others.
	run ticks "$OUT/console.png" "$OUT/console.svg"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^cmatch .* ok$' <<<"$output")" -eq 7 ]
	[ "$(grep -c '^cline .* ok$' <<<"$output")" -eq 3 ]
}

@test "chart: console.jsonl (report --svg of the synthetic console boot): every line a tick" {
	local data="$ROOT/tests/data/console.jsonl"
	run --separate-stderr "$BT" report -q --svg "$OUT/console.svg" "$data"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	xmllint --noout "$OUT/console.svg"
	# A tick per line: in its stage's colour when a rule matched it, light otherwise.
	[ "$(grep -c '<line class="cmatch"' "$OUT/console.svg")" -eq \
		"$(jq -s '[.[] | select(.type == "console" and .stage)] | length' "$data")" ]
	[ "$(grep -c '<line class="cline"' "$OUT/console.svg")" -eq \
		"$(jq -s '[.[] | select(.type == "console" and .stage == null)] | length' "$data")" ]
	[ "$(grep -c '<line class="iodelay"' "$OUT/console.svg")" -eq \
		"$(jq -s '[.[] | select(.type == "event" and .io_delay == true)] | length' "$data")" ]
	grep -q 'data-stage="VMM set-up" x="190.00"' "$OUT/console.svg"
	grep -q '>console ttyS0 0x3f8</text>' "$OUT/console.svg"
	grep -q '>debugcon 0x402</text>' "$OUT/console.svg"

	if ! command -v chromium >/dev/null; then
		[ "${CI:-}" != true ] || { echo "chromium is missing (apt-get install chromium)"; false; }
		skip "needs chromium to draw the chart (apt-get install chromium)"
	fi
	run "$ROOT/scripts/svg-screenshot.sh" "$OUT/console.svg" "$OUT/console.png"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run pixels "$OUT/console.png" "$OUT/console.svg" "qemu-system-x86[4242]"
	echo "$output"
	[ "$status" -eq 0 ]
	# Every stage of the boot is a bar on screen, the short ones (0.1 s of 6) too.
	[ "$(grep -vc '^edge ' <<<"$output")" -eq 7 ]
	while read -r line; do
		[ "${line##* }" -ge 10 ] || { echo "too few pixels: $line"; false; }
	done < <(grep -v '^edge ' <<<"$output")
	grep -qx 'edge 0' <<<"$output"
	run ticks "$OUT/console.png" "$OUT/console.svg"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' missing$' <<<"$output")" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c ' ok$' <<<"$output")" -eq 42 ]
}

# bimodal FILE: 20 boots of vmm-min, as run --repeat 20 -f jsonl records them (one VM each,
# a pid each), whose Kernel stage takes 0.1 s in 12 boots and 0.3 s in the other 8 (the 2nd,
# 5th, 7th, 10th, 13th, 15th, 18th and 20th), each +- 3 %; the other stages +- 10 %.
# tests/data/bimodal.jsonl is its output.
bimodal() {
	python3 - "$1" <<'PY'
import json, random, sys
out = open(sys.argv[1], "w")
def rec(**kw):
    out.write(json.dumps(kw, separators=(",", ":")) + "\n")
rng = random.Random(15)
slow = {1, 4, 6, 9, 12, 14, 17, 19}
ts = 4_100_000_000_000
for b in range(20):
    pid, start = 7001 + 10 * b, ts
    rec(type="vm_start", ts_ns=start, pid=pid, comm="vmm-min", vm=1, start_seen=True,
        cmdline="vmm-min --serial /dev/null demo.bin")
    t = start + 1_500_000
    kernel = (300e6 if b in slow else 100e6) * (1 + rng.uniform(-0.03, 0.03))
    for label, code, ns in [("Firmware", 0x01, 5e6 * (1 + rng.uniform(-0.1, 0.1))),
                            ("Bootloader", 0x21, 3e6 * (1 + rng.uniform(-0.1, 0.1))),
                            ("Kernel", 0x41, kernel),
                            ("Userspace", 0x61, 4e6 * (1 + rng.uniform(-0.1, 0.1)))]:
        for k, at in enumerate((t, t + int(ns / 2))):
            rec(type="event", ts_ns=at, pid=pid, comm="vmm-min", vm=1,
                since_start_ns=at - start, tid=pid + 1, thread="vcpu0", vcpu=0, port=128,
                size=1, value=code + k, code=code + k, label=label)
        t += int(ns)
    rec(type="vm_end", ts_ns=t, pid=pid, comm="vmm-min", vm=1, exit_status=0, signal=None,
        reason="exit status 0")
    ts = t + 50_000_000
rec(type="summary", events=160, dropped=0, string_lost=0, lifecycle_dropped=0, malformed=0,
    map_full=0, vms=[])
PY
}

# groups SVG STAGE [PNG]: the dots of STAGE's row of the distributions panel, split at the
# widest gap between neighbours: "dots N", "gap PIXELS", then for each group, left to right,
# "group COUNT pids PID,..." (the boots its dots' tooltips name) and "shade yes|no" (a
# shaded mode covers its dots). With PNG: "seen N M" (of each group, the dots whose colour
# Chromium drew at their place) and "between N" (pixels of that colour in the band between
# the two groups).
groups() {
	PYTHONPATH="$BATS_TEST_DIRNAME/../viewers" python3 - "$@" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
from png import read_png
svg, stage = sys.argv[1:3]
png = sys.argv[3] if len(sys.argv) > 3 else None
S = "{http://www.w3.org/2000/svg}"
row = [g for g in ET.parse(svg).getroot().iter(S + "g")
       if g.get("class") == "dist" and g.get("data-stage") == stage]
assert len(row) == 1, "no row for " + stage
dots = sorted((float(c.get("cx")), float(c.get("cy")), c.get("fill"),
               c.find(S + "title").text) for c in row[0].iter(S + "circle"))
shades = [(float(r.get("x")), float(r.get("x")) + float(r.get("width")))
          for r in row[0].iter(S + "rect") if r.get("class") == "mode"]
print("dots", len(dots))
cut = max(range(1, len(dots)), key=lambda i: dots[i][0] - dots[i - 1][0])
print("gap %.0f" % (dots[cut][0] - dots[cut - 1][0]))
for part in (dots[:cut], dots[cut:]):
    pids = sorted(int(re.search(r"vmm-min\[(\d+)\] vm1", d[3]).group(1)) for d in part)
    print("group", len(part), "pids", ",".join(map(str, pids)))
    covered = any(a <= part[0][0] and part[-1][0] <= b for a, b in shades)
    print("shade", "yes" if covered else "no")
if not png:
    sys.exit(0)
w, h, px = read_png(png)
fill = dots[0][2]
want = tuple(int(fill[k:k + 2], 16) for k in (1, 3, 5))
# A dot, drawn at 85 % over the band's grey or a shade: within 40 of its colour at its centre.
like = lambda c: max(abs(p - q) for p, q in zip(c, want)) <= 40
seen = lambda part: sum(1 for x, y, _, _ in part if like(px(int(round(x)), int(round(y)))))
print("seen", seen(dots[:cut]), seen(dots[cut:]))
top = int(min(d[1] for d in dots)) - 4
between = sum(1 for x in range(int(dots[cut - 1][0]) + 6, int(dots[cut][0]) - 5)
              for y in range(top, top + 30) if like(px(x, y)))
print("between", between)
PY
}

@test "chart: tests/data/bimodal.jsonl is what bimodal() writes" {
	bimodal "$OUT/bimodal.jsonl"
	cmp "$OUT/bimodal.jsonl" "$ROOT/tests/data/bimodal.jsonl"
}

@test "chart: 20 boots, a bimodal kernel: each stage's distribution, two groups of dots on screen" {
	local data="$ROOT/tests/data/bimodal.jsonl" slow=7011,7041,7061,7091,7121,7141,7171,7191
	run --separate-stderr "$BT" report -q --svg "$OUT/dist.svg" "$data"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	xmllint --noout "$OUT/dist.svg"
	grep -q '>Distributions over 20 boots — 2 stages with two modes</text>' "$OUT/dist.svg"
	# A row per stage in label_rank() order, then the time to Userspace; a dot per boot each.
	[ "$(grep -o '<g class="dist" data-stage="[^"]*" data-n="20" data-modes="[12]"' \
		"$OUT/dist.svg" | cut -d'"' -f4 | paste -sd,)" = \
		"Firmware,Bootloader,Kernel,Userspace,time to Userspace" ]
	[ "$(grep -c '<circle class="dot"' "$OUT/dist.svg")" -eq 100 ]
	grep -q 'data-stage="Kernel" data-n="20" data-modes="2"' "$OUT/dist.svg"
	grep -q 'data-stage="Firmware" data-n="20" data-modes="1"' "$OUT/dist.svg"
	grep -Eq '>n 20   p50 [0-9.]+ ms   p90 [0-9.]+ ms   2 modes: 12 boots near 10[0-9] ms, 8 near (29[0-9]|30[0-9]) ms</text>' \
		"$OUT/dist.svg"
	# Every dot names its boot; the same trace draws the same chart, byte for byte.
	grep -q '<title>Kernel [0-9.]* ms: boot 2 of 20, vmm-min\[7011\] vm1 (high mode)</title>' \
		"$OUT/dist.svg"
	"$BT" report -q --svg "$OUT/again.svg" "$data"
	cmp "$OUT/dist.svg" "$OUT/again.svg"
	# The kernel's dots: two groups hundreds of pixels apart, the 8 slow boots in the right
	# one, each group shaded as a mode.
	run groups "$OUT/dist.svg" Kernel
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'dots 20' <<<"$output"
	[ "$(awk '$1 == "gap" { print $2 }' <<<"$output")" -ge 500 ]
	[ "$(grep '^group' <<<"$output" | sed -n 2p)" = "group 8 pids $slow" ]
	[ "$(grep -c '^group 12 ' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^shade yes' <<<"$output")" -eq 2 ]
	# Firmware, one mode: no gap of that size and no shade.
	run groups "$OUT/dist.svg" Firmware
	[ "$(awk '$1 == "gap" { print $2 }' <<<"$output")" -lt 200 ]
	! grep -q '<rect class="mode"' <<<"$(sed -n '/data-stage="Firmware" data-n/,/<\/g>/p' \
		"$OUT/dist.svg")" || false

	if ! command -v chromium >/dev/null; then
		[ "${CI:-}" != true ] || { echo "chromium is missing (apt-get install chromium)"; false; }
		skip "needs chromium to draw the chart (apt-get install chromium)"
	fi
	run "$ROOT/scripts/svg-screenshot.sh" "$OUT/dist.svg" "$OUT/dist.png"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# On screen: both groups in the kernel's colour (the 12 fast boots' dots overlap, the 8
	# slow ones' hardly), and none of it in the band between them.
	run groups "$OUT/dist.svg" Kernel "$OUT/dist.png"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk '$1 == "seen" { print $2 }' <<<"$output")" -ge 3 ]
	[ "$(awk '$1 == "seen" { print $3 }' <<<"$output")" -ge 6 ]
	grep -qx 'between 0' <<<"$output"
	# The VMs below the panel: their bars on screen, no text off the chart's edges.
	run pixels "$OUT/dist.png" "$OUT/dist.svg" "vmm-min[7011]"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk '$1 == "Kernel" { print $2 }' <<<"$output")" -ge 500 ]
	grep -qx 'edge 0' <<<"$output"
}
