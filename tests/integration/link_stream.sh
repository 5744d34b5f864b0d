#!/usr/bin/env bash
# Two lwipd wired by a stream socket (-i stream-listen:PATH and
# -i stream:PATH, the QEMU stream framing), with no TAP and no privilege:
# both run as uid 65534 without capabilities, in a namespace holding only
# loopback.  Static IPv4 and IPv6 addresses on both.
#
# "Ping": lwIP answers echo requests but the shim has no ICMP sockets, so
# no program under lwip-run can send one.  Instead:
#  - a peer written from the protocol (link/wire_peer.py: ARP, NS, echo)
#    pings A over the socket itself, IPv4 and IPv6, and gets the replies;
#  - between A and B, a UDP round trip over each family, then datagrams to
#    a closed port of A: A's lwIP answers ICMP/ICMPv6 port unreachable,
#    so A's icmp/icmp6 "xmit" and B's "recv" in the `stats` files grow -
#    ICMP crossing the link both ways, counted by both stacks.
# Then a TCP transfer (4 MiB, SHA-256 compared) over each family, the MAC
# filter counting frames for other hosts, B's --pcap holding the round
# trips, a peer sending bad lengths (0, too big: dropped, A waits for the
# next), a peer that never reads (frames dropped and counted, A keeps
# answering), B killed and restarted, and A restarted while B retries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/link_lib.sh"
lib_init
need_cmd setpriv sha256sum
need_link_user
ns_empty
SOCK=$TMPD/s/link.sock
APPS=$(dirname "$WIRE_PEER")/apps.py
A4=10.9.0.1 B4=10.9.0.2 A6=$NET6::1 B6=$NET6::2
A_ARGS=(-i "stream-listen:$SOCK" -a "$A4/24" -A "$A6/64")
B_ARGS=(-i "stream:$SOCK" -a "$B4/24" -A "$B6/64" --pcap "$TMPD/s/b.pcap")

lwipd_start "${A_ARGS[@]}"
check "A runs as uid $LINK_UID without capabilities, listening on $SOCK"
st=/proc/$LWIPD_PID/status
grep -qE "^Uid:\s+$LINK_UID\s" "$st" || fail "not uid $LINK_UID: $(grep ^Uid "$st")"
grep -qE '^CapEff:\s+0+$' "$st" || fail "has capabilities: $(grep ^CapEff "$st")"
[ -S "$SOCK" ] || fail "no socket at $SOCK"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK"), not 0600"
ok "$(grep ^Uid "$st" | tr -s '\t ' ' '), socket mode 0600"
check "no peer: A's link is down (no LOWER_UP), waiting"
line=$(iface_line "$TMPD/mnt" 'stream-listen:')
grep -q 'state DOWN' <<<"$line" && ! grep -q LOWER_UP <<<"$line" || fail "link not down without a peer: $line"
iface_line "$TMPD/mnt" '^ +link stream-listen waiting' >/dev/null || fail "interfaces does not say waiting"
ok "$line"

check "a peer speaking the framing pings A (ARP + ICMP echo, NS + ICMPv6 echo)"
out=$(wire_peer "$SOCK" ping "$A4" "$A6")
sed 's/^/   | /' <<<"$out"
grep -q "^REPLY4 $A4" <<<"$out" || fail "no echo reply from $A4 over the stream"
grep -q "^REPLY6 $(norm6 "$A6")" <<<"$out" || fail "no ICMPv6 echo reply from $A6 over the stream"
ok "echo replies from $A4 and $A6"
expect_log "$A6 is preferred" "A's static IPv6 address (DAD ran once a peer came)"

check "the MAC filter works on a stream link: frames for others are dropped and counted"
before=$(iface_line "$TMPD/mnt" 'filtered multicast')
wire_peer "$SOCK" junk 5 >/dev/null || fail "wire_peer junk failed"
after=$(iface_line "$TMPD/mnt" 'filtered multicast')
fm() { sed -E 's/.*filtered multicast ([0-9]+) unicast ([0-9]+).*/\1 \2/' <<<"$1"; }
read -r m0 u0 <<<"$(fm "$before")"
read -r m1 u1 <<<"$(fm "$after")"
[ $((m1 - m0)) -ge 5 ] && [ $((u1 - u0)) -ge 5 ] ||
	fail "filter counters: multicast +$((m1 - m0)), unicast +$((u1 - u0)) (5 each expected)"
ok "filtered multicast +$((m1 - m0)), unicast +$((u1 - u0))"

check "bad lengths are protocol errors: the connection is dropped, A waits for the next peer"
for len in 0 65554 4294967295; do
	out=$(wire_peer "$SOCK" bad "$len")
	[ "$out" = closed ] || fail "length $len: A kept the connection ($out)"
	wait_log "protocol error: the peer sent a frame length of $len \(must be 1 to 65553\); waiting for the next peer" ||
		fail "no protocol error logged for length $len"
done
lwipd_alive || fail "A died"
ok "$(log_line 'protocol error' | sed 's/^lwipd: //')"

check "a peer that reads nothing: frames are dropped and counted, the loop never stalls"
bg stall wire_peer "$SOCK" stall 30
STALL_PID=$BG_PID
n=$(count_file "$LWIPD_LOG" 'connected to the peer')
wait_file "$LWIPD_LOG" "connected to the peer again \(connection $((n + 1))\)" 10 ||
	fail "the stalling peer did not connect"
run_a timeout 30 /usr/bin/python3 "$APPS" udp-send 10.9.0.255 9 3000 1400 >"$TMPD/flood.out" 2>&1 ||
	fail "sending 3000 broadcasts through A did not finish: $(cat "$TMPD/flood.out")"
line=$(iface_line "$TMPD/mnt" '^ +tx frames')
dropped=$(awk '{ for (i = 1; i < NF; i++) if ($i == "dropped") print $(i + 1) }' <<<"$line")
[ "${dropped:-0}" -gt 0 ] || fail "no frames counted as dropped: $line"
timeout 5 "${AS_USER[@]}" cat "$TMPD/mnt/status" >/dev/null || fail "A does not answer its filesystem"
ok "$line; A still answers"
bg_stop "$STALL_PID"
wait_log "the peer closed the connection; waiting for the next peer" || fail "the stalled peer's exit was not noticed"

b_start "${B_ARGS[@]}"
check "B connects to A; both have their addresses"
wait_file "$TMPD/b.log" "stream:$SOCK: connected to the peer" || fail "B did not connect"
wait_file "$TMPD/b.log" "$B6 is preferred" || fail "B's $B6 never became preferred"
ok "$(grep -m1 'connected to the peer' "$TMPD/b.log" | sed 's/^lwipd: //')"

check "one peer at a time: a second one is closed at once, B keeps the link"
out=$(wire_peer "$SOCK" idle 3)
[ "$out" = closed ] || fail "a second peer was not closed: $out"
wait_log "refused a second peer" 5 || fail "the refusal was not logged"
ok "$(log_line 'refused a second peer' | sed 's/^lwipd: //')"

check "UDP round trips between programs under each stack, IPv4 and IPv6"
bg uecho run_a /usr/bin/python3 "$APPS" udp-echo 4711
wait_file "$TMPD/uecho.log" listening || fail "UDP echo under A did not start"
for dst in "$A4" "$A6"; do
	out=$(run_b /usr/bin/python3 "$APPS" udp-ping "$dst" 4711)
	grep -q "^echo from " <<<"$out" || fail "no UDP echo from $dst: $out"
	ok "B -> $dst: $out"
done

check "B's --pcap captured the round trips"
need_cmd tcpdump
tcpdump -r "$TMPD/s/b.pcap" -n 'udp port 4711' 2>/dev/null >"$TMPD/pcap.txt"
grep -q "IP $B4\.[0-9]* > $A4\.4711: UDP" "$TMPD/pcap.txt" && grep -q "IP $A4\.4711 > $B4\.[0-9]*: UDP" "$TMPD/pcap.txt" ||
	fail "IPv4 round trip not in B's capture: $(cat "$TMPD/pcap.txt")"
grep -q "IP6 $B6\.[0-9]* > $A6\.4711: UDP" "$TMPD/pcap.txt" && grep -q "IP6 $A6\.4711 > $B6\.[0-9]*: UDP" "$TMPD/pcap.txt" ||
	fail "IPv6 round trip not in B's capture: $(cat "$TMPD/pcap.txt")"
ok "$(wc -l <"$TMPD/pcap.txt") UDP frames on port 4711, both directions, both families"

check "ICMP crosses the link: A answers port unreachable, both stacks count it"
a4=$(stat_of "$TMPD/mnt" icmp xmit) a6=$(stat_of "$TMPD/mnt" icmp6 xmit)
b4=$(stat_of "$TMPD/b.mnt" icmp recv) b6=$(stat_of "$TMPD/b.mnt" icmp6 recv)
run_b /usr/bin/python3 "$APPS" udp-send "$A4" 7999 3 10 >/dev/null
run_b /usr/bin/python3 "$APPS" udp-send "$A6" 7999 3 10 >/dev/null
sleep 1
a4n=$(stat_of "$TMPD/mnt" icmp xmit) a6n=$(stat_of "$TMPD/mnt" icmp6 xmit)
b4n=$(stat_of "$TMPD/b.mnt" icmp recv) b6n=$(stat_of "$TMPD/b.mnt" icmp6 recv)
[ $((a4n - a4)) -ge 3 ] && [ $((b4n - b4)) -ge 3 ] ||
	fail "ICMP: A sent $((a4n - a4)), B received $((b4n - b4)) (3 expected)"
[ $((a6n - a6)) -ge 3 ] && [ $((b6n - b6)) -ge 3 ] ||
	fail "ICMPv6: A sent $((a6n - a6)), B received $((b6n - b6)) (3 expected)"
ok "icmp: A xmit +$((a4n - a4)), B recv +$((b4n - b4)); icmp6: A xmit +$((a6n - a6)), B recv +$((b6n - b6))"

check "TCP: 4 MiB from a server under A to a client under B, IPv4 and IPv6"
head -c 4194304 /dev/urandom >"$TMPD/data"
chmod 644 "$TMPD/data"
bg tcpsrv run_a /usr/bin/python3 "$APPS" tcp-serve 8000 "$TMPD/data" 2
wait_file "$TMPD/tcpsrv.log" listening || fail "TCP server under A did not start"
want=$(sha256sum <"$TMPD/data" | cut -d' ' -f1)
for dst in "$A4" "$A6"; do
	run_b timeout 60 /usr/bin/python3 "$APPS" tcp-fetch "$dst" 8000 "$TMPD/s/got" >"$TMPD/fetch.out" 2>&1 ||
		fail "fetch from $dst failed: $(cat "$TMPD/fetch.out")"
	got=$(sha256sum <"$TMPD/s/got" | cut -d' ' -f1)
	[ "$got" = "$want" ] || fail "from $dst: SHA-256 $got, sent $want ($(cat "$TMPD/fetch.out"))"
	ok "$(cat "$TMPD/fetch.out"), SHA-256 ${got:0:16}... matches"
done

check "B killed (SIGKILL) and started again: A notices, B connects anew"
b_kill KILL
wait_log "the peer closed the connection; waiting for the next peer" ||
	fail "A did not notice B's death"
n=$(count_file "$LWIPD_LOG" 'connected to the peer')
b_start "${B_ARGS[@]}"
wait_file "$LWIPD_LOG" "connected to the peer again \(connection $((n + 1))\)" 10 ||
	fail "A did not take the new B"
out=$(run_b /usr/bin/python3 "$APPS" udp-ping "$A6" 4711)
grep -q "^echo from " <<<"$out" || fail "no UDP echo after B's restart: $out"
ok "A: $(grep 'connected to the peer again' "$LWIPD_LOG" | tail -n1 | sed 's/^lwipd: //'); $out"

check "A restarted: B retries with backoff and reconnects"
lwipd_stop
wait_file "$TMPD/b.log" "the peer closed the connection; reconnecting" || fail "B did not notice A's exit"
[ -e "$SOCK" ] && fail "A left its socket $SOCK behind"
sleep 1                         # B retries meanwhile (debug: cannot connect)
lwipd_start "${A_ARGS[@]}"
wait_file "$TMPD/b.log" "connected to the peer again \(connection 2\); renewing addresses" ||
	fail "B did not reconnect"
bg uecho2 run_a /usr/bin/python3 "$APPS" udp-echo 4711
wait_file "$TMPD/uecho2.log" listening || fail "UDP echo under the new A did not start"
out=$(run_b /usr/bin/python3 "$APPS" udp-ping "$A4" 4711)
grep -q "^echo from " <<<"$out" || fail "no UDP echo after A's restart: $out"
ok "B: $(grep 'connected to the peer again' "$TMPD/b.log" | tail -n1 | sed 's/^lwipd: //'); $out"

lwipd_stop
b_kill TERM
pass
