#!/usr/bin/env bash
# Who gets in: lwipd started as root with --user nobody opens the TAP and
# mounts the filesystem as root, then runs as uid/gid 65534 (all four Uid
# and Gid fields, no supplementary groups, no capabilities).  It serves
# sockets to programs of uid 65534; another uid (65533) cannot reach the
# endpoints or write `options`; root's programs are refused by the
# SO_PEERCRED check and root cannot write `options` either.  When lwipd
# exits, its filesystem goes away although lwipd was no longer root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd setpriv python3 fusermount3
SHIM_LWIPD_ARGS="--user nobody"
shim_net
st=/proc/$LWIPD_PID/status
check "lwipd runs as nobody: Uid and Gid all 65534, no groups, no capabilities"
grep -qE '^Uid:\s+65534\s+65534\s+65534\s+65534$' "$st" || fail "$(grep ^Uid "$st")"
grep -qE '^Gid:\s+65534\s+65534\s+65534\s+65534$' "$st" || fail "$(grep ^Gid "$st")"
grep -qE '^Groups:\s*65534\s*$' "$st" || fail "$(grep ^Groups "$st")"
grep -qE '^CapEff:\s+0+$' "$st" || fail "$(grep ^CapEff "$st")"
ok "$(grep -E '^(Uid|Gid|Groups|CapEff)' "$st" | tr -s '\t ' ' ' | tr '\n' ';')"
expect_log "running as user nobody \(uid 65534, gid 65534\); root cannot be regained" "the switch"
grep -q -- "--user nobody" "$SOCKDIR/options" || fail "options does not show --user: $(cat "$SOCKDIR/options")"

bg echo in_ns python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9401)); s.listen(8)
while True:
    c, a = s.accept()
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()'
wait_kport 9401 || fail "echo server did not start"
ECHO_PY='
import socket
s = socket.create_connection(("10.0.0.1", 9401), timeout=10)
s.sendall(b"hello from uid"); print("echo", s.recv(100).decode())'

# as UID CMD... - run CMD as UID (same gid, no groups) in $APPNS under the shim
as() {
	local u=$1
	shift
	nsenter --net="/run/netns/$APPNS" setpriv --reuid="$u" --regid="$u" --clear-groups \
		"$SHIM_RUN" --socket-dir "$SOCKDIR" "$@"
}

check "a program of uid 65534 gets sockets"
as 65534 /usr/bin/python3 -c "$ECHO_PY" >"$TMPD/user.out" 2>&1 || fail "uid 65534: $(cat "$TMPD/user.out")"
grep -q "^echo hello from uid" "$TMPD/user.out" || fail "uid 65534: $(cat "$TMPD/user.out")"
ok "$(cat "$TMPD/user.out")"

check "uid 65533 cannot reach the endpoints (the directory is nobody's, 0700)"
setpriv --reuid=65533 --regid=65533 --clear-groups /usr/bin/python3 -c '
import socket, sys
for ep in ("2", "26"):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1] + "/" + ep)
    except OSError as e:
        print("refused:", ep, e); continue
    print("connected", ep); sys.exit(1)' "$SOCKDIR" >"$TMPD/other.out" 2>&1 ||
	fail "uid 65533 connected: $(cat "$TMPD/other.out")"
[ "$(grep -c '^refused: .*Permission denied' "$TMPD/other.out")" = 2 ] || fail "unexpected: $(cat "$TMPD/other.out")"
ok "$(tr '\n' ' ' <"$TMPD/other.out")"
as 65533 /usr/bin/python3 -c "$ECHO_PY" >"$TMPD/other2.out" 2>&1 && fail "uid 65533's program got a socket: $(cat "$TMPD/other2.out")"
ok "uid 65533 under the shim: $(tail -n1 "$TMPD/other2.out")"

check "root's program is refused by the SO_PEERCRED check"
app python3 -c "$ECHO_PY" >"$TMPD/root.out" 2>&1 && fail "root's program got a socket: $(cat "$TMPD/root.out")"
expect_log "refused a client of uid 0 on $SOCKDIR/(2|26) \(only uid 65534 may connect\)" "root refused"
ok "root under the shim: $(tail -n1 "$TMPD/root.out")"

check "only uid 65534 writes options"
setpriv --reuid=65533 --regid=65533 --clear-groups sh -c "echo '-A $NET6::7/64' > '$SOCKDIR/options'" \
	>"$TMPD/w1.out" 2>&1 && fail "uid 65533 wrote options"
grep -q "Permission denied" "$TMPD/w1.out" || fail "uid 65533: $(cat "$TMPD/w1.out")"
sh -c "echo '-A $NET6::7/64' > '$SOCKDIR/options'" >"$TMPD/w2.out" 2>&1 && fail "root wrote options"
grep -q "Permission denied" "$TMPD/w2.out" || fail "root: $(cat "$TMPD/w2.out")"
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo '-A $NET6::7/64' > '$SOCKDIR/options'" ||
	fail "uid 65534 could not write options"
grep -q -- "-A $NET6::7/64" "$SOCKDIR/options" || fail "options: $(cat "$SOCKDIR/options")"
ok "65533: $(cat "$TMPD/w1.out"); root: $(cat "$TMPD/w2.out"); 65534: applied"

check "lwipd (no longer root) exits cleanly and its filesystem goes away"
lwipd_stop
end=$(( $(date +%s) + 10 ))
while mountpoint -q "$SOCKDIR" 2>/dev/null; do
	[ "$(date +%s)" -ge "$end" ] && fail "$SOCKDIR still mounted after lwipd exited"
	sleep 0.2
done
ok "unmounted"
pass
