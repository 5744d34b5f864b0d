#!/usr/bin/env bash
# IPV6_V6ONLY: an AF_INET6 listener on [::] under the shim with V6ONLY set
# takes IPv6 peers and refuses IPv4 ones; without it (dual stack) the same
# listener takes IPv4 peers too, seen as ::ffff:a.b.c.d.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
LISTENER='
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(sys.argv[2]))
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen(5)
print("listening", flush=True)
while True:
    c, a = s.accept(); print("peer", a[0], flush=True); c.close()'
# try HOST PORT - connect from the kernel side; prints ok or the error
try() {
	in_ns python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); print("ok")
except OSError as e:
    print("error", e)' "$1" "$2"
}
for mode in 1 0; do
	port=$((9300 + mode))
	bg "l$mode" app python3 -c "$LISTENER" "$port" "$mode"
	wait_file "$TMPD/l$mode.log" '^listening' || fail "listener $mode did not start: $(cat "$TMPD/l$mode.log")"
	check "V6ONLY=$mode: IPv6 peer"
	[ "$(try "$NET6::2" "$port")" = ok ] || fail "IPv6 connect refused"
	wait_file "$TMPD/l$mode.log" "^peer $NET6::1" || fail "no IPv6 peer logged"
	ok "accepted from $NET6::1"
	check "V6ONLY=$mode: IPv4 peer"
	r=$(try 10.0.0.2 "$port")
	if [ "$mode" = 1 ]; then
		echo "$r" | grep -q "refused" || fail "IPv4 got through a V6ONLY listener: $r"
		ok "refused"
	else
		[ "$r" = ok ] || fail "dual-stack listener refused IPv4: $r"
		wait_file "$TMPD/l$mode.log" '^peer ::ffff:10\.0\.0\.1' || fail "IPv4 peer not mapped: $(cat "$TMPD/l$mode.log")"
		ok "accepted as ::ffff:10.0.0.1"
	fi
done
lwipd_stop
pass
