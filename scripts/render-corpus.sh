#!/bin/sh
# Render every recorded trace of a folder in every format, with one boot-trace binary, into
# OUTDIR: NAME.FORMAT (the converted trace), NAME.FORMAT.err (stderr: the summary tables and
# errors) and NAME.FORMAT.rc (exit status); NAME.report and NAME.chart.svg for the plain report
# and its chart (--svg). Two binaries' OUTDIRs compared with `diff -r` show what a change to userspace
# moved. Usage: scripts/render-corpus.sh BOOT-TRACE OUTDIR [TRACE-DIR]
set -u
bt=$1 out=$2 dir=${3:-tests/fuzz/corpus/jsonl}
mkdir -p "$out"
for f in "$dir"/*; do
	n=$(basename "$f")
	"$bt" report "$f" >"$out/$n.report" 2>"$out/$n.report.err"
	echo $? >"$out/$n.report.rc"
	"$bt" report -q --svg "$out/$n.chart.svg" "$f" >/dev/null 2>"$out/$n.chart.err"
	echo $? >"$out/$n.chart.rc"
	for fmt in log jsonl chrome csv svg; do
		"$bt" report -f "$fmt" "$f" >"$out/$n.$fmt" 2>"$out/$n.$fmt.err"
		echo $? >"$out/$n.$fmt.rc"
	done
done
# diff of each trace against the one before it (and the first against the last).
prev=$(ls "$dir" | tail -1)
for f in "$dir"/*; do
	n=$(basename "$f")
	"$bt" diff "$dir/$prev" "$f" >"$out/$n.diff" 2>"$out/$n.diff.err"
	echo $? >"$out/$n.diff.rc"
	prev=$n
done
