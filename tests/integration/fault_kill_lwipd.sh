#!/usr/bin/env bash
# Faults in the processes: lwipd is killed with SIGKILL in the middle of
# two transfers (one program sending, one receiving).  Within a second
# each program gets an error on its connection (EPIPE or ECONNRESET: the
# shim turns the EOF of a connection whose lwipd is gone into ECONNRESET)
# and then ENETDOWN for a new socket; a UDP program blocked in recvfrom()
# gets ENETDOWN; nothing hangs.  A new lwipd started
# on the same mount directory (it unmounts the dead one's filesystem)
# serves new sockets, to new programs and to the programs that were
# running all along.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net

bg sink in_ns python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9601)); s.listen(8)
def serve(c):
    while c.recv(65536): pass
while True:
    c, a = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()'
bg source in_ns python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9602)); s.listen(8)
def serve(c):
    try:
        while True: c.sendall(b"r" * 65536)
    except OSError: pass
while True:
    c, a = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()'
bg echo in_ns python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9603)); s.listen(8)
while True:
    c, a = s.accept(); c.sendall(c.recv(100)); c.close()'
wait_kport 9601 && wait_kport 9602 && wait_kport 9603 || fail "kernel-side peers did not start"

# The programs: transfer until an error, print it with the time, try a new
# socket, print that error, then wait for $TMPD/restarted and try again.
PROG='
import errno, os, socket, sys, time
role, port, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection(("10.0.0.1", port), timeout=30)
n, going = 0, False
try:
    while True:
        if role == "send":
            s.sendall(b"s" * 65536); n += 65536
        else:
            d = s.recv(65536)
            if not d:
                print("EOF", time.time(), flush=True); break
            n += len(d)
        if n >= 4 << 20 and not going:
            print("go", flush=True); going = True
except OSError as e:
    print("error", errno.errorcode.get(e.errno, e.errno), time.time(), flush=True)
try:
    socket.create_connection(("10.0.0.1", 9603), timeout=5)
    print("new socket worked", flush=True)
except OSError as e:
    print("new socket", errno.errorcode.get(e.errno, e.errno), time.time(), flush=True)
while not os.path.exists(flag): time.sleep(0.1)
c = socket.create_connection(("10.0.0.1", 9603), timeout=10)
c.sendall(b"again"); print("after restart:", c.recv(100).decode(), flush=True)'
bg sender app python3 -c "$PROG" send 9601 "$TMPD/restarted"
bg receiver app python3 -c "$PROG" recv 9602 "$TMPD/restarted"
wait_file "$TMPD/sender.log" "^go" && wait_file "$TMPD/receiver.log" "^go" ||
	fail "transfers did not start: $(cat "$TMPD/sender.log" "$TMPD/receiver.log")"
# a UDP program blocked in recvfrom(): UDP has no EOF, so it must get an
# error, not an endless run of empty datagrams
bg udp app python3 -c '
import errno, socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("10.0.0.2", 9700)); print("ready", flush=True)
try:
    d, a = u.recvfrom(100)
    print("got", len(d), "bytes from", a, flush=True)
except OSError as e:
    print("error", errno.errorcode.get(e.errno, e.errno), flush=True)'
wait_file "$TMPD/udp.log" "^ready" || fail "udp: $(cat "$TMPD/udp.log")"

check "SIGKILL to lwipd: each program gets an error within a second, then ENETDOWN"
killed_at=$(date +%s.%N)
kill -KILL "$LWIPD_PID"
wait "$LWIPD_PID" 2>/dev/null
LWIPD_PID=""
for p in sender receiver; do
	wait_file "$TMPD/$p.log" "^new socket" 5 || fail "$p hangs: $(cat "$TMPD/$p.log")"
	line=$(grep -E "^(error|EOF)" "$TMPD/$p.log")
	case $p:$line in
	sender:"error EPIPE "*|sender:"error ECONNRESET "*|receiver:"error ECONNRESET "*) ;;
	*) fail "$p: $(cat "$TMPD/$p.log")" ;;
	esac
	t=${line##* }
	python3 -c "import sys; d = float(sys.argv[1]) - float(sys.argv[2]); print('   %s: %s %.3f s after the kill' % (sys.argv[3], sys.argv[4], d)); sys.exit(d > 1.0)" \
		"$t" "$killed_at" "$p" "${line% *}" || fail "$p: the error came more than a second after the kill"
	grep -q "^new socket ENETDOWN" "$TMPD/$p.log" || fail "$p: $(cat "$TMPD/$p.log")"
	ok "$p: $(grep "^new socket" "$TMPD/$p.log" | cut -d' ' -f1-3)"
done

wait_file "$TMPD/udp.log" "^(error|got)" 5 || fail "udp hangs: $(cat "$TMPD/udp.log")"
grep -q "^error ENETDOWN$" "$TMPD/udp.log" || fail "udp: $(cat "$TMPD/udp.log")"
ok "udp: recvfrom() ENETDOWN"

check "a new lwipd on the same mount directory serves new sockets"
: >"$TMPD/restart.log"
mv "$LWIPD_LOG" "$TMPD/lwipd-first.log"
lwipd_start -i "$TAP" -a 10.0.0.2/24 -A "$NET6::2/64"
expect_log "a filesystem left by an lwipd that died; unmounting it" "the dead filesystem cleaned"
wait_ping 10.0.0.2 || fail "the new lwipd does not answer ping"
app python3 -c '
import socket
c = socket.create_connection(("10.0.0.1", 9603), timeout=10)
c.sendall(b"new program"); print(c.recv(100).decode())' >"$TMPD/new.out" 2>&1 || fail "new program: $(cat "$TMPD/new.out")"
grep -q "^new program$" "$TMPD/new.out" || fail "new program: $(cat "$TMPD/new.out")"
ok "a new program: echo '$(cat "$TMPD/new.out")'"
touch "$TMPD/restarted"
for p in sender receiver; do
	wait_file "$TMPD/$p.log" "^after restart: again" 10 || fail "$p after the restart: $(cat "$TMPD/$p.log")"
done
ok "the programs that saw lwipd die got new sockets from the new one"
lwipd_stop
pass
