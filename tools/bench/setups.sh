# setups.sh - the networks make bench compares (sourced by tools/bench.sh)
#
# A setup NAME is four functions:
#   NAME_check       prints a reason and returns 1 when it cannot run here
#                    (e.g. the shim is not built); the column then shows n/a
#   NAME_up MTU      builds its namespaces and daemons with that link MTU and
#                    sets PEER_IP[NAME] (the address the program connects to)
#                    and PEER_BIND[NAME] (the address the peer's servers bind)
#   NAME_prog        sets the array CMD to the command prefix that runs a
#                    command as "the program" (the side under test)
#   NAME_peer        sets CMD to the prefix for "the peer" (always the
#                    kernel's stack)
# NAME_up also sets PROG_REACH[NAME]: the address:port by which the peer
# reaches a server the program runs on port PROG_PORT (the connection-rate
# metric with the server under test); setup_daemon_pid NAME prints the pid
# of the process whose memory is the setup's (none for the kernel).
# and NAME_down to undo NAME_up (the EXIT trap also cleans up everything).
# Prefixes, not wrapper functions, so that `"${CMD[@]}" server &` gives the
# server's own pid in $! (nsenter execs) and `timeout` can run them.
# The program is always the client; "program→peer" is the client sending,
# "peer→program" is the same connection with iperf3 -R.
#
# Every namespace is named $BENCH_TAG-something and holds nothing but
# loopback and the links made here: no traffic leaves them (slirp4netns'
# "host" is a namespace of its own too, reached through its loopback).

declare -A PEER_IP PEER_BIND PROG_REACH
PROG_PORT=8081
CMD=()

# ns_add NAME - a network namespace with loopback up, deleted at exit
ns_add() {
	ip netns add "$1" || die "ip netns add $1"
	NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

# ns_del NAME
ns_del() {
	local n=$1 i
	ip netns del "$n" 2>/dev/null
	for i in "${!NAMESPACES[@]}"; do
		[ "${NAMESPACES[$i]}" = "$n" ] && unset 'NAMESPACES[i]'
	done
}

# in_net NS CMD... - CMD in NS's network namespace only (not `ip netns
# exec`, which also makes a mount namespace); foreground use only
in_net() { local n=$1; shift; nsenter --net="/run/netns/$n" "$@"; }

# --- lwipd: program under lwip-run -> lwipd -> TAP -> kernel side ----------------
#
# $NS_L holds the TAP; its kernel side (10.77.0.1, fd77::1) is the peer.
# lwipd runs in $NS_L's network namespace at 10.77.0.2 / fd77::2.  The
# program runs in $NS_LA, which has only loopback: a socket that slipped
# past the shim to the kernel would reach nothing, so a figure in this
# column is always lwipd's.

NS_L=$BENCH_TAG-l
NS_LA=$BENCH_TAG-la
TAP_L=tapb$((BENCH_ID % 100000))
LWIPD_PID=""
LWIPD_DIR=""

lwipd_check() {
	[ -x "$BIN/lwipd" ] || { echo "n/a (lwipd not built)"; return 1; }
	[ -x "$BIN/lwip-run" ] && [ -f "$BIN/liblwipshim.so" ] ||
		{ echo "n/a (shim missing)"; return 1; }
	[ -c /dev/net/tun ] || { echo "n/a (no /dev/net/tun)"; return 1; }
}

lwipd_up() {
	local mtu=$1
	ns_add "$NS_L"
	ns_add "$NS_LA"
	ip -n "$NS_L" tuntap add dev "$TAP_L" mode tap || die "ip tuntap add $TAP_L"
	in_net "$NS_L" sh -c "echo 0 > /proc/sys/net/ipv6/conf/$TAP_L/accept_ra
		echo 1 > /proc/sys/net/ipv6/conf/$TAP_L/addr_gen_mode"
	ip -n "$NS_L" link set "$TAP_L" mtu "$mtu" up || die "MTU $mtu on $TAP_L"
	ip -n "$NS_L" addr add 10.77.0.1/24 dev "$TAP_L"
	ip -n "$NS_L" addr add fd77::1/64 dev "$TAP_L" nodad
	LWIPD_DIR=$(mktemp -d /tmp/lwipd-bench.XXXXXX)
	TMPDIRS+=("$LWIPD_DIR")
	local log=$LOGDIR/lwipd-mtu$mtu.log
	nsenter --net="/run/netns/$NS_L" "$BIN/lwipd" -i "$TAP_L" -a 10.77.0.2/24 -A fd77::2/64 \
		--mount "$LWIPD_DIR" >"$log" 2>&1 &
	LWIPD_PID=$!
	BG_PIDS+=("$LWIPD_PID")
	local i
	for i in $(seq 100); do
		[ -S "$LWIPD_DIR/2" ] && grep -q 'info: running' "$log" && break
		kill -0 "$LWIPD_PID" 2>/dev/null || die "lwipd exited: $(tail -n 3 "$log")"
		sleep 0.1
	done
	[ -S "$LWIPD_DIR/2" ] || die "lwipd did not start (see $log)"
	for i in $(seq 40); do
		in_net "$NS_L" ping -c 1 -W 1 -n 10.77.0.2 >/dev/null 2>&1 && break
		sleep 0.25
	done
	PEER_IP[lwipd]=10.77.0.1
	PEER_BIND[lwipd]=10.77.0.1
	PROG_REACH[lwipd]=10.77.0.2:$PROG_PORT
}

lwipd_prog() { CMD=(nsenter --net="/run/netns/$NS_LA" "$BIN/lwip-run" --socket-dir "$LWIPD_DIR"); }
lwipd_peer() { CMD=(nsenter --net="/run/netns/$NS_L"); }

lwipd_down() {
	if [ -n "$LWIPD_PID" ]; then
		stop_pid "$LWIPD_PID"
		LWIPD_PID=""
	fi
	ns_del "$NS_LA"
	ns_del "$NS_L"
}

# setup_daemon_pid SETUP - the pid of the process that is SETUP's stack,
# empty for the kernel
setup_daemon_pid() {
	case $1 in
	lwipd) echo "$LWIPD_PID" ;;
	slirp4netns) echo "$SLIRP_PID" ;;
	esac
}

# lwipd_cpu_ticks - lwipd's user+system CPU time so far, in clock ticks
lwipd_cpu_ticks() {
	[ -n "$LWIPD_PID" ] && [ -r "/proc/$LWIPD_PID/stat" ] || { echo 0; return; }
	# fields after the ")" of comm: 12 = utime, 13 = stime (fields 14, 15)
	sed 's/.*) //' "/proc/$LWIPD_PID/stat" | awk '{print $12 + $13}'
}

# --- kernel: two namespaces joined by a veth pair --------------------------------

NS_KA=$BENCH_TAG-ka                      # the program, 10.78.0.2
NS_KB=$BENCH_TAG-kb                      # the peer,    10.78.0.1

kernel_check() { :; }

kernel_up() {
	local mtu=$1
	ns_add "$NS_KA"
	ns_add "$NS_KB"
	ip -n "$NS_KA" link add veth0 type veth peer name veth1 netns "$NS_KB" ||
		die "ip link add veth"
	ip -n "$NS_KA" link set veth0 mtu "$mtu" up
	ip -n "$NS_KB" link set veth1 mtu "$mtu" up
	ip -n "$NS_KA" addr add 10.78.0.2/24 dev veth0
	ip -n "$NS_KB" addr add 10.78.0.1/24 dev veth1
	PEER_IP[kernel]=10.78.0.1
	PEER_BIND[kernel]=10.78.0.1
	PROG_REACH[kernel]=10.78.0.2:$PROG_PORT
}

kernel_prog() { CMD=(nsenter --net="/run/netns/$NS_KA"); }
kernel_peer() { CMD=(nsenter --net="/run/netns/$NS_KB"); }
kernel_down() { ns_del "$NS_KA"; ns_del "$NS_KB"; }

# --- slirp4netns: namespace TAP served by libslirp, peer on the host loopback ------
#
# $NS_SH plays the host: slirp4netns runs there and the peer listens on its
# 127.0.0.1, which slirp presents to the namespace as 10.0.2.2.  The
# program runs in $NS_S (tap0, 10.0.2.100 by --configure).

NS_S=$BENCH_TAG-s
NS_SH=$BENCH_TAG-sh
SLIRP_PID=""

slirp4netns_check() {
	command -v slirp4netns >/dev/null || { echo "n/a (slirp4netns not installed)"; return 1; }
}

slirp4netns_up() {
	local mtu=$1 i
	ns_add "$NS_S"
	ns_add "$NS_SH"
	SLIRP_API=$(mktemp -u /tmp/lwipd-bench-slirp.XXXXXX)
	nsenter --net="/run/netns/$NS_SH" slirp4netns --configure --mtu="$mtu" --disable-dns \
		--api-socket "$SLIRP_API" --netns-type=path "/run/netns/$NS_S" tap0 >"$LOGDIR/slirp4netns-mtu$mtu.log" 2>&1 &
	SLIRP_PID=$!
	BG_PIDS+=("$SLIRP_PID")
	for i in $(seq 100); do
		ip -n "$NS_S" -4 addr show dev tap0 2>/dev/null | grep -q 'inet ' && break
		kill -0 "$SLIRP_PID" 2>/dev/null || die "slirp4netns exited: $(tail -n 3 "$LOGDIR/slirp4netns-mtu$mtu.log")"
		sleep 0.1
	done
	ip -n "$NS_S" -4 addr show dev tap0 | grep -q 'inet ' || die "slirp4netns did not configure tap0"
	PEER_IP[slirp4netns]=10.0.2.2
	PEER_BIND[slirp4netns]=127.0.0.1
	# the host reaches a server in the namespace only by a forwarded port
	slirp_hostfwd "$PROG_PORT" || die "slirp4netns: add_hostfwd failed"
	PROG_REACH[slirp4netns]=127.0.0.1:$PROG_PORT
}

# slirp_hostfwd PORT - forward the host's 127.0.0.1:PORT to the namespace
slirp_hostfwd() {
	python3 - "$SLIRP_API" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
port = int(sys.argv[2])
s.sendall(json.dumps({"execute": "add_hostfwd", "arguments": {
    "proto": "tcp", "host_addr": "127.0.0.1", "host_port": port,
    "guest_port": port}}).encode())
r = json.loads(s.recv(4096).decode() or "{}")
sys.exit(0 if "return" in r else 1)
EOF
}

slirp4netns_prog() { CMD=(nsenter --net="/run/netns/$NS_S"); }
slirp4netns_peer() { CMD=(nsenter --net="/run/netns/$NS_SH"); }

slirp4netns_down() {
	if [ -n "$SLIRP_PID" ]; then
		stop_pid "$SLIRP_PID"
		SLIRP_PID=""
	fi
	rm -f "$SLIRP_API"
	ns_del "$NS_S"
	ns_del "$NS_SH"
}
