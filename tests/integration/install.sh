#!/usr/bin/env bash
# make install / make uninstall, and the systemd user unit.
#  1. `make install DESTDIR=$T/stage PREFIX=/usr` installs exactly the
#     expected files; the installed lwip-run finds the installed shim (not
#     the build tree's) and `make uninstall` removes every file again.
#  2. `make install PREFIX=$T/prefix` (a real prefix, so the unit's paths
#     exist): `systemd-analyze verify --user` accepts lwipd@tap.service
#     with nothing to say, man pages included (MANPATH points at them).
#  3. The unit's ExecStart, specifiers expanded as systemd does (%E %i %t,
#     $$), started by hand on a TAP: without a config file it runs
#     `-i TAP --dhcp` in $XDG_RUNTIME_DIR/lwipd; with
#     $XDG_CONFIG_HOME/lwipd/TAP.conf it takes that file.  The installed
#     lwip-run finds that stack by default and runs a program under the
#     installed shim.
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd make python3
T=$TMPD
EXPECTED="/usr/bin/lwip-proxy
/usr/bin/lwip-run
/usr/bin/lwipd
/usr/lib/lwipd/liblwipshim.so
/usr/lib/systemd/user/lwipd@.service
/usr/share/man/man1/lwip-run.1
/usr/share/man/man5/lwipd-fs.5
/usr/share/man/man8/lwip-proxy.8
/usr/share/man/man8/lwipd.8"

check "make install DESTDIR=\$T/stage PREFIX=/usr installs the expected files"
make --no-print-directory -C "$LIB_ROOT" install DESTDIR="$T/stage" PREFIX=/usr >"$T/install.log" 2>&1 ||
	fail "make install failed: $(tail -n 5 "$T/install.log")"
got=$(cd "$T/stage" && find . -type f | sed 's|^\.||' | sort)
[ "$got" = "$EXPECTED" ] || fail "installed files differ:$(diff <(echo "$EXPECTED") <(echo "$got") | sed 's/^/ /')"
for f in lwipd lwip-run lwip-proxy; do
	[ -x "$T/stage/usr/bin/$f" ] || fail "/usr/bin/$f not executable"
done
grep -q 'exec /usr/bin/lwipd --mount ' "$T/stage/usr/lib/systemd/user/lwipd@.service" ||
	fail "the unit does not run /usr/bin/lwipd"
ok "$(echo "$got" | wc -l) files, the unit runs /usr/bin/lwipd"

check "the installed lwip-run finds the installed shim"
out=$("$T/stage/usr/bin/lwip-run" --socket-dir "$T/none" --status)
grep -qx "shim: $T/stage/usr/lib/lwipd/liblwipshim.so" <<<"$out" || fail "lwip-run --status says: $out"
ok "$(head -1 <<<"$out")"

check "make uninstall removes every file"
make --no-print-directory -C "$LIB_ROOT" uninstall DESTDIR="$T/stage" PREFIX=/usr >>"$T/install.log" 2>&1 ||
	fail "make uninstall failed: $(tail -n 5 "$T/install.log")"
left=$(find "$T/stage" -type f)
[ -z "$left" ] || fail "left behind: $left"
ok "nothing left"

check "systemd-analyze verify --user accepts the installed unit"
P=$T/prefix
make --no-print-directory -C "$LIB_ROOT" install PREFIX="$P" >>"$T/install.log" 2>&1 || fail "make install PREFIX=$P failed"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -m 700 -p "$T/xdg-run"
	# no running systemd needed: verify loads the unit in a manager of its
	# own, which wants a runtime directory; MANPATH lets it find our pages
	out=$(cd "$P/lib/systemd/user" && MANPATH="$P/share/man" XDG_RUNTIME_DIR="$T/xdg-run" \
		systemd-analyze verify --user "$P/lib/systemd/user/lwipd@$TAP.service" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify (exit $rc): $out"
	ok "no complaints ($(systemd-analyze --version | head -1))"
else
	say "   NOTE: systemd-analyze not installed (Debian package systemd): verify not run"
fi

check "the unit's ExecStart, without a config file: -i TAP --dhcp in \$XDG_RUNTIME_DIR/lwipd"
ns_create
kaddr 10.0.0.1/24
mkdir -m 700 -p "$T/home-run" "$T/home-config"
# unit_cmd - the unit's ExecStart as systemd would run it, one word a line
unit_cmd() {
	python3 - "$P/lib/systemd/user/lwipd@.service" "$TAP" "$T/home-run" "$T/home-config" <<'PY'
import shlex, sys
unit, inst, run, conf = sys.argv[1:]
text = open(unit).read().replace('\\\n', ' ')
line = next(l for l in text.split('\n') if l.startswith('ExecStart='))[len('ExecStart='):]
for k, v in (('%E', conf), ('%i', inst), ('%t', run)):
    line = line.replace(k, v)
line = line.replace('%%', '%').replace('$$', '$')
print('\n'.join(shlex.split(line)))
PY
}
# unit_start - run it in $NS as lwipd_start would, with a user-like environment
unit_start() {
	local cmd=()
	mapfile -t cmd < <(unit_cmd)
	[ "${#cmd[@]}" -ge 3 ] || fail "could not read ExecStart"
	: >"$LWIPD_LOG"
	XDG_RUNTIME_DIR=$T/home-run XDG_CONFIG_HOME=$T/home-config \
		nsenter --net="/run/netns/$NS" "${cmd[@]}" >>"$LWIPD_LOG" 2>&1 &
	LWIPD_PID=$!
	wait_log 'info: running' || fail "the unit's command did not start lwipd"
}
unit_start
opts=$(cat "$T/home-run/lwipd/options")
grep -q -- "-i $TAP --dhcp --mount $T/home-run/lwipd\$" <<<"$opts" || fail "options: $opts"
ok "$opts"

check "the installed lwip-run finds that stack by default and runs a program with the installed shim"
out=$(XDG_RUNTIME_DIR=$T/home-run "$P/bin/lwip-run" --status) || fail "--status: $out"
grep -q "^lwipd at $T/home-run/lwipd: running (pid $LWIPD_PID)" <<<"$out" || fail "--status: $out"
out=$(XDG_RUNTIME_DIR=$T/home-run "$P/bin/lwip-run" sh -c 'echo "$LD_PRELOAD"') || fail "lwip-run sh: $out"
[ "$out" = "$P/lib/lwipd/liblwipshim.so" ] || fail "LD_PRELOAD is '$out'"
ok "LD_PRELOAD=$out"
lwipd_stop

check "the unit's ExecStart with ~/.config/lwipd/TAP.conf: that file's options"
mkdir -p "$T/home-config/lwipd"
printf '# test\naddress 10.0.0.2/24\n-A fd00:99::2/64\n' >"$T/home-config/lwipd/$TAP.conf"
unit_start
opts=$(cat "$T/home-run/lwipd/options")
grep -q -- "-i $TAP -a 10.0.0.2/24 -A fd00:99::2/64 --mount $T/home-run/lwipd --config $T/home-config/lwipd/$TAP.conf" <<<"$opts" ||
	fail "options: $opts"
grep -q -- '--dhcp' <<<"$opts" && fail "--dhcp although the file does not ask for it: $opts"
ok "$opts"
expect_ping 10.0.0.2 "the address from the file"
lwipd_stop
pass
