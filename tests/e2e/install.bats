#!/usr/bin/env bats
# make install and uninstall (DESTDIR, PREFIX), and what they install: the binary, the systemd
# unit (its sandbox must not blind the daemon), the man page, the bash completion and the
# logrotate snippet.

load common

# make install or uninstall from the build under test (BUILD), not a second build in build/.
make_root() {
	make -s -C "$ROOT" OUT="$BUILD" "$@"
}

# Every file (and symbolic link) under $1, relative to it, sorted.
files_under() {
	(cd "$1" && find . ! -type d | sed 's|^\./||' | sort)
}

teardown() {
	[ -z "${RUN_DIR:-}" ] || rm -rf "$RUN_DIR"
	[ -z "${UNIT_NAME:-}" ] || rm -rf "/var/log/$UNIT_NAME" "/var/lib/$UNIT_NAME"
}

@test "make install honours DESTDIR and PREFIX, and installs exactly its five files" {
	make_root install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	r="$BATS_TEST_TMPDIR/root"
	[ "$(files_under "$r")" = "etc/logrotate.d/boot-trace
usr/bin/boot-trace
usr/lib/systemd/system/boot-trace.service
usr/share/bash-completion/completions/boot-trace
usr/share/man/man8/boot-trace.8" ]
	[ "$(stat -c %a "$r/usr/bin/boot-trace")" = 755 ]
	for f in usr/lib/systemd/system/boot-trace.service usr/share/man/man8/boot-trace.8 \
		usr/share/bash-completion/completions/boot-trace etc/logrotate.d/boot-trace; do
		[ "$(stat -c %a "$r/$f")" = 644 ]
	done
	grep -q '^ExecStart=/usr/bin/boot-trace daemon \\$' "$r/usr/lib/systemd/system/boot-trace.service"
	cmp "$ROOT/dist/boot-trace.bash-completion" "$r/usr/share/bash-completion/completions/boot-trace"
	cmp "$ROOT/dist/boot-trace.logrotate" "$r/etc/logrotate.d/boot-trace"
	"$r/usr/bin/boot-trace" --version
}

@test "make uninstall removes exactly what make install put there" {
	r="$BATS_TEST_TMPDIR/root"
	# Files of others in the same directories.
	mkdir -p "$r/usr/bin" "$r/etc/logrotate.d" "$r/usr/share/bash-completion/completions"
	touch "$r/usr/bin/other" "$r/etc/logrotate.d/other" "$r/usr/share/bash-completion/completions/other"
	before=$(files_under "$r")
	make_root install DESTDIR="$r" PREFIX=/usr
	[ "$(files_under "$r" | wc -l)" -eq 8 ]
	make_root uninstall DESTDIR="$r" PREFIX=/usr
	[ "$(files_under "$r")" = "$before" ]
	# Again, with nothing left to remove; and the default PREFIX, /usr/local.
	make_root uninstall DESTDIR="$r" PREFIX=/usr
	make_root install DESTDIR="$r"
	[ -x "$r/usr/local/bin/boot-trace" ]
	[ -f "$r/usr/local/share/bash-completion/completions/boot-trace" ]
	[ -f "$r/etc/logrotate.d/boot-trace" ]
	make_root uninstall DESTDIR="$r"
	[ "$(files_under "$r")" = "$before" ]
}

@test "the installed unit passes systemd-analyze verify, with least privileges" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	p="$BATS_TEST_TMPDIR/prefix"
	make_root install PREFIX="$p"
	unit="$p/lib/systemd/system/boot-trace.service"
	run systemd-analyze verify --man=no "$unit"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -q '^CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_PTRACE$' "$unit"
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit"
	# The hardening, all of it still there.
	for line in NoNewPrivileges=yes LogsDirectory=boot-trace StateDirectory=boot-trace \
		RuntimeDirectory=boot-trace ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
		PrivateNetwork=yes ProtectClock=yes ProtectHostname=yes ProtectKernelModules=yes \
		RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes \
		SystemCallArchitectures=native; do
		grep -qx "$line" "$unit"
	done
}

@test "the unit lets the daemon open its uevent socket: AF_NETLINK allowed, no PrivateUsers=" {
	unit="$ROOT/dist/boot-trace.service"
	# kvm_uevent_open(): socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT). With AF_UNIX
	# alone, systemd's seccomp filter refuses it (EAFNOSUPPORT) and a VM closed while its
	# VMM lives on only ends when the VMM exits.
	grep -q 'NETLINK_KOBJECT_UEVENT' "$ROOT/user/capture/kvm_uevent.c"
	line=$(grep '^RestrictAddressFamilies=' "$unit")
	[[ " ${line#*=} " == *" AF_NETLINK "* ]]
	[[ " ${line#*=} " == *" AF_UNIX "* ]]
	# A network namespace of a user namespace of its own hears no kernel uevent (next test).
	run grep '^PrivateUsers=' "$unit"
	[ "$status" -eq 1 ]
}

@test "a private network namespace, as PrivateNetwork=yes makes, still hears the kernel's uevents" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (unshare, a synthetic uevent)"
	dev=/sys/devices/virtual/mem/null/uevent
	[ -w "$dev" ] || skip "$dev is not writable here"
	command -v unshare >/dev/null || skip "unshare is not installed"
	# The first uevent of the kernel's group (as the daemon binds it) with our SYNTH_UUID.
	cat >"$BATS_TEST_TMPDIR/listen.pl" <<'EOF'
socket(my $s, 16, 3, 15) or die "socket: $!\n";         # AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT
bind($s, pack("SSLL", 16, 0, 0, 1)) or die "bind: $!\n"; # sockaddr_nl, group 1: the kernel's
$| = 1; print "listening\n";
my $end = time + 5;
while (time < $end) {
	my $rin = ''; vec($rin, fileno($s), 1) = 1;
	select(my $rout = $rin, undef, undef, 0.2) or next;
	defined(recv($s, my $buf, 8192, 0)) or die "recv: $!\n";
	if (grep { $_ eq "SYNTH_UUID=$ARGV[0]" } split /\0/, $buf) { print "heard\n"; exit 0; }
}
print "not heard\n"; exit 1;
EOF
	hears() {
		local uuid out="$BATS_TEST_TMPDIR/listen.out" pid status=0
		uuid=$(cat /proc/sys/kernel/random/uuid)
		"$@" perl "$BATS_TEST_TMPDIR/listen.pl" "$uuid" >"$out" 2>&1 &
		pid=$!
		wait_for_line "$out" listening 50 || { kill "$pid"; return 2; }
		echo "change $uuid" >"$dev"
		wait "$pid" || status=$?
		cat "$out"
		return "$status"
	}
	hears                   # the host's namespace
	hears unshare --net     # PrivateNetwork=yes: a new one, of the initial user namespace
	# The control: a network namespace of another user namespace hears nothing.
	if unshare --user --map-root-user true 2>/dev/null; then
		run hears unshare --user --map-root-user --net
		[ "$status" -eq 1 ]
		[[ "$output" == *"not heard"* ]]
	fi
}

@test "the daemon opens its uevent socket in a private network namespace" {
	require_bpf
	command -v unshare >/dev/null || skip "unshare is not installed"
	# -v names a uevent socket that could not be opened ("no KVM uevents").
	run timeout -s INT "$(slow 3)" unshare --net "$BT" daemon -v --lock "$BATS_TEST_TMPDIR/lock"
	[[ "$output" == *"daemon tracing every KVM guest"* ]]
	[[ "$output" != *"no KVM uevents"* ]]
}

# The installed unit's sandbox as systemd itself applies it (seccomp, namespaces, capabilities).
@test "under the unit's sandbox the daemon still opens its uevent socket (systemd hosts)" {
	require_bpf
	[ -d /run/systemd/system ] || skip "systemd is not PID 1 here"
	command -v systemd-run >/dev/null || skip "systemd-run is not installed"
	# Not under /tmp or /home, which the unit hides (PrivateTmp=, ProtectHome=).
	RUN_DIR=$(mktemp -d /run/boot-trace-test-XXXXXX)
	make_root install DESTDIR="$RUN_DIR" PREFIX=/usr
	UNIT_NAME=boot-trace-sandbox-${RUN_DIR##*-}
	name=$UNIT_NAME
	props=()
	while IFS= read -r line; do
		case $line in
		'' | '#'* | '['* | [[:space:]]* | ExecStart=* | ExecReload=* | Restart=* | Type=*)
			continue
			;;
		# Directories of its own: a running boot-trace.service keeps its own.
		LogsDirectory=* | StateDirectory=* | RuntimeDirectory=*)
			line=${line%%=*}=$name
			;;
		esac
		props+=(-p "$line")
	done < <(sed -n '/^\[Service\]/,/^\[/p' "$RUN_DIR/usr/lib/systemd/system/boot-trace.service")
	[ "${#props[@]}" -gt 30 ]
	run timeout 60 systemd-run --quiet --wait --collect --unit="$name" "${props[@]}" \
		-p RuntimeMaxSec="$(slow 3)" -p StandardOutput=file:"$RUN_DIR/out" \
		-p StandardError=file:"$RUN_DIR/out" \
		"$RUN_DIR/usr/bin/boot-trace" daemon -v --lock "/run/$name/daemon.lock"
	cat "$RUN_DIR/out"
	grep -q "daemon tracing every KVM guest" "$RUN_DIR/out"
	run grep "no KVM uevents" "$RUN_DIR/out"
	[ "$status" -eq 1 ]
}

@test "the daemon's help points metrics where the unit keeps them, and node_exporter there" {
	run "$BT" daemon --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--metrics-dir /var/lib/boot-trace"* ]]
	[[ "$output" == *"--collector.textfile.directory"*"/var/lib/boot-trace"* ]]
	[[ "$output" != *"/var/lib/prometheus"* ]]
	[[ "$output" != *node-exporter* ]]
	# Its example is the unit's command line.
	unit="$ROOT/dist/boot-trace.service"
	for f in /var/log/boot-trace/boot-trace.log /var/log/boot-trace/boot-trace.jsonl; do
		grep -qF -- "$f" "$unit"
		[[ "$output" == *"$f"* ]]
	done
	grep -q -- '--metrics-dir /var/lib/boot-trace$' "$unit"
	grep -qx 'StateDirectory=boot-trace' "$unit"
}

@test "the man page renders without warnings and covers every command" {
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$ROOT/dist/boot-trace.8" 2>&1 >/dev/null)
	[ -z "$out" ]
	[ -z "$(groff -man -ww -z "$ROOT/dist/boot-trace.8" 2>&1)" ]
	text=$(LC_ALL=C.UTF-8 groff -man -Tutf8 "$ROOT/dist/boot-trace.8" | col -bx | tr -s " ")
	for word in "boot-trace run" "boot-trace record" "boot-trace daemon" --metrics-dir --lock SIGHUP; do
		[[ "$text" == *"$word"* ]]
	done
}

@test "the man page lists the installed files and points node_exporter at the unit's metrics" {
	# One line per paragraph: nothing broken at a line's end.
	text=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=4000n "$ROOT/dist/boot-trace.8" |
		col -bx | tr -s " ")
	files=$(sed -n '/^FILES$/,/^EXAMPLES$/p' <<<"$text")
	for f in PREFIX/lib/systemd/system/boot-trace.service \
		PREFIX/share/bash-completion/completions/boot-trace /etc/logrotate.d/boot-trace \
		/var/lib/boot-trace/boot_trace.prom /run/boot-trace/daemon.lock \
		/var/log/boot-trace/boot-trace.log "make uninstall"; do
		[[ "$files" == *"$f"* ]]
	done
	[[ "$files" == *"--collector.textfile.directory=/var/lib/boot-trace"* ]]
	[[ "$files" == *AF_NETLINK* ]]
	see_also=$(sed -n '/^SEE ALSO$/,$p' <<<"$text")
	for ref in "systemd-analyze(1)" "logrotate(8)" node_exporter; do
		[[ "$see_also" == *"$ref"* ]]
	done
}

@test "the logrotate snippet parses, and rotates and compresses without the unit running" {
	command -v logrotate >/dev/null || skip "logrotate is not installed (scripts/install-deps.sh)"
	d="$BATS_TEST_TMPDIR"
	make_root install DESTDIR="$d/root" PREFIX=/usr
	snippet="$d/root/etc/logrotate.d/boot-trace"
	# logrotate -d exits 0 even on a bad line: its messages must name no error.
	run logrotate -d -s "$d/state" "$snippet"
	[ "$status" -eq 0 ]
	[[ "$output" != *error* ]]
	[[ "$output" == *"/var/log/boot-trace/*.log /var/log/boot-trace/*.jsonl"* ]]
	for directive in compress delaycompress missingok notifempty postrotate endscript \
		"systemctl reload boot-trace"; do
		grep -q "$directive" "$snippet"
	done
	# For real, on copies of the daemon's files; the unit is not running (nor installed) here:
	# the postrotate reload is skipped, not failed.
	mkdir "$d/log"
	sed -e "s|/var/log/boot-trace/|$d/log/|g" \
		-e "s|boot-trace.service|boot-trace-test-$$.service|g" "$snippet" >"$d/lr.conf"
	# logrotate ignores a configuration or a directory others can write to.
	chmod 0644 "$d/lr.conf"
	chmod 0755 "$d/log"
	echo line1 >"$d/log/boot-trace.log"
	echo '{"type":"event"}' >"$d/log/boot-trace.jsonl"
	: >"$d/log/empty.log"
	logrotate -f -s "$d/state" "$d/lr.conf"
	# delaycompress: the newest rotation stays plain (the daemon may still write to it).
	[ -f "$d/log/boot-trace.log.1" ]
	[ -f "$d/log/boot-trace.jsonl.1" ]
	[ ! -e "$d/log/boot-trace.log" ]
	[ ! -e "$d/log/empty.log.1" ] # notifempty
	echo line2 >"$d/log/boot-trace.log"
	logrotate -f -s "$d/state" "$d/lr.conf"
	[ "$(gzip -dc "$d/log/boot-trace.log.2.gz")" = line1 ]
	[ "$(cat "$d/log/boot-trace.log.1")" = line2 ]
	# missingok: no file at all is fine.
	rm -f "$d"/log/*
	logrotate -f -s "$d/state" "$d/lr.conf"
}

# ---- bash completion -------------------------------------------------------------------

load_completion() {
	if [ -r /usr/share/bash-completion/bash_completion ]; then
		# shellcheck disable=SC1091
		. /usr/share/bash-completion/bash_completion || true
	fi
	. "$ROOT/dist/boot-trace.bash-completion"
}

# What the completion offers for the command line WORDS (the last is the word being
# completed: "" for a new one), one per line, sorted, called as bash calls it.
complete_words() {
	local line="" w last=""
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	for w in "$@"; do
		if [ -z "$line" ]; then
			line=$w
		elif [ "$w" = = ] || [ "$last" = = ]; then
			line+=$w # --opt=value: readline splits it into "--opt" "=" "value"
		else
			line+=" $w"
		fi
		last=$w
	done
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_boot_trace 2>/dev/null || true
	[ "${#COMPREPLY[@]}" -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

# $1 (lines) holds every word after it.
has() {
	local list=$1 w
	shift
	for w; do
		grep -qxF -- "$w" <<<"$list" || { echo "missing '$w' in: $list" >&2; return 1; }
	done
}

# $1 (lines) holds none of the words after it.
lacks() {
	local list=$1 w
	shift
	for w; do
		! grep -qxF -- "$w" <<<"$list" || { echo "unexpected '$w' in: $list" >&2; return 1; }
	done
}

@test "completion: commands, and each command's own options" {
	load_completion
	[ "$(complete_words boot-trace "")" = "$(printf '%s\n' daemon diff help record report run)" ]
	[ "$(complete_words boot-trace re)" = "$(printf '%s\n' record report)" ]
	has "$(complete_words boot-trace -)" --help --version
	[ "$(complete_words boot-trace help re)" = "$(printf '%s\n' record report)" ]
	lacks "$(complete_words boot-trace help "")" help

	out=$(complete_words boot-trace report --)
	has "$out" --svg --output --format --quiet --help --version
	lacks "$out" --port --labels --mmio --buffer-size --threshold --repeat --log-file
	has "$out" --vm --pid --comm --since --until
	out=$(complete_words boot-trace diff --)
	has "$out" --threshold --alpha --include-incomplete --json --junit --quiet --help
	lacks "$out" --svg --output --format --port --pid
	out=$(complete_words boot-trace run --)
	has "$out" --repeat --output --format --port --labels --mmio --buffer-size --
	has "$out" --console --debugcon --rules --phases --ab --parallel --svg --threshold --alpha
	lacks "$out" --pid --all --metrics-dir --include-incomplete --vm
	out=$(complete_words boot-trace record -)
	has "$out" -p --pid -a --all -o -f -b --port --labels --mmio --console --rules
	lacks "$out" --repeat --svg --threshold --lock --ab --parallel
	out=$(complete_words boot-trace daemon --)
	has "$out" --log-file --jsonl --metrics-dir --lock --port --labels --mmio --buffer-size
	has "$out" --console --debugcon --rules --phases
	lacks "$out" --output --format --pid --all --repeat --svg --ab
	# Every option offered is one the command accepts: its --help names it.
	for cmd in run record report diff daemon; do
		help=$("$BT" "$cmd" --help)
		for opt in $(complete_words boot-trace "$cmd" -); do
			[ "$opt" = -- ] || [[ "$help" == *"$opt"[\ ,]* ]] ||
				{ echo "$cmd: $opt is not in its --help" >&2; return 1; }
		done
	done
}

@test "completion: option values, files, directories and pids" {
	load_completion
	cd "$BATS_TEST_TMPDIR"
	mkdir sub
	touch a.jsonl b.txt my.labels
	formats=$(printf '%s\n' chrome csv jsonl log svg)
	[ "$(complete_words boot-trace run -f "")" = "$formats" ]
	[ "$(complete_words boot-trace report --format = "")" = "$formats" ]
	[ "$(complete_words boot-trace record --format = c)" = "$(printf '%s\n' chrome csv)" ]
	has "$(complete_words boot-trace run --labels "")" debug-port qboot my.labels
	has "$(complete_words boot-trace daemon --port 0xf4 --labels q)" qboot
	for opt in -o --output --svg; do
		has "$(complete_words boot-trace report "$opt" "")" a.jsonl b.txt sub
	done
	for opt in --log-file --jsonl --lock; do
		has "$(complete_words boot-trace daemon "$opt" "")" a.jsonl b.txt
	done
	out=$(complete_words boot-trace daemon --metrics-dir "")
	has "$out" sub
	lacks "$out" a.jsonl b.txt
	out=$(complete_words boot-trace report "")
	has "$out" a.jsonl sub
	lacks "$out" b.txt my.labels
	out=$(complete_words boot-trace diff --threshold 5 a.jsonl "")
	has "$out" a.jsonl
	lacks "$out" b.txt
	has "$(complete_words boot-trace record -p "$$")" "$$"
	has "$(complete_words boot-trace record --pid = "$$")" "$$"
}

@test "completion: the COMMAND of run, after -- or its options" {
	load_completion
	has "$(complete_words boot-trace run -- bas)" bash
	has "$(complete_words boot-trace run -q -f jsonl -o x.jsonl --port 0xf4 --mmio -- bas)" bash
	# run stops at its first argument that is not an option: that is COMMAND.
	has "$(complete_words boot-trace run --repeat 3 bas)" bash
	has "$(complete_words boot-trace run --mmio 0xc0000000 = 123 bas)" bash
	declare -F _command_offset >/dev/null || skip "bash-completion is not installed"
	# COMMAND's own completion, through bash-completion's _command_offset.
	[ "$(complete_words boot-trace run -- boot-trace re)" = "$(printf '%s\n' record report)" ]
	[ "$(complete_words boot-trace run -f csv -- boot-trace run -f "")" = \
		"$(printf '%s\n' chrome csv jsonl log svg)" ]
}

@test "completion works without bash-completion too" {
	run bash --noprofile --norc -c "
		$(declare -f complete_words has lacks)
		cd '$BATS_TEST_TMPDIR' && touch a.jsonl b.txt || exit 9
		. '$ROOT/dist/boot-trace.bash-completion'
		! declare -F _init_completion >/dev/null || exit 8
		[ \"\$(complete_words boot-trace re)\" = \"\$(printf '%s\n' record report)\" ] || exit 1
		has \"\$(complete_words boot-trace report --)\" --svg || exit 2
		lacks \"\$(complete_words boot-trace report --)\" --port || exit 3
		[ \"\$(complete_words boot-trace run --format = c)\" = \"\$(printf '%s\n' chrome csv)\" ] || exit 4
		has \"\$(complete_words boot-trace diff a.jsonl '')\" a.jsonl || exit 5
		lacks \"\$(complete_words boot-trace diff a.jsonl '')\" b.txt || exit 6
		has \"\$(complete_words boot-trace run -- bas)\" bash || exit 7
	"
	echo "$output"
	[ "$status" -eq 0 ]
}
