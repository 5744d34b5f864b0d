#!/usr/bin/env bash
# The filesystem's `options` file: writing `-A ADDR/64` adds an address that
# answers ping6, `--del-address6` removes it; a TCP connection on another
# address survives both; a malformed line fails with EINVAL and changes
# nothing.  A duplicate manual address shows as duplicate.  lwipd killed
# with SIGKILL leaves a dead mount that the next lwipd cleans up.
. "$(dirname "$0")/lib.sh"
lib_init
[ -c /dev/fuse ] || skip "no /dev/fuse"
need_cmd fusermount3
[ -f "$BUILD_DIR/liblwipshim.so" ] || skip "build/liblwipshim.so not built"
ns_create
kaddr 10.0.0.1/24
kaddr fe80::1/64 "$NET6::1/64"
kaddr "$NET6:0:1::1/64"         # fd00:N:0:1::/64 for the added address
kaddr "$NET6::77/64"             # lwipd's -A below collides with this
lwipd_start -i "$TAP" -a 10.0.0.2/24 -A "$NET6::77/64"
M=$TMPD/mnt
wait_log "$NET6::77 is a duplicate" || fail "DAD did not find the duplicate"
check "a duplicate manual address shows as duplicate"
grep "$NET6::77" "$M/interfaces"
grep -q "inet6 $NET6::77/64 scope global duplicate" "$M/interfaces" || fail "not shown as duplicate"
ok "duplicate shown"

check "an open TCP connection on 10.0.0.2 (echo through the shim)"
bg echo in_ns socat TCP-LISTEN:9001,bind=10.0.0.1,reuseaddr EXEC:cat
sleep 0.5
mkfifo "$TMPD/go"
bg client "$BUILD_DIR/lwip-run" --socket-dir "$M" python3 -c '
import socket, sys
s = socket.create_connection(("10.0.0.1", 9001))
s.sendall(b"one\n"); print("echo1", s.recv(10).decode().strip(), flush=True)
open(sys.argv[1]).read()
s.sendall(b"two\n"); print("echo2", s.recv(10).decode().strip(), flush=True)' "$TMPD/go"
end=$(( $(date +%s) + 10 ))
until grep -q "echo1 one" "$TMPD/client.log" 2>/dev/null; do
	[ "$(date +%s)" -ge "$end" ] && fail "no echo: $(cat "$TMPD/client.log")"
	sleep 0.2
done
ok "connected and echoed"

new="$NET6:0:1::5"
check "writing -A $new/64 adds it; it answers ping6"
echo "-A $new/64" >"$M/options" || fail "write refused"
grep -q -- "-A $new/64" "$M/options" || fail "options does not show it: $(cat "$M/options")"
wait_log "$new is preferred" || fail "$new never became preferred"
expect_ping "$new" "added address"

check "a malformed line fails with EINVAL and changes nothing"
before=$(cat "$M/options")
if err=$(echo "-A $NET6::9/48" 2>&1 >"$M/options"); then fail "a /48 was accepted"; fi
say "   write said: $err"
echo "$err" | grep -q "Invalid argument" || fail "not EINVAL: $err"
[ "$(cat "$M/options")" = "$before" ] || fail "options changed after a bad line"
wait_log "refused" || fail "no log message for the bad line"
ok "EINVAL, unchanged, logged"

check "a line written in two pieces is applied once, whole"
{ printf -- "-A $NET6::6"; sleep 0.3; echo "/64"; } >"$M/options" || fail "write refused"
grep -q -- "-A $NET6::6/64" "$M/options" || fail "options does not show it: $(cat "$M/options")"
printf -- "--del-address6 $NET6::6" >"$M/options" || fail "a last line without newline refused"
# applied at the last close, which FUSE reports after close() returns
for i in $(seq 50); do grep -q -- "-A $NET6::6/64" "$M/options" || break; sleep 0.1; done
! grep -q -- "-A $NET6::6/64" "$M/options" || fail "the line without newline was not applied at close"
ok "applied whole; a last line without newline applied at close"

check "a line naming a file inside the mount is refused (lwipd would wait on itself)"
for line in "--addr-gen stable-privacy --secret-file $M/status" "-i stream-listen:$M/x"; do
	if err=$(timeout 10 bash -c 'echo "$1" >"$2/options"' bash "$line" "$M" 2>&1); then
		fail "accepted: $line"
	fi
	echo "$err" | grep -q "Invalid argument" || fail "$line: not EINVAL: $err"
done
timeout 5 cat "$M/status" >/dev/null || fail "lwipd no longer answers its filesystem"
wait_log "inside lwipd's own filesystem" || fail "no log message"
ok "both refused with EINVAL; lwipd answers"

check "--del-address6 removes it; it stops answering"
echo "--del-address6 $new" >"$M/options" || fail "removal refused"
grep -q "$new" "$M/interfaces" && fail "still listed: $(grep "$new" "$M/interfaces")"
ip -n "$NS" -6 neigh flush dev "$TAP"
ping_once "$new" && fail "$new still answers"
ok "removed"

check "the connection on 10.0.0.2 survived both"
echo go >"$TMPD/go"
end=$(( $(date +%s) + 10 ))
until grep -q "echo2 two" "$TMPD/client.log" 2>/dev/null; do
	[ "$(date +%s)" -ge "$end" ] && fail "connection broken: $(cat "$TMPD/client.log")"
	sleep 0.2
done
ok "still echoing"

check "SIGKILL, then a new lwipd on the same directory"
kill -KILL "$LWIPD_PID"; wait "$LWIPD_PID" 2>/dev/null; LWIPD_PID=""
lwipd_start -i "$TAP" -a 10.0.0.2/24
grep -q "left by an lwipd that died" "$LWIPD_LOG" ||
	fail "the dead mount left by SIGKILL was not noticed and cleaned up"
[ -S "$M/2" ] || fail "no endpoint 2 after restart"
expect_ping 10.0.0.2 "after restart"
ok "restarted on the same directory"
lwipd_stop
pass
