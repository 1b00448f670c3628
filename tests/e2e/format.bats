#!/usr/bin/env bats
# The tree is formatted: `make format` would change nothing (.clang-format, its loop macros).

load common

@test "every C file is as clang-format writes it (make check-format)" {
	command -v clang-format >/dev/null || skip "clang-format is not installed"
	run make -s -C "$ROOT" check-format
	[ "$status" -eq 0 ] || { echo "$output" | head -40; false; }
}
