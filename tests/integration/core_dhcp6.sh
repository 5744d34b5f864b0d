#!/usr/bin/env bash
# Stateless DHCPv6: radvd advertises PREFIX::/64 with the O flag set and no
# RDNSS; dnsmasq (stateless DHCPv6 only: mode "static", no RAs) answers DHCPv6
# information requests with the DNS server PREFIX::53.  lwipd must log
# "DNS server PREFIX::53 learned", and the capture must show that the only
# place that address was on the wire is a DHCPv6 reply to lwipd.
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd radvd dnsmasq tcpdump
ns_create
kaddr fe80::1/64 "$NET6::1/64"
capture_start
radvd_start "AdvOtherConfigFlag on; AdvManagedFlag off;" on
dnsmasq_start --port=0 --dhcp-range="::,constructor:$TAP,static" \
	--dhcp-option="option6:dns-server,[$NET6::53]"
lwipd_start -i "$TAP" -A "$NET6::10/64"
expect_log "$TAP: default router fe80::1 learned" "the router from radvd's RA"
expect_log "DNS server $NET6::53 learned" "the DNS server $NET6::53"
expect_ping "$NET6::10" "manual"
lwipd_stop
capture_stop
capture_read >"$TMPD/cap.txt"
check "the RA on the wire has the O flag and no RDNSS option"
grep -q 'router advertisement' "$TMPD/cap.txt" || fail "no RA in the capture"
# grep -c, not -q: -q exits at the first match and the writer's SIGPIPE
# would fail the pipeline (pipefail) when the capture is long
grep -A3 'router advertisement' "$TMPD/cap.txt" | grep -c 'Flags \[other stateful\]' >/dev/null ||
	fail "RA without the O flag: $(grep -m1 -A3 'router advertisement' "$TMPD/cap.txt")"
grep -qi 'rdnss' "$TMPD/cap.txt" && fail "an RA carried RDNSS: the DNS server may not come from DHCPv6"
ok "O flag set, no RDNSS"
check "lwipd sent a DHCPv6 information request and got a reply naming $NET6::53"
grep -q 'dhcp6 inf-req' "$TMPD/cap.txt" || fail "no DHCPv6 inf-req in the capture: $(grep -c . "$TMPD/cap.txt") lines"
grep -q "dhcp6 reply.*$NET6::53" "$TMPD/cap.txt" ||
	fail "no DHCPv6 reply with $NET6::53: $(grep 'dhcp6' "$TMPD/cap.txt" | head -n 4)"
ok "$(grep -m1 'dhcp6 inf-req' "$TMPD/cap.txt" | sed 's/.*> //')"
ok "$(grep -m1 "dhcp6 reply.*$NET6::53" "$TMPD/cap.txt" | sed 's/.*> //')"
pass
