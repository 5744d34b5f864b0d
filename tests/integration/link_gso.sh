#!/usr/bin/env bash
# TCP segments lwIP sends go to the TAP joined into GSO frames
# (daemon/link_gso.c), and what arrives is what was sent.  The receiver is
# one hop further than the TAP's namespace: $NS forwards to $FAR over a
# veth whose checksum and segmentation offloads are off, so the kernel
# itself completes our partial checksums and cuts our frames into
# MTU-sized segments, and $FAR's TCP checks every checksum.  A program
# under the shim sends GSO_MB (default 24) of random data over IPv4 and
# over IPv6 (default route from radvd); each must arrive with the same
# SHA-256, with no checksum error counted in $FAR, and lwipd's interfaces
# file must show frames of several segments (on the kernel side: far fewer
# frames than 1500-byte packets).  Then the path MTU behind the router
# drops to 1280: lwIP learns it from Packet Too Big and fragments its
# 1440-byte segments, and the fragments must carry a correct checksum
# (daemon/fraghook.c computes it, since lwIP leaves it to the link).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd socat sha256sum ss nstat ethtool
MB=${GSO_MB:-24}
FAR=lwf-$ID
FAR_MADE=0
SHIM_LWIPD_ARGS="-g 10.0.0.1"

# gso_cleanup - EXIT trap: $FAR too
gso_cleanup() {
	local rc=$?
	[ "$FAR_MADE" = 1 ] && ip netns del "$FAR" 2>/dev/null
	(exit "$rc")
	shim_cleanup
}

shim_net
trap gso_cleanup EXIT
in_far() { nsenter --net="/run/netns/$FAR" "$@"; }

check "a namespace one hop away, behind a veth without offloads"
ip netns add "$FAR" || fail "ip netns add $FAR"
FAR_MADE=1
ip -n "$FAR" link set lo up
ip -n "$NS" link add vg0 type veth peer name vg1 netns "$FAR" || fail "ip link add veth"
ip -n "$NS" addr add 10.9.0.1/24 dev vg0
ip -n "$NS" addr add fd09::1/64 dev vg0 nodad
ip -n "$FAR" addr add 10.9.0.2/24 dev vg1
ip -n "$FAR" addr add fd09::2/64 dev vg1 nodad
ip -n "$NS" link set vg0 up
ip -n "$FAR" link set vg1 up
ip -n "$FAR" route add default via 10.9.0.1
ip -n "$FAR" -6 route add default via fd09::1
in_ns sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
for dev in "$NS vg0" "$FAR vg1"; do
	set -- $dev
	nsenter --net="/run/netns/$1" ethtool -K "$2" tx off tso off gso off gro off rx off \
		>/dev/null 2>&1 || fail "ethtool -K $2 (offloads off)"
done
ok "$(in_ns ethtool -k vg0 | grep -E '^(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload):' | tr '\n' ' ')"

check "lwipd's routes: IPv4 gateway by option, IPv6 default router by RA"
kaddr fe80::1/64
radvd_start "" off
wait_file "$SOCKDIR/routes" 'default via fe80::1' 30 || fail "no IPv6 default route: $(cat "$SOCKDIR/routes")"
ok "$(grep default "$SOCKDIR/routes" | tr '\n' ';')"

xfer_data "$MB"

# tap_rx - packets the kernel received on $TAP
tap_rx() { ip -n "$NS" -s -j link show dev "$TAP" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'; }

# send FAMILY ADDR PORT [fragments] - the program sends the data to socat in
# $FAR (xfer); unless "fragments" (IPv6 fragments are not joined), the
# kernel must have received far fewer frames than segments
send() {
	local rx0 rx1 pk min=$((MB * 1048576 / 1448))
	rx0=$(tap_rx)
	XFER_PEER=in_far XFER_TIMEOUT=120 xfer "$1" up "$1" "$2" "$3" "$MB"
	rx1=$(tap_rx)
	pk=$((rx1 - rx0))
	if [ "${4:-}" != fragments ]; then
		[ "$pk" -lt $((min / 2)) ] ||
			fail "the TAP received $pk frames for $MB MB: segments were not joined (>= $((min / 2)))"
	fi
	ok "the TAP received $pk frames (at least $min if one segment each)"
}

in_far nstat -n
send TCP4 10.9.0.2 5401
send TCP6 "[fd09::2]" 5402

check "IPv6 path MTU 1280 behind the router (its far side says 1500): lwIP fragments, with its checksum"
ip -n "$NS" link set vg0 mtu 1280
MB=4
xfer_data "$MB"
send TCP6 "[fd09::2]" 5403 fragments
reasm=$(in_far nstat -az Ip6ReasmOKs | awk 'NR > 1 { print $2 }')
[ "${reasm:-0}" -gt 0 ] || fail "$FAR reassembled no IPv6 packets: lwIP did not fragment"
ok "$FAR reassembled $reasm IPv6 packets from lwIP's fragments"

check "no checksum errors where the kernel completed our checksums"
errs=$(in_far nstat -az TcpInCsumErrors Ip6InHdrErrors IpInHdrErrors | awk 'NR > 1 { s += $2 } END { print s + 0 }')
[ "$errs" = 0 ] || fail "$FAR counted $errs checksum/header errors: $(in_far nstat -az | grep -i -E 'csum|hdrerr')"
ok "TcpInCsumErrors, IpInHdrErrors, Ip6InHdrErrors all 0 in $FAR"

check "lwipd's counters: GSO frames of several segments"
line=$(grep -E '^ +tx frames' "$SOCKDIR/interfaces" | head -n 1)
say "   $line"
read -r gso segs < <(awk '{ for (i = 1; i < NF; i++) { if ($i == "gso") g = $(i + 1); if ($i == "segments") s = $(i + 1) } } END { print g + 0, s + 0 }' <<<"$line")
[ "$gso" -gt 0 ] || fail "no GSO frames sent"
[ "$segs" -ge $((2 * gso)) ] || fail "$segs segments in $gso GSO frames: fewer than 2 each"
ok "$gso GSO frames carried $segs segments ($((segs / gso)) each on average)"

lwipd_stop
pass
