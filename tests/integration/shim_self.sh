#!/usr/bin/env bash
# TCP to the stack's own addresses: a program under the shim listens on
# each of 127.0.0.1, ::1, lwipd's IPv4 and its IPv6 address, connects to
# it and sends data back and forth.  lwIP loops these packets back inside
# the stack (netif_poll()); on the TAP, which leaves TCP checksums to the
# kernel (link_gso.c), they have none, and lwIP's input check dropped
# them: connect() to our own TAP address timed out (daemon/loop.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
for a in 127.0.0.1 ::1 10.0.0.2 "$NET6::2"; do
	check "connect to our own $a: it connects, 100 kB each way"
	PYTHONPATH="$PEERLIB" app timeout 30 python3 - "$a" >"$TMPD/self.out" 2>&1 <<'PY'
import os, socket, sys
from peerlib import echo, echo_back
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
l = socket.socket(fam, socket.SOCK_STREAM)
l.bind((sys.argv[1], 0)); l.listen(1)
c = socket.create_connection((sys.argv[1], l.getsockname()[1]), timeout=10)
a, _ = l.accept()
a.settimeout(10)
data = os.urandom(100000)
if os.fork() == 0:              # the accepted end echoes
    echo_back(a)
    os._exit(0)
a.close()
echo(c, data)
print("self ok")
PY
	grep -q "^self ok$" "$TMPD/self.out" || fail "$(cat "$TMPD/self.out")"
	ok "$a"
done
lwipd_stop
pass
