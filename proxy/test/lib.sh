# lwip-proxy integration tests: shared helpers (sourced, not run).
#
# Each test runs in a network namespace of its own (unshare -rn): only its
# loopback, plus addresses and a black-hole TUN it creates itself, exist
# there.  Nothing leaves the namespace.
#
# Environment:
#   PROXY_BIN      the proxy binary (default build/lwip-proxy)
#   PROXY_WRAPPER  a command prefix for the proxy, e.g. "build/lwip-run"
#   PYTHON         python3 with dnslib (default /usr/bin/python3)
#   PROXY_NETNS=0  do not create a namespace (the caller provides one)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROXY_BIN=${PROXY_BIN:-$ROOT/${LWIPD_BUILD:-build}/lwip-proxy}
PROXY_WRAPPER=${PROXY_WRAPPER:-}
PYTHON=${PYTHON:-/usr/bin/python3}
TESTDIR=$ROOT/proxy/test
PIDS=()
FAILS=0

# Addresses used inside the namespace
BH6=fd00:dead::1		# routed into a TUN nobody reads: SYNs vanish
BH4=10.99.0.1
SRC6=fd00:5::2			# extra local address for tcp_outgoing_address

# enter_netns() - Re-run the calling script inside a new user+network
# namespace (exit 77 if that is impossible).
enter_netns() {
	[ "${PROXY_NETNS:-}" = 0 ] && return 0
	[ -n "${PROXY_IN_NETNS:-}" ] && return 0
	if ! unshare -rn true 2>/dev/null; then
		echo "skip: cannot create a network namespace (unshare -rn)"
		exit 77
	fi
	PROXY_IN_NETNS=1 exec unshare -rn bash "$0" "$@"
}

# setup_net() - Loopback up, the black-hole TUN, the extra source address
setup_net() {
	[ "${PROXY_NETNS:-}" = 0 ] && return 0
	ip link set lo up
	ip -6 addr add "$SRC6/128" dev lo nodad
	if ip tuntap add dev bh0 mode tun 2>/dev/null; then
		ip link set bh0 up
		ip -6 route add fd00:dead::/64 dev bh0
		ip route add 10.99.0.0/16 dev bh0
		HAVE_BH=1
	else
		HAVE_BH=0
	fi
}

# need() - Skip (77) unless every named command exists
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "skip: $c not installed"; exit 77; }
	done
	[ -x "$PROXY_BIN" ] || { echo "skip: $PROXY_BIN not built"; exit 77; }
}

# cleanup() - Stop every background process we started, by pid
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# init() - Work directory, traps
init() {
	WORK=$(mktemp -d /tmp/proxy-test.XXXXXX)
	trap cleanup EXIT
}

# wait_port() - Wait up to 10 s until HOST PORT accepts connections
wait_port() {
	local i
	for i in $(seq 100); do
		if "$PYTHON" -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)" "$1" "$2" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "nothing listening on $1 port $2"
	return 1
}

# start_origin() - Origin server on every given ADDR:PORT; log in $WORK/origin.log
start_origin() {
	local args=() l
	for l in "$@"; do args+=(--listen "$l"); done
	"$PYTHON" "$TESTDIR/origin.py" "${args[@]}" --log "$WORK/origin.log" \
		>"$WORK/origin.out" 2>&1 &
	PIDS+=($!)
	: >"$WORK/origin.log"
}

# start_dns() - Scripted DNS server on 127.0.0.1:5353 with zone file $1
start_dns() {
	"$PYTHON" "$TESTDIR/dnsd.py" --listen 127.0.0.1:5353 --zone "$1" \
		>"$WORK/dns.out" 2>"$WORK/dns.log" &
	PIDS+=($!)
	sleep 0.3
}

# start_proxy() - Run the proxy with config file $1 (listening on
# 127.0.0.1:3128); output in $WORK/proxy.log
start_proxy() {
	# shellcheck disable=SC2086
	$PROXY_WRAPPER "$PROXY_BIN" ${PROXY_VERBOSE:--v} -f "$1" >"$WORK/proxy.log" 2>&1 &
	PROXY_PID=$!
	PIDS+=($PROXY_PID)
	wait_port 127.0.0.1 3128 || { cat "$WORK/proxy.log"; exit 1; }
}

# stop_proxy() - Stop the proxy started last
stop_proxy() {
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
}

# base_conf() - Common configuration lines; more can be appended
base_conf() {
	cat <<CONF
http_port 127.0.0.1:3128
access_log $WORK/access.log
dns_nameservers 127.0.0.1:5353
connect_timeout 10 seconds
CONF
}

# pcurl() - curl through the proxy, quiet, with a generous limit
pcurl() {
	curl -sS --max-time 30 -x http://127.0.0.1:3128 "$@"
}

# fail() - Record a failed check
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

# pass() - Record a passed check
pass() {
	echo "ok: $*"
}

# check() - check DESC CMD...: pass if CMD succeeds
check() {
	local d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}

# contains() - Whether string $1 contains $2
contains() {
	[[ "$1" == *"$2"* ]]
}

# last_log() - The access log's last line
last_log() {
	tail -n 1 "$WORK/access.log" 2>/dev/null
}

# wait_log() - Wait up to 10 s for an access log line matching regex $1
# (a tunnel is logged when it closes, just after the client is done)
wait_log() {
	local i
	for i in $(seq 100); do
		grep -Eq -- "$1" "$WORK/access.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# now_ms() - Monotonic-enough wall clock in ms
now_ms() {
	date +%s%3N
}

# finish() - Exit 0 if every check passed, else 1 (printing the logs)
finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "---- proxy log"; tail -n 60 "$WORK/proxy.log" 2>/dev/null
		echo "---- access log"; cat "$WORK/access.log" 2>/dev/null
		echo "---- origin log"; cat "$WORK/origin.log" 2>/dev/null
		echo "---- dns log"; cat "$WORK/dns.log" 2>/dev/null
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}

# zone() - The test zone: names for every family/delay/failure case.
# Port 8080 listens on 127.0.0.1 and ::1, port 8081 on 127.0.0.1 only.
zone() {
	cat <<ZONE
both.test	AAAA	::1
both.test	A	127.0.0.1
v4only.test	A	127.0.0.1
v6only.test	AAAA	::1
bh6.test	AAAA	$BH6
bh6.test	A	127.0.0.1
bh4.test	AAAA	::1
bh4.test	A	$BH4
bhall.test	AAAA	$BH6
bhall.test	A	$BH4
slowaaaa.test	AAAA	::1	400
slowaaaa.test	A	127.0.0.1
slowa.test	AAAA	::1
slowa.test	A	127.0.0.1	400
nx.test		NXDOMAIN -
sf.test		SERVFAIL -
drop.test	DROP	-
nodata.test	NODATA	-
ZONE
}

# curl_time_ms() - Print "CODE MS" for a request through the proxy
curl_time_ms() {
	pcurl -o /dev/null -w '%{http_code} %{time_total}\n' "$@" |
		awk '{printf "%s %d\n", $1, $2 * 1000}'
}

# proxy_conf() - base_conf plus the given lines
proxy_conf() {
	base_conf
	printf '%s\n' "$@"
}

# restart_proxy() - Stop the running proxy (if any) and start one with
# base_conf plus the given lines; clears the access log
restart_proxy() {
	[ -n "${PROXY_PID:-}" ] && stop_proxy
	proxy_conf "$@" >"$WORK/p.conf"
	: >"$WORK/access.log"
	start_proxy "$WORK/p.conf"
}
