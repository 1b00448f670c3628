#!/bin/sh
# Run every test (cmocka unit binaries given as arguments, then the bats end-to-end suites)
# and end with one line "N passed, N failed". Exit status is non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
for t in "$@"; do
	echo "# unit: $t"
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >>"$log" 2>&1 || status=1
done
sed -n '/^ok \|^not ok /p;/^# /p' "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
: >"$log"

for suite in tests/e2e/*.bats; do
	echo "# e2e: $suite"
	bats --tap "$suite" >"$log" 2>&1 || status=1
	cat "$log"
	passed=$((passed + $(grep -c '^ok ' "$log")))
	failed=$((failed + $(grep -c '^not ok ' "$log")))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
