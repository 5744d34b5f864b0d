#!/usr/bin/env bash
# Interfaces programs see under the shim: lwipd's, not the host's.  The
# program runs in $APPNS, whose kernel has only lo; under the shim it must
# see lwipd's lo and $TAP with lwipd's IPv4 and IPv6 addresses through
# python's socket.if_nameindex(), getifaddrs(), if_nametoindex(),
# if_indextoname() and the SIOCGIF* ioctls (build/tests/ifaddrs_dump).
# Without a reachable lwipd the same calls fail with ENETDOWN rather than
# show the host's interfaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
DUMP=$BUILD_DIR/tests/ifaddrs_dump
[ -x "$DUMP" ] || skip "$DUMP not built (make)"
shim_net
MAC=$(lwipd_mac)
LL=$(eui64 fe80 "$MAC")
say "   lwipd's MAC $MAC, link-local $LL"

check "the kernel of the app namespace has no $TAP (so what follows comes from lwipd)"
host=$(nsenter --net="/run/netns/$APPNS" python3 -c 'import socket; print(socket.if_nameindex())')
grep -q "$TAP" <<<"$host" && fail "the app namespace's kernel has $TAP: $host"
ok "without the shim: $host"

check "python's socket.if_nameindex() under the shim lists lwipd's lo and $TAP"
out=$(app python3 -c 'import socket; print(socket.if_nameindex())') || fail "python failed: $out"
say "   $out"
grep -q "(1, 'lo')" <<<"$out" || fail "no (1, 'lo') in $out"
grep -Eq "\([0-9]+, '$TAP'\)" <<<"$out" || fail "no $TAP in $out"
ok "lwipd's interfaces"

check "getifaddrs, if_nameindex, if_nametoindex, if_indextoname and SIOCGIF* under the shim"
app "$DUMP" >"$TMPD/dump.out" 2>&1 || fail "ifaddrs_dump failed: $(cat "$TMPD/dump.out")"
sed 's/^/   | /' "$TMPD/dump.out"
IDX=$(awk -v t="$TAP" '$1 == "nameindex" && $3 == t {print $2}' "$TMPD/dump.out")
[ -n "$IDX" ] || fail "$TAP has no index"
expect_line() {
	grep -Eq -- "$1" "$TMPD/dump.out" || fail "$2: no line matching /$1/"
	ok "$2"
}
expect_line "^ifa $TAP inet 10\\.0\\.0\\.2/24 flags 0x1043$" "getifaddrs: IPv4 10.0.0.2/24, UP|BROADCAST|RUNNING|MULTICAST"
expect_line "^ifa $TAP inet6 $NET6::2/64 scope 0 " "getifaddrs: IPv6 $NET6::2/64"
expect_line "^ifa $TAP inet6 $LL/64 scope $IDX " "getifaddrs: link-local $LL with scope id $IDX"
expect_line "^ifa $TAP packet $MAC index $IDX " "getifaddrs: AF_PACKET entry with the MAC"
expect_line "^ifa lo inet 127\\.0\\.0\\.1/8 flags 0x49$" "getifaddrs: lo 127.0.0.1/8, UP|LOOPBACK|RUNNING"
expect_line "^ifa lo inet6 ::1/128 " "getifaddrs: lo ::1/128"
expect_line "^nametoindex $TAP $IDX$" "if_nametoindex($TAP) = $IDX"
expect_line "^indextoname $IDX $TAP$" "if_indextoname($IDX) = $TAP"
expect_line "^nametoindex nosuch 0 ENODEV$" "if_nametoindex of an unknown name: 0, ENODEV"
expect_line "^ioctl $TAP index $IDX flags 0x1043 mtu 1500 hwaddr $MAC name-of-index $TAP addr 10\\.0\\.0\\.2 netmask 255\\.255\\.255\\.0$" \
	"SIOCGIFINDEX/FLAGS/MTU/HWADDR/NAME/ADDR/NETMASK on an emulated socket"
expect_line "^ioctl lo index 1 .* addr 127\\.0\\.0\\.1 netmask 255\\.0\\.0\\.0$" "SIOCGIFADDR of lo"
expect_line "^ifconf $TAP 10\\.0\\.0\\.2$" "SIOCGIFCONF lists $TAP"
if grep -Eq "^ifa .* (tentative|eth0|wlan)" "$TMPD/dump.out"; then fail "host interfaces leaked"; fi

check "an address lwipd learns later shows up (the list is asked for each time)"
echo "-A $NET6::7/64" >"$SOCKDIR/options" || fail "could not write the options file"
wait_log "$NET6::7 is preferred" || fail "the new address never became preferred"
app "$DUMP" >"$TMPD/dump2.out" 2>&1 || fail "ifaddrs_dump failed: $(cat "$TMPD/dump2.out")"
grep -Eq "^ifa $TAP inet6 $NET6::7/64 " "$TMPD/dump2.out" || fail "getifaddrs misses $NET6::7: $(grep inet6 "$TMPD/dump2.out")"
ok "getifaddrs shows $NET6::7"

check "without a reachable lwipd: ENETDOWN, never the host's interfaces"
mkdir -p "$TMPD/nolwipd"
out=$(nsenter --net="/run/netns/$APPNS" env LD_PRELOAD="$LIB_ROOT/build/liblwipshim.so" \
	LWIPD_SOCKET_DIR="$TMPD/nolwipd" "$DUMP" 2>&1)
say "   $out"
grep -q "^error getifaddrs: Network is down" <<<"$out" || fail "getifaddrs without lwipd: $out"
out=$(nsenter --net="/run/netns/$APPNS" env LD_PRELOAD="$LIB_ROOT/build/liblwipshim.so" \
	LWIPD_SOCKET_DIR="$TMPD/nolwipd" python3 -c '
import socket
try:
    print(socket.if_nameindex())
except OSError as e:
    print("error", e.errno)' 2>&1)
grep -q "^error 100$" <<<"$out" || fail "if_nameindex without lwipd: $out"
ok "getifaddrs and if_nameindex fail with ENETDOWN"
lwipd_stop
pass
