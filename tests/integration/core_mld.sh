#!/usr/bin/env bash
# MLD: tcpdump on the kernel side of the TAP must see, from lwipd's MAC, an
# MLD report for the solicited-node group ff02::1:ffXX:XXXX of each of its
# addresses: link-local (= the SLAAC address's group, same EUI-64), the
# SLAAC address from dnsmasq's RA, and two manual addresses.
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
kaddr fe80::1/64 "$NET6::1/64"
mac=02:00:5e:10:20:30
ll=$(eui64 fe80:0:0:0 "$mac")
slaac=$(eui64 "$NET6:0:0" "$mac")
m1=$NET6::10 m2=$NET6::ab:cd12:3456
capture_start ip6   # not "icmp6": MLD has a hop-by-hop header first
lwipd_start -i "$TAP" --mac "$mac" -A "$m1/64" -A "$m2/64"
dnsmasq_start --port=0 --enable-ra --dhcp-range="$NET6::,ra-only,64,1h"
for a in "$ll" "$m1" "$m2" "$slaac"; do
	wait_log "$TAP: $a is preferred" || fail "$a never became preferred"
done
sleep 1   # MLD reports may be delayed up to a second after the join
capture_stop
capture_read >"$TMPD/cap.txt"
for a in "$ll" "$slaac" "$m1" "$m2"; do
	g=$(solnode "$a")
	check "a report for $g (solicited-node group of $a) from $mac"
	line=$(grep -E "^[^ ]+ $mac > 33:33:.*multicast listener report.*$g([^0-9a-f:]|$)" "$TMPD/cap.txt" | head -n 1)
	[ -n "$line" ] || fail "no MLD report for $g from $mac; reports seen: $(grep 'listener report' "$TMPD/cap.txt" | grep -o 'addr: [^ ]*\|gaddr [^ ]*' | sort -u | tr '\n' ' ')"
	ok "$(awk '{print $2, $3, $4}' <<<"$line" | tr -d ,) $(grep -oE '\) [^ ]+ > [^ ]+ ' <<<"$line" | cut -c3-)$(grep -oE 'multicast listener report.*' <<<"$line")"
done
lwipd_stop
pass
