#!/usr/bin/env bash
# IPv6: dnsmasq sends router advertisements for PREFIX::/64 (SLAAC) from
# fe80::1; lwipd -A PREFIX::10/64.  The link-local, SLAAC and manual
# addresses all answer ping6 from the kernel side; the SLAAC and link-local
# addresses are the modified EUI-64 of lwipd's MAC (given with --mac, and
# checked against the "up, MAC" line); "default router fe80::1 learned".
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
kaddr fe80::1/64 "$NET6::1/64"
mac=02:00:5e:10:00:2a
ll=$(eui64 fe80:0:0:0 "$mac")
slaac=$(eui64 "$NET6:0:0" "$mac")
say "   expecting link-local $ll, SLAAC $slaac, manual $NET6::10"
lwipd_start -i "$TAP" --mac "$mac" -A "$NET6::10/64"
check "lwipd uses the MAC given with --mac"
[ "$(lwipd_mac)" = "$mac" ] || fail "up line says MAC $(lwipd_mac), not $mac"
ok "$mac"
dnsmasq_start --port=0 --enable-ra --dhcp-range="$NET6::,ra-only,64,1h" --ra-param="$TAP,10,600"
expect_log "$TAP: $ll is preferred" "the EUI-64 link-local address"
expect_log "$TAP: $NET6::10 is preferred" "the manual address passing DAD"
expect_log "$TAP: prefix $NET6::/64 learned" "the advertised prefix"
expect_log "$TAP: $slaac is preferred" "the SLAAC address (EUI-64 of $mac under $NET6::/64)"
expect_log "$TAP: default router fe80::1 learned" "the default router from the RA"
check "no other global address was formed"
others=$(grep -E ' is (preferred|tentative|deprecated)' "$LWIPD_LOG" |
	grep -vF -e " $ll " -e " $slaac " -e " $NET6::10 ")
[ -z "$others" ] || fail "unexpected addresses: $others"
ok "only $ll, $slaac, $NET6::10"
expect_ping "$ll%$TAP" "link-local"
expect_ping "$slaac" "SLAAC"
expect_ping "$NET6::10" "manual"
check "the kernel side reaches all three at lwipd's MAC"
for a in "$ll" "$slaac" "$NET6::10"; do
	ip -n "$NS" -6 neigh show "$a" dev "$TAP" | grep -qi "lladdr $mac" ||
		fail "neighbour entry for $a is not $mac: $(ip -n "$NS" -6 neigh show "$a")"
done
ok "neighbour entries all at $mac"
lwipd_stop
pass
