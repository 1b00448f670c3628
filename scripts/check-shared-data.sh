#!/bin/bash
# Usage: check-shared-data.sh BPF_OBJECT BPF_OBJECT...
#
# boot-trace loads its BPF objects on one set of maps (bpf/state.bpf.h): the first object's
# .rodata and .bss are handed to the others, whose programs then read them at their own
# offsets, and find there the first object's bytes. Fails, naming the difference, unless every
# object has the same global-data sections, of the same size and initial bytes, with the same
# variables at the same offsets.
set -euo pipefail
objdump=${OBJDUMP:-llvm-objdump}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -lt 2 ]; then
	echo "usage: check-shared-data.sh BPF_OBJECT BPF_OBJECT..." >&2
	exit 2
fi

# The layout of one object's global data, in $tmp/N: "section size", its initial bytes (not
# for .bss), then "section offset size name" of each variable. An object with none fails: the
# objects checked here all have some, and an empty list would compare equal to anything.
layout() {
	local sections
	if ! "$objdump" -h "$1" >"$tmp/headers" || ! "$objdump" -t "$1" >"$tmp/symbols"; then
		echo "error: $objdump cannot read $1" >&2
		exit 1
	fi
	sections=$(awk '$2 ~ /^\.(rodata|data|bss)/ { print $2 }' "$tmp/headers")
	if [ -z "$sections" ]; then
		echo "error: $1 has no global data (.rodata, .data, .bss) to share" >&2
		exit 1
	fi
	{
		awk '$2 ~ /^\.(rodata|data|bss)/ { print $2, $3 }' "$tmp/headers"
		for section in $sections; do
			[ "$section" = .bss ] || "$objdump" -s -j "$section" "$1" | sed 1,3d
		done
		awk '$3 == "O" && $4 ~ /^\.(rodata|data|bss)/ { print $4, $1, $5, $6 }' \
			"$tmp/symbols" | sort
	} >"$2"
}

layout "$1" "$tmp/first"
for obj in "${@:2}"; do
	layout "$obj" "$tmp/other"
	if ! diff "$tmp/first" "$tmp/other" >"$tmp/diff"; then
		echo "error: $obj lays out its global data unlike $1 (they must share it):" >&2
		sed 's/^/  /' "$tmp/diff" >&2
		exit 1
	fi
done
