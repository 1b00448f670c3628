#!/bin/sh
# make check-valgrind: run BINARY under valgrind (memcheck), for the end-to-end tests.
#   scripts/valgrind.sh --wrap OUTDIR BINARY...   write OUTDIR/NAME wrappers (tests use them
#                                                 as BT / VMM), logging to OUTDIR/logs/
#   scripts/valgrind.sh --check OUTDIR            list the errors found; non-zero if any
# An error makes the wrapped program exit 99 and leaves its report in OUTDIR/logs/vg.PID.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

case $1 in
--wrap)
	out=$2
	shift 2
	mkdir -p "$out/logs"
	chmod 1777 "$out/logs" # setpriv tests run the wrapped program as nobody
	for bin in "$@"; do
		bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
		cat >"$out/$(basename "$bin")" <<-WRAPPER
		#!/bin/sh
		# --child-silent-after-fork: run forks the COMMAND, which then execs (untraced).
		exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \\
			--errors-for-leak-kinds=definite --child-silent-after-fork=yes \\
			--suppressions="$root/tests/valgrind.supp" --log-file="$out/logs/vg.%p" \\
			"$bin" "\$@"
		WRAPPER
		chmod 755 "$out/$(basename "$bin")"
	done
	;;
--check)
	out=$2
	bad=0
	# Errors are "==PID==" lines; "--PID-- WARNING" lines (a bpf() command valgrind does not
	# know) are not.
	for log in "$out"/logs/vg.*; do
		grep -q '^==[0-9]*==' "$log" || continue
		echo "== $log"
		cat "$log"
		bad=1
	done
	[ "$bad" -eq 0 ] && echo "valgrind: no errors ($(ls "$out"/logs | wc -l) processes checked)"
	exit "$bad"
	;;
*)
	echo "usage: $0 --wrap OUTDIR BINARY... | --check OUTDIR" >&2
	exit 2
	;;
esac
