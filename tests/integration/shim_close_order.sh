#!/usr/bin/env bash
# TCP connections whose two FINs end the connection in lwIP while the
# program still holds its socket, over IPv4 and IPv6.  lwipd's buffer to
# the program is small (--limit buffer=65536), so most of what the peer
# sends waits in lwipd when the connection ends:
#   - the peer sends 640 KiB and closes; the program, not reading yet,
#     half-closes (lwIP goes LAST_ACK, then frees the pcb).  The program
#     then reads all 640 KiB and a plain EOF: not ENOTCONN, nothing lost;
#   - the program (a server) sends and half-closes first; the peer sends
#     640 KiB and closes, so lwIP holds the connection in TIME-WAIT while
#     lwipd still holds data for the program.  The peer reconnects from
#     the same port, which ends that TIME-WAIT and frees the pcb
#     (daemon/timewait.c); the program accepts the new connection, only
#     then reads the old one to EOF and closes it, and the new connection
#     echoes.  lwipd must not touch the freed pcb (ASan finds it in make
#     check-asan; in a plain build the new connection may reuse its
#     memory).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
SHIM_LWIPD_ARGS="--limit buffer=65536"
shim_net

bg peer in_ns env PYTHONPATH="$PEERLIB" python3 -c '
import sys
from peerlib import serve
def handle(c):
    if c.recv(5) == b"peerc":
        c.sendall(bytes(range(256)) * (640 * 4))        # 640 KiB
        c.close()
serve(9702, handle, ("10.0.0.1", sys.argv[1]))' "$NET6::1"
wait_kport 9702 || fail "peer did not start"

for host in 10.0.0.1 "$NET6::1"; do
	check "peer closes, then the program half-closes before reading ($host): all 640 KiB, then EOF"
	app env PYTHONPATH="$PEERLIB" python3 -c '
import socket, sys, time
from peerlib import readall
s = socket.create_connection((sys.argv[1], 9702), timeout=10)
s.sendall(b"peerc")
time.sleep(1)                   # the peer sends all and closes meanwhile
s.shutdown(socket.SHUT_WR)      # LAST_ACK: the connection ends in lwIP
time.sleep(1)
got = readall(s)
want = bytes(range(256)) * (640 * 4)
assert got == want, "got %d bytes, want %d (equal prefix: %s)" % (len(got), len(want), want.startswith(got))
print("read %d bytes and EOF after the connection ended" % len(got))' "$host" >"$TMPD/peerc.out" 2>&1 ||
		fail "$(cat "$TMPD/peerc.out")"
	ok "$(cat "$TMPD/peerc.out")"
done

reopened() { awk '$1 == "timewait" { print $3 }' "$SOCKDIR/stats"; }
for host in 10.0.0.2 "$NET6::2"; do
	check "program closes first and keeps the socket in TIME-WAIT; the peer reconnects from the same port ($host)"
	bg server app env PYTHONPATH="$PEERLIB" python3 -c '
import socket, sys
from peerlib import readall
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
l = socket.socket(fam); l.bind((sys.argv[1], 9703)); l.listen(4)
print("listening", flush=True)
c1 = l.accept()[0]
c1.sendall(b"one")
c1.shutdown(socket.SHUT_WR)     # our FIN first: TIME-WAIT after the peer'"'"'s
c2 = l.accept()[0]              # the same four-tuple: TIME-WAIT ended
got = readall(c1)               # only now read what the peer sent on c1
assert got == bytes(range(256)) * (640 * 4), "c1: got %d bytes" % len(got)
c1.close()
c2.settimeout(10)
got = b""
while len(got) < 4:
    d = c2.recv(4)
    if not d: break
    got += d
c2.sendall(got)
c2.close()
print("echoed", got, flush=True)' "$host"
	SERVER=$BG_PID
	reopened0=$(reopened)
	wait_file "$TMPD/server.log" "^listening" 10 || fail "server: $(cat "$TMPD/server.log")"
	in_ns env PYTHONPATH="$PEERLIB" python3 -c '
import socket, sys, time
from peerlib import readall
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
def conn():
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 45001)); s.settimeout(10); s.connect((sys.argv[1], 9703))
    return s
s = conn()
got = readall(s)
assert got == b"one", got
s.sendall(bytes(range(256)) * (640 * 4))        # 640 KiB the program
s.close()                       # reads later; our FIN second: TIME-WAIT
time.sleep(0.5)
s = conn()
s.sendall(b"ping")
got = readall(s)
assert got == b"ping", got
print("got one, reconnected from port 45001, ping echoed")' "$host" >"$TMPD/tw.out" 2>&1 ||
		fail "$(cat "$TMPD/tw.out"; cat "$TMPD/server.log")"
	wait "$SERVER" || fail "server: $(cat "$TMPD/server.log")"
	lwipd_alive || fail "lwipd died"
	[ "$(reopened)" -gt "$reopened0" ] ||
		fail "the second connection did not reopen a TIME-WAIT one (stats: timewait reopened $(reopened))"
	ok "$(cat "$TMPD/tw.out"); TIME-WAIT reopened"
done
lwipd_stop
pass
