#!/usr/bin/env bash
# One TIME-WAIT per four-tuple (daemon/timewait.c).  lwipd keeps TIME-WAIT
# connections off lwIP's lists, where lwIP's bind looks, so a program may
# bind the same local port again (SO_REUSEADDR) and reconnect to the same
# server while the first connection waits: the same four-tuple twice.
# When the second one closes first too, the first must end; two parked
# connections for one tuple would answer its segments with the old one's
# sequence numbers.  A program under the shim does this three times; the
# stats file must show one parked connection, and each round's data must
# arrive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
# the kernel side echoes and closes after the client does
echo_peer 9400

check "three connections from port 40000 to 10.0.0.1:9400, each closed first by the program"
app timeout 60 python3 - >"$TMPD/tw.out" 2>&1 <<'PY'
import socket, time
for i in range(3):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.0.0.2", 40000))
    s.settimeout(10)
    s.connect(("10.0.0.1", 9400))
    data = b"round%d" % i * 1000
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        b = s.recv(65536)
        assert b, "EOF in round %d" % i
        got += b
    assert got == data
    s.shutdown(socket.SHUT_WR)
    assert s.recv(1) == b"", "no EOF from the server"
    s.close()
    time.sleep(0.5)             # the server's FIN is in, we are in TIME-WAIT
    print("round", i, "ok", flush=True)
PY
grep -q "^round 2 ok$" "$TMPD/tw.out" || fail "$(cat "$TMPD/tw.out")"
ok "$(tr '\n' ' ' <"$TMPD/tw.out")"

check "one connection parked in TIME-WAIT, not three"
grep timewait "$SOCKDIR/stats"
parked=$(awk '$1 == "timewait" { print $7 }' "$SOCKDIR/stats")
[ "$parked" = 1 ] || fail "parked ${parked:-none}, want 1"
ok "parked 1"
lwipd_stop
pass
