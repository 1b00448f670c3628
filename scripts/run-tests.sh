#!/bin/sh
# Run every test (cmocka unit binaries given as arguments, then the bats end-to-end suites
# (E2E_SUITES, default all of tests/e2e), then the suites named in EXTRA_SUITES) and end with one line "N passed, N failed,
# N skipped". Exit status is non-zero if anything failed. UNIT_WRAP (e.g. valgrind) is put
# before each unit binary.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

passed=0 failed=0 skipped=0 status=0

# Count TAP results of one suite ($log) into the totals.
tally() {
	sk=$(grep -ci '^ok .*# skip' "$log")
	passed=$((passed + $(grep -c '^ok ' "$log") - sk))
	skipped=$((skipped + sk))
	failed=$((failed + $(grep -c '^not ok ' "$log")))
}

# A suite that fails with every test passed (a sanitizer's leak report at exit, a crash
# after the last test) is one failure of its own, so that the summary line says so.
exited() {
	local rc=$1 what=$2
	[ "$rc" -eq 0 ] && return
	status=1
	if ! grep -q '^not ok ' "$log"; then
		echo "not ok - $what exited with status $rc after its tests" >>"$log"
	fi
}

for t in "$@"; do
	echo "# unit: $t"
	rc=0
	# shellcheck disable=SC2086
	CMOCKA_MESSAGE_OUTPUT=TAP ${UNIT_WRAP:-} "$t" >"$log" 2>&1 || rc=$?
	exited "$rc" "$t"
	cat "$log"
	tally
done

# shellcheck disable=SC2086
for suite in ${E2E_SUITES:-tests/e2e/*.bats} ${EXTRA_SUITES:-}; do
	echo "# e2e: $suite"
	rc=0
	bats --tap "$suite" >"$log" 2>&1 || rc=$?
	exited "$rc" "$suite"
	cat "$log"
	tally
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
