#!/usr/bin/env bash
# TCP connections with random close orders (tests/integration/shim/
# close_mix.py): each side sends 0 B to 700 KB and then half-closes,
# half-closes while reading slowly, waits for EOF before closing, resets,
# or closes without reading, after a random delay; 4 connections at a
# time.  Where neither side resets, both must receive exactly what the
# other sent; in every case nothing may hang.  lwipd's buffer toward
# programs is small (--limit buffer=65536), so connections often end in
# lwIP while lwipd still holds data for the program (shim_close_order has
# the two cases that failed).  Two runs: the program as the client over
# IPv4, then as the server over IPv6 (lwIP accepting).  Afterwards lwipd
# holds no socket but those whose error it keeps a minute (FAILED).
# CLOSE_MIX_N (120) and CLOSE_MIX_SEED (1) change the draw.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
SHIM_LWIPD_ARGS="--limit buffer=65536"
shim_net
MIX=$PEERLIB/close_mix.py
N=${CLOSE_MIX_N:-120}
SEED=${CLOSE_MIX_SEED:-1}

# cut_ok SERVER-LOG CLIENT-OUT - the server saw no more connections end
# before their header than the client reset (the server cannot check those)
cut_ok() {
	local cut resets
	cut=$(grep -c '^cut' "$1")
	resets=$(sed -n 's/.* \([0-9]*\) client resets$/\1/p' "$2")
	[ -n "$resets" ] && [ "$cut" -le "$resets" ] ||
		fail "$cut connections ended before their header, the client reset ${resets:-?}"
}

check "$N connections, the program as the client (IPv4, seed $SEED)"
bg kserver in_ns python3 "$MIX" server 10.0.0.1 9710
wait_file "$TMPD/kserver.log" "^listening" 10 || fail "peer: $(cat "$TMPD/kserver.log")"
app python3 "$MIX" client 10.0.0.1 9710 "$N" "$SEED" >"$TMPD/client1.out" 2>&1 ||
	fail "$(grep -m 5 ERROR "$TMPD/client1.out"; tail -n 3 "$TMPD/client1.out")"
! grep -m 5 ERROR "$TMPD/kserver.log" || fail "the peer saw errors (above)"
cut_ok "$TMPD/kserver.log" "$TMPD/client1.out"
ok "$(tail -n 1 "$TMPD/client1.out")"

check "$N connections, the program as the server (IPv6, seed $((SEED + 1)))"
bg pserver app python3 "$MIX" server "$NET6::2" 9711
PSERVER=$BG_PID
wait_file "$TMPD/pserver.log" "^listening" 10 || fail "program: $(cat "$TMPD/pserver.log")"
in_ns python3 "$MIX" client "$NET6::2" 9711 "$N" "$((SEED + 1))" >"$TMPD/client2.out" 2>&1 ||
	fail "$(grep -m 5 ERROR "$TMPD/client2.out"; tail -n 3 "$TMPD/client2.out")"
! grep -m 5 ERROR "$TMPD/pserver.log" || fail "the program saw errors (above)"
cut_ok "$TMPD/pserver.log" "$TMPD/client2.out"
ok "$(tail -n 1 "$TMPD/client2.out")"

check "afterwards: lwipd alive, no socket left but FAILED ones"
bg_stop "$PSERVER"
left() { awk 'NR > 1 && $4 != "FAILED"' "$SOCKDIR/sockets"; }
for _ in $(seq 100); do
	[ -z "$(left)" ] && break
	sleep 0.1
done
lwipd_alive || fail "lwipd died"
[ -z "$(left)" ] || fail "sockets left: $(left)"
ok "none left"
lwipd_stop
pass
