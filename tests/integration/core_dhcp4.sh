#!/usr/bin/env bash
# DHCPv4: dnsmasq on the kernel side leases from 10.0.0.50-10.0.0.60 and
# names 10.0.0.1 as DNS server; lwipd --dhcp logs the leased address and
# "DNS server 10.0.0.1 learned"; the kernel side pings the leased address,
# which must be the one dnsmasq recorded for lwipd's MAC.
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
kaddr 10.0.0.1/24
dnsmasq_start --port=0 --no-ping --dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,1h \
	--dhcp-option=option:dns-server,10.0.0.1 --dhcp-option=option:router,10.0.0.1
lwipd_start -i "$TAP" --dhcp
expect_log "$TAP: IPv4 10\.0\.0\.[0-9]+ netmask 255\.255\.255\.0 gateway 10\.0\.0\.1 \(DHCP lease" \
	"a DHCP lease with the router 10.0.0.1"
addr=$(log_line "$TAP: IPv4 .*DHCP lease" | sed -E 's/.*IPv4 ([0-9.]+) .*/\1/')
mac=$(lwipd_mac)
check "the leased address $addr is in dnsmasq's range and dnsmasq leased it to $mac"
case $addr in 10.0.0.5[0-9]|10.0.0.60) ;; *) fail "$addr is outside 10.0.0.50-60";; esac
grep -q "DHCPACK($TAP) $addr $mac" "$TMPD/dnsmasq.log" ||
	fail "dnsmasq did not log DHCPACK($TAP) $addr $mac: $(grep DHCP "$TMPD/dnsmasq.log" | tail -n 3)"
ok "dnsmasq: $(grep -m1 "DHCPACK($TAP)" "$TMPD/dnsmasq.log" | sed 's/^dnsmasq[^:]*: //')"
expect_log "DNS server 10\.0\.0\.1 learned" "the DNS server from the lease"
expect_ping "$addr" "leased IPv4"
lwipd_stop
check "the lease was released at SIGTERM (dnsmasq saw DHCPRELEASE)"
for _ in $(seq 20); do grep -q "DHCPRELEASE($TAP) $addr" "$TMPD/dnsmasq.log" && break; sleep 0.2; done
grep -q "DHCPRELEASE($TAP) $addr" "$TMPD/dnsmasq.log" || fail "no DHCPRELEASE for $addr in dnsmasq's log"
ok "released"
pass
