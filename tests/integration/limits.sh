#!/usr/bin/env bash
# Limits (daemon/limit.c): each one, set low with --limit, is reached by
# one program under the shim, which gets the documented errno, while
# another program keeps working; the log names the limit, the pid and
# the option that raises it.
#   sockets-per-client=30  the 31st socket() of one process: EMFILE
#   sockets=40             the 41st socket in the daemon: ENFILE
#   messages-per-second=200  a burst of requests: some get EAGAIN, and a
#                          connect without a reply (CONNECT_NOWAIT) over
#                          the budget fails its socket with EAGAIN
#   backlog=2              listen(100) is capped at 2: of 10 connections
#                          to a listener that does not accept, at most 3
#                          are queued and the others reset
#   buffer=64K             what lwipd queues to a program that does not
#                          read stays under 3 x 64 KiB (the kernel doubles
#                          SO_SNDBUF, and a Unix stream send that finds
#                          room may add one more skb of up to half of it);
#                          with the default (1 MiB) it would be the whole
#                          TCP window, 512 KiB; everything arrives afterwards
# and lwipd out of open files: a CONNECT_NOWAIT whose fd the kernel could
# not pass fails its socket with EMFILE (tests/integration/proto/lost_fd.py)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
HELPER=$(dirname "$0")/shim/limits.py
SHIM_LWIPD_ARGS="--limit sockets-per-client=30 --limit sockets=40 --limit messages-per-second=200 --limit backlog=2 --limit buffer=64K"
shim_net
check "the options file shows the limits"
grep -q -- "--limit sockets-per-client=30 --limit sockets=40 --limit buffer=65536 --limit backlog=2 --limit messages-per-second=200" \
	"$SOCKDIR/options" || fail "options: $(cat "$SOCKDIR/options")"
ok "$(cat "$SOCKDIR/options")"

bg echo in_ns python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9201)); s.listen(64)
def serve(c):
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
while True:
    c, a = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()'
bg bulk in_ns python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9202)); s.listen(4)
c, a = s.accept(); c.sendall(b"x" * (4 << 20)); c.close()'
wait_kport 9201 && wait_kport 9202 || fail "kernel-side servers did not start"

# sockets_now - sockets lwipd holds (the filesystem's status file)
sockets_now() { sed -n 's/^sockets //p' "$SOCKDIR/status"; }
# wait_sockets N - until lwipd holds N sockets
wait_sockets() {
	local end=$(( $(date +%s) + 10 ))
	until [ "$(sockets_now)" = "$1" ]; do
		[ "$(date +%s)" -ge "$end" ] && fail "lwipd holds $(sockets_now) sockets, not $1"
		sleep 0.1
	done
}
# other_works - a second program does a round trip
other_works() {
	app python3 "$HELPER" echo 10.0.0.1 9201 >"$TMPD/other.out" 2>&1 ||
		fail "another program failed while the limit was reached: $(cat "$TMPD/other.out")"
	grep -q "echo ok" "$TMPD/other.out" || fail "other: $(cat "$TMPD/other.out")"
}
# holder NAME N - a program under the shim holding up to N sockets until
# $TMPD/NAME.stop exists; sets HOLD_PID (the pid it reports)
holder() {
	bg "$1" app python3 "$HELPER" hold "$2" "$TMPD/$1.stop"
	wait_file "$TMPD/$1.log" "^pid" || fail "$1 never reported: $(cat "$TMPD/$1.log")"
	HOLD_PID=$(sed -n 's/^pid //p' "$TMPD/$1.log")
}

check "sockets-per-client=30: the 31st socket of one process is EMFILE; others go on"
base=$(sockets_now)
holder a 35
grep -q "^made 30 then EMFILE$" "$TMPD/a.log" || fail "a: $(cat "$TMPD/a.log")"
A_PID=$HOLD_PID
other_works
wait_log "limit sockets-per-client \(30\) reached by pid $A_PID uid 0: .*EMFILE.*raise it with --limit sockets-per-client=N" 5 ||
	fail "no log line for sockets-per-client naming pid $A_PID"
ok "$(head -n1 "$TMPD/a.log"); another program echoed 100 kB"
ok "$(log_line 'limit sockets-per-client' | sed 's/^lwipd: //')"
wait_sockets $((base + 30))

check "sockets=40: the daemon's 41st socket is ENFILE; freed sockets can be made again"
holder b 20
grep -q "^made $((40 - base - 30)) then ENFILE$" "$TMPD/b.log" || fail "b: $(cat "$TMPD/b.log") (base $base)"
B_PID=$HOLD_PID
wait_log "limit sockets \(40\) reached by pid $B_PID uid 0: .*ENFILE.*raise it with --limit sockets=N" 5 ||
	fail "no log line for sockets naming pid $B_PID"
ok "$(head -n1 "$TMPD/b.log")"
ok "$(log_line 'limit sockets \(' | sed 's/^lwipd: //')"
touch "$TMPD/a.stop"            # a exits: its 30 sockets go
wait_sockets $((40 - 30))
other_works
ok "a exited: lwipd holds $(sockets_now) sockets, another program echoed 100 kB"
touch "$TMPD/b.stop"
wait_sockets "$base"

check "messages-per-second=200: a burst of 2000 requests gets EAGAIN for some; others go on"
app python3 "$HELPER" flood 2000 10.0.0.1 9201 >"$TMPD/flood.out" 2>&1 || fail "flood: $(cat "$TMPD/flood.out")"
grep -q '^connect over the budget: EAGAIN$' "$TMPD/flood.out" ||
	fail "a connect over the budget did not fail with EAGAIN: $(cat "$TMPD/flood.out")"
k=$(sed -n 's/^eagain \([0-9]*\) of 2000$/\1/p' "$TMPD/flood.out")
[ -n "$k" ] && [ "$k" -ge 1000 ] || fail "flood: $(cat "$TMPD/flood.out") (expected most of 2000 over a 200/s budget)"
other_works
expect_log "limit messages-per-second \(200\) reached by pid [0-9]+ uid 0: request refused \(EAGAIN\).*--limit messages-per-second=N" \
	"the messages-per-second report"
ok "$(cat "$TMPD/flood.out"); another program echoed 100 kB"

check "backlog=2: listen(100) is capped; connections beyond the queue are reset"
bg lst app python3 "$HELPER" listen 9300 100 4
wait_file "$TMPD/lst.log" "^listening" || fail "listener: $(cat "$TMPD/lst.log")"
in_ns python3 -c '
import socket, time
res, reset = [], 0
for i in range(10):
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect(("10.0.0.2", 9300)); res.append(s)
    except ConnectionResetError:
        reset += 1              # the reset came before connect() returned
time.sleep(1)
for s in res:
    s.setblocking(False)
    try:
        s.recv(1)
    except ConnectionResetError:
        reset += 1
    except BlockingIOError:
        pass
print("reset", reset, "of 10")' >"$TMPD/conn.out" 2>&1
wait_file "$TMPD/lst.log" "^accepted" 10 || fail "listener: $(cat "$TMPD/lst.log")"
acc=$(sed -n 's/^accepted //p' "$TMPD/lst.log")
rst=$(sed -n 's/^reset \([0-9]*\) of.*/\1/p' "$TMPD/conn.out")
[ -n "$acc" ] && [ "$acc" -ge 1 ] && [ "$acc" -le 3 ] || fail "accepted $acc (backlog 2 queues at most 3): $(cat "$TMPD/conn.out")"
[ -n "$rst" ] && [ $((acc + rst)) -eq 10 ] || fail "accepted $acc, reset $rst: $(cat "$TMPD/conn.out")"
expect_log "limit backlog \(2\) reached by pid [0-9]+ uid 0: .*was reset.*--limit backlog=N" "the backlog report"
other_works
ok "accepted $acc, $(cat "$TMPD/conn.out"); another program echoed 100 kB"

check "buffer=64K: a program that does not read has at most 192 KiB queued; all 4 MiB arrive"
app python3 "$HELPER" slowread 10.0.0.1 9202 2 >"$TMPD/slow.out" 2>&1 || fail "slowread: $(cat "$TMPD/slow.out")"
q=$(sed -n 's/^queued //p' "$TMPD/slow.out")
[ -n "$q" ] && [ "$q" -gt 0 ] && [ "$q" -le $((192 * 1024)) ] || fail "queued $q bytes with buffer=64K: $(cat "$TMPD/slow.out")"
grep -q "^got $((4 << 20))$" "$TMPD/slow.out" || fail "slowread: $(cat "$TMPD/slow.out")"
ok "$(tr '\n' ' ' <"$TMPD/slow.out")"

check "a connect whose fd lwipd could not take (out of open files) fails that socket with EMFILE, nothing else"
python3 "$(dirname "$0")/proto/lost_fd.py" "$SOCKDIR" 10.0.0.1 9201 >"$TMPD/lostfd.out" 2>&1 ||
	fail "lost_fd.py: $(cat "$TMPD/lostfd.out")"
grep -q "^lost fd ok$" "$TMPD/lostfd.out" || fail "lost_fd.py: $(cat "$TMPD/lostfd.out")"
other_works
ok "SO_ERROR EMFILE, the control connection still serves"
lwipd_stop
pass
