# Section 8 of `make bench` ("console"): what tracing console text costs. Sourced by
# scripts/bench.sh, whose helpers (record, values, stats, paired, calc, fmt, mmm, log, note)
# and variables (BT, VMM, G, BTB, TMP, TSC_HZ, ROUNDS, MODE) it uses; a guest section like
# the others (root, a usable /dev/kvm, bpftrace: bench.sh checks them first and stops with
# the reason where they are missing).
#
# The conloop guest (vmm-min/guests/conloop.S) writes N bytes of 64-byte text lines to the
# UART's THR (0x3f8), one `out` (one exit) each, and times them with its own TSC, so tracers'
# start-up and exit are not in the figure. Variants, alternating within each round in an order
# rotated every round, as section 1 does:
#   untraced             the guest alone
#   boot-trace           `boot-trace run` without --console: 0x3f8 is an untraced port
#   boot-trace-console   `boot-trace run --console -f jsonl`: every byte assembled into lines
#                        in the kernel, one ring record per line
#   bpftrace-printf      the one-liner people would write, printing each byte
# *Added* is the median over rounds of (variant - untraced) in the same round. Two sizes:
# CON_N bytes (the cost per byte) and a 64 KiB console boot (its total added time).

CON_N=$N_COST
CON_BOOT=65536
BPFTRACE_CONSOLE='tracepoint:kvm:kvm_pio /args->port == 0x3f8/ { printf("%c", args->val); }'
CON_VARIANTS=(untraced boot-trace boot-trace-console bpftrace-printf)
CON_LINE='[    1.000000] conloop: 62 characters of console text, CR LF..' # conloop.S's line

# Why the section cannot run with this build (nothing when it can).
console_skip_reason() {
	if [ ! -f "$G/conloop.bin" ]; then
		echo "$G/conloop.bin is missing (run: make)"
	elif ! "$BT" run --help 2>&1 | grep -q -- '--console'; then
		echo "this boot-trace has no --console"
	fi
}

console_run() { # VARIANT ROUND BYTES
	local v=$1 r=$2 n=$3 out=$TMP/con.out ser=$TMP/con.ser line cycles lines
	local inner=($VMM --serial "$ser" --arg "$n" "$G/conloop.bin")
	rm -f "$out" "$ser"
	case $v in
	untraced) "${inner[@]}" >/dev/null 2>"$TMP/con.err" ;;
	boot-trace) $BT run -q -o "$out" -- "${inner[@]}" >/dev/null 2>"$TMP/con.err" ;;
	boot-trace-console)
		$BT run --console -f jsonl -o "$out" -- "${inner[@]}" >/dev/null 2>"$TMP/con.err"
		;;
	bpftrace-printf)
		bpftrace -o "$out" -e "$BPFTRACE_CONSOLE" -c "${inner[*]}" >/dev/null 2>"$TMP/con.err"
		;;
	esac
	line=$(sed -n 's/^conloop: bytes=[0-9a-f]* tsc=\([0-9a-f]*\)$/\1/p' "$ser" 2>/dev/null)
	if [ -z "$line" ]; then
		log "console $v ($n bytes) round $r: no result from the guest: $(tail -c 300 "$TMP/con.err")"
		return 1
	fi
	cycles=$((0x$line))
	record console "$v-$n" "$r" byte_ns "$(calc "$cycles * 1e9 / $TSC_HZ / $n")"
	record console "$v-$n" "$r" total_ns "$(calc "$cycles * 1e9 / $TSC_HZ")"
	# Its whole lines, 64 bytes each with their CR LF: n / 64 of them (the last one cut short
	# where n is not a multiple of 64, and conloop's result line, not counted).
	case $v in
	boot-trace-console)
		lines=$(jq -r 'select(.type == "console") | .text' "$out" | grep -cxF "$CON_LINE")
		;;
	bpftrace-printf) lines=$(grep -cF "$CON_LINE" "$out") ;;
	*) lines= ;;
	esac
	record console "$v-$n" "$r" captured_lines "$lines"
	rm -f "$out"
}

console_measure() {
	local reason r i nv=${#CON_VARIANTS[@]} n
	reason=$(console_skip_reason)
	if [ -n "$reason" ]; then
		log "console: not measured: $reason"
		note "Section 8 (console) not measured: $reason."
		return
	fi
	for n in "$CON_N" "$CON_BOOT"; do
		for r in $(seq "$ROUNDS"); do
			log "console text: $n bytes, round $r/$ROUNDS"
			for i in $(seq 0 $((nv - 1))); do
				console_run "${CON_VARIANTS[$(((i + r - 1) % nv))]}" "$r" "$n"
			done
		done
	done
}

# The section's table for results.md.
console_report() {
	local v label base=untraced
	echo "## 8. Console text: cost per console byte, and a 64 KiB console boot ($ROUNDS rounds)"
	echo
	if [ -z "$(values console "untraced-$CON_N" byte_ns)" ]; then
		echo "Not measured in this run (BENCH_SECTIONS, or see the notes)."
		echo
		return
	fi
	echo "The \`conloop\` guest writes $CON_N bytes (then $CON_BOOT) of 64-byte text lines to the UART's"
	echo "transmit register (0x3f8), one \`out\` each, timed by its TSC. *Added* is the median"
	echo "over rounds of (variant − untraced) in the same round. bpftrace: \`$BPFTRACE_CONSOLE\`"
	echo "(system-wide, as usually run)."
	echo
	echo "| variant | µs per byte ($CON_N bytes) | added ns per byte | 64 KiB console: ms | added ms | captured |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for v in "${CON_VARIANTS[@]}"; do
		case $v in
		untraced) label="untraced" ;;
		boot-trace) label="boot-trace run (port 0x80 only: 0x3f8 untraced)" ;;
		boot-trace-console) label="boot-trace run --console" ;;
		bpftrace-printf) label="bpftrace, printf of each byte" ;;
		esac
		local a=0 at=0 cap="-"
		if [ "$v" != "$base" ]; then
			a=$(paired console "$v-$CON_N" "$base-$CON_N" byte_ns | stats | cut -d' ' -f1)
			at=$(paired console "$v-$CON_BOOT" "$base-$CON_BOOT" total_ns | stats | cut -d' ' -f1)
		fi
		case $v in
		boot-trace-console | bpftrace-printf)
			cap="$(fmt "$(stat_of console "$v-$CON_N" captured_lines 1)") of $((CON_N / 64)) lines"
			;;
		esac
		printf '| %s | %s | %s | %s | %s | %s |\n' "$label" \
			"$(mmm console "$v-$CON_N" byte_ns 1000 3)" "$(fmt "$a")" \
			"$(mmm console "$v-$CON_BOOT" total_ns 1e6 2)" "$(fmt "$(calc "$at / 1e6")" 2)" \
			"$cap"
	done
	echo
}
