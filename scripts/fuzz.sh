#!/bin/sh
# Run one libFuzzer target for a bounded time: its seed corpus (tests/fuzz/corpus/NAME/, read
# only) first, then mutations. New inputs go to WORKDIR, a crashing input to ARTIFACTS/.
#   scripts/fuzz.sh BUILD/fuzz/fuzz_NAME SECONDS WORKDIR ARTIFACTS
# Ends with one line "fuzz NAME: N runs in S s, no crash" or the crash and a non-zero status.
set -u
bin=$1 seconds=$2 work=$3 artifacts=$4
name=${bin##*/fuzz_}
seeds="$(cd "$(dirname "$0")/.." && pwd)/tests/fuzz/corpus/$name"
log="$work.log"

mkdir -p "$work" "$artifacts"
# -close_fd_mask=3: the code under test prints errors; libFuzzer and the sanitizers still
# report on their own copy of stderr.
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
	-print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work" "$seeds" >"$log" 2>&1
status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ "$status" -ne 0 ]; then
	grep -v '^#' "$log" | tail -60
	echo "fuzz $name: FAILED (status $status) after ${runs:-?} runs; input in $artifacts/"
	exit 1
fi
echo "fuzz $name: ${runs:-?} runs in $seconds s, no crash ($(ls "$seeds" | wc -l) seeds)"
