# lib.sh - shared helpers for the integration tests (sourced, not run)
#
# Each test builds its own little network: a network namespace holding a TAP
# whose kernel side plays the peer (addresses, dnsmasq, radvd, ping,
# tcpdump), and lwipd attached to the TAP from inside that namespace's
# *network* namespace only (nsenter --net, never `ip netns exec`, which also
# makes a mount namespace).  Names derive from $$ so tests run in parallel.
# A trap always cleans up: processes started here are killed, the namespace
# is deleted, the temporary directory removed (kept with KEEP=1).
#
# Exit codes: 0 pass, 77 skip, anything else fail.
#
# Typical use:
#   . "$(dirname "$0")/lib.sh"
#   lib_init                        # root, /dev/net/tun, build/lwipd; trap
#   ns_create                       # $NS with $TAP (kernel side up)
#   kaddr 10.0.0.1/24               # kernel-side address
#   lwipd_start -i "$TAP" -a 10.0.0.2/24
#   wait_log 'is preferred'
#   wait_ping 10.0.0.2
#   lwipd_stop                      # SIGTERM, waits, checks the exit status
#   pass

set -uo pipefail

LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=$LIB_ROOT/${LWIPD_BUILD:-build}   # make check-asan: build-asan
LWIPD=${LWIPD:-$BUILD_DIR/lwipd}
TEST_NAME=$(basename "$0" .sh)
ID=$$
NS=lwt-$ID                        # network namespace
TAP=tap$((ID % 1000000))          # TAP device inside $NS (<= 15 characters)
# IPv6 prefix of this test: fd00:N::/64, N from the pid (inside $NS only).
NET6=fd00:$(printf '%x' $((ID % 65535 + 1)))
TMPD=""
LWIPD_LOG=""
LWIPD_PID=""
LWIPD_STATUS=""
NS_MADE=0
BG_PIDS=()
TIMEOUT=${TIMEOUT:-20}            # seconds for every wait_* by default

# --- reporting ---------------------------------------------------------------

say()   { printf '%s\n' "$*"; }
check() { printf -- '-- check: %s\n' "$*"; }
ok()    { printf '   ok: %s\n' "$*"; }
skip()  { printf 'SKIP: %s: %s\n' "$TEST_NAME" "$*"; exit 77; }
fail()  {
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*"
	LIB_FAIL_MSG="$*"
	exit 1
}
pass()  { printf 'PASS: %s\n' "$TEST_NAME"; exit 0; }

# --- setup and cleanup ---------------------------------------------------------

# need_cmd CMD... - skip unless every command exists
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed (make deps)"
	done
}

# lib_init - check the prerequisites, make $TMPD, install the cleanup trap
lib_init() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, TAP devices)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun (modprobe tun)"
	[ -x "$LWIPD" ] || skip "$LWIPD not built (make)"
	need_cmd ip nsenter ping timeout
	TMPD=$(mktemp -d "/tmp/lwipd-test-$TEST_NAME.XXXXXX")
	chmod 755 "$TMPD"
	LWIPD_LOG=$TMPD/lwipd.log
	trap lib_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	say "== $TEST_NAME (namespace $NS, TAP $TAP, prefix $NET6::/64, files $TMPD)"
}

# lib_cleanup - the EXIT trap: kill what we started, delete the namespace
lib_cleanup() {
	local rc=$? p
	trap - EXIT
	if [ -n "$LWIPD_PID" ] && kill -0 "$LWIPD_PID" 2>/dev/null; then
		kill -TERM "$LWIPD_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$LWIPD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$LWIPD_PID" 2>/dev/null
		wait "$LWIPD_PID" 2>/dev/null
	fi
	for p in "${BG_PIDS[@]}"; do
		kill_tree TERM "$p"
	done
	for p in "${BG_PIDS[@]}"; do
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill_tree KILL "$p"
		wait "$p" 2>/dev/null
	done
	if [ "$NS_MADE" = 1 ]; then
		# anything still running in the namespace was started by this test
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$NS" 2>/dev/null
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$LWIPD_LOG" ] && [ -s "$LWIPD_LOG" ]; then
		say "---- lwipd log ($LWIPD_LOG):"
		sed 's/^/   | /' "$LWIPD_LOG"
		if [ -s "$TMPD/cap.pcap" ]; then
			say "---- last frames on the wire ($TMPD/cap.pcap):"
			tcpdump -r "$TMPD/cap.pcap" -n -e 2>/dev/null | tail -n 40 | cut -c1-220 | sed 's/^/   | /'
		fi
		# repeat the verdict last: tests/run.sh shows the tail of the output
		[ -n "${LIB_FAIL_MSG:-}" ] && printf 'FAIL: %s: %s\n' "$TEST_NAME" "$LIB_FAIL_MSG"
	fi
	# lwipd unmounts its filesystem when it exits; in case it could not:
	if [ -n "$TMPD" ] && mountpoint -q "$TMPD/mnt" 2>/dev/null; then
		umount -l "$TMPD/mnt" 2>/dev/null
	fi
	if [ -n "$TMPD" ] && [ "${KEEP:-0}" != 1 ]; then
		rm -rf "$TMPD"
	elif [ -n "$TMPD" ]; then
		say "(KEEP=1: files left in $TMPD)"
	fi
	exit "$rc"
}

# bg NAME CMD... - run CMD in the background (output to $TMPD/NAME.log);
# killed at cleanup.  Sets BG_PID.  "bg NAME in_ns PROG ARGS" runs PROG in
# $NS through nsenter, which execs it: BG_PID is PROG's own pid.  For
# another shell function, BG_PID is a subshell; bg_stop and the cleanup
# also stop its children.
bg() {
	local name=$1
	shift
	if [ "$1" = in_ns ]; then
		shift
		nsenter --net="/run/netns/$NS" "$@" >"$TMPD/$name.log" 2>&1 &
	else
		"$@" >"$TMPD/$name.log" 2>&1 &
	fi
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# kill_tree SIGNAL PID - signal PID and its descendants (all started by us)
kill_tree() {
	local sig=$1 p=$2 c
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do kill_tree "$sig" "$c"; done
	kill -"$sig" "$p" 2>/dev/null
}

# bg_stop PID [SIGNAL] - stop one background process and wait for it.
# Not SIGINT: a non-interactive shell starts background jobs with it ignored.
bg_stop() {
	local p=$1 sig=${2:-TERM}
	kill_tree "$sig" "$p"
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

# --- the namespace ---------------------------------------------------------------

# in_ns CMD... - run CMD in $NS's network namespace (only)
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

# ns_create [USER] - make $NS with loopback up and $TAP (owned by USER if
# given), kernel side up.  The kernel side gets no automatic link-local
# address (addr_gen_mode none) and ignores RAs: use kaddr for fe80::1.
ns_create() {
	local user=${1:-}
	ip netns add "$NS" || fail "ip netns add $NS"
	NS_MADE=1
	ip -n "$NS" link set lo up
	if [ -n "$user" ]; then
		ip -n "$NS" tuntap add dev "$TAP" mode tap user "$user" || fail "ip tuntap add $TAP user $user"
	else
		ip -n "$NS" tuntap add dev "$TAP" mode tap || fail "ip tuntap add $TAP"
	fi
	in_ns sh -c "echo 0 > /proc/sys/net/ipv6/conf/$TAP/accept_ra
		echo 1 > /proc/sys/net/ipv6/conf/$TAP/addr_gen_mode" 2>/dev/null
	ip -n "$NS" link set "$TAP" up || fail "ip link set $TAP up"
}

# tun_world_rw - make /dev/net/tun usable by ordinary users, saying so:
# Debian's stock mode is 0666, some machines ship it 0600
tun_world_rw() {
	local mode
	mode=$(stat -c %a /dev/net/tun)
	[ "$mode" = 666 ] && return 0
	say "   NOTE: /dev/net/tun has mode $mode; setting Debian's default 0666 (chmod 0666 /dev/net/tun)"
	chmod 0666 /dev/net/tun || skip "cannot chmod /dev/net/tun"
}

# fuse_world_rw - make /dev/fuse usable by ordinary users (Debian's stock
# mode is 0666; some machines ship it 0600), saying so
fuse_world_rw() {
	local mode
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	mode=$(stat -c %a /dev/fuse)
	[ "$mode" = 666 ] && return 0
	say "   NOTE: /dev/fuse has mode $mode; setting Debian's default 0666 (chmod 0666 /dev/fuse)"
	chmod 0666 /dev/fuse || skip "cannot chmod /dev/fuse"
}

# kaddr ADDR/LEN... - add addresses to the kernel side of $TAP (IPv6: nodad)
kaddr() {
	local a
	for a in "$@"; do
		case $a in
		*:*) ip -n "$NS" addr add "$a" dev "$TAP" nodad || fail "ip addr add $a" ;;
		*)   ip -n "$NS" addr add "$a" dev "$TAP" || fail "ip addr add $a" ;;
		esac
	done
}

# --- lwipd ---------------------------------------------------------------------

# lwipd_start ARGS... - start lwipd in $NS's network namespace with ARGS
# (plus --mount in $TMPD); LWIPD_WRAP (an array-like string, e.g. a setpriv
# command) is put in front.  Waits for "running" or an early exit.
lwipd_start() {
	local wrap=()
	[ -n "${LWIPD_WRAP:-}" ] && read -r -a wrap <<<"$LWIPD_WRAP"
	mkdir -p "$TMPD/mnt"
	[ -n "${LWIPD_MOUNT_OWNER:-}" ] && chown "$LWIPD_MOUNT_OWNER" "$TMPD/mnt"
	say "   start: lwipd $* --mount $TMPD/mnt"
	: >"$LWIPD_LOG"
	nsenter --net="/run/netns/$NS" "${wrap[@]}" "$LWIPD" "$@" --mount "$TMPD/mnt" \
		>>"$LWIPD_LOG" 2>&1 &
	LWIPD_PID=$!
	LWIPD_STATUS=""
	wait_log 'info: running' || fail "lwipd did not start"
}

# lwipd_alive - is lwipd still running?
lwipd_alive() { [ -n "$LWIPD_PID" ] && kill -0 "$LWIPD_PID" 2>/dev/null; }

# lwipd_stop - SIGTERM, wait for the exit (fails on a hang or an error
# status), then show the log.  Sets LWIPD_STATUS.
lwipd_stop() {
	[ -n "$LWIPD_PID" ] || return 0
	kill -TERM "$LWIPD_PID" 2>/dev/null
	for _ in $(seq 100); do lwipd_alive || break; sleep 0.1; done
	if lwipd_alive; then
		kill -KILL "$LWIPD_PID"
		wait "$LWIPD_PID" 2>/dev/null
		LWIPD_PID=""
		fail "lwipd did not exit within 10 s of SIGTERM"
	fi
	wait "$LWIPD_PID"
	LWIPD_STATUS=$?
	LWIPD_PID=""
	say "   lwipd exited with status $LWIPD_STATUS; its log:"
	sed 's/^/   | /' "$LWIPD_LOG"
	[ "$LWIPD_STATUS" -eq 0 ] || fail "lwipd exited with status $LWIPD_STATUS after SIGTERM"
}

# wait_log REGEX [SECONDS] - wait until lwipd's log has a line matching the
# extended REGEX; fails early if lwipd died.  Returns 1 on timeout.
wait_log() {
	local re=$1 t=${2:-$TIMEOUT} end
	end=$(( $(date +%s) + t ))
	while :; do
		grep -Eq -- "$re" "$LWIPD_LOG" 2>/dev/null && return 0
		if ! lwipd_alive; then
			grep -Eq -- "$re" "$LWIPD_LOG" 2>/dev/null && return 0
			say "   lwipd is not running (waiting for /$re/)"
			return 1
		fi
		[ "$(date +%s)" -ge "$end" ] && { say "   timeout ($t s) waiting for /$re/ in the log"; return 1; }
		sleep 0.2
	done
}

# log_line REGEX - the first line of lwipd's log matching REGEX
log_line() { grep -E -m1 -- "$1" "$LWIPD_LOG"; }

# expect_log REGEX WHAT - wait for REGEX, fail naming WHAT if it never comes
expect_log() {
	check "log shows $2"
	wait_log "$1" || fail "log never showed $2 (/$1/)"
	ok "$(log_line "$1" | sed 's/^lwipd: //')"
}

# lwipd_mac - lwipd's MAC from its "up, MAC ..." line
lwipd_mac() {
	log_line 'up, MAC ' | sed -E 's/.*up, MAC ([0-9a-f:]{17}).*/\1/'
}

# --- peers ---------------------------------------------------------------------

# ping_once ADDR - one echo from the kernel side (IPv4 or IPv6, fe80::x%tap)
ping_once() { in_ns ping -c 1 -W 1 -n "$1" >/dev/null 2>&1; }

# wait_ping ADDR [SECONDS] - ping from the kernel side until a reply comes;
# the reply must come from ADDR itself.  Returns 1 on timeout.
wait_ping() {
	local a=$1 t=${2:-$TIMEOUT} end out
	end=$(( $(date +%s) + t ))
	while :; do
		out=$(in_ns ping -c 1 -W 1 -n "$a" 2>&1)
		if [ $? -eq 0 ] && grep -qF -e "bytes from ${a%%%*}:" -e "bytes from ${a%%%*}%" <<<"$out"; then
			return 0
		fi
		[ "$(date +%s)" -ge "$end" ] && { say "   no reply from $a within $t s: $(tail -n 2 <<<"$out" | tr '\n' ' ')"; return 1; }
		sleep 0.5
	done
}

# expect_ping ADDR WHAT - wait_ping or fail; then a 3-ping run must pass
expect_ping() {
	check "$2 $1 answers ping from the kernel side"
	wait_ping "$1" || fail "$2 $1 does not answer ping"
	in_ns ping -c 3 -i 0.2 -W 2 -n "$1" >"$TMPD/ping.out" 2>&1 ||
		fail "$2 $1: answered once, then not: $(tail -n 2 "$TMPD/ping.out" | tr '\n' ' ')"
	ok "$1: $(grep -E 'packets transmitted' "$TMPD/ping.out")"
}

# radvd_start FLAGS AUTONOMOUS - radvd in $NS on $TAP (forwarding on:
# radvd wants a router) advertising $NET6::/64 every 3-10 s, with the
# interface options FLAGS (e.g. "AdvManagedFlag on;") and AdvAutonomous
# AUTONOMOUS (on or off)
radvd_start() {
	in_ns sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
	cat >"$TMPD/radvd.conf" <<CONF
interface $TAP {
	AdvSendAdvert on;
	$1
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 10;
	prefix $NET6::/64 { AdvOnLink on; AdvAutonomous $2; };
};
CONF
	bg radvd in_ns radvd -n -m stderr -C "$TMPD/radvd.conf" -p "$TMPD/radvd.pid" -d 1
}

# dnsmasq_start ARGS... - dnsmasq on the kernel side of $TAP, no DNS unless
# ARGS give --port; files in $TMPD; waits until it logs "started".
dnsmasq_start() {
	need_cmd dnsmasq
	say "   start: dnsmasq $*"
	bg dnsmasq in_ns dnsmasq --no-daemon --conf-file=/dev/null --user=root \
		--interface="$TAP" --bind-interfaces --except-interface=lo \
		--pid-file="$TMPD/dnsmasq.pid" --dhcp-leasefile="$TMPD/dnsmasq.leases" \
		--log-facility=- --log-dhcp "$@"
	DNSMASQ_PID=$BG_PID
	local end=$(( $(date +%s) + 10 ))
	until grep -q 'started' "$TMPD/dnsmasq.log" 2>/dev/null; do
		kill -0 "$DNSMASQ_PID" 2>/dev/null || fail "dnsmasq exited: $(cat "$TMPD/dnsmasq.log")"
		[ "$(date +%s)" -ge "$end" ] && fail "dnsmasq did not start: $(cat "$TMPD/dnsmasq.log")"
		sleep 0.1
	done
}

# capture_start [FILTER...] - tcpdump on the kernel side of $TAP into
# $TMPD/cap.pcap; waits until it listens.
capture_start() {
	need_cmd tcpdump
	bg tcpdump in_ns tcpdump -i "$TAP" -U -n -Z root -w "$TMPD/cap.pcap" "$@"
	CAPTURE_PID=$BG_PID
	local end=$(( $(date +%s) + 10 ))
	until grep -q 'listening on' "$TMPD/tcpdump.log" 2>/dev/null; do
		kill -0 "$CAPTURE_PID" 2>/dev/null || fail "tcpdump exited: $(cat "$TMPD/tcpdump.log")"
		[ "$(date +%s)" -ge "$end" ] && fail "tcpdump did not start"
		sleep 0.1
	done
}

# capture_stop - stop tcpdump; the capture stays in $TMPD/cap.pcap
capture_stop() {
	sleep 0.5                     # let the last frames be written
	bg_stop "$CAPTURE_PID" TERM   # (background jobs ignore SIGINT)
}

# capture_read [TCPDUMP ARGS...] - the capture as text (-e: with MACs)
capture_read() { tcpdump -r "$TMPD/cap.pcap" -n -e -v "$@" 2>/dev/null; }

# --- addresses -----------------------------------------------------------------

# norm6 ADDR - canonical (compressed, lower-case) form of an IPv6 address
norm6() { python3 -c 'import ipaddress,sys; print(ipaddress.IPv6Address(sys.argv[1]))' "$1"; }

# eui64 PREFIX MAC - the address PREFIX::/64 + modified EUI-64 of MAC
# (PREFIX like fd00:1 or fe80), canonical form
eui64() {
	python3 - "$1" "$2" <<'EOF'
import ipaddress, sys
prefix, mac = sys.argv[1], [int(b, 16) for b in sys.argv[2].split(':')]
iid = bytes([mac[0] ^ 2, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]])
net = ipaddress.IPv6Address(prefix + '::').packed[:8]
print(ipaddress.IPv6Address(net + iid))
EOF
}

# solnode ADDR - the solicited-node group ff02::1:ffXX:XXXX of ADDR
solnode() {
	python3 - "$1" <<'EOF'
import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1]).packed
print(ipaddress.IPv6Address(bytes.fromhex('ff0200000000000000000001ff') + a[13:]))
EOF
}

# --- raw frames ----------------------------------------------------------------

# pkt COMMAND ARGS... - send crafted frames on the kernel side of $TAP and
# report what comes back (python3, AF_PACKET).  Commands:
#   ns TARGET DSTMAC SRCMAC SRCIP   one neighbour solicitation for TARGET;
#                                   prints each NA for TARGET seen in 2 s as
#                                   "NA TARGET from MAC"
#   echo6 DSTIP DSTMAC SRCMAC SRCIP COUNT   ICMPv6 echo requests; prints
#                                   "REPLY from IP" for each reply in 2 s
#   flood DSTMAC SRCMAC COUNT        COUNT IPv6 echo requests to the group
#                                   ff02::1:ff12:3456 at DSTMAC
pkt() {
	in_ns python3 - "$TAP" "$@" <<'EOF'
import ipaddress, socket, struct, sys, time

ifname, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86dd))
s.bind((ifname, 0))

def mac(m): return bytes(int(b, 16) for b in m.split(':'))
def ip6(a): return ipaddress.IPv6Address(a).packed
def macstr(b): return ':'.join('%02x' % x for x in b)

def csum(data):
    if len(data) % 2: data += b'\0'
    t = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff

def frame(dmac, smac, src, dst, icmp, hlim=255):
    ph = src + dst + struct.pack('!I3xB', len(icmp), 58)
    c = csum(ph + icmp)
    icmp = icmp[:2] + struct.pack('!H', c) + icmp[4:]
    ip = struct.pack('!IHBB', 6 << 28, len(icmp), 58, hlim) + src + dst
    return dmac + smac + b'\x86\xdd' + ip + icmp

def listen(secs, fn):
    s.settimeout(0.2)
    end = time.time() + secs
    while time.time() < end:
        try: f = s.recv(65535)
        except socket.timeout: continue
        if len(f) < 54 or f[12:14] != b'\x86\xdd' or f[20] != 58: continue
        fn(f)

if cmd == 'ns':
    target, dmac, smac, src = ip6(args[0]), mac(args[1]), mac(args[2]), ip6(args[3])
    sol = bytes.fromhex('ff0200000000000000000001ff') + target[13:]
    icmp = struct.pack('!BBHI', 135, 0, 0, 0) + target + b'\x01\x01' + smac
    s.send(frame(dmac, smac, src, sol, icmp))
    def on(f):
        if f[54] == 136 and f[62:78] == target:
            print('NA %s from %s' % (ipaddress.IPv6Address(target), macstr(f[6:12])), flush=True)
    listen(2, on)
elif cmd == 'echo6':
    dst, dmac, smac, src, n = ip6(args[0]), mac(args[1]), mac(args[2]), ip6(args[3]), int(args[4])
    for i in range(n):
        icmp = struct.pack('!BBHHH', 128, 0, 0, 0x4c77, i) + b'lwipd-test'
        s.send(frame(dmac, smac, src, dst, icmp, 64))
    def on(f):
        if f[54] == 129 and f[22:38] == dst:
            print('REPLY from %s' % ipaddress.IPv6Address(f[22:38]), flush=True)
    listen(2, on)
elif cmd == 'flood':
    dmac, smac, n = mac(args[0]), mac(args[1]), int(args[2])
    src, dst = ip6('fe80::1'), ip6('ff02::1:ff12:3456')
    for i in range(n):
        icmp = struct.pack('!BBHHH', 128, 0, 0, 0x4c78, i) + b'not-joined'
        s.send(frame(dmac, smac, src, dst, icmp, 1))
        if i % 50 == 49: time.sleep(0.01)   # stay under the TAP queue
    print('sent %d' % n)
else:
    sys.exit('pkt: unknown command ' + cmd)
EOF
}

# pkt_expect REGEX PKT-ARGS... - run pkt up to 5 times until its output
# matches REGEX (for probes that must get an answer: a busy machine may be
# slow); prints the last output, returns 1 if it never matched
pkt_expect() {
	local re=$1 out i
	shift
	for i in 1 2 3 4 5; do
		out=$(pkt "$@")
		grep -Eq -- "$re" <<<"$out" && { printf '%s\n' "$out"; return 0; }
		sleep 1
	done
	printf '%s\n' "$out"
	return 1
}

# kmac - the kernel side's MAC of $TAP
kmac() { ip -n "$NS" -br link show dev "$TAP" | awk '{print $3}'; }
