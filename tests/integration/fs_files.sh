#!/usr/bin/env bash
# The /servers/socket filesystem: endpoints 2 and 26 are sockets inside the
# FUSE mount and the shim connects through them; the files show the DHCP
# lease, the SLAAC address as preferred, the router, the RDNSS server and
# the kernel side's neighbour entry; a TCP connection made through the shim
# is listed and goes away when closed.
. "$(dirname "$0")/lib.sh"
lib_init
[ -c /dev/fuse ] || skip "no /dev/fuse"
need_cmd fusermount3
[ -f "$BUILD_DIR/liblwipshim.so" ] || skip "build/liblwipshim.so not built"
ns_create
kaddr 10.0.0.1/24
kaddr fe80::1/64 "$NET6::1/64"
dnsmasq_start --port=53 --no-resolv --no-hosts --no-ping \
	--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,1h \
	--dhcp-option=option:dns-server,10.0.0.1 \
	--enable-ra --dhcp-range="$NET6::,ra-only,64,1h" --ra-param="$TAP,10,600" \
	--dhcp-option=option6:dns-server,"[$NET6::1]"
lwipd_start -i "$TAP" --dhcp
M=$TMPD/mnt
mac=$(lwipd_mac)
slaac=$(eui64 "$NET6:0:0" "$mac")
wait_log "$TAP: $slaac is preferred" || fail "no SLAAC address"
# dnsmasq picks the lease from 10.0.0.50-10.0.0.60 by a hash of the MAC
lease_re='10\.0\.0\.(5[0-9]|60)'
wait_log "IPv4 $lease_re " || fail "no DHCP lease"
wait_log "default router fe80" || fail "no router learned"

check "ls -l shows 2 and 26 as sockets, mode 0600, owned by us"
ls -l "$M" | tee "$TMPD/ls"
grep -Eq '^srw------- .* 2$' "$TMPD/ls" || fail "2 is not a 0600 socket"
grep -Eq '^srw------- .* 26$' "$TMPD/ls" || fail "26 is not a 0600 socket"
ok "2 and 26 are sockets"

check "interfaces: the lease and the SLAAC address, preferred"
cat "$M/interfaces"
grep -Eq "inet $lease_re/24 .*dynamic lease" "$M/interfaces" || fail "no DHCP lease shown"
grep -q "inet6 $slaac/64 scope global preferred" "$M/interfaces" || fail "SLAAC $slaac not shown preferred"
ok "lease and SLAAC shown"

check "routes: the router and the prefix from the RA"
cat "$M/routes"
grep -Eq "^default via fe80::[0-9a-f:]+ dev $TAP proto ra" "$M/routes" || fail "no IPv6 router"
grep -q "^$NET6::/64 dev $TAP proto ra" "$M/routes" || fail "no prefix"
ok "router and prefix shown"

check "resolv.conf: the DHCP and RDNSS servers"
cat "$M/resolv.conf"
grep -q "^nameserver 10.0.0.1$" "$M/resolv.conf" || fail "DHCP DNS server missing"
grep -q "^nameserver $NET6::1$" "$M/resolv.conf" || fail "RDNSS server missing"
ok "both DNS servers"

check "neighbours: the kernel side after a ping"
expect_ping "$slaac" "SLAAC"
cat "$M/neighbours"
kmac=$(kmac)
grep -Eqi "^($NET6::1|fe80::[0-9a-f:]+) dev $TAP lladdr $kmac" "$M/neighbours" ||
	fail "no neighbour entry with the kernel side's MAC $kmac"
ok "kernel side listed"

check "sockets: a TCP connection through the shim is listed, then gone"
bg holder in_ns python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9000)); s.listen(1)
c, a = s.accept(); c.recv(10); time.sleep(30)'
sleep 0.5
bg client "$BUILD_DIR/lwip-run" --socket-dir "$M" python3 -c '
import socket, sys, time
s = socket.create_connection(("10.0.0.1", 9000)); print("connected", flush=True)
sys.stdin.readline() if False else time.sleep(3); s.close(); time.sleep(5)'
end=$(( $(date +%s) + 10 ))
until grep -Eq "^tcp $lease_re:[0-9]+ 10\.0\.0\.1:9000 ESTABLISHED" "$M/sockets"; do
	[ "$(date +%s)" -ge "$end" ] && { cat "$M/sockets"; fail "connection not listed"; }
	sleep 0.2
done
grep "10.0.0.1:9000" "$M/sockets"
ok "listed as ESTABLISHED"
end=$(( $(date +%s) + 15 ))
while grep -q "10\.0\.0\.1:9000 ESTABLISHED" "$M/sockets"; do
	[ "$(date +%s)" -ge "$end" ] && { cat "$M/sockets"; fail "closed connection still listed as ESTABLISHED"; }
	sleep 0.2
done
ok "gone after close"

check "status and stats read"
grep -q '^version ' "$M/status" || fail "no version in status"
grep -q '^tcp ' "$M/stats" || fail "no tcp line in stats"
ok "status and stats"
lwipd_stop
check "the mount is gone after SIGTERM"
grep -q " $M fuse" /proc/mounts && fail "still mounted"
ok "unmounted"
pass
