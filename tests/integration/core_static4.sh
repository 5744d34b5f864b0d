#!/usr/bin/env bash
# Static IPv4: lwipd -i TAP -a 10.0.0.2/24; the kernel side (10.0.0.1/24)
# pings 10.0.0.2 and the reply must come from that address.
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
kaddr 10.0.0.1/24
lwipd_start -i "$TAP" -a 10.0.0.2/24
expect_log "$TAP: IPv4 10\.0\.0\.2 netmask 255\.255\.255\.0" "the static address"
expect_ping 10.0.0.2 "static IPv4"
check "the kernel side learned lwipd's MAC for 10.0.0.2 by ARP"
mac=$(lwipd_mac)
ip -n "$NS" neigh show 10.0.0.2 dev "$TAP" | grep -qi "lladdr $mac" ||
	fail "ARP entry for 10.0.0.2 is not lwipd's MAC $mac: $(ip -n "$NS" neigh show 10.0.0.2)"
ok "10.0.0.2 is at $mac"
check "an address lwipd does not have (10.0.0.3) gets no reply"
ping_once 10.0.0.3 && fail "10.0.0.3 answered ping: lwipd answers for addresses it does not hold"
ok "no reply from 10.0.0.3"
lwipd_stop
pass
