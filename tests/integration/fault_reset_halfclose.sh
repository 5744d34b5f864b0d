#!/usr/bin/env bash
# Resets and half-closes, over IPv4 and IPv6:
#   - the kernel-side peer resets a connection (SO_LINGER {1, 0}) after
#     sending some bytes: the program under the shim reads them, then
#     recv() fails with ECONNRESET, and a send() after it fails too;
#   - the program half-closes (shutdown SHUT_WR): the peer reads all it
#     sent and EOF, then sends 1 MiB back, which the program reads whole;
#   - the peer half-closes: the program reads 1 MiB and EOF, then sends
#     1 MiB back, which the peer reads whole after its own FIN;
#   - the program shuts down reading (SHUT_RD): what the peer sends is
#     dropped (acknowledged, not reset), and the 1 MiB the program sends
#     afterwards reaches the peer whole, then its FIN.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net

bg peer in_ns env PYTHONPATH="$PEERLIB" python3 -c '
import hashlib, socket, struct, sys
from peerlib import readall, serve
MB = 1 << 20
def handle(c):
    what = c.recv(5)
    if what == b"reset":
        c.sendall(b"before reset")
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close(); return
    if what == b"appwr":                # the program half-closes
        got = readall(c)
        c.sendall(hashlib.sha256(got).hexdigest().encode() + b"x" * MB)
        c.close(); return
    if what == b"appsr":                # the program shut down reading
        c.sendall(b"z" * MB)            # nobody reads it: dropped, not reset
        try:
            got = readall(c)
            print("appsr got", len(got), hashlib.sha256(got).hexdigest(), flush=True)
        except ConnectionResetError:
            print("appsr reset", flush=True)
        c.close(); return
    if what == b"peerw":                # we half-close first
        c.sendall(b"y" * MB)
        c.shutdown(socket.SHUT_WR)
        got = readall(c)
        print("peerw got", len(got), hashlib.sha256(got).hexdigest(), flush=True)
        c.close(); return
serve(9701, handle, ("10.0.0.1", sys.argv[1]))' "$NET6::1"
wait_kport 9701 || fail "peer did not start"

for host in 10.0.0.1 "$NET6::1"; do
	check "peer reset ($host): ECONNRESET after the data"
	app python3 -c '
import errno, socket, sys, time
s = socket.create_connection((sys.argv[1], 9701), timeout=10)
s.sendall(b"reset")
got = b""
while len(got) < 12:
    got += s.recv(100)
assert got == b"before reset", got
try:
    d = s.recv(100)
    sys.exit("recv after the reset gave %r, not ECONNRESET" % d)
except ConnectionResetError:
    pass
try:
    s.send(b"more")
    sys.exit("send after the reset worked")
except OSError as e:
    print("recv ECONNRESET, then send", errno.errorcode[e.errno])' "$host" >"$TMPD/reset.out" 2>&1 ||
		fail "$(cat "$TMPD/reset.out")"
	ok "$(cat "$TMPD/reset.out")"

	check "program half-closes ($host): the peer reads it all, its reply arrives whole"
	app env PYTHONPATH="$PEERLIB" python3 -c '
import hashlib, os, socket, sys
from peerlib import readall
s = socket.create_connection((sys.argv[1], 9701), timeout=10)
data = os.urandom(3 << 20)
s.sendall(b"appwr" + data)
s.shutdown(socket.SHUT_WR)
got = readall(s)
assert got[:64] == hashlib.sha256(data).hexdigest().encode(), "the peer did not get what we sent"
assert got[64:] == b"x" * (1 << 20), len(got)
print("sent 3 MiB and FIN, got the digest and 1 MiB back")' "$host" >"$TMPD/appwr.out" 2>&1 ||
		fail "$(cat "$TMPD/appwr.out")"
	ok "$(cat "$TMPD/appwr.out")"

	check "peer half-closes ($host): the program reads 1 MiB and EOF, its reply arrives whole"
	app env PYTHONPATH="$PEERLIB" python3 -c '
import hashlib, os, socket, sys
from peerlib import readall
s = socket.create_connection((sys.argv[1], 9701), timeout=10)
s.sendall(b"peerw")
got = readall(s)
assert got == b"y" * (1 << 20), len(got)
data = os.urandom(1 << 20)
s.sendall(data)
s.close()
print(hashlib.sha256(data).hexdigest())' "$host" >"$TMPD/peerw.out" 2>&1 || fail "$(cat "$TMPD/peerw.out")"
	digest=$(cat "$TMPD/peerw.out")
	wait_file "$TMPD/peer.log" "^peerw got 1048576 $digest" 10 ||
		fail "the peer did not get the reply after its FIN: $(cat "$TMPD/peer.log")"
	ok "program read 1 MiB + EOF, peer then got 1 MiB ($digest)"

	check "program shuts down reading ($host): the peer's 1 MiB is dropped, no reset; the program's 1 MiB arrives"
	app python3 -c '
import hashlib, os, socket, sys, time
s = socket.create_connection((sys.argv[1], 9701), timeout=10)
s.sendall(b"appsr")
s.shutdown(socket.SHUT_RD)
time.sleep(1)                           # the peer sends meanwhile
data = os.urandom(1 << 20)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
time.sleep(1)
s.close()
print(hashlib.sha256(data).hexdigest())' "$host" >"$TMPD/appsr.out" 2>&1 || fail "$(cat "$TMPD/appsr.out")"
	digest=$(cat "$TMPD/appsr.out")
	wait_file "$TMPD/peer.log" "^appsr (got 1048576 $digest|reset)" 10 ||
		fail "the peer did not get the program's 1 MiB: $(grep appsr "$TMPD/peer.log")"
	grep -q "^appsr reset" "$TMPD/peer.log" && fail "after SHUT_RD the connection was reset"
	ok "the peer got the program's 1 MiB and FIN ($digest)"
done
lwipd_stop
pass
