#!/bin/sh
# Merge a perf recording into a boot-trace Chrome trace, on one timeline.
#
#   sudo perf record -k mono -e kvm:kvm_pio -e sched:sched_switch -a -o perf.data -- \
#       boot-trace run -f chrome -o boot.json -- ./start-my-vm.sh
#   scripts/perf-to-chrome.sh boot.json perf.data > merged.json
#
# Both carry CLOCK_MONOTONIC stamps (perf through -k mono), so no shifting is needed: each
# perf sample becomes an instant event on its own pid/tid track, which for a vCPU thread is
# the very track where boot-trace put that thread's boot codes. Needs perf and jq.
set -eu

boot=${1:?usage: scripts/perf-to-chrome.sh BOOT.json PERF.DATA > MERGED.json}
data=${2:?usage: scripts/perf-to-chrome.sh BOOT.json PERF.DATA > MERGED.json}
[ -r "$boot" ] || { echo "perf-to-chrome: cannot read $boot" >&2; exit 1; }
[ -r "$data" ] || { echo "perf-to-chrome: cannot read $data" >&2; exit 1; }
jq -e '.traceEvents | type == "array"' "$boot" >/dev/null ||
	{ echo "perf-to-chrome: $boot is not a Chrome trace" >&2; exit 1; }
if ! perf report -i "$data" --header-only 2>/dev/null | grep -q 'clockid: monotonic'; then
	echo "perf-to-chrome: warning: $data was not recorded with -k mono; times will not line up" >&2
fi

# "  PID/TID  SEC.NSEC:  EVENT:  DETAIL" -> {"ph":"i", "ts": microseconds, ...}
perf script -i "$data" --ns -F pid,tid,time,event,trace 2>/dev/null |
	jq -R -c 'capture("^\\s*(?<pid>[0-9]+)/(?<tid>[0-9]+)\\s+(?<s>[0-9]+)\\.(?<ns>[0-9]{9}):\\s+(?<ev>\\S+?):?\\s+(?<detail>.*)$")
		| {name: .ev, cat: "perf", ph: "i", s: "t",
		   ts: ((.s + .ns[0:6] + "." + .ns[6:9]) | tonumber),
		   pid: (.pid | tonumber), tid: (.tid | tonumber), args: {detail: .detail}}' |
	jq -s --slurpfile boot "$boot" '$boot[0] + {traceEvents: ($boot[0].traceEvents + .)}'
