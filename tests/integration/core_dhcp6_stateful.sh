#!/usr/bin/env bash
# Stateful DHCPv6: radvd advertises PREFIX::/64 with the M flag (and no
# autonomous flag, so no SLAAC address); dnsmasq leases addresses from
# PREFIX::100-PREFIX::1ff for 2 minutes (its minimum; T1 about 1 minute) with
# the DNS server PREFIX::53 and the search domains lab.example corp.example.
# lwipd must lease an address from the range (logged once, with the server's
# DUID), answer ping on it, show the lease in the filesystem's `interfaces`,
# publish the DNS server and search domains in resolv.conf, Renew at T1 (seen
# on the wire and in dnsmasq's log), and Release at exit (dnsmasq logs
# DHCPRELEASE and its lease file no longer has the address).
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd radvd dnsmasq tcpdump
ns_create
kaddr fe80::1/64 "$NET6::1/64"
capture_start --immediate-mode   # every frame written at once: the last ones (Release) too
radvd_start "AdvManagedFlag on; AdvOtherConfigFlag on;" off
dnsmasq_start --port=0 --dhcp-range="$NET6::100,$NET6::1ff,64,2m" \
	--dhcp-option="option6:dns-server,[$NET6::53]" \
	--dhcp-option="option6:domain-search,lab.example,corp.example"
lwipd_start -i "$TAP"
expect_log "$TAP: router advertisement asks for DHCPv6 \(M flag\)" "the M flag seen"
expect_log "$TAP: DHCPv6: leased $NET6::1[0-9a-f][0-9a-f] from ([0-9a-f]{2}:)+[0-9a-f]{2} \(preferred [0-9]+s, valid [0-9]+s\)" "the lease"
ADDR=$(log_line "DHCPv6: leased" | sed -E 's/.*leased ([0-9a-f:]+) from.*/\1/')
check "the leased address $ADDR is in the range $NET6::100-$NET6::1ff"
/usr/bin/python3 - "$ADDR" "$NET6" <<'PY' || fail "$ADDR is outside the range"
import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1])
lo, hi = ipaddress.IPv6Address(sys.argv[2] + '::100'), ipaddress.IPv6Address(sys.argv[2] + '::1ff')
sys.exit(0 if lo <= a <= hi else 1)
PY
ok "$ADDR"
# our client DUID: DUID-LL (type 3, Ethernet) of lwipd's MAC
DUID=00:03:00:01:$(lwipd_mac)
SERVER=$(log_line "DHCPv6: leased" | sed -E 's/.* from ([0-9a-f:]+) \(.*/\1/')
[ "$(grep -c 'DHCPv6: leased' "$LWIPD_LOG")" = 1 ] || fail "the lease was logged more than once"
expect_log "$TAP: $ADDR is preferred" "DAD passed on $ADDR"
expect_ping "$ADDR" "leased"

check "interfaces shows the lease: address, server DUID, T1, T2, lifetimes"
IFS_LINE=$(grep -E "^ +dhcp6 " "$TMPD/mnt/interfaces")
grep -Eq "dhcp6 bound $ADDR server $SERVER t1 [0-9]+s t2 [0-9]+s preferred_lft [0-9]+s valid_lft [0-9]+s" <<<"$IFS_LINE" ||
	fail "no dhcp6 lease line: $(cat "$TMPD/mnt/interfaces")"
ok "$IFS_LINE"
grep -Eq "inet6 $ADDR/64 scope global preferred dynamic valid_lft [0-9]+s preferred_lft [0-9]+s" "$TMPD/mnt/interfaces" ||
	fail "the inet6 line of $ADDR lacks its lease lifetimes: $(grep "$ADDR" "$TMPD/mnt/interfaces")"
ok "$(grep "inet6 $ADDR" "$TMPD/mnt/interfaces" | sed 's/^ *//')"

check "resolv.conf has the DHCPv6 DNS server and search domains"
expect_log "DNS server $NET6::53 learned" "the DNS server from DHCPv6"
grep -qx "nameserver $NET6::53" "$TMPD/mnt/resolv.conf" || fail "resolv.conf: $(cat "$TMPD/mnt/resolv.conf")"
grep -qx "search lab.example corp.example" "$TMPD/mnt/resolv.conf" || fail "resolv.conf: $(cat "$TMPD/mnt/resolv.conf")"
ok "$(grep -v '^#' "$TMPD/mnt/resolv.conf" | tr '\n' ';')"

T1=$(sed -E 's/.* t1 ([0-9]+)s .*/\1/' <<<"$IFS_LINE")
check "lwipd renews at T1 (in ${T1}s)"
wait_log "$TAP: DHCPv6: renewed $ADDR from $SERVER" $((T1 + 20)) || fail "no renewal within T1 + 20 s"
ok "$(log_line 'DHCPv6: renewed' | sed 's/^lwipd: //')"
# dnsmasq logs "XID DHCPRENEW(TAP) DUID", then "XID DHCPREPLY(TAP) ADDR DUID"
XID=$(grep -m1 "DHCPRENEW($TAP) $DUID" "$TMPD/dnsmasq.log" | sed -E 's/.*\]: ([0-9]+) DHCPRENEW.*/\1/')
[ -n "$XID" ] || fail "dnsmasq saw no DHCPRENEW from $DUID: $(grep DHCP "$TMPD/dnsmasq.log" | tail -n 5)"
grep -q "]: $XID DHCPREPLY($TAP) $ADDR $DUID" "$TMPD/dnsmasq.log" ||
	fail "dnsmasq did not renew $ADDR: $(grep "]: $XID " "$TMPD/dnsmasq.log")"
ok "dnsmasq: $(grep "]: $XID DHCP" "$TMPD/dnsmasq.log" | sed 's/.*dnsmasq-dhcp[^ ]* //' | tr '\n' ' ')"
expect_ping "$ADDR" "renewed"
grep -q "$ADDR" "$TMPD/dnsmasq.leases" || fail "dnsmasq's lease file lacks $ADDR before exit"

lwipd_stop
check "lwipd released the lease at exit"
grep -q "DHCPv6: $ADDR released" "$LWIPD_LOG" || fail "lwipd did not log the release"
end=$(( $(date +%s) + 5 ))
until grep -q "DHCPRELEASE($TAP) $DUID" "$TMPD/dnsmasq.log"; do
	[ "$(date +%s)" -ge "$end" ] && fail "dnsmasq logged no DHCPRELEASE: $(grep DHCP "$TMPD/dnsmasq.log" | tail -n 5)"
	sleep 0.2
done
ok "dnsmasq: $(grep -m1 "DHCPRELEASE($TAP)" "$TMPD/dnsmasq.log" | sed 's/.*dnsmasq-dhcp[^ ]* //')"
end=$(( $(date +%s) + 5 ))
while grep -q "$ADDR" "$TMPD/dnsmasq.leases"; do
	[ "$(date +%s)" -ge "$end" ] && fail "dnsmasq's lease file still has $ADDR: $(cat "$TMPD/dnsmasq.leases")"
	sleep 0.2
done
ok "dnsmasq's lease file no longer has $ADDR"

capture_stop
capture_read >"$TMPD/cap.txt"
check "the wire shows the whole exchange: solicit, advertise, request, reply, renew, release"
for m in solicit advertise request reply renew release; do
	grep -q "dhcp6 $m" "$TMPD/cap.txt" || fail "no DHCPv6 $m in the capture: $(grep dhcp6 "$TMPD/cap.txt" | head -n 8)"
done
# grep -c, not -q: -q exits at the first match and the writer's SIGPIPE
# would fail the pipeline (pipefail) when the capture is long
grep -A3 'router advertisement' "$TMPD/cap.txt" | grep -c 'Flags \[managed' >/dev/null ||
	fail "RA without the M flag: $(grep -m1 -A3 'router advertisement' "$TMPD/cap.txt")"
ok "$(grep -c dhcp6 "$TMPD/cap.txt") DHCPv6 messages; RA with M"
pass
