#!/usr/bin/env bash
# demo.sh - the tour `make demo` gives: lwipd on a TAP in a sandbox of its
# own, with a small network on the kernel side of the TAP.
#
# The sandbox: as root, a network namespace (ip netns add) and lwipd entered
# into it with nsenter --net; otherwise `unshare -rnm` (a user and network
# namespace, and a mount namespace for lwipd's FUSE filesystem) with the
# whole demo running inside it.  Nothing outside the sandbox is touched
# and all traffic stays inside it.
#
# The network: dnsmasq on the kernel side of the TAP serves DHCPv4, router
# advertisements for fd00:1::/64 (SLAAC) and DNS (a few --host-record names).
# lwipd gets a lease, a link-local, a SLAAC and a manual address; the kernel
# side pings every one of them.
#
# Later issues add steps: see the hooks demo_shim, demo_fs_tour and
# demo_proxy below (each runs after lwipd is up, with $DEMO_ env set).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LWIPD=${LWIPD:-$ROOT/build/lwipd}
TAP=tap0
NS=lwipd-demo-$$
PREFIX=fd00:1
MANUAL=$PREFIX::10
TMPD=""
LWIPD_PID=""
DNSMASQ_PID=""
MODE=""                 # netns (root) or unshare (user + net namespace)
NSX=()                  # prefix that runs a command inside the sandbox

# --- transcript ----------------------------------------------------------------

STEP=0
B="" N=""
[ -t 1 ] && B=$'\033[1m' N=$'\033[0m'
heading() { STEP=$((STEP + 1)); printf '\n%s== %d. %s%s\n' "$B" "$STEP" "$*" "$N"; }
note()    { printf '   %s\n' "$*"; }
die()     { printf '\ndemo: FAILED: %s\n' "$*" >&2; exit 1; }
# run CMD... - show the command, run it in the sandbox, indent its output
run() {
	printf '   $ %s\n' "$*"
	"${NSX[@]}" "$@" 2>&1 | sed 's/^/     /'
	return "${PIPESTATUS[0]}"
}
# quiet CMD... - run in the sandbox without showing it
quiet() { "${NSX[@]}" "$@"; }

# --- sandbox -------------------------------------------------------------------

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$LWIPD_PID" ] && kill -TERM "$LWIPD_PID" 2>/dev/null && sleep 0.5
	[ -n "$LWIPD_PID" ] && kill -KILL "$LWIPD_PID" 2>/dev/null
	[ -n "$DNSMASQ_PID" ] && kill -TERM "$DNSMASQ_PID" 2>/dev/null
	[ -n "${HTTPD_PID:-}" ] && kill -TERM "$HTTPD_PID" 2>/dev/null
	[ -n "${CURL_PID:-}" ] && kill -TERM "$CURL_PID" 2>/dev/null
	[ -n "${PROXY_PID:-}" ] && kill -TERM "$PROXY_PID" 2>/dev/null
	wait 2>/dev/null
	[ "$MODE" = netns ] && ip netns del "$NS" 2>/dev/null
	# lwipd unmounts its filesystem when it exits; in case it could not:
	if [ -n "$TMPD" ] && mountpoint -q "$TMPD/mnt" 2>/dev/null; then
		fusermount3 -u -z "$TMPD/mnt" 2>/dev/null || umount -l "$TMPD/mnt" 2>/dev/null
	fi
	[ -n "$TMPD" ] && rm -rf "$TMPD"
	[ "$rc" -eq 0 ] && [ "${DEMO_INNER:-0}" != 1 ] && printf '\nSandbox removed. Demo done.\n'
	exit "$rc"
}

# sandbox - choose and make the sandbox; may re-run this script inside
# `unshare -rnm` (and then never returns).  The mount namespace lets lwipd,
# root in the user namespace, mount its FUSE filesystem there.
sandbox() {
	if [ "${DEMO_INNER:-0}" = 1 ]; then
		MODE=unshare
		NSX=()
		return
	fi
	[ -x "$LWIPD" ] || die "$LWIPD is not built: run make"
	if [ "$(id -u)" -eq 0 ]; then
		MODE=netns
		ip netns add "$NS" || die "ip netns add $NS failed"
		NSX=(nsenter --net="/run/netns/$NS")
		return
	fi
	if ! unshare -rn true 2>/dev/null; then
		die "not root, and this kernel does not allow user namespaces (unshare -rn);
run make demo as root, or enable them (sysctl kernel.unprivileged_userns_clone=1)"
	fi
	[ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
		die "/dev/net/tun is not usable by your user (Debian's default mode is 0666: chmod 0666 /dev/net/tun as root)"
	printf 'Not root: running the demo inside `unshare -rnm` (user, network and mount namespaces of its own).\n'
	DEMO_INNER=1 exec unshare -rnm "$0" "$@"
}

# --- steps ---------------------------------------------------------------------

step_network() {
	if [ "$MODE" = netns ]; then
		heading "A sandbox: network namespace $NS"
		note "As root: lwipd and the peers live in network namespace $NS; lwipd"
		note "enters it with nsenter --net (its network namespace only)."
	else
		heading "A sandbox: user, network and mount namespaces (unshare -rnm)"
		note "Not root: the whole demo runs in namespaces of its own."
	fi
	run ip link set lo up
	heading "The TAP device and the kernel side of the network"
	run ip tuntap add dev "$TAP" mode tap user "$(id -u)" || die "cannot create $TAP"
	# The kernel side plays the router: fixed addresses, no SLAAC of its own.
	quiet sh -c "echo 1 > /proc/sys/net/ipv6/conf/$TAP/addr_gen_mode; echo 0 > /proc/sys/net/ipv6/conf/$TAP/accept_ra" 2>/dev/null
	run ip link set "$TAP" up
	run ip addr add 10.0.0.1/24 dev "$TAP"
	run ip addr add fe80::1/64 dev "$TAP" nodad
	run ip addr add "$PREFIX::1/64" dev "$TAP" nodad
}

step_dnsmasq() {
	heading "dnsmasq on the kernel side: DHCPv4, router advertisements, DNS"
	local args=(--no-daemon --conf-file=/dev/null --user=root --interface="$TAP"
		--bind-interfaces --except-interface=lo --no-resolv --no-hosts
		--pid-file="$TMPD/dnsmasq.pid" --dhcp-leasefile="$TMPD/dnsmasq.leases"
		--log-facility="$TMPD/dnsmasq.log" --log-dhcp
		--dhcp-range=10.0.0.100,10.0.0.150,255.255.255.0,1h
		--dhcp-option=option:router,10.0.0.1
		--dhcp-option=option:dns-server,10.0.0.1
		--enable-ra --dhcp-range="$PREFIX::,ra-only,64,1h"
		--domain=lwipd.test
		--host-record=gateway.lwipd.test,10.0.0.1,"$PREFIX::1"
		--host-record=www.lwipd.test,10.0.0.80,"$PREFIX::80"
		--host-record=files.lwipd.test,10.0.0.81,"$PREFIX::81"
		--host-record=slow6.lwipd.test,10.0.0.80,"$PREFIX::dead")
	printf '   $ dnsmasq %s\n' "${args[*]}" | fold -s -w 76 | sed '2,$s/^/       /'
	"${NSX[@]}" dnsmasq "${args[@]}" 2>"$TMPD/dnsmasq.err" &
	DNSMASQ_PID=$!
	for _ in $(seq 50); do
		grep -q 'started' "$TMPD/dnsmasq.log" 2>/dev/null && break
		kill -0 "$DNSMASQ_PID" 2>/dev/null || die "dnsmasq exited: $(cat "$TMPD/dnsmasq.err" "$TMPD/dnsmasq.log" 2>/dev/null)"
		sleep 0.1
	done
	note "dnsmasq runs (pid $DNSMASQ_PID); asking it (10.0.0.1:53) for its names:"
	local n
	for n in gateway www files; do
		note "  $n.lwipd.test: $(quiet python3 -c "$DNS_QUERY" 10.0.0.1 "$n.lwipd.test" 2>&1 | tail -n 1)"
	done
}

step_lwipd() {
	heading "lwipd on $TAP: DHCP, SLAAC, and a manual address"
	mkdir -p "$TMPD/mnt"
	local args=(-i "$TAP" --dhcp -A "$MANUAL/64" --mount "$TMPD/mnt")
	if [ "$MODE" = unshare ] && ! { [ -r /dev/fuse ] && [ -w /dev/fuse ]; }; then
		note "/dev/fuse is not usable by your user (Debian's default mode is 0666):"
		note "lwipd serves its sockets from a plain directory (--no-fs)."
		args+=(--no-fs)
	fi
	printf '   $ lwipd %s\n' "${args[*]}"
	"${NSX[@]}" "$LWIPD" "${args[@]}" >"$TMPD/lwipd.log" 2>&1 &
	LWIPD_PID=$!
	note "(pid $LWIPD_PID; waiting up to 30 s for its addresses)"
	local end=$(( $(date +%s) + 30 ))
	while :; do
		kill -0 "$LWIPD_PID" 2>/dev/null || { cat "$TMPD/lwipd.log"; die "lwipd exited"; }
		LEASE=$(grep -m1 -oE "$TAP: IPv4 [0-9.]+ .*DHCP lease" "$TMPD/lwipd.log" | awk '{print $3}')
		MAC=$(grep -m1 -oE 'up, MAC [0-9a-f:]{17}' "$TMPD/lwipd.log" | awk '{print $3}')
		if [ -n "$LEASE" ] && [ -n "$MAC" ]; then
			LL=$(eui64 fe80:0:0:0 "$MAC")
			SLAAC=$(eui64 "$PREFIX:0:0" "$MAC")
			grep -q "$TAP: $LL is preferred" "$TMPD/lwipd.log" &&
			grep -q "$TAP: $SLAAC is preferred" "$TMPD/lwipd.log" &&
			grep -q "$TAP: $MANUAL is preferred" "$TMPD/lwipd.log" &&
			grep -q "default router" "$TMPD/lwipd.log" && break
		fi
		[ "$(date +%s)" -ge "$end" ] && { sed 's/^/     | /' "$TMPD/lwipd.log"; die "lwipd did not get all its addresses in 30 s"; }
		sleep 0.3
	done
	sleep 1.5      # let the DNS servers learned from the RA be logged too
	heading "What lwipd learned (its log)"
	sed 's/^/     | /' "$TMPD/lwipd.log"
	note "In short:"
	note "  MAC             $MAC"
	note "  IPv4 (DHCP)     $LEASE, gateway $(grep -m1 -oE 'DHCP lease.*|gateway [0-9.]+ \(DHCP' "$TMPD/lwipd.log" | grep -oE '[0-9.]{7,}' | head -n 1)"
	note "  link-local      $LL"
	note "  SLAAC           $SLAAC"
	note "  manual          $MANUAL"
	note "  default router  $(grep -m1 -oE 'default router [^ ]+' "$TMPD/lwipd.log" | cut -d' ' -f3)"
	note "  DNS servers     $(grep -oE 'DNS server [^ ]+ learned' "$TMPD/lwipd.log" | cut -d' ' -f3 | tr '\n' ' ')"
	export DEMO_TAP=$TAP DEMO_SOCKDIR=$TMPD/mnt DEMO_IPV4=$LEASE DEMO_LL=$LL \
		DEMO_SLAAC=$SLAAC DEMO_MANUAL=$MANUAL DEMO_TMP=$TMPD
}

step_ping() {
	heading "The kernel side pings lwipd on every address"
	local a what fails=0
	for a in "IPv4 (DHCP lease)|$LEASE" "link-local|$LL%$TAP" "SLAAC|$SLAAC" "manual|$MANUAL"; do
		what=${a%%|*}
		a=${a#*|}
		note "-- $what: $a"
		run ping -c 3 -i 0.3 -W 2 -n "$a" | grep -E 'bytes from|packets' || fails=$((fails + 1))
	done
	[ "$fails" -eq 0 ] || die "$fails of the addresses did not answer"
}

# --- hooks for later issues ------------------------------------------------------
# Each runs after step_ping with lwipd up and these set: DEMO_TAP,
# DEMO_SOCKDIR (lwipd's --mount directory), DEMO_IPV4, DEMO_LL, DEMO_SLAAC,
# DEMO_MANUAL, DEMO_TMP (a scratch directory), and the helpers heading,
# note, run (runs a command inside the sandbox, showing it).

# demo_shim - a program run through the shim (lwip-run), talking through lwipd
demo_shim() {
	local LWIP_RUN=$ROOT/build/lwip-run fam
	heading "A program through lwipd: curl under lwip-run, by name"
	note "A web server on the kernel side at www.lwipd.test (10.0.0.80, $PREFIX::80):"
	run ip addr add 10.0.0.80/24 dev "$TAP"
	run ip addr add "$PREFIX::80/64" dev "$TAP" nodad
	mkdir -p "$DEMO_TMP/www"
	printf 'Hello from the kernel side of %s\n' "$TAP" >"$DEMO_TMP/www/index.txt"
	head -c 50000000 /dev/zero >"$DEMO_TMP/www/big.bin"
	"${NSX[@]}" python3 -m http.server --bind :: --directory "$DEMO_TMP/www" 8080 \
		>"$DEMO_TMP/httpd.log" 2>&1 &
	HTTPD_PID=$!
	for _ in $(seq 50); do
		grep -q 'Serving' "$DEMO_TMP/httpd.log" 2>/dev/null && break
		sleep 0.1
	done
	note "lwipd's resolv.conf ($DEMO_SOCKDIR/resolv.conf), which the shim's resolver uses:"
	sed 's/^/     | /' "$DEMO_SOCKDIR/resolv.conf"
	for fam in 6 4; do
		note "-- IPv$fam: the name is resolved through lwipd, the page fetched through lwipd"
		printf '   $ lwip-run curl -%s http://www.lwipd.test:8080/index.txt\n' "$fam"
		"$LWIP_RUN" --socket-dir "$DEMO_SOCKDIR" curl -sS -"$fam" --max-time 20 \
			-w '     (from %{remote_ip}, %{size_download} bytes)\n' \
			"http://www.lwipd.test:8080/index.txt" | sed 's/^/     | /' ||
			die "curl -$fam through lwipd failed"
	done
	note "The web server saw lwipd's addresses as the clients:"
	grep -E 'GET /index.txt' "$DEMO_TMP/httpd.log" | awk '{print "     | " $1}'
}

# demo_fs_tour - the filesystem tour of $DEMO_SOCKDIR
demo_fs_tour() {
	local LWIP_RUN=$ROOT/build/lwip-run f
	[ -f "$DEMO_SOCKDIR/interfaces" ] || { note "(no filesystem: --no-fs)"; return 0; }
	heading "The socket directory: a filesystem lwipd serves ($DEMO_SOCKDIR)"
	note "A download runs through lwipd meanwhile (curl, 50 MB at 10 MB/s):"
	"$LWIP_RUN" --socket-dir "$DEMO_SOCKDIR" curl -sS --limit-rate 10M -o /dev/null \
		"http://www.lwipd.test:8080/big.bin" &
	CURL_PID=$!
	sleep 1
	run ls -l "$DEMO_SOCKDIR"
	for f in interfaces routes neighbours sockets status; do
		note "\$ cat $f"
		sed 's/^/     | /' "$DEMO_SOCKDIR/$f"
	done
	note "\$ cat options   (the running options, writable: lwipd-fs(5))"
	sed 's/^/     | /' "$DEMO_SOCKDIR/options"
	note "\$ echo \"-A $PREFIX::99/64\" > options    (add an address, live)"
	echo "-A $PREFIX::99/64" >"$DEMO_SOCKDIR/options" || die "options write failed"
	sleep 1.5
	grep "$PREFIX::99" "$DEMO_SOCKDIR/interfaces" | sed 's/^/     | /'
	run ping -c 2 -i 0.3 -W 2 -n "$PREFIX::99" | grep -E 'packets' || die "the new address does not answer"
	wait "$CURL_PID" || die "the download through lwipd failed"
	CURL_PID=""
	note "download done; the socket list again:"
	sed 's/^/     | /' "$DEMO_SOCKDIR/sockets"
}

# demo_proxy - lwip-proxy under the shim, listening inside lwipd; the kernel
# side uses it; a name whose IPv6 address is black-holed falls back to IPv4
demo_proxy() {
	local LWIP_RUN=$ROOT/build/lwip-run t
	heading "lwip-proxy under the shim: an HTTP proxy inside lwipd's network"
	cat >"$DEMO_TMP/proxy.conf" <<CONF
http_port 3128
happy_eyeballs_connect_timeout 250
access_log $DEMO_TMP/access.log
CONF
	note "proxy.conf:"
	sed 's/^/     | /' "$DEMO_TMP/proxy.conf"
	printf '   $ lwip-run lwip-proxy -f proxy.conf\n'
	"$LWIP_RUN" --socket-dir "$DEMO_SOCKDIR" "$ROOT/build/lwip-proxy" -f "$DEMO_TMP/proxy.conf" \
		>"$DEMO_TMP/proxy.log" 2>&1 &
	PROXY_PID=$!
	sleep 1
	kill -0 "$PROXY_PID" 2>/dev/null || die "lwip-proxy exited: $(cat "$DEMO_TMP/proxy.log")"
	note "-- from the kernel side, through the proxy at lwipd's address [$DEMO_MANUAL]:3128"
	printf '   $ curl -x http://[%s]:3128 http://www.lwipd.test:8080/index.txt\n' "$DEMO_MANUAL"
	"${NSX[@]}" curl -sS --max-time 20 -x "http://[$DEMO_MANUAL]:3128" \
		"http://www.lwipd.test:8080/index.txt" | sed 's/^/     | /' || die "curl through the proxy failed"
	note "-- slow6.lwipd.test: its IPv6 address $PREFIX::dead is held by nobody (a black"
	note "   hole: neighbour discovery gets no answer); Happy Eyeballs tries IPv6 first"
	note "   and starts IPv4 after 250 ms"
	printf '   $ curl -x http://[%s]:3128 http://slow6.lwipd.test:8080/index.txt\n' "$DEMO_MANUAL"
	t=$("${NSX[@]}" curl -sS --max-time 20 -o "$DEMO_TMP/slow6.out" -w '%{time_total}' \
		-x "http://[$DEMO_MANUAL]:3128" "http://slow6.lwipd.test:8080/index.txt") ||
		die "curl of slow6 through the proxy failed"
	sed 's/^/     | /' "$DEMO_TMP/slow6.out"
	note "   answered in ${t}s"
	note "The proxy's access log (HIER_DIRECT: the address that won):"
	sed 's/^/     | /' "$DEMO_TMP/access.log" 2>/dev/null
	grep -q "slow6.lwipd.test.*HIER_DIRECT/10.0.0.80" "$DEMO_TMP/access.log" ||
		die "slow6 did not fall back to IPv4"
	kill -TERM "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=""
}

step_stop() {
	heading "Stopping lwipd (SIGTERM): it leaves its groups, releases the lease"
	kill -TERM "$LWIPD_PID"
	wait "$LWIPD_PID"
	local rc=$?
	LWIPD_PID=""
	note "exit status $rc; the last lines of its log:"
	grep -E 'shutting down|no IPv4|rx .*frames|down$' "$TMPD/lwipd.log" | sed 's/^/     | /'
	grep -q "DHCPRELEASE" "$TMPD/dnsmasq.log" 2>/dev/null && note "dnsmasq: $(grep -m1 -o 'DHCPRELEASE.*' "$TMPD/dnsmasq.log")"
	[ "$rc" -eq 0 ] || die "lwipd exited with status $rc"
}

# DNS_QUERY SERVER NAME - python3 (standard library only): the A and AAAA
# records of NAME from SERVER, on one line
DNS_QUERY='
import ipaddress, random, socket, struct, sys
server, name = sys.argv[1], sys.argv[2]
out = []
for qtype in (1, 28):
    q = struct.pack("!HHHHHH", random.randrange(65536), 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    q += struct.pack("!HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q, (server, 53))
    r = s.recv(4096)
    n = struct.unpack("!H", r[6:8])[0]
    i = len(q)
    for _ in range(n):
        i += 2 if r[i] >= 0xc0 else r.index(0, i) + 1 - i
        t, _c, _ttl, l = struct.unpack("!HHIH", r[i:i + 10])
        i += 10
        if t in (1, 28):
            out.append(str(ipaddress.ip_address(r[i:i + l])))
        i += l
print(" ".join(out) or "no answer")
'

# eui64 PREFIX MAC - PREFIX::/64 plus the modified EUI-64 of MAC
eui64() {
	python3 - "$1" "$2" <<'EOF'
import ipaddress, sys
prefix, mac = sys.argv[1], [int(b, 16) for b in sys.argv[2].split(':')]
iid = bytes([mac[0] ^ 2, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]])
print(ipaddress.IPv6Address(ipaddress.IPv6Address(prefix + '::').packed[:8] + iid))
EOF
}

main() {
	for c in ip dnsmasq ping python3; do
		command -v "$c" >/dev/null 2>&1 || die "$c is missing: run make deps"
	done
	sandbox "$@"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	TMPD=$(mktemp -d /tmp/lwipd-demo.XXXXXX)
	printf '%slwipd demo%s: a user-space TCP/IP stack (lwIP %s) on a TAP device\n' "$B" "$N" \
		"$("$LWIPD" --version | sed -E 's/.*lwIP ([^)]*).*/\1/')"
	step_network
	step_dnsmasq
	step_lwipd
	step_ping
	demo_shim
	demo_fs_tour
	demo_proxy
	step_stop
}

main "$@"
