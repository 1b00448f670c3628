#!/bin/bash
# Usage: check-shared-data.sh BPF_OBJECT...
#
# boot-trace loads its BPF objects on one set of maps (bpf/state.bpf.h): the first object's
# .rodata and .bss are handed to the others, whose programs then read them at their own
# offsets. Fails, naming the difference, unless every object has the same global-data sections
# with the same variables at the same offsets and sizes.
set -euo pipefail
objdump=${OBJDUMP:-llvm-objdump}

layout() { # "section size" of each data section, then "section offset size name" of its data
	"$objdump" -h "$1" | awk '$2 ~ /^\.(rodata|data|bss)/ { print $2, $3 }'
	"$objdump" -t "$1" | awk '$3 == "O" && $4 ~ /^\.(rodata|data|bss)/ { print $4, $1, $5, $6 }' |
		sort
}

first=$1
shift
for obj in "$@"; do
	if ! diff <(layout "$first") <(layout "$obj") >/dev/null; then
		echo "error: $obj lays out its global data unlike $first (they must share it):" >&2
		diff <(layout "$first") <(layout "$obj") | sed 's/^/  /' >&2 || true
		exit 1
	fi
done
