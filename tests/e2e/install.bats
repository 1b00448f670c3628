#!/usr/bin/env bats
# make install: binary, systemd unit and man page, honouring DESTDIR and PREFIX.

load common

@test "make install honours DESTDIR and PREFIX" {
	make -s -C "$ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	r="$BATS_TEST_TMPDIR/root"
	[ -x "$r/usr/bin/boot-trace" ]
	[ "$(stat -c %a "$r/usr/lib/systemd/system/boot-trace.service")" = 644 ]
	[ "$(stat -c %a "$r/usr/share/man/man8/boot-trace.8")" = 644 ]
	grep -q '^ExecStart=/usr/bin/boot-trace daemon \\$' "$r/usr/lib/systemd/system/boot-trace.service"
	"$r/usr/bin/boot-trace" --version
}

@test "the installed unit passes systemd-analyze verify, with least privileges" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	p="$BATS_TEST_TMPDIR/prefix"
	make -s -C "$ROOT" install PREFIX="$p"
	unit="$p/lib/systemd/system/boot-trace.service"
	systemd-analyze verify --man=no "$unit"
	grep -q '^CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_PTRACE$' "$unit"
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit"
}

@test "the man page renders without warnings and covers every command" {
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$ROOT/dist/boot-trace.8" 2>&1 >/dev/null)
	[ -z "$out" ]
	text=$(LC_ALL=C.UTF-8 groff -man -Tutf8 "$ROOT/dist/boot-trace.8" | col -bx | tr -s " ")
	for word in "boot-trace run" "boot-trace record" "boot-trace daemon" --metrics-dir --lock SIGHUP; do
		[[ "$text" == *"$word"* ]]
	done
}
