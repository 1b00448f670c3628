#!/bin/bash
# make bench: boot-trace's overhead, loss, start-up, footprint and timestamp fidelity, side by
# side with bpftrace and perf, measured on vmm-min guests; and how report, its writers and diff
# scale with the size of a trace. Writes bench/results.md (the tables) and bench/results.csv
# (every raw number). Reports whether each target is met; never fails because one is missed
# (only when it cannot measure at all).
#
# Environment:
#   BENCH_QUICK=1    shortened run (fewer writes and rounds, smaller traces; a few minutes)
#   BENCH_OUT=DIR    where results.md/results.csv go (default bench/)
#   BENCH_BUILD=DIR  the build to measure (default build/, as make's OUT)
#   BENCH_ROUNDS=N   rounds of the per-write cost measurement (default 7; quick 3)
#   BENCH_SECTIONS="cost toggle profile loss ready idle fidelity tsc latency console scaling testrun"
#                    (a subset: only those; the tables of the others show "-"). "scaling" alone needs no
#                    /dev/kvm, no guest and no peer: only boot-trace, python3 and GNU time.
#                    "testrun" (section 9, bench/testrun.sh, in the default list too) needs only
#                    root: "scaling testrun" run on a host without /dev/kvm.
#   BENCH_SCALING_SIZES="10000 100000 1000000"  trace sizes of the scaling section (quick: the
#                    first two)
#   BENCH_SCALING_TIMEOUT=S  a command of the scaling section is stopped after S seconds
#                    (default 600; quick 120) and shown as "> S"
#
# Every figure is the median of several runs, with min and max. The variants of one
# measurement alternate within each round (in an order rotated every round), so drift of the
# machine hits all of them alike; every ratio compares figures taken in this same invocation.
set -u
cd "$(dirname "$0")/.."

BUILD=${BENCH_BUILD:-build}
BT=$BUILD/boot-trace
VMM=$BUILD/vmm-min
G=$BUILD/guests
BTB=$BUILD/btbench
TIME=/usr/bin/time
OUT_DIR=${BENCH_OUT:-bench}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	MODE=quick
	N_COST=50000 ROUNDS=${BENCH_ROUNDS:-3}
	N_LOSS=200000 LOSS_ROUNDS=1
	READY_ROUNDS=3 IDLE_S=10
	TOGGLE_CYCLES=4
	FID_MARKS=100 FID_FLOOD=10000 FID_ROUNDS=2 TSC_ROUNDS=3 LAT_MARKS=20
	SCALE_SIZES=${BENCH_SCALING_SIZES:-10000 100000} SCALE_TIMEOUT=${BENCH_SCALING_TIMEOUT:-120}
else
	MODE=full
	N_COST=200000 ROUNDS=${BENCH_ROUNDS:-7}
	N_LOSS=1000000 LOSS_ROUNDS=2
	READY_ROUNDS=11 IDLE_S=30
	TOGGLE_CYCLES=12
	FID_MARKS=300 FID_FLOOD=20000 FID_ROUNDS=3 TSC_ROUNDS=5 LAT_MARKS=50
	SCALE_SIZES=${BENCH_SCALING_SIZES:-10000 100000 1000000}
	SCALE_TIMEOUT=${BENCH_SCALING_TIMEOUT:-600}
fi

# The peers' programs. bpftrace's are the one-liners people use: a filter on the port, then a
# printf of the value (with the pid, so the loss count can pick this benchmark's VMs out of
# the host's) or a count.
BPFTRACE_PRINTF='tracepoint:kvm:kvm_pio /args->port == 0x80/ { printf("%d %u\n", pid, args->val); }'
BPFTRACE_COUNT='tracepoint:kvm:kvm_pio /args->port == 0x80/ { @writes = count(); }'

die() {
	echo "bench: $*" >&2
	exit 1
}

SECTIONS=${BENCH_SECTIONS:-cost toggle profile loss ready idle fidelity tsc latency console scaling testrun}
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
# The sections that run guests (all but scaling and testrun): they need root, /dev/kvm and the peers.
GUESTS=$(echo " $SECTIONS " | sed 's/ scaling / /g; s/ testrun / /g; s/^ *//; s/ *$//')

[ -x "$BT" ] || die "$BT is missing (run: make bench)"
if [ -n "$GUESTS" ]; then
	[ "$(id -u)" -eq 0 ] || die "needs root (BPF, perf tracepoints)"
	[ -w /dev/kvm ] || die "/dev/kvm is not usable (BENCH_SECTIONS=\"scaling testrun\" need none)"
	for f in "$VMM" "$BTB" "$G/pioloop.bin" "$G/piobatch.bin" "$G/marks.bin"; do
		[ -x "$f" ] || [ -f "$f" ] || die "$f is missing (run: make bench)"
	done
	for tool in bpftrace perf jq bpftool; do
		command -v "$tool" >/dev/null || die "$tool is missing (run: make bench-deps)"
	done
fi
for tool in "$TIME" $(want scaling && echo python3 timeout); do
	command -v "$tool" >/dev/null || die "$tool is missing (run: make bench-deps)"
done

TMP=$(mktemp -d /tmp/boot-trace-bench.XXXXXX)
RAW=$TMP/raw.csv
NOTES=$TMP/notes
BG_PIDS=""
cleanup() {
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	[ -n "${BENCH_KEEP_TMP:-}" ] && echo "bench: kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
: >"$NOTES"
echo "section,variant,round,metric,value" >"$RAW"

# toggle: writes per timed batch (~50 ms), seconds with and without the tracer
TOGGLE_BATCH=5000 TOGGLE_ON_S=1.3 TOGGLE_OFF_S=0.8

START_S=$(date +%s)
log() { printf '[bench %4ds] %s\n' $(($(date +%s) - START_S)) "$*" >&2; }
note() { echo "$*" >>"$NOTES"; }

# ---- raw numbers and statistics ----------------------------------------------------------

# record SECTION VARIANT ROUND METRIC VALUE (nothing if VALUE is empty or NA)
record() {
	case $5 in "" | NA) ;; *) echo "$1,$2,$3,$4,$5" >>"$RAW" ;; esac
}

# values SECTION VARIANT METRIC: one value a line
values() {
	awk -F, -v s="$1" -v v="$2" -v m="$3" '$1 == s && $2 == v && $4 == m { print $5 }' "$RAW"
}

# stats: "median min max p99 n" of the numbers on stdin ("NA NA NA NA 0" if none)
stats() {
	sort -g | awk '{ a[NR] = $1 }
	END {
		if (NR == 0) { print "NA NA NA NA 0"; exit }
		med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		p = int(0.99 * NR + 0.999999); if (p < 1) p = 1; if (p > NR) p = NR
		printf "%.10g %.10g %.10g %.10g %d\n", med, a[1], a[NR], a[p], NR
	}'
}

# quartiles: "p25 p75 median" of the numbers on stdin ("NA NA NA" if fewer than two)
quartiles() {
	sort -g | awk '{ a[NR] = $1 }
	END {
		if (NR < 2) { print "NA NA NA"; exit }
		med = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.10g %.10g %.10g\n", a[int(0.25 * (NR - 1)) + 1], a[int(0.75 * (NR - 1) + 0.5) + 1], med
	}'
}

# stat_of SECTION VARIANT METRIC FIELD (1 median, 2 min, 3 max, 4 p99, 5 n)
stat_of() {
	values "$1" "$2" "$3" | stats | cut -d' ' -f"$4"
}

# paired SECTION VARIANT BASE METRIC: per-round VARIANT - BASE, one a line
paired() {
	awk -F, -v s="$1" -v v="$2" -v b="$3" -v m="$4" '
		$1 == s && $4 == m && $2 == v { x[$3] = $5 }
		$1 == s && $4 == m && $2 == b { y[$3] = $5 }
		END { for (r in x) if (r in y) print x[r] - y[r] }' "$RAW"
}

# fmt VALUE [DECIMALS]: a number for the tables ("-" where there is none)
fmt() {
	awk -v x="$1" -v d="${2:-0}" 'BEGIN { if (x == "NA" || x == "") print "-"; else printf "%.*f\n", d, x }'
}

# "median (min–max)" of SECTION VARIANT METRIC, divided by DIV, with DECIMALS
mmm() {
	local s
	s=$(values "$1" "$2" "$3" | awk -v d="${4:-1}" '{ print $1 / d }' | stats)
	set -- $s "${5:-0}"
	[ "$5" = 0 ] && { echo "-"; return; }
	echo "$(fmt "$1" "$6") ($(fmt "$2" "$6")–$(fmt "$3" "$6"))"
}

# missing EXPR: true if an operand is NA (no data) or there is no expression
missing() {
	echo " $* " | grep -qE 'NA|^ *$'
}

# calc EXPR: floating-point arithmetic (NA if an operand is NA)
calc() {
	if missing "$*"; then
		echo "NA"
	else
		awk "BEGIN { printf \"%.10g\n\", $* }"
	fi
}

# met CONDITION-EXPR: "met" / "MISSED" / "n/a"
met() {
	if missing "$*"; then
		echo "n/a"
	elif awk "BEGIN { exit !($*) }"; then
		echo "met"
	else
		echo "**MISSED**"
	fi
}

# ---- the machine -------------------------------------------------------------------------

TSC_HZ=NA
if [ -n "$GUESTS" ]; then
	TSC_HZ=$($BTB tsc-hz) || die "cannot calibrate the TSC"
	KC_PER_MS=$((TSC_HZ / 1000000)) # guest delays are in kilo-TSC-cycles
fi

# Our own tracers' pids are excluded; anything else attached to kvm_pio or the syscall
# tracepoints adds its cost to every figure here, untraced ones included.
foreign_tracers() {
	bpftool perf show 2>/dev/null | grep -E 'kvm_pio|sys_(enter|exit)_ioctl|sys_exit' |
		awk '{ print $2 }' | sort -u | while read -r p; do
		echo "$p ($(cat /proc/"$p"/comm 2>/dev/null || echo gone))"
	done | tr '\n' ' '
}
FOREIGN_START=$(foreign_tracers)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "mode $MODE, TSC ${TSC_HZ} Hz, load $LOAD_START"
[ -n "$FOREIGN_START" ] && log "other tracers on kvm_pio/syscalls: $FOREIGN_START"

# Start-up CPU of a VM that writes nothing, subtracted from the per-write CPU figures.
for i in $([ -n "$GUESTS" ] && echo 1 2 3); do
	$BTB cpu -o "$TMP/cpu0" -- $VMM --serial /dev/null --arg 0 $G/pioloop.bin >/dev/null ||
		die "vmm-min does not run"
	record base vmm-min "$i" startup_cpu_ns "$(sed 's/.*cpu_ns=\([0-9]*\).*/\1/' "$TMP/cpu0")"
done
STARTUP_CPU=$(stat_of base vmm-min startup_cpu_ns 1)

# ---- 1 and 2: cost per write, traced port and untraced port ------------------------------

# The guest's own TSC times the loop of N writes: tracers' start-up and exit are outside.
# btbench cpu wraps the VMM inside each tracer's command line, so its CPU time is the VM's
# alone, and GNU time around the tracer gives the tracer's peak RSS and context switches.
cost_run() { # VARIANT ROUND
	local v=$1 r=$2 port=0x80 n=$N_COST inner out=$TMP/out status
	case $v in *-0x81) port=0x81 ;; esac
	inner=($BTB cpu -o "$TMP/cpu" -- $VMM --serial "$TMP/ser" --arg "$n" --arg "$port"
		"$G/pioloop.bin")
	rm -f "$TMP/cpu" "$TMP/ser" "$TMP/time" "$out"
	case $v in
	untraced*) "${inner[@]}" >/dev/null 2>"$TMP/err" ;;
	boot-trace*)
		$TIME -f '%M %e %U %S %w %c' -o "$TMP/time" $BT run -o "$out" -- "${inner[@]}" \
			>/dev/null 2>"$TMP/err"
		;;
	bpftrace-printf)
		$TIME -f '%M %e %U %S %w %c' -o "$TMP/time" bpftrace -o "$out" -e "$BPFTRACE_PRINTF" \
			-c "${inner[*]}" >/dev/null 2>"$TMP/err"
		;;
	bpftrace-count)
		$TIME -f '%M %e %U %S %w %c' -o "$TMP/time" bpftrace -o "$out" -e "$BPFTRACE_COUNT" \
			-c "${inner[*]}" >/dev/null 2>"$TMP/err"
		;;
	perf-record)
		$TIME -f '%M %e %U %S %w %c' -o "$TMP/time" perf record -q -e kvm:kvm_pio \
			--filter "port == $port" -o "$out" -- "${inner[@]}" >/dev/null 2>"$TMP/err"
		;;
	esac
	status=$?
	local line cycles pid cpu
	line=$(cat "$TMP/ser" 2>/dev/null)
	case $line in *tsc=*) ;; *)
		log "$v round $r: no result from the guest (status $status): $(tail -c 300 "$TMP/err")"
		return 1
		;;
	esac
	cycles=$((0x${line##*tsc=}))
	pid=$(sed 's/.*pid=\([0-9]*\).*/\1/' "$TMP/cpu")
	cpu=$(sed 's/.*cpu_ns=\([0-9]*\).*/\1/' "$TMP/cpu")
	record cost "$v" "$r" wall_ns "$(calc "$cycles * 1e9 / $TSC_HZ / $n")"
	record cost "$v" "$r" vcpu_cpu_ns "$(calc "($cpu - $STARTUP_CPU) / $n")"
	if [ -s "$TMP/time" ]; then
		set -- $(tail -1 "$TMP/time")
		record cost "$v" "$r" tracer_rss_kb "$1"
		record cost "$v" "$r" tracer_cpu_ns "$(calc "(($3 + $4) * 1e9 - $cpu) / $n")"
		record cost "$v" "$r" wakeups_per_1k "$(calc "$5 * 1000 / $n")"
	fi
	case $v in
	boot-trace-0x80)
		record cost "$v" "$r" captured \
			"$(sed -n 's/^boot-trace: \([0-9]*\) events, \([0-9]*\) dropped.*/\1/p' "$TMP/err")"
		;;
	bpftrace-printf) record cost "$v" "$r" captured "$(grep -c "^$pid " "$out")" ;;
	esac
	rm -f "$out"
}

if want cost; then
	COST_VARIANTS=(untraced-0x80 boot-trace-0x80 bpftrace-printf bpftrace-count perf-record
		untraced-0x81 boot-trace-0x81)
	NV=${#COST_VARIANTS[@]}
	for r in $(seq "$ROUNDS"); do
		log "cost per write: round $r/$ROUNDS ($N_COST writes per run)"
		for i in $(seq 0 $((NV - 1))); do # the order rotates every round
			cost_run "${COST_VARIANTS[$(((i + r - 1) % NV))]}" "$r"
		done
	done
fi

# ---- 1 and 2 again: the tracer attached and detached beside one running guest -----------

# Separate runs of a guest differ by several % on a busy or nested host, more than the costs
# to measure. Here one guest (piobatch) times batches of writes for the whole measurement,
# while each tracer in turn is attached and detached again: every traced window is compared
# with the untraced windows just before and after it, seconds apart.
toggle_tracer() { # VARIANT PID: runs the tracer until SIGTERM
	case $1 in
	boot-trace*) exec $BT record -q -p "$2" -o /dev/null ;;
	bpftrace-printf) exec bpftrace -o /dev/null -e "$BPFTRACE_PRINTF" ;;
	bpftrace-count) exec bpftrace -o /dev/null -e "$BPFTRACE_COUNT" ;;
	perf-record) exec perf record -q -e kvm:kvm_pio --filter "port == 0x80" -p "$2" \
		-o "$TMP/toggle.perf" ;;
	nothing) exec sleep 1000 ;; # the control: the same motions, no tracer
	empty-bpf) exec $BTB empty-prog kvm_pio ;; # the floor: what any BPF program there costs
	esac
}

# When a launched tracer is surely attached, in ns (measured in section 4: well inside).
toggle_ready_ns() {
	case $1 in bpftrace*) echo 700000000 ;; perf*) echo 500000000 ;; *) echo 300000000 ;; esac
}

toggle_run() { # PORT VARIANT...
	local port=$1 batches=$TMP/batches.$1 windows=$TMP/windows.$1 lines vmm prev t0 t1 tr c v
	shift
	: >"$windows"
	$BTB lines -o "$batches" -m piobatch: -- $VMM --arg "$TOGGLE_BATCH" \
		--arg "$port" "$G/piobatch.bin" >/dev/null 2>&1 &
	lines=$!
	BG_PIDS="$BG_PIDS $lines"
	for _ in $(seq 100); do
		vmm=$(pgrep -P "$lines")
		[ -n "$vmm" ] && break
		sleep 0.05
	done
	[ -n "$vmm" ] || { log "toggle $port: the guest did not start"; return 1; }
	prev=$($BTB mono)
	for c in $(seq "$TOGGLE_CYCLES"); do
		for v in "$@"; do
			sleep "$TOGGLE_OFF_S"
			t0=$($BTB mono)
			echo "untraced $c $((prev + 200000000)) $t0" >>"$windows"
			toggle_tracer "$v" "$vmm" >/dev/null 2>&1 &
			tr=$!
			sleep "$TOGGLE_ON_S"
			t1=$($BTB mono)
			echo "$v $c $((t0 + $(toggle_ready_ns "$v"))) $t1" >>"$windows"
			kill -TERM "$tr" 2>/dev/null
			wait "$tr" 2>/dev/null
			prev=$($BTB mono)
		done
	done
	sleep "$TOGGLE_OFF_S"
	echo "untraced 0 $((prev + 200000000)) $($BTB mono)" >>"$windows"
	kill "$vmm" 2>/dev/null
	wait "$lines" 2>/dev/null
	# Per window, the median ns per exit of the batches wholly inside it; per traced window,
	# its median minus the mean of its two untraced neighbours.
	awk -v hz="$TSC_HZ" -v n="$TOGGLE_BATCH" -v port="$port" '
		function hex(x,   i, r) {
			x = tolower(x); r = 0
			for (i = 1; i <= length(x); i++) r = r * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
			return r
		}
		function median(list,   k, m, a, i, j, t) {
			m = split(list, a, " ")
			for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return m == 0 ? "" : (m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2)
		}
		FNR == NR {
			sub(/tsc=/, "", $3); ns = hex($3) * 1e9 / hz
			end[++nb] = $1; start[nb] = $1 - ns - 300000; per[nb] = ns / n
			next
		}
		{ var[++nw] = $1; cyc[nw] = $2; from[nw] = $3; to[nw] = $4 }
		END {
			for (w = 1; w <= nw; w++) {
				list = ""
				for (b = 1; b <= nb; b++) if (start[b] >= from[w] && end[b] <= to[w]) list = list " " per[b]
				med[w] = median(list)
			}
			for (w = 2; w < nw; w++) {
				if (var[w] == "untraced" || med[w] == "" || med[w - 1] == "" || med[w + 1] == "") continue
				printf "%s %s %.10g %.10g\n", var[w], cyc[w], med[w] - (med[w - 1] + med[w + 1]) / 2, (med[w - 1] + med[w + 1]) / 2
			}
		}' "$batches" "$windows" | while read -r v c added base; do
		record toggle "$v-$port" "$c" added_ns "$added"
		record toggle "$v-$port" "$c" base_ns "$base"
	done
}

if want toggle; then
	log "cost per write, tracers toggled beside one guest: port 0x80 ($TOGGLE_CYCLES cycles)"
	toggle_run 0x80 nothing empty-bpf boot-trace bpftrace-printf bpftrace-count perf-record
	log "cost per write, tracers toggled beside one guest: port 0x81 ($((2 * TOGGLE_CYCLES)) cycles)"
	TOGGLE_CYCLES=$((2 * TOGGLE_CYCLES)) toggle_run 0x81 nothing boot-trace
fi

# ---- BPF programs' own run time per write ------------------------------------------------

# BPF_ENABLE_STATS is on only while btbench runs; the VM waits a second after its loop so
# the tracer (and its programs) are still there to be read.
profile_run() {
	local bt_pid ser=$TMP/ser.prof
	rm -f "$ser"
	$BT run -q -o /dev/null -- $VMM --serial "$ser" --arg "$N_COST" --arg 0x80 --arg 0 \
		--arg $((1000 * KC_PER_MS)) $G/pioloop.bin >/dev/null 2>&1 &
	bt_pid=$!
	for _ in $(seq 600); do
		grep -q tsc= "$ser" 2>/dev/null && break
		sleep 0.1
	done
	for f in /proc/$bt_pid/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null
	done | sort -u | while read -r id; do
		bpftool prog show id "$id" -j 2>/dev/null
	done | jq -r 'select(.run_cnt != null and .run_cnt > 0) |
		"\(.name) \(.run_cnt) \(.run_time_ns)"'
	wait "$bt_pid"
}
if want profile; then
	log "BPF program run time ($N_COST writes, statistics on)"
	export BT VMM G N_COST KC_PER_MS TMP
	export -f profile_run
	$BTB with-bpf-stats -- bash -c profile_run >"$TMP/profile" 2>/dev/null
	while read -r name cnt ns; do
		record profile "$name" 1 run_cnt "$cnt"
		record profile "$name" 1 avg_ns "$(calc "$ns / $cnt")"
		record profile "$name" 1 per_write_ns "$(calc "$ns / $N_COST")"
	done <"$TMP/profile"
fi

# ---- 3: loss -----------------------------------------------------------------------------

# Writes of the VMs of this run, from a printf trace with the pid first.
count_pids() { # FILE PID...
	local f=$1
	shift
	awk -v pids=" $* " 'index(pids, " " $1 " ") { n++ } END { print n + 0 }' "$f"
}

loss_run() { # TOOL VMS ROUND
	local tool=$1 vms=$2 r=$3 out=$TMP/out.loss i pids="" written
	rm -f "$out" "$TMP"/cpu.l* "$TMP"/ser.l*
	{
		echo "#!/bin/sh"
		for i in $(seq "$vms"); do
			echo "$BTB cpu -o $TMP/cpu.l$i -- $VMM --serial $TMP/ser.l$i --arg $N_LOSS $G/pioloop.bin &"
		done
		echo "wait"
	} >"$TMP/vms.sh"
	written=$((vms * N_LOSS))
	case $tool in
	boot-trace)
		$BT run -o "$out" -- sh "$TMP/vms.sh" >/dev/null 2>"$TMP/err.loss"
		record "loss" "$tool-${vms}vm" "$r" captured \
			"$(sed -n 's/^boot-trace: \([0-9]*\) events, \([0-9]*\) dropped.*/\1/p' "$TMP/err.loss")"
		record "loss" "$tool-${vms}vm" "$r" dropped \
			"$(sed -n 's/^boot-trace: \([0-9]*\) events, \([0-9]*\) dropped.*/\2/p' "$TMP/err.loss")"
		;;
	bpftrace)
		bpftrace -o "$out" -e "$BPFTRACE_PRINTF" -c "/bin/sh $TMP/vms.sh" >/dev/null 2>"$TMP/err.loss"
		for i in $(seq "$vms"); do
			pids="$pids $(sed 's/.*pid=\([0-9]*\).*/\1/' "$TMP/cpu.l$i")"
		done
		record "loss" "$tool-${vms}vm" "$r" captured "$(count_pids "$out" $pids)"
		# Lost events are counted for the whole trace (every VM on the host).
		record "loss" "$tool-${vms}vm" "$r" dropped "$(cat "$out" "$TMP/err.loss" |
			sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')"
		;;
	perf)
		perf record -q -e kvm:kvm_pio --filter 'port == 0x80' -o "$out" -- sh "$TMP/vms.sh" \
			>/dev/null 2>"$TMP/err.loss"
		perf report --stats -i "$out" >"$TMP/perf.stats" 2>/dev/null
		record "loss" "$tool-${vms}vm" "$r" captured \
			"$(awk '/kvm:kvm_pio stats/ { s = 1 } s && /SAMPLE events/ { print $3; exit }' "$TMP/perf.stats")"
		record "loss" "$tool-${vms}vm" "$r" dropped \
			"$(awk '/Aggregated stats/ { s = 1 } s && /LOST_SAMPLES? events/ { n += $3 } END { print n + 0 }' "$TMP/perf.stats")"
		;;
	esac
	record "loss" "$tool-${vms}vm" "$r" written "$written"
	for i in $(seq "$vms"); do
		local line
		line=$(cat "$TMP/ser.l$i" 2>/dev/null)
		case $line in *tsc=*)
			record "loss" "$tool-${vms}vm" "$r" wall_ns \
				"$(calc "$((0x${line##*tsc=})) * 1e9 / $TSC_HZ / $N_LOSS")"
			;;
		*) log "loss $tool ${vms} VM(s): a VM gave no result" ;;
		esac
	done
	rm -f "$out"
}

if want loss; then
	LOSS_VARIANTS="boot-trace:1 bpftrace:1 perf:1 boot-trace:2 bpftrace:2 perf:2"
	for r in $(seq "$LOSS_ROUNDS"); do
		for tv in $LOSS_VARIANTS; do
			log "loss: ${tv%:*}, ${tv#*:} VM(s) x $N_LOSS writes, round $r/$LOSS_ROUNDS"
			loss_run "${tv%:*}" "${tv#*:}" "$r"
		done
	done
fi

# ---- 4: ready-to-trace latency and peak RSS ----------------------------------------------

# A guest already running writes a marker every 20 kilo-cycles (one every ~20 us with the
# exit). From launching the tracer to the in-kernel stamp of the first write it captured is
# the time it takes to be ready; GNU time gives its peak RSS over that and one more second.
if want ready; then
	$VMM --timeout 900 --arg 20 --arg 0 $G/marks.bin >/dev/null 2>&1 &
	GUEST=$!
	BG_PIDS="$BG_PIDS $GUEST"
	sleep 0.3
	for r in $(seq "$READY_ROUNDS"); do
		order="boot-trace bpftrace"
		[ $((r % 2)) -eq 0 ] && order="bpftrace boot-trace"
		for tool in $order; do
			log "ready-to-trace: $tool, round $r/$READY_ROUNDS"
			rm -f "$TMP/time.ready"
			if [ "$tool" = boot-trace ]; then
				$BTB ready -m '"type":"event","ts_ns":' -H 1000 -- \
					$TIME -f '%M' -o "$TMP/time.ready" $BT record -q -f jsonl -p "$GUEST" \
					>"$TMP/ready" 2>"$TMP/err.ready"
			else
				$BTB ready -m 'ev ' -H 1000 -- \
					$TIME -f '%M' -o "$TMP/time.ready" bpftrace -e \
					"tracepoint:kvm:kvm_pio /pid == $GUEST && args->port == 0x80/ { printf(\"ev %llu\\n\", nsecs); }" \
					>"$TMP/ready" 2>"$TMP/err.ready"
			fi
			set -- $(tr ' ' '\n' <"$TMP/ready" | sed -n 's/^\(ready_ns\|readable_ns\)=//p')
			record ready "$tool" "$r" ready_ns "${1:-}"
			record ready "$tool" "$r" readable_ns "${2:-}"
			record ready "$tool" "$r" rss_kb "$(tail -1 "$TMP/time.ready" 2>/dev/null | grep -E '^[0-9]+$')"
		done
	done
	kill "$GUEST" 2>/dev/null
	wait "$GUEST" 2>/dev/null
fi

# ---- 5: idle daemon ----------------------------------------------------------------------

# The daemon traces every VM on the host: on a shared machine other people's guests keep it
# busy. So it runs twice: as installed (variant "default"), and tracing a port no guest uses
# (0x9f: writes to 0x80 stay in the kernel; only VM starts and ends still reach it). The lines
# it logged tell whether the host was idle.
DAEMON=no
want idle || DAEMON="not measured in this run (BENCH_SECTIONS)"
# CPU (scheduler run time, ns), voluntary context switches (its thread's wake-ups) and lines
# logged, summed over the daemon's threads.
daemon_sample() { # PID LOG
	local cpu=0 sw=0 t
	for t in /proc/"$1"/task/*; do
		cpu=$((cpu + $(cut -d' ' -f1 "$t/schedstat")))
		sw=$((sw + $(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")))
	done
	echo "$cpu $sw $(wc -l <"$2")"
}
idle_run() { # VARIANT [DAEMON OPTIONS...]
	local v=$1 dpid
	shift
	log "idle daemon ($v): ${IDLE_S} s"
	rm -f "$TMP/daemon.log" "$TMP/daemon.lock"
	$BT daemon "$@" --lock "$TMP/daemon.lock" --log-file "$TMP/daemon.log" 2>"$TMP/daemon.err" &
	dpid=$!
	BG_PIDS="$BG_PIDS $dpid"
	sleep 2
	if kill -0 "$dpid" 2>/dev/null && [ -e "$TMP/daemon.log" ]; then
		set -- $(daemon_sample "$dpid" "$TMP/daemon.log")
		sleep "$IDLE_S"
		set -- "$@" $(daemon_sample "$dpid" "$TMP/daemon.log")
		record idle "$v" 1 cpu_pct "$(calc "($4 - $1) / ($IDLE_S * 1e9) * 100")"
		record idle "$v" 1 wakeups_per_s "$(calc "($5 - $2) / $IDLE_S")"
		record idle "$v" 1 lines_logged "$(($6 - $3))"
	else
		log "daemon did not start: $(cat "$TMP/daemon.err")"
		DAEMON="did not start: $(head -1 "$TMP/daemon.err")"
	fi
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
}
if want idle; then
	if $BT daemon --help >/dev/null 2>&1; then
		DAEMON=yes
		idle_run default
		[ "$DAEMON" = yes ] && idle_run unused-port --port 0x9f
	fi
fi

# ---- 6: timestamp fidelity, TSC cross-check, marker-to-log latency -----------------------

# boot-trace's in-kernel stamp against vmm-min's own (taken when KVM_RUN returned to it) for
# the same writes, paired in order.
fidelity_run() { # KIND ROUND
	local kind=$1 r=$2 guest
	if [ "$kind" = markers ]; then
		guest=(--arg "$KC_PER_MS" --arg "$FID_MARKS" $G/marks.bin)
	else
		guest=(--arg "$FID_FLOOD" $G/pioloop.bin)
	fi
	$BT run -q -f jsonl -o "$TMP/fid.jsonl" -- $VMM --serial /dev/null --log-io "${guest[@]}" \
		>/dev/null 2>"$TMP/fid.vmm"
	jq -r 'select(.type == "event") | .ts_ns' "$TMP/fid.jsonl" >"$TMP/fid.bt"
	sed -n 's/^vmm-min: io 0x80 .*mono_ns=\([0-9]*\)$/\1/p' "$TMP/fid.vmm" >"$TMP/fid.vmmts"
	if [ "$(wc -l <"$TMP/fid.bt")" -ne "$(wc -l <"$TMP/fid.vmmts")" ]; then
		log "fidelity $kind: $(wc -l <"$TMP/fid.bt") stamps from boot-trace, $(wc -l <"$TMP/fid.vmmts") from vmm-min"
		note "Timestamp fidelity ($kind, round $r): the two stamp counts differ; not paired."
		return
	fi
	paste -d' ' "$TMP/fid.vmmts" "$TMP/fid.bt" | awk -v r="$r" -v k="$kind" \
		'{ printf "fidelity,%s,%s,lead_ns,%d\n", k, r, $1 - $2 }' >>"$RAW"
}
if want fidelity; then
	for r in $(seq "$FID_ROUNDS"); do
		log "timestamp fidelity, round $r/$FID_ROUNDS"
		fidelity_run markers "$r"
		fidelity_run flood "$r"
	done
fi

# Stage durations: boot-trace's summary against the guest's TSC at each marker (one code per
# stage, 10 ms apart), converted with the host's TSC frequency.
if want tsc; then
	for r in $(seq "$TSC_ROUNDS"); do
		log "stage durations vs guest TSC, round $r/$TSC_ROUNDS"
		$BT run -f jsonl -o "$TMP/tsc.jsonl" -- $VMM --serial "$TMP/tsc.ser" \
			--arg $((10 * KC_PER_MS)) --arg 5 --arg 1 $G/marks.bin >/dev/null 2>&1
		jq -r 'select(.type == "summary") | .vms[0].stages[] | "\(.stage) \(.duration_ns)"' \
			"$TMP/tsc.jsonl" | head -4 >"$TMP/tsc.bt"
		sed -n 's/^marks: code=.* tsc=\([0-9a-f]*\)$/\1/p' "$TMP/tsc.ser" |
			while read -r h; do echo $((0x$h)); done |
			awk -v hz="$TSC_HZ" 'NR > 1 { printf "%.0f\n", ($1 - prev) * 1e9 / hz } { prev = $1 }' \
				>"$TMP/tsc.guest"
		if [ "$(wc -l <"$TMP/tsc.bt")" -eq 4 ] && [ "$(wc -l <"$TMP/tsc.guest")" -eq 4 ]; then
			paste -d' ' "$TMP/tsc.bt" "$TMP/tsc.guest" | awk -v r="$r" '{
				printf "tsc,%s,%s,bt_ns,%d\n", $1, r, $2
				printf "tsc,%s,%s,guest_ns,%d\n", $1, r, $3
				printf "tsc,all,%s,error_ns,%d\n", r, $2 - $3
				printf "tsc,all,%s,abs_error_ns,%d\n", r, ($2 > $3 ? $2 - $3 : $3 - $2)
			}' >>"$RAW"
		else
			log "stage durations round $r: incomplete ($(wc -l <"$TMP/tsc.bt") stages, $(wc -l <"$TMP/tsc.guest") TSC deltas)"
		fi
	done
fi

# Markers 100 ms apart: from the in-kernel stamp to the jsonl line being readable on a pipe
# from `boot-trace run`. Isolated, then again while another traced VM writes to port 0x81
# every ~50 µs, so the reader is busy and polls on its own timer instead of being woken.
latency_run() { # KIND
	local busy_s=$((LAT_MARKS / 10 + 2))
	{
		echo "#!/bin/sh"
		echo "$VMM --serial /dev/null --arg $((100 * KC_PER_MS)) --arg $LAT_MARKS $G/marks.bin &"
		[ "$1" = busy ] &&
			echo "$VMM --serial /dev/null --timeout $busy_s --arg 100 --arg 0 --arg 0 --arg 0x81 $G/marks.bin &"
		echo "wait"
	} >"$TMP/lat.sh"
	$BTB lines -o "$TMP/lat.lines" -m '"port":128,' -- \
		$BT run -q -f jsonl --port 0x80 --port 0x81 -- sh "$TMP/lat.sh" 2>/dev/null
	grep '"type":"event".*"port":128,' "$TMP/lat.lines" |
		sed 's/^\([0-9]*\) .*"ts_ns":\([0-9]*\),.*/\1 \2/' |
		awk -v k="$1" '{ printf "latency,%s,1,latency_ns,%d\n", k, $1 - $2 }' >>"$RAW"
}
if want latency; then
	log "marker-to-log latency: $LAT_MARKS markers, 100 ms apart"
	latency_run isolated
	log "marker-to-log latency: $LAT_MARKS markers, 100 ms apart, another VM writing every ~50 µs"
	latency_run busy
fi

# ---- 8: console text (--console), beside bpftrace printing each byte: bench/console.sh ----

. bench/console.sh
want console && console_measure

# ---- 9: each BPF program's in-kernel cost per run, no guest (BPF_PROG_TEST_RUN): bench/testrun.sh

. bench/testrun.sh
want testrun && testrun_measure

# ---- 7: scaling of report, its writers and diff with the size of the trace -----------------

# Synthetic jsonl traces (scripts/gen-trace.py) that grow along one axis at a time: VMs (one
# vCPU and one event each, 1000 of them running at once, as in a busy host's daemon trace),
# vCPU threads of one VM (one event each), events (10 VMs of 2 vCPUs). Each command reads the
# whole trace (diff reads it twice) and writes to /dev/null; one run each, wall time and peak
# RSS. A command that would take the square of the size shows as "> SCALE_TIMEOUT".
SCALE_AXES="vms vcpus events"
SCALE_CMDS="report-q report log jsonl csv chrome svg diff"
scale_gen_args() { # AXIS N
	case $1 in
	vms) echo "--vms $2 --vcpus 1 --events $2" ;;
	vcpus) echo "--vms 1 --vcpus $2 --events $2" ;;
	events) echo "--vms 10 --vcpus 2 --events $2" ;;
	esac
}
scale_cmd_args() { # CMD TRACE
	case $1 in
	report-q) echo "report -q $2" ;;
	report) echo "report $2" ;;
	svg) echo "report --svg /dev/null $2" ;;
	diff) echo "diff -q $2 $2" ;;
	*) echo "report -f $1 -o /dev/null $2" ;;
	esac
}
scale_run() { # AXIS N CMD TRACE
	local v=$1:$2 t0 t1 status
	rm -f "$TMP/scale.time"
	t0=$(date +%s%N)
	# shellcheck disable=SC2046
	timeout "$SCALE_TIMEOUT" $TIME -f '%M' -o "$TMP/scale.time" \
		$BT $(scale_cmd_args "$3" "$4") >/dev/null 2>"$TMP/scale.err"
	status=$?
	t1=$(date +%s%N)
	case $status in
	0 | 1) ;; # diff: 1 would be a regression, of a file against itself
	124)
		log "scaling: $3 on $2 $1: stopped after $SCALE_TIMEOUT s"
		record scaling "$v" 1 "$3_timeout" 1
		return
		;;
	*)
		log "scaling: $3 on $2 $1 failed ($status): $(head -c 300 "$TMP/scale.err")"
		note "Scaling: \`boot-trace $(scale_cmd_args "$3" TRACE)\` failed on $2 $1 (status $status)."
		record scaling "$v" 1 "$3_failed" "$status"
		return
		;;
	esac
	record scaling "$v" 1 "$3_s" "$(calc "($t1 - $t0) / 1e9")"
	record scaling "$v" 1 "$3_rss_kb" "$(tail -1 "$TMP/scale.time" | grep -E '^[0-9]+$')"
}
if want scaling; then
	for axis in $SCALE_AXES; do
		for n in $SCALE_SIZES; do
			log "scaling: $n $axis: generating the trace"
			# shellcheck disable=SC2046
			if ! python3 scripts/gen-trace.py $(scale_gen_args "$axis" "$n") \
				-o "$TMP/scale.jsonl" 2>"$TMP/scale.err"; then
				log "scaling: gen-trace.py failed: $(head -c 300 "$TMP/scale.err")"
				continue
			fi
			# shellcheck disable=SC2046
			set -- $(scale_gen_args "$axis" "$n")
			record scaling "$axis:$n" 1 vms "$2"
			record scaling "$axis:$n" 1 vcpus "$(($2 * $4))"
			record scaling "$axis:$n" 1 events "$6"
			record scaling "$axis:$n" 1 mb "$(calc "$(stat -c %s "$TMP/scale.jsonl") / 1048576")"
			for cmd in $SCALE_CMDS; do
				log "scaling: $n $axis: $cmd"
				scale_run "$axis" "$n" "$cmd" "$TMP/scale.jsonl"
			done
			rm -f "$TMP/scale.jsonl"
		done
	done
fi

# ---- the report --------------------------------------------------------------------------

FOREIGN_END=$(foreign_tracers)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - START_S))
mkdir -p "$OUT_DIR"
cp "$RAW" "$OUT_DIR/results.csv"

us() { fmt "$(calc "$1 / 1000")" "${2:-2}"; }

UN80=$(stat_of cost untraced-0x80 wall_ns 1)
# Interquartile spread of the untraced runs, (p75 - p25) / median, in %: a difference smaller
# than that is noise.
spread() { # VARIANT METRIC
	set -- $(values cost "$1" "$2" | quartiles)
	if [ "$1" = NA ]; then echo NA; else awk "BEGIN { printf \"%.1f\\n\", ($2 - $1) / $3 * 100 }"; fi
}
NOISE80=$(spread untraced-0x80 wall_ns)
NOISE81=$(spread untraced-0x81 wall_ns)
# verdict CONDITION NOISE-PERCENT: met/MISSED, flagged when the noise is larger than 5 %
verdict() {
	local v
	v=$(met "$1")
	if ! missing "$2" && awk "BEGIN { exit !($2 > 5) }"; then
		v="$v (noise ±$2 %: not conclusive)"
	fi
	echo "$v"
}
UN81=$(stat_of cost untraced-0x81 wall_ns 1)
added() { paired cost "$1" "$2" wall_ns | stats | cut -d' ' -f1; }
A_BT=$(added boot-trace-0x80 untraced-0x80)
A_BPF_P=$(added bpftrace-printf untraced-0x80)
A_BPF_C=$(added bpftrace-count untraced-0x80)
A_PERF=$(added perf-record untraced-0x80)
A_BT81=$(added boot-trace-0x81 untraced-0x81)
added_cpu() { paired cost "$1" "$2" vcpu_cpu_ns | stats | cut -d' ' -f1; }
C_UN80=$(stat_of cost untraced-0x80 vcpu_cpu_ns 1)
C_UN81=$(stat_of cost untraced-0x81 vcpu_cpu_ns 1)
C_BT=$(added_cpu boot-trace-0x80 untraced-0x80)
C_BPF_P=$(added_cpu bpftrace-printf untraced-0x80)
C_BPF_C=$(added_cpu bpftrace-count untraced-0x80)
C_PERF=$(added_cpu perf-record untraced-0x80)
C_BT81=$(added_cpu boot-trace-0x81 untraced-0x81)

# The toggled measurement (section "toggle"): the primary cost figures when present.
T_BASE80=$(stat_of toggle boot-trace-0x80 base_ns 1)
T_BASE81=$(stat_of toggle boot-trace-0x81 base_ns 1)
T_BT=$(stat_of toggle boot-trace-0x80 added_ns 1)
T_BT81=$(stat_of toggle boot-trace-0x81 added_ns 1)
T_PERF=$(stat_of toggle perf-record-0x80 added_ns 1)
T_BPF_P=$(stat_of toggle bpftrace-printf-0x80 added_ns 1)
T_BPF_C=$(stat_of toggle bpftrace-count-0x80 added_ns 1)
T_EMPTY=$(stat_of toggle empty-bpf-0x80 added_ns 1)
# iqr SECTION VARIANT METRIC: "p25..p75"
iqr() {
	set -- $(values "$1" "$2" "$3" | quartiles)
	if [ "$1" = NA ]; then echo "-"; else echo "$(fmt "$1")..$(fmt "$2")"; fi
}
toggle_row() { # LABEL VARIANT BASE-NS
	local a
	a=$(stat_of toggle "$2" added_ns 1)
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$(fmt "$a")" "$(iqr toggle "$2" added_ns)" \
		"$(fmt "$(calc "$a / $3 * 100")" 2)" "$(stat_of toggle "$2" added_ns 5)"
}
# tverdict MEASURED LIMIT CONTROL-VARIANT: met/MISSED, flagged as not conclusive when the
# measured figure is nearer to the limit than half the control's interquartile range (the
# spread of windows where nothing was attached)
tverdict() {
	local v half
	v=$(met "$1 <= $2")
	half=$(values toggle "$3" added_ns | quartiles | { read -r q1 q3 _; calc "($q3 - $q1) / 2"; })
	if ! missing "$1 $2 $half" && awk "BEGIN { d = $1 - $2; exit !((d < 0 ? -d : d) < $half) }"; then
		v="$v (within the noise: ±$(fmt "$half") ns)"
	fi
	echo "$v"
}

# Section 7. scale_cell AXIS N CMD: seconds, "> T" when stopped, "failed", "-" when not run
scale_cell() {
	if [ -n "$(values scaling "$1:$2" "$3_timeout")" ]; then
		echo "> $SCALE_TIMEOUT"
	elif [ -n "$(values scaling "$1:$2" "$3_failed")" ]; then
		echo "failed"
	else
		fmt "$(stat_of scaling "$1:$2" "$3_s" 1)" 2
	fi
}
scale_row() { # AXIS N
	local c row
	[ -n "$(values scaling "$1:$2" events)" ] || return
	row="| $(values scaling "$1:$2" events) | $(values scaling "$1:$2" vms) | $(values scaling "$1:$2" vcpus) | $(fmt "$(values scaling "$1:$2" mb)" 0) |"
	for c in $SCALE_CMDS; do
		row="$row $(scale_cell "$1" "$2" "$c") |"
	done
	echo "$row $(awk -F, -v v="$1:$2" '$1 == "scaling" && $2 == v && $4 ~ /_rss_kb$/ && $5 > m { m = $5 }
		END { if (m) printf "%.0f", m / 1024; else print "-" }' "$RAW") |"
}
# The largest growth exponent k (time ~ n^k) between the two largest sizes measured, over the
# axes and commands: "k command axis n1 n2", and "timeout" first when a command was stopped.
scale_growth() {
	awk -F, -v sizes="$SCALE_SIZES" -v cmds="$SCALE_CMDS" '
		$1 == "scaling" { split($2, a, ":"); v[a[1], a[2], $4] = $5; axes[a[1]] = 1 }
		END {
			nz = split(sizes, z, " "); nc = split(cmds, c, " "); best = -1
			for (ax in axes) for (i = 1; i <= nc; i++) {
				for (j = 1; j <= nz; j++) if ((ax, z[j], c[i] "_timeout") in v) stopped = 1
				n1 = n2 = ""
				for (j = 1; j <= nz; j++) if ((ax, z[j], c[i] "_s") in v) { n1 = n2; n2 = z[j] }
				if (n1 == "" || v[ax, n1, c[i] "_s"] < 0.02) continue
				k = log(v[ax, n2, c[i] "_s"] / v[ax, n1, c[i] "_s"]) / log(n2 / n1)
				if (k > best) { best = k; what = c[i] " " ax " " n1 " " n2 }
			}
			if (best < 0) print (stopped ? "timeout" : "NA")
			else printf "%s%.2f %s\n", stopped ? "timeout " : "", best, what
		}' "$RAW"
}
SCALE_GROWTH=$(scale_growth)
SCALE_K=$(echo "$SCALE_GROWTH" | awk '{ print $1 == "timeout" ? ($2 == "" ? "NA" : $2) : $1 }')

cost_row() { # LABEL VARIANT BASE
	local v=$2 b=$3 a ac ratio
	a=$(added "$v" "$b")
	[ "$v" = "$b" ] && a=0
	ratio=$(calc "$(stat_of cost "$v" wall_ns 1) / $(stat_of cost "$b" wall_ns 1)")
	ac=$(paired cost "$v" "$b" vcpu_cpu_ns | stats | cut -d' ' -f1)
	[ "$v" = "$b" ] && ac=0
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" \
		"$(mmm cost "$v" wall_ns 1000 2)" \
		"$(fmt "$a" 0)" \
		"$(fmt "$ratio" 3)" \
		"$(mmm cost "$v" vcpu_cpu_ns 1000 2)" \
		"$(fmt "$ac" 0)" \
		"$(fmt "$(stat_of cost "$v" wakeups_per_1k 1)" 1)" \
		"$(fmt "$(calc "$(stat_of cost "$v" tracer_rss_kb 1) / 1024")" 1)" \
		"$(fmt "$(stat_of cost "$v" captured 1)")"
}

loss_row() { # LABEL VARIANT
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" \
		"$(stat_of loss "$2" written 1)" \
		"$(mmm loss "$2" captured 1 0)" \
		"$(mmm loss "$2" dropped 1 0)" \
		"$(mmm loss "$2" wall_ns 1000 2)" \
		"$(stat_of loss "$2" written 5)"
}

READY_BT=$(stat_of ready boot-trace ready_ns 1)
READY_BPF=$(stat_of ready bpftrace ready_ns 1)
RSS_BT=$(stat_of ready boot-trace rss_kb 1)
RSS_BPF=$(stat_of ready bpftrace rss_kb 1)
DROP_MAX=$( (values loss boot-trace-1vm dropped; values loss boot-trace-2vm dropped) | stats | cut -d' ' -f3)
LAT_MED=$(stat_of latency isolated latency_ns 1)
LEAD_MIN=$( (values fidelity markers lead_ns; values fidelity flood lead_ns) | stats | cut -d' ' -f2)
IDLE_CPU=$(stat_of idle default cpu_pct 1)
IDLE_WAKE=$(stat_of idle default wakeups_per_s 1)
IDLE_LINES=$(stat_of idle default lines_logged 1)

{
	echo "# boot-trace benchmark results"
	echo
	echo "Generated by \`make bench\` (scripts/bench.sh, mode **$MODE**) on $(date -u '+%Y-%m-%d %H:%M UTC'),"
	echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (+ local changes)'),"
	echo "kernel $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)),"
	if [ -n "$GUESTS" ]; then
		echo "TSC $(fmt "$(calc "$TSC_HZ / 1e6")" 1) MHz; bpftrace $(bpftrace --version 2>/dev/null | awk '{ print $2 }'),"
		echo "perf $(perf --version 2>/dev/null | awk '{ print $3 }'). Load average $LOAD_START at the start,"
	else
		echo "sections: $SECTIONS. Load average $LOAD_START at the start,"
	fi
	echo "$LOAD_END at the end; $ELAPSED s in all. Raw numbers: \`results.csv\`."
	echo
	if [ -n "$FOREIGN_START$FOREIGN_END" ]; then
		echo "**Caution:** other processes had BPF programs on kvm_pio or the syscall tracepoints"
		echo "during this run (pid (comm): ${FOREIGN_START:-none} at the start, ${FOREIGN_END:-none}"
		echo "at the end). Their cost is in every figure, the untraced ones included."
		echo
	fi
	echo "Figures are medians over the runs, with (min–max). Costs are timed by the guest itself"
	echo "(TSC before the first and after the last write of a tight \`out\` loop), so tracers'"
	echo "start-up and exit are not counted. *Added* is the median over rounds of (variant −"
	echo "untraced) within the same round. *vCPU CPU* is the VMM's CPU time per write (start-up"
	echo "subtracted; *added CPU* likewise paired): it leaves out time the vCPU thread waited or was"
	echo "preempted, so on a busy host it is the steadier figure. *Tracer sleeps*"
	echo "are its voluntary context switches (every wake-up, and every poll on its own timer) per"
	echo "1000 writes; *RSS* its peak (GNU time)."
	echo
	echo "## 1. Cost per traced write (port 0x80, $N_COST writes, $ROUNDS rounds)"
	echo
	echo "| variant | µs per exit | added ns per write | ratio to untraced | vCPU CPU µs per write | added CPU ns | tracer sleeps per 1000 writes | peak RSS MiB | captured |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	cost_row "untraced" untraced-0x80 untraced-0x80
	cost_row "boot-trace run" boot-trace-0x80 untraced-0x80
	cost_row "bpftrace, printf of each write" bpftrace-printf untraced-0x80
	cost_row "bpftrace, count only" bpftrace-count untraced-0x80
	cost_row "perf record -e kvm:kvm_pio --filter" perf-record untraced-0x80
	echo
	echo "bpftrace: \`$BPFTRACE_PRINTF\` and \`$BPFTRACE_COUNT\` (system-wide, as usually run)."
	echo "perf and boot-trace trace the VMM's processes only. RSS includes the traced VMM when it"
	echo "is larger (the tracer's children count in its peak)."
	echo
	echo "## 2. Cost on exits that are not traced (port 0x81)"
	echo
	echo "| variant | µs per exit | added ns per write | ratio to untraced | vCPU CPU µs per write | added CPU ns | tracer sleeps per 1000 writes | peak RSS MiB | captured |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	cost_row "untraced" untraced-0x81 untraced-0x81
	cost_row "boot-trace run (traces 0x80)" boot-trace-0x81 untraced-0x81
	echo
	echo "## 1 and 2, measured beside one running guest ($TOGGLE_CYCLES cycles; $((2 * TOGGLE_CYCLES)) for port 0x81)"
	echo
	echo "One \`piobatch\` guest writes in batches of $TOGGLE_BATCH and times each batch with its TSC, for"
	echo "the whole measurement; each tracer in turn is attached for $TOGGLE_ON_S s and detached for"
	echo "$TOGGLE_OFF_S s. A traced window (from when the tracer is surely attached to its stop) is"
	echo "compared with the mean of the untraced windows just before and after it: seconds apart,"
	echo "where separate runs of a guest differ by several %. *Added* is the median over the"
	echo "traced windows of (traced − untraced) ns per exit. *No tracer* goes through the same"
	echo "motions with \`sleep\` instead of a tracer: what it shows is the noise floor. *An empty"
	echo "BPF program* (\`btbench empty-prog\`: return 0, on raw tracepoint kvm_pio) is the floor"
	echo "under any BPF tracer's cost here."
	echo
	echo "| variant | added ns per write | interquartile range | % of the untraced exit | windows |"
	echo "| --- | --- | --- | --- | --- |"
	toggle_row "port 0x80: no tracer (control)" nothing-0x80 "$T_BASE80"
	toggle_row "port 0x80: an empty BPF program on kvm_pio" empty-bpf-0x80 "$T_BASE80"
	toggle_row "port 0x80: \`boot-trace record -p\`" boot-trace-0x80 "$T_BASE80"
	toggle_row "port 0x80: bpftrace, printf of each write" bpftrace-printf-0x80 "$T_BASE80"
	toggle_row "port 0x80: bpftrace, count only" bpftrace-count-0x80 "$T_BASE80"
	toggle_row "port 0x80: \`perf record -p\` kvm:kvm_pio --filter" perf-record-0x80 "$T_BASE80"
	toggle_row "port 0x81: no tracer (control)" nothing-0x81 "$T_BASE81"
	toggle_row "port 0x81: \`boot-trace record -p\` (traces 0x80)" boot-trace-0x81 "$T_BASE81"
	echo
	echo "Untraced exit here: $(us "$T_BASE80") µs (port 0x80), $(us "$T_BASE81") µs (port 0x81)."
	echo
	echo "In-kernel cost with BPF run-time statistics on ($N_COST traced writes; the statistics add"
	echo "some tens of ns to each run):"
	echo
	echo "| BPF program | runs (all guests on the host) | ns per run | ns per traced write (all runs / writes) |"
	echo "| --- | --- | --- | --- |"
	for p in $(awk -F, '$1 == "profile" { print $2 }' "$RAW" | sort -u); do
		echo "| $p | $(stat_of profile "$p" run_cnt 1) | $(fmt "$(stat_of profile "$p" avg_ns 1)") | $(fmt "$(stat_of profile "$p" per_write_ns 1)") |"
	done
	echo
	echo "## 3. Loss ($N_LOSS writes per VM, as fast as one vCPU can; $LOSS_ROUNDS round(s))"
	echo
	echo "| tracer | written | captured | dropped | µs per exit | runs |"
	echo "| --- | --- | --- | --- | --- | --- |"
	loss_row "boot-trace, 1 VM (default buffer)" boot-trace-1vm
	loss_row "boot-trace, 2 VMs at once" boot-trace-2vm
	loss_row "bpftrace printf, 1 VM" bpftrace-1vm
	loss_row "bpftrace printf, 2 VMs" bpftrace-2vm
	loss_row "perf record, 1 VM" perf-1vm
	loss_row "perf record, 2 VMs" perf-2vm
	echo
	echo "bpftrace reports lost events for its whole trace (all VMs on the host); perf its LOST"
	echo "records. boot-trace counts failed reservations exactly (captured + dropped = written)."
	echo
	echo "## 4. Ready-to-trace latency and footprint ($READY_ROUNDS rounds)"
	echo
	echo "A running guest writes every ~20 µs; from launching the tracer to the in-kernel stamp"
	echo "of the first write it captured (*ready*), and to that line being readable on its stdout"
	echo "pipe (*readable*; bpftrace block-buffers a pipe). Peak RSS over that and one more"
	echo "second of tracing (GNU time)."
	echo
	echo "| tracer | ready ms | readable ms | peak RSS MiB |"
	echo "| --- | --- | --- | --- |"
	echo "| \`boot-trace record -p PID -f jsonl\` | $(mmm ready boot-trace ready_ns 1e6 1) | $(mmm ready boot-trace readable_ns 1e6 1) | $(mmm ready boot-trace rss_kb 1024 1) |"
	echo "| bpftrace one-liner, pid filter | $(mmm ready bpftrace ready_ns 1e6 1) | $(mmm ready bpftrace readable_ns 1e6 1) | $(mmm ready bpftrace rss_kb 1024 1) |"
	echo
	echo "## 5. Idle daemon"
	echo
	if [ "$DAEMON" = yes ]; then
		echo "\`boot-trace daemon\` over $IDLE_S s each, no guest of this benchmark running. It traces"
		echo "every VM on the host: the lines it logged meanwhile come from other guests, and"
		echo "the host was idle only if there are none."
		echo
		echo "| daemon | CPU % of one core | wake-ups per second | lines logged |"
		echo "| --- | --- | --- | --- |"
		for v in default unused-port; do
			label="as installed (port 0x80)"
			[ $v = unused-port ] && label="\`--port 0x9f\` (no guest writes there)"
			echo "| $label | $(fmt "$(stat_of idle $v cpu_pct 1)" 4) | $(fmt "$(stat_of idle $v wakeups_per_s 1)" 2) | $(stat_of idle $v lines_logged 1) |"
		done
	else
		case $DAEMON in
		no) echo "not available: \`boot-trace daemon\` does not exist in this build." ;;
		not\ measured*) echo "$DAEMON." ;;
		*) echo "not available: \`boot-trace daemon\` $DAEMON." ;;
		esac
	fi
	echo
	echo "## 6. Timestamp fidelity and marker-to-log latency"
	echo
	echo "Lead of boot-trace's in-kernel stamp over vmm-min's own CLOCK_MONOTONIC stamp of the same"
	echo "exit (\`--log-io\`, taken when KVM_RUN returned to it); negative would mean boot-trace is"
	echo "later."
	echo
	echo "| writes | pairs | lead median µs | p99 µs | min µs | max µs |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for k in markers flood; do
		set -- $(values fidelity $k lead_ns | stats)
		label="isolated markers, 1 ms apart"
		[ $k = flood ] && label="flood (tight loop)"
		echo "| $label | $5 | $(us "$1") | $(us "$4") | $(us "$2") | $(us "$3") |"
	done
	echo
	echo "Stage durations (one marker per stage, 10 ms apart): boot-trace's summary against the"
	echo "guest's TSC read at each marker, converted at the host's TSC frequency:"
	echo
	echo "| stage | boot-trace ms | guest TSC ms |"
	echo "| --- | --- | --- |"
	for st in Firmware Bootloader Kernel Userspace; do
		echo "| $st | $(mmm tsc "$st" bt_ns 1e6 3) | $(mmm tsc "$st" guest_ns 1e6 3) |"
	done
	set -- $(values tsc all abs_error_ns | stats)
	echo
	echo "Error |boot-trace − TSC| over $5 stage durations: median $(us "$1") µs, p99 $(us "$4") µs,"
	echo "max $(us "$3") µs."
	echo
	echo "Marker-to-log latency, markers 100 ms apart, from the in-kernel stamp to the jsonl line"
	echo "being readable on a pipe from \`boot-trace run -f jsonl\`:"
	echo
	echo "| markers | count | median µs | p99 µs | max µs |"
	echo "| --- | --- | --- | --- | --- |"
	for k in isolated busy; do
		set -- $(values latency $k latency_ns | stats)
		label="isolated"
		[ $k = busy ] && label="while another traced VM writes every ~50 µs"
		echo "| $label | $5 | $(us "$1") | $(us "$4") | $(us "$3") |"
	done
	echo
	echo "## 7. Scaling of report, its writers and diff (sizes: $SCALE_SIZES)"
	echo
	echo "Synthetic jsonl traces (\`scripts/gen-trace.py\`), grown along one axis at a time: VMs (one"
	echo "vCPU and one event each, 1000 running at once, as in a busy host's daemon trace), vCPU"
	echo "threads of one VM (one event each), events (10 VMs of 2 vCPUs). Seconds of wall time of one"
	echo "run of each command over the whole trace, output to /dev/null (\`report -q\`: the reader and"
	echo "the statistics alone; \`report\`: with the summary table; \`-f FMT -o /dev/null\`, \`--svg"
	echo "/dev/null\`: with it, and that writer; \`diff -q A A\`: the trace against itself). Peak RSS:"
	echo "the largest of the commands'. \"> S\": stopped after S seconds."
	echo
	echo "| events | VMs | vCPUs | MB | report -q | report | -f log | -f jsonl | -f csv | -f chrome | --svg | diff | peak RSS MiB |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for axis in $SCALE_AXES; do
		for n in $SCALE_SIZES; do
			scale_row "$axis" "$n"
		done
	done
	echo
	case $SCALE_GROWTH in
	NA) echo "Growth: not measured in this run." ;;
	*)
		set -- $SCALE_GROWTH
		[ "$1" = timeout ] && shift && echo "A command was stopped (above)."
		[ $# -ge 5 ] && echo "Steepest growth: time ∝ n^$1 (\`$2\`, $3 from $4 to $5), where n log n would be" \
			"n^$(awk -v a="$4" -v b="$5" 'BEGIN { printf "%.2f", 1 + log(log(b) / log(a)) / log(b / a) }')" \
			"and n² n^2."
		;;
	esac
	echo
	console_report
	testrun_report
	echo "## Targets"
	echo
	echo "Interquartile spread of the untraced runs: $NOISE80 % (port 0x80) and $NOISE81 % (port 0x81) of"
	echo "their median. Cost differences smaller than that are not measurable in this run; the"
	echo "cost verdicts say so when it exceeds 5 %."
	echo
	echo "| target | measured | |"
	echo "| --- | --- | --- |"
	if ! missing "$T_BT $T_BT81"; then
		echo "| added cost per traced write <= 2 % of the untraced exit | beside one guest: $(fmt "$T_BT") ns = $(fmt "$(calc "$T_BT / $T_BASE80 * 100")" 2) % of $(us "$T_BASE80") µs (an empty BPF program there: $(fmt "$T_EMPTY") ns); separate runs: $(fmt "$A_BT") ns = $(fmt "$(calc "$A_BT / $UN80 * 100")" 2) % (noise ±$NOISE80 %) | $(tverdict "$T_BT" "0.02 * $T_BASE80" nothing-0x80) |"
		echo "| ... and below perf record's and bpftrace's | beside one guest: boot-trace $(fmt "$T_BT") ns; perf $(fmt "$T_PERF") ns, bpftrace printf $(fmt "$T_BPF_P") ns, count $(fmt "$T_BPF_C") ns | $(met "$T_BT < $T_PERF && $T_BT < $T_BPF_P && $T_BT < $T_BPF_C") |"
		echo "| untraced-port exits: <= 1 % | beside one guest: $(fmt "$T_BT81") ns = $(fmt "$(calc "$T_BT81 / $T_BASE81 * 100")" 2) %; separate runs: $(fmt "$A_BT81") ns = $(fmt "$(calc "$A_BT81 / $UN81 * 100")" 2) % (noise ±$NOISE81 %) | $(tverdict "$T_BT81" "0.01 * $T_BASE81" nothing-0x81) |"
	else
		echo "| added cost per traced write <= 2 % of the untraced exit | $(fmt "$A_BT") ns = $(fmt "$(calc "$A_BT / $UN80 * 100")" 2) % of $(us "$UN80") µs (vCPU CPU: $(fmt "$C_BT") ns = $(fmt "$(calc "$C_BT / $C_UN80 * 100")" 2) %) | $(verdict "$A_BT <= 0.02 * $UN80" "$NOISE80") |"
		echo "| ... and below perf record's and bpftrace's | boot-trace $(fmt "$A_BT") ns; perf $(fmt "$A_PERF") ns, bpftrace printf $(fmt "$A_BPF_P") ns, count $(fmt "$A_BPF_C") ns (vCPU CPU: $(fmt "$C_BT"); $(fmt "$C_PERF"), $(fmt "$C_BPF_P"), $(fmt "$C_BPF_C") ns) | $(verdict "$A_BT < $A_PERF && $A_BT < $A_BPF_P && $A_BT < $A_BPF_C" "$NOISE80") |"
		echo "| untraced-port exits: <= 1 % | $(fmt "$A_BT81") ns = $(fmt "$(calc "$A_BT81 / $UN81 * 100")" 2) % (vCPU CPU: $(fmt "$C_BT81") ns = $(fmt "$(calc "$C_BT81 / $C_UN81 * 100")" 2) %) | $(verdict "$A_BT81 <= 0.01 * $UN81" "$NOISE81") |"
	fi
	echo "| zero drops, 1M writes, default buffer, 1 and 2 VMs | max $(fmt "$DROP_MAX") dropped ($N_LOSS writes per VM) | $(met "$DROP_MAX == 0")$([ "$N_LOSS" -lt 1000000 ] && echo " (quick: fewer writes)") |"
	echo "| ready-to-trace <= 1/20 of bpftrace's | $(fmt "$(calc "$READY_BT / 1e6")" 1) ms vs $(fmt "$(calc "$READY_BPF / 1e6")" 1) ms (1/$(fmt "$(calc "$READY_BPF / $READY_BT")" 1)) | $(met "$READY_BT * 20 <= $READY_BPF") |"
	echo "| peak RSS <= 1/10 of bpftrace's | $(fmt "$(calc "$RSS_BT / 1024")" 1) MiB vs $(fmt "$(calc "$RSS_BPF / 1024")" 1) MiB (1/$(fmt "$(calc "$RSS_BPF / $RSS_BT")" 1)) | $(met "$RSS_BT * 10 <= $RSS_BPF") |"
	if [ "$DAEMON" = yes ] && [ "$IDLE_LINES" = 0 ]; then
		echo "| idle daemon: no wake-ups beyond its flush timer, CPU < 0.1 % | $(fmt "$IDLE_WAKE" 2) wake-ups/s, $(fmt "$IDLE_CPU" 4) % | $(met "$IDLE_WAKE < 1 && $IDLE_CPU < 0.1") |"
	elif [ "$DAEMON" = yes ] && [ "$(stat_of idle unused-port lines_logged 1)" = 0 ]; then
		w=$(stat_of idle unused-port wakeups_per_s 1)
		c=$(stat_of idle unused-port cpu_pct 1)
		echo "| idle daemon: no wake-ups beyond its flush timer, CPU < 0.1 % | $(fmt "$w" 2) wake-ups/s, $(fmt "$c" 4) % with \`--port 0x9f\` (the host was not idle: $IDLE_LINES lines from other guests in $IDLE_S s on port 0x80) | $(met "$w < 1 && $c < 0.1") |"
	elif [ "$DAEMON" = yes ]; then
		echo "| idle daemon: no wake-ups beyond its flush timer, CPU < 0.1 % | host not idle: $IDLE_LINES lines from other guests in $IDLE_S s ($(fmt "$IDLE_WAKE" 2) wake-ups/s, $(fmt "$IDLE_CPU" 4) %) | n/a |"
	else
		echo "| idle daemon | $([ "$DAEMON" = no ] && echo "not available" || echo "$DAEMON") | n/a |"
	fi
	echo "| marker-to-log latency of an isolated write: median <= 5 ms | $(us "$LAT_MED") µs | $(met "$LAT_MED <= 5000000") |"
	echo "| in-kernel stamp never later than vmm-min's | min lead $(us "$LEAD_MIN") µs | $(met "$LEAD_MIN >= 0") |"
	if [ "$SCALE_GROWTH" = NA ]; then
		echo "| report, its writers and diff: O(n log n) or better in VMs, vCPUs and events | not measured | n/a |"
	else
		echo "| report, its writers and diff: O(n log n) or better in VMs, vCPUs and events | steepest growth n^$(fmt "$SCALE_K" 2)$(case $SCALE_GROWTH in timeout*) echo "; a command stopped after $SCALE_TIMEOUT s" ;; esac) (section 7) | $(case $SCALE_GROWTH in timeout*) echo "**MISSED**" ;; *) met "$SCALE_K <= 1.3" ;; esac) |"
	fi
	if [ -s "$NOTES" ]; then
		echo
		echo "## Notes"
		echo
		sed 's/^/- /' "$NOTES"
	fi
} >"$OUT_DIR/results.md"

log "done: $OUT_DIR/results.md, $OUT_DIR/results.csv"
awk '/^## Targets/ { s = 1 } s' "$OUT_DIR/results.md"
