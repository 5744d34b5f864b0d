#!/usr/bin/env bash
# Socket behaviours under the shim (tests/integration/shim/behaviours.py):
# non-blocking connect refused, names and options, half-close, fork, exec
# with the socket on fds 0/1, SCM_RIGHTS, UDP with addresses.  The peers
# on the kernel side: a socat TCP echo (dual stack) and a python UDP echo.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3 socat ss
shim_net
bg techo in_ns socat TCP6-LISTEN:7000,fork,reuseaddr,ipv6only=0 EXEC:cat
bg uecho in_ns python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 7001))
while True:
    d, a = s.recvfrom(65536)
    s.sendto(d, a)
'
wait_kport 7000 || fail "socat echo did not start"
check "behaviours.py under the shim"
app timeout 120 python3 "$(dirname "$0")/shim/behaviours.py" 10.0.0.1 "$NET6::1" 7000 7001 7999 \
	>"$TMPD/beh.out" 2>&1
rc=$?
sed 's/^/   /' "$TMPD/beh.out"
[ $rc -eq 0 ] && grep -q 'all behaviours ok' "$TMPD/beh.out" || fail "behaviours.py failed (exit $rc)"
lwipd_stop
pass
