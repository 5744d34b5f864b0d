#!/usr/bin/env bash
# Unprivileged: the TAP is made with `ip tuntap add ... user 65534` and
# lwipd runs as uid/gid 65534 with no groups and no capabilities (setpriv).
# It gets a DHCPv4 lease, link-local, SLAAC and manual IPv6 addresses from
# dnsmasq, and the kernel side pings every one of them.
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd setpriv dnsmasq
tun_world_rw
ns_create 65534
kaddr 10.0.0.1/24 fe80::1/64 "$NET6::1/64"
dnsmasq_start --port=0 --no-ping --dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,1h \
	--enable-ra --dhcp-range="$NET6::,ra-only,64,1h"
LWIPD_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
LWIPD_MOUNT_OWNER=65534:65534
fsarg=()
if [ "$(( 0$(stat -c %a /dev/fuse 2>/dev/null || echo 0) & 6 ))" -ne 6 ]; then
	# This test is about the network; the filesystem has tests of its own.
	say "   NOTE: /dev/fuse is not usable by other users here (Debian's default is 0666): --no-fs"
	fsarg=(--no-fs)
fi
lwipd_start -i "$TAP" --dhcp -A "$NET6::10/64" "${fsarg[@]}"
check "lwipd runs as uid 65534 without capabilities"
st=/proc/$LWIPD_PID/status
grep -qE '^Uid:\s+65534\s+65534\s+65534\s+65534' "$st" || fail "not uid 65534: $(grep ^Uid "$st")"
grep -qE '^CapEff:\s+0+$' "$st" || fail "has capabilities: $(grep ^CapEff "$st")"
ok "$(grep ^Uid "$st" | tr -s '\t ' ' '), $(grep ^CapEff "$st" | tr -s '\t ' ' ')"
mac=$(lwipd_mac)
ll=$(eui64 fe80:0:0:0 "$mac")
slaac=$(eui64 "$NET6:0:0" "$mac")
expect_log "$TAP: IPv4 10\.0\.0\.[0-9]+ .*DHCP lease" "a DHCP lease"
addr=$(log_line "$TAP: IPv4 .*DHCP lease" | sed -E 's/.*IPv4 ([0-9.]+) .*/\1/')
expect_log "$TAP: $slaac is preferred" "the SLAAC address $slaac"
expect_log "$TAP: $NET6::10 is preferred" "the manual address"
expect_ping "$addr" "leased IPv4"
expect_ping "$ll%$TAP" "link-local"
expect_ping "$slaac" "SLAAC"
expect_ping "$NET6::10" "manual"
lwipd_stop
pass
