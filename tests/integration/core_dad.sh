#!/usr/bin/env bash
# DAD: the kernel side already holds PREFIX::10 (nodad).  lwipd -A
# PREFIX::10/64 must log it as a duplicate and never answer for it: a
# neighbour solicitation for PREFIX::10 sent from the kernel side gets no
# advertisement from lwipd's MAC, and an echo request sent straight to
# lwipd's MAC for PREFIX::10 gets no reply.  Its link-local address still
# answers both (which also shows the probes themselves work).
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
kaddr fe80::1/64 "$NET6::1/64" "$NET6::10/64"
capture_start    # for the failure report
lwipd_start -i "$TAP" -A "$NET6::10/64"
mac=$(lwipd_mac)
km=$(kmac)
ll=$(eui64 fe80:0:0:0 "$mac")
expect_log "$TAP: $NET6::10 is a duplicate" "$NET6::10 marked duplicate"
expect_log "$TAP: $ll is preferred" "the link-local address $ll"
check "$NET6::10 was never logged as usable"
grep -E "$NET6::10 is (preferred|deprecated)" "$LWIPD_LOG" && fail "$NET6::10 was logged usable"
ok "never preferred"
expect_ping "$ll%$TAP" "link-local"

check "an NS for the link-local $ll is answered by lwipd (control)"
out=$(pkt_expect "NA $ll from $mac" ns "$ll" "$(sed -E 's/.*(..):(..):(..)$/33:33:ff:\1:\2:\3/' <<<"$mac")" "$km" fe80::1) ||
	fail "no NA for $ll from $mac: '$out'"
ok "$out"
check "an NS for the duplicate $NET6::10 gets no NA from lwipd's MAC $mac"
out=$(pkt ns "$NET6::10" 33:33:ff:00:00:10 "$km" fe80::1)
grep -q "from $mac" <<<"$out" && fail "lwipd advertised the duplicate: $out"
ok "no NA from $mac${out:+ (seen: $out)}"

check "an echo request to $ll at lwipd's MAC is answered (control)"
out=$(pkt_expect "REPLY from $ll" echo6 "$ll" "$mac" "$km" fe80::1 3) ||
	fail "no echo reply from $ll: '$out'"
ok "$(grep -c REPLY <<<"$out") replies"
check "an echo request to $NET6::10 at lwipd's MAC gets no reply"
out=$(pkt echo6 "$NET6::10" "$mac" "$km" "$NET6::1" 3)
grep -q "REPLY" <<<"$out" && fail "lwipd answered for the duplicate $NET6::10: $out"
ok "no reply"
lwipd_stop
pass
