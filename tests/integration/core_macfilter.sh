#!/usr/bin/env bash
# MAC filter: frames to the multicast MAC of a group lwipd did not join
# (33:33:ff:12:34:56, ff02::1:ff12:3456) are dropped and counted: at SIGTERM
# "MAC filter dropped N multicast" with N >= the frames sent.  A neighbour
# solicitation for lwipd's address sent to that wrong MAC is not answered
# (it would be without the filter: checked with --promisc-multicast), while
# NS to the joined solicited-node group are answered, including the kernel's
# own after `ip -6 neigh flush`.
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd python3
ns_create
kaddr fe80::1/64 "$NET6::1/64"
km=$(kmac)
lwipd_start -i "$TAP" -A "$NET6::10/64"
mac=$(lwipd_mac)
expect_log "$TAP: $NET6::10 is preferred" "the manual address"

check "NS for $NET6::10 to its joined group MAC 33:33:ff:00:00:10 is answered"
out=$(pkt_expect "NA $NET6::10 from $mac" ns "$NET6::10" 33:33:ff:00:00:10 "$km" fe80::1) ||
	fail "no NA: '$out'"
ok "$out"
check "the same NS sent to the unjoined group MAC 33:33:ff:12:34:56 is dropped"
out=$(pkt ns "$NET6::10" 33:33:ff:12:34:56 "$km" fe80::1)
[ -z "$out" ] || fail "answered through a MAC that was not joined: $out"
ok "no NA"

sent=1
check "200 echo requests to ff02::1:ff12:3456 at 33:33:ff:12:34:56 (python, AF_PACKET)"
out=$(pkt flood 33:33:ff:12:34:56 "$km" 200) || fail "the raw sender failed: $out"
sent=$((sent + 200))
ok "$out"
check "ping6 -c 5 ff02::1:ff12:3456%$TAP from the kernel side (no answer expected)"
in_ns ping -c 5 -i 0.2 -W 1 -n "ff02::1:ff12:3456%$TAP" >"$TMPD/mping.out" 2>&1
grep -q 'bytes from' "$TMPD/mping.out" && fail "something answered: $(grep 'bytes from' "$TMPD/mping.out" | head -n 2)"
sent=$((sent + 5))
ok "$(grep 'packets transmitted' "$TMPD/mping.out")"

check "NS to the joined group: ping6 $NET6::10 with a flushed neighbour cache"
ip -n "$NS" -6 neigh flush dev "$TAP"
ip -n "$NS" -6 neigh show dev "$TAP" | grep -q "$NET6::10 .*lladdr" && fail "neighbour cache not flushed"
expect_ping "$NET6::10" "manual"

lwipd_stop
check "the counters: MAC filter dropped N multicast with N >= $sent"
line=$(log_line "$TAP: rx .*MAC filter dropped") || fail "no counters line at SIGTERM"
n=$(sed -E 's/.*MAC filter dropped ([0-9]+) multicast.*/\1/' <<<"$line")
[ "$n" -ge "$sent" ] || fail "dropped $n multicast frames, but $sent were sent to an unjoined group"
ok "dropped $n multicast (sent $sent to 33:33:ff:12:34:56)"

check "control: with --promisc-multicast the NS to the wrong MAC is answered"
lwipd_start -i "$TAP" -A "$NET6::10/64" --promisc-multicast
wait_log "$TAP: $NET6::10 is preferred" || fail "manual address never preferred"
out=$(pkt_expect "NA $NET6::10 from $mac" ns "$NET6::10" 33:33:ff:12:34:56 "$km" fe80::1) ||
	fail "no NA even without the filter: '$out' (is the probe broken?)"
ok "$out"
lwipd_stop
log_line "MAC filter dropped 0 multicast" >/dev/null || fail "--promisc-multicast still dropped multicast: $(log_line 'MAC filter')"
ok "$(log_line 'MAC filter' | sed -E 's/.*(MAC filter[^,]*).*/\1/')"
pass
