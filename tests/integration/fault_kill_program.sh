#!/usr/bin/env bash
# Faults in the processes: a program under the shim is killed with SIGKILL
# in the middle of a transfer, once sending and once receiving.  lwipd
# frees every socket (the filesystem's `sockets` file is back to what it
# was) and lwIP's memory (`stats`: heap and every memp pool, used) is back
# to its baseline; the kernel-side peer sees the end: the sender's peer
# gets every byte lwipd took and then EOF (lwipd closes after sending what
# the program wrote), the receiver's peer a reset (lwipd closes with
# unread data, which is a reset, as in Linux).
# The sink aborts its side after EOF (SO_LINGER 0) so that lwIP's pcb is
# freed at once instead of waiting 2 x MSL (60 s) in TIME_WAIT.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net

bg sink in_ns python3 -c '
import socket, struct, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9501)); s.listen(4)
while True:
    c, a = s.accept(); n = 0
    try:
        while True:
            d = c.recv(65536)
            if not d: print("EOF after", n, flush=True); break
            n += len(d); time.sleep(0.002)      # a slow peer: lwipd holds data
    except ConnectionResetError:
        print("RESET after", n, flush=True)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()'
bg source in_ns python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9502)); s.listen(4)
while True:
    c, a = s.accept(); n = 0; buf = b"r" * 65536
    try:
        while True:
            n += c.send(buf)
    except OSError as e:
        print("send error", e.__class__.__name__, "after", n, flush=True)
    c.close()'
wait_kport 9501 && wait_kport 9502 || fail "kernel-side peers did not start"

# memory - lwIP's heap and pool use from `stats` (the "used" figures)
memory() { awk '$1 == "heap" || $1 ~ /^memp/ { printf "%s=%s ", $1, $3 }' "$SOCKDIR/stats"; }
# wait_baseline WHAT - until `sockets` and memory() are what they were
wait_baseline() {
	local end=$(( $(date +%s) + 15 ))
	until [ "$(cat "$SOCKDIR/sockets")" = "$SOCKETS0" ] && [ "$(memory)" = "$MEM0" ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			say "   sockets now:"; sed 's/^/   | /' "$SOCKDIR/sockets"
			say "   memory at start: $MEM0"; say "   memory now:      $(memory)"
			fail "after $1 lwipd did not return to its baseline"
		fi
		sleep 0.2
	done
}
# killed NAME SCRIPT - run SCRIPT under the shim, wait for its "go" line,
# SIGKILL it
killed() {
	bg "$1" app python3 -c "$2"
	wait_file "$TMPD/$1.log" "^go" 20 || fail "$1 never got going: $(cat "$TMPD/$1.log")"
	local pid
	pid=$(sed -n 's/^pid //p' "$TMPD/$1.log")
	say "   $1: $(grep -c . "$SOCKDIR/sockets") lines in sockets; SIGKILL to pid $pid"
	kill -KILL "$pid"
}

# Warm up (ARP, first allocations), then take the baseline.
app python3 -c '
import socket; s = socket.create_connection(("10.0.0.1", 9501)); s.sendall(b"x" * 1000); s.close()' ||
	fail "warm-up connection failed"
wait_file "$TMPD/sink.log" "^EOF after 1000" || fail "sink: $(cat "$TMPD/sink.log")"
sleep 0.5
SOCKETS0=$(cat "$SOCKDIR/sockets")
MEM0=$(memory)
say "   baseline: $(grep -c . <<<"$SOCKETS0") lines in sockets; $MEM0"

check "a sender killed mid-transfer: all sockets and lwIP memory freed, the peer sees EOF"
killed sender '
import os, socket
s = socket.create_connection(("10.0.0.1", 9501)); print("pid", os.getpid(), flush=True)
buf, n = b"s" * 65536, 0
while True:
    s.sendall(buf); n += len(buf)
    if n == 8 << 20: print("go", flush=True)'
wait_file "$TMPD/sink.log" "after [0-9]{7,}" 20 || fail "sink: $(cat "$TMPD/sink.log")"
wait_baseline "the sender's death"
ok "sink: $(tail -n1 "$TMPD/sink.log"); sockets and memory back to the baseline"
grep -qE "^(EOF|RESET) after [0-9]{7,}" "$TMPD/sink.log" || fail "sink: $(cat "$TMPD/sink.log")"

check "a receiver killed with unread data: all freed, the peer sees a reset"
killed receiver '
import os, socket, time
s = socket.create_connection(("10.0.0.1", 9502)); print("pid", os.getpid(), flush=True)
n = 0
while n < 4 << 20:
    n += len(s.recv(65536))
print("go", flush=True)
time.sleep(60)'
wait_file "$TMPD/source.log" "^send error" 20 || fail "source: $(cat "$TMPD/source.log")"
grep -qE "^send error (ConnectionResetError|BrokenPipeError)" "$TMPD/source.log" ||
	fail "source: $(cat "$TMPD/source.log")"
wait_baseline "the receiver's death"
ok "source: $(cat "$TMPD/source.log"); sockets and memory back to the baseline"
lwipd_stop
pass
