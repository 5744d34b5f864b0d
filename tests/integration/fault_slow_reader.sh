#!/usr/bin/env bash
# A slow reader and a fast writer on one connection, in both directions at
# once: the program under the shim and the kernel-side peer each write
# 256 MiB as fast as they can while reading slowly (256 KiB, then a 4 ms
# pause).  Everything arrives (length and SHA-256 on both sides) and
# lwipd's RSS stays bounded meanwhile (VmRSS sampled every 0.2 s).
#
# The bound: lwipd's own memory for one connection is at most
#   TCP_SND_BUF 512 KiB (data from the program lwIP has not had acked)
# + TCP_WND 512 KiB (data from the peer not yet taken by the program; it
#   is held as one pbuf per frame, so about 600 KiB with headers)
# + TCP_OOSEQ_MAX_BYTES 256 KiB (out of order) + one 64 KiB read chunk,
# about 1.5 MiB (daemon/lwipopts.h, daemon/tcpsock.c); the socketpair
# buffers (--limit buffer) are the kernel's, not lwipd's.  The test allows
# 24 MiB over the RSS before the transfer, for malloc's arenas and
# slack; without flow control lwipd would hold a large part of the
# 512 MiB that pass through it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
shim_net
HELPER=$TMPD/slow.py
cat >"$HELPER" <<'EOF'
# both sides: write TOTAL bytes fast in one thread, read slowly in another;
# print "sent N SHA" and "got N SHA"
import hashlib, os, socket, sys, threading, time
TOTAL = 256 << 20
block = os.urandom(1 << 20)
def writer(s):
    h = hashlib.sha256()
    for i in range(TOTAL // len(block)):
        s.sendall(block); h.update(block)
    s.shutdown(socket.SHUT_WR)
    print("sent", TOTAL, h.hexdigest(), flush=True)
def reader(s):
    h, n = hashlib.sha256(), 0
    while True:
        d = s.recv(256 << 10)
        if not d: break
        h.update(d); n += len(d)
        time.sleep(0.004)
    print("got", n, h.hexdigest(), flush=True)
if sys.argv[1] == "server":
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("10.0.0.1", 9801)); l.listen(1)
    s = l.accept()[0]
else:
    s = socket.create_connection(("10.0.0.1", 9801), timeout=60)
    s.settimeout(None)
t = threading.Thread(target=writer, args=(s,)); t.start()
reader(s); t.join()
EOF
bg peer in_ns python3 "$HELPER" server
wait_kport 9801 || fail "peer did not start"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$LWIPD_PID/status"; }
rss0=$(rss)
limit=$((rss0 + 24 * 1024))
if grep -q libasan "/proc/$LWIPD_PID/maps"; then
	# ASan keeps freed memory in its quarantine (256 MiB by default)
	limit=$((rss0 + 512 * 1024))
	say "   NOTE: lwipd is an ASan build: RSS bound raised to the quarantine's size"
fi
check "256 MiB each way through slow readers: lwipd's RSS stays under $limit KiB (start $rss0 KiB)"
bg prog app python3 "$HELPER" client
PROG=$BG_PID
max=$rss0
while kill -0 "$PROG" 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$max" ] && max=$r
	[ "$r" -gt "$limit" ] && fail "lwipd's RSS reached $r KiB (limit $limit KiB)"
	sleep 0.2
done
wait "$PROG" || fail "the program failed: $(cat "$TMPD/prog.log")"
wait_file "$TMPD/peer.log" "^got" 30 || fail "peer: $(cat "$TMPD/peer.log")"
say "   program: $(tr '\n' ' ' <"$TMPD/prog.log")"
say "   peer:    $(tr '\n' ' ' <"$TMPD/peer.log")"
ps=$(sed -n 's/^sent //p' "$TMPD/prog.log"); pg=$(sed -n 's/^got //p' "$TMPD/peer.log")
ks=$(sed -n 's/^sent //p' "$TMPD/peer.log"); kg=$(sed -n 's/^got //p' "$TMPD/prog.log")
[ -n "$ps" ] && [ "$ps" = "$pg" ] || fail "program -> peer: sent '$ps', got '$pg'"
[ -n "$ks" ] && [ "$ks" = "$kg" ] || fail "peer -> program: sent '$ks', got '$kg'"
ok "both directions complete and intact; lwipd's RSS peaked at $max KiB ($(( (max - rss0) / 1024 )) MiB over the start)"
lwipd_stop
pass
