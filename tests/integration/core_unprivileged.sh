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
fuse_world_rw
lwipd_start -i "$TAP" --dhcp -A "$NET6::10/64"
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
check "the filesystem was mounted by uid 65534 through fusermount3 and reads"
as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
grep -q " $TMPD/mnt fuse" /proc/mounts || fail "no FUSE mount at $TMPD/mnt"
"${as_user[@]}" cat "$TMPD/mnt/interfaces" | grep -q "inet6 $NET6::10/64 scope global preferred" ||
	fail "uid 65534 cannot read the manual address from interfaces"
"${as_user[@]}" test -S "$TMPD/mnt/26" || fail "no endpoint 26 for uid 65534"
ok "mounted, readable, endpoints there"
check "another uid (65533) cannot use the endpoints"
setpriv --reuid=65533 --regid=65533 --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1] + "/26")
except OSError as e:
    print("refused:", e); sys.exit(0)
print("connected"); sys.exit(1)' "$TMPD/mnt" >"$TMPD/other.out" 2>&1 ||
	fail "uid 65533 connected to lwipd's endpoint: $(cat "$TMPD/other.out")"
grep -q "^refused: .*Permission denied" "$TMPD/other.out" || fail "unexpected: $(cat "$TMPD/other.out")"
ok "$(cat "$TMPD/other.out")"
lwipd_stop
pass
