#!/usr/bin/env bash
# A data segment whose last IPv4 fragment is empty (MF=0, offset at the
# end of the data, no payload): lwIP's reassembly keeps that piece as a
# zero-length pbuf at the end of the segment.  lwipd's delivery to the
# program once wrote that empty piece over and over (a write of nothing
# returns 0, not EAGAIN): one packet from the link hung the whole daemon.
# A program under the shim must get the data, and lwipd must go on
# answering (tests/integration/link/frag_inject.py crafts the fragments).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
bg inj in_ns python3 "$(dirname "$0")/link/frag_inject.py" "$TAP" 9800 frag
wait_file "$TMPD/inj.log" "^listening" || fail "injector: $(cat "$TMPD/inj.log")"

check "a segment ending in an empty fragment reaches the program; lwipd goes on"
app timeout 30 python3 -c '
import socket
s = socket.create_connection(("10.0.0.1", 9800), timeout=20)
s.sendall(b"hello")
got = b""
while len(got) < 4:
    d = s.recv(4 - len(got))
    assert d, "EOF"
    got += d
print("got", got.decode(), flush=True)' >"$TMPD/app.out" 2>&1 || fail "program: $(cat "$TMPD/app.out") / injector: $(cat "$TMPD/inj.log")"
grep -q "^got frag$" "$TMPD/app.out" || fail "program: $(cat "$TMPD/app.out")"
grep -q "^injected" "$TMPD/inj.log" || fail "injector: $(cat "$TMPD/inj.log")"
timeout 5 cat "$SOCKDIR/status" >/dev/null || fail "lwipd no longer answers its filesystem"
expect_ping 10.0.0.2 "lwipd"
ok "the program got the data; lwipd answers"
lwipd_stop
pass
