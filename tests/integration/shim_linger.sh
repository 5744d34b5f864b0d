#!/usr/bin/env bash
# Connection lifetime across processes: a forked child closing its copy of
# a connection does not end it (the parent keeps sending); SO_LINGER {1, 0}
# then makes the last close a reset, which the kernel-side server sees as
# ECONNRESET; an ordinary close is a FIN (EOF).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
bg server in_ns python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9102)); s.listen(5)
for name in ("linger", "plain"):
    c, a = s.accept(); got = b""
    try:
        while True:
            d = c.recv(10)
            if not d: print(name, "EOF after", got, flush=True); break
            got += d
    except ConnectionResetError:
        print(name, "RESET after", got, flush=True)'
wait_kport 9102 || fail "server did not start"
check "fork child's close keeps the connection; SO_LINGER {1,0} resets at the last close"
app python3 -c '
import socket, struct, os, time
s = socket.create_connection(("10.0.0.1", 9102)); s.send(b"x")
if os.fork() == 0:
    s.close(); os._exit(0)
os.wait(); time.sleep(0.3); s.send(b"y"); time.sleep(0.3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) == struct.pack("ii", 1, 0)
s.close()
s = socket.create_connection(("10.0.0.1", 9102)); s.send(b"z"); time.sleep(0.3); s.close()' ||
	fail "the client failed"
end=$(( $(date +%s) + 10 ))
until grep -q "^plain" "$TMPD/server.log"; do
	[ "$(date +%s)" -ge "$end" ] && fail "server saw: $(cat "$TMPD/server.log")"
	sleep 0.2
done
cat "$TMPD/server.log"
grep -q "^linger RESET after b'xy'" "$TMPD/server.log" || fail "no reset after xy (child's close ended it, or linger ignored)"
grep -q "^plain EOF after b'z'" "$TMPD/server.log" || fail "plain close was not a FIN"
ok "xy then reset; z then FIN"
lwipd_stop
pass
