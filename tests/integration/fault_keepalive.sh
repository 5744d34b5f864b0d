#!/usr/bin/env bash
# A peer that vanishes: a program under the shim turns on TCP keepalive
# (SO_KEEPALIVE, TCP_KEEPIDLE 1 s, TCP_KEEPINTVL 1 s, TCP_KEEPCNT 2) on a
# connection, then the link goes down (the TAP's kernel side), so the
# probes get no answer.  lwIP gives up after the last probe; the
# program's recv() must fail with ETIMEDOUT, as on Linux (lwIP reports
# ERR_ABRT, which lwipd had passed on as ECONNABORTED).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
echo_peer 9750

check "keepalive probes unanswered: recv() fails with ETIMEDOUT"
bg prog app python3 -c '
import errno, socket, time
s = socket.create_connection(("10.0.0.1", 9750), timeout=10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
s.sendall(b"ping"); assert s.recv(4) == b"ping"
print("connected", flush=True)
s.settimeout(30)
t0 = time.monotonic()
try:
    d = s.recv(100)
    print("recv gave", d, flush=True)
except OSError as e:
    print("error", errno.errorcode.get(e.errno, e.errno), "after %.1f s" % (time.monotonic() - t0), flush=True)'
wait_file "$TMPD/prog.log" "^connected" || fail "program: $(cat "$TMPD/prog.log")"
in_ns ip link set "$TAP" down
wait_file "$TMPD/prog.log" "^(error|recv)" 30 || fail "program: $(cat "$TMPD/prog.log")"
grep -q "^error ETIMEDOUT" "$TMPD/prog.log" || fail "program: $(cat "$TMPD/prog.log")"
ok "$(grep '^error' "$TMPD/prog.log")"
lwipd_stop
pass
