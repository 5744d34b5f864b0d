#!/usr/bin/env bash
# lwip-proxy under the shim, issue 5's matrix end to end: the proxy runs
# with lwip-run in an app namespace holding only loopback, so its listener,
# its DNS (c-ares) and every upstream connect go through lwipd.  The scripted
# DNS server, the origins and curl (the client) are on the kernel side of
# the TAP.  lwipd holds 10.0.0.2 and two IPv6 addresses, $NET6::2 and ::3.
#
#   A only / AAAA only / both (IPv6 preferred; dns_v4_first on flips it)
#   one family black-holed (an on-link address nobody holds: ARP / neighbour
#     discovery never answers, the SYN never leaves): the other family wins
#     as the spare after about happy_eyeballs_connect_timeout (ordering in
#     the proxy log, 0.2 s .. 3 s), for IPv6 and (dns_v4_first) for IPv4
#   one family refused (held by the kernel side, nothing listening): the
#     other family at once, as a primary attempt (not the timed spare)
#   each of those as a plain request and as CONNECT (curl -p)
#   tcp_outgoing_address per family: the origin sees the configured source
#     (IPv4 10.0.0.2; IPv6 either of lwipd's two addresses, both tried)
# Which address won is read from the access log (HIER_DIRECT/ADDR) and the
# client address from the origin's own log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd curl python3 ss
PROXY_BIN=${PROXY_BIN:-$BUILD_DIR/lwip-proxy}
PYTHON=${PYTHON:-/usr/bin/python3}
PTEST=$LIB_ROOT/proxy/test
[ -x "$PROXY_BIN" ] || skip "lwip-proxy not built"
"$PYTHON" -c 'import dnslib' 2>/dev/null || skip "python3-dnslib missing"
SHIM_LWIPD_ARGS="-A $NET6::3/64"
shim_net
wait_log "$NET6::3 is preferred" || fail "lwipd's $NET6::3 never became preferred"
wait_ping "$NET6::3" || fail "lwipd does not answer ping on $NET6::3"

# Kernel side: origin on 10.0.0.1 and $NET6::1 (port 8080); 10.0.0.5 and
# $NET6::5 are held but nothing listens there (refused); 10.0.0.99 and
# $NET6::99 are on-link and held by nobody (black hole).
kaddr 10.0.0.5/24 "$NET6::5/64"
O4=10.0.0.1 O6=$NET6::1 R4=10.0.0.5 R6=$NET6::5 B4=10.0.0.99 B6=$NET6::99
cat >"$TMPD/zone" <<ZONE
both.test	AAAA	$O6
both.test	A	$O4
v4only.test	A	$O4
v6only.test	AAAA	$O6
bh6.test	AAAA	$B6
bh6.test	A	$O4
bh4.test	A	$B4
bh4.test	AAAA	$O6
rf6.test	AAAA	$R6
rf6.test	A	$O4
rf4.test	A	$R4
rf4.test	AAAA	$O6
ZONE
bg dns in_ns "$PYTHON" "$PTEST/dnsd.py" --listen 10.0.0.1:5353 --zone "$TMPD/zone"
bg origin in_ns "$PYTHON" "$PTEST/origin.py" --listen "$O4:8080" \
	--listen "[$O6]:8080" --log "$TMPD/origin-req.log"
wait_kport 8080 || fail "origin did not start"
wait_file "$TMPD/dns.log" 'dns ready' 10 || fail "dnsd did not start: $(cat "$TMPD/dns.log")"

PORT=3127
PROXY_PID=""
ALOG=""
PLOG=""
# start_proxy [CONF LINE...] - (re)start the proxy under the shim with the
# base configuration plus the given lines, on a fresh port (PORT), with a
# fresh access log (ALOG) and stderr log (PLOG); waits until it answers
start_proxy() {
	[ -n "$PROXY_PID" ] && bg_stop "$PROXY_PID"
	PORT=$((PORT + 1))
	ALOG=$TMPD/access-$PORT.log
	PLOG=$TMPD/proxy-$PORT.log
	{
		echo "http_port $PORT"
		echo "access_log $ALOG"
		echo "dns_nameservers 10.0.0.1:5353"
		echo "connect_ports 8080"
		echo "connect_timeout 10 seconds"
		printf '%s\n' "$@"
	} >"$TMPD/p-$PORT.conf"
	say "   start: lwip-proxy on :$PORT${*:+ with: $*}"
	bg "proxy-$PORT" app "$PROXY_BIN" -v -f "$TMPD/p-$PORT.conf"
	PROXY_PID=$BG_PID
	for _ in $(seq 100); do
		in_ns curl -s --max-time 1 -o /dev/null "http://10.0.0.2:$PORT/" && return 0
		kill -0 "$PROXY_PID" 2>/dev/null || break
		sleep 0.2
	done
	fail "no proxy on 10.0.0.2:$PORT: $(tail -n 5 "$PLOG")"
}

# pcurl ARGS... - curl through the proxy at lwipd's IPv4 address, from $NS
pcurl() { in_ns curl -sS --max-time 30 -x "http://10.0.0.2:$PORT" "$@"; }
# won - the HIER_DIRECT address in the access log's last line
won() { tail -n 1 "$ALOG" | sed -n 's/.* HIER_DIRECT\/\([^ ]*\) .*/\1/p'; }
# seen - the client address of the origin's last logged request
seen() { tail -n 1 "$TMPD/origin-req.log" | cut -d' ' -f1; }
# timed URL - "CODE MS" of a plain request through the proxy (body to BODY)
timed() {
	local r
	r=$(pcurl -o "$TMPD/body" -w '%{http_code} %{time_total}' "$1")
	awk -v c="${r% *}" -v t="${r#* }" 'BEGIN { printf "%s %d\n", c, t * 1000 }'
}
# attempt_ms HOST ADDR KIND - the "+N ms" of HOST's attempt to ADDR labelled
# KIND (primary|spare) in the proxy's log, empty if none
attempt_ms() {
	grep -F "$1: attempt $2 (" "$PLOG" | grep -F ", $3) at +" | tail -n 1 |
		sed -E 's/.* at \+([0-9]+) ms.*/\1/'
}
# line_of HOST ADDR - line number of HOST's latest attempt to ADDR in the log
line_of() { grep -nF "$1: attempt $2 (" "$PLOG" | tail -n 1 | cut -d: -f1; }

# plain NAME WANT_ADDR WANT_CLIENT WHAT - a plain GET of NAME:8080/hello must
# answer hello over WANT_ADDR, the origin seeing WANT_CLIENT
plain() {
	local out
	check "$4: plain GET http://$1:8080/hello"
	out=$(pcurl "http://$1:8080/hello") || fail "$4: curl failed: $out"
	[ "$out" = hello ] || fail "$4: got '$out'"
	[ "$(won)" = "$2" ] || fail "$4: winner '$(won)', want $2; log: $(tail -n 1 "$ALOG")"
	[ "$(seen)" = "$3" ] || fail "$4: origin saw '$(seen)', want $3"
	ok "hello over $2, origin saw $3"
}
# tunnel NAME WANT_ADDR WANT_CLIENT WHAT - same through CONNECT NAME:8080
tunnel() {
	local out
	check "$4: CONNECT $1:8080"
	out=$(pcurl -p "http://$1:8080/hello") || fail "$4: CONNECT failed: $out"
	[ "$out" = hello ] || fail "$4: got '$out'"
	[ "$(seen)" = "$3" ] || fail "$4: origin saw '$(seen)', want $3"
	wait_file "$ALOG" "TCP_TUNNEL/200 .* CONNECT $1:8080 .* HIER_DIRECT/$2 " 10 ||
		fail "$4: no TCP_TUNNEL/200 over $2: $(tail -n 2 "$ALOG")"
	ok "tunnel over $2, origin saw $3"
}
# blackholed NAME BAD GOOD GOOD_CLIENT BADFAM GOODFAM - BAD never answers:
# GOOD wins as the spare after about happy_eyeballs_connect_timeout
blackholed() {
	local code ms bad_l good_l sp
	check "$5 of $1 black-holed ($2): $6 wins as the spare after ~250 ms"
	read -r code ms < <(timed "http://$1:8080/hello")
	[ "$code" = 200 ] || fail "$1: status $code: $(cat "$TMPD/body")"
	[ "$(cat "$TMPD/body")" = hello ] || fail "$1: body '$(cat "$TMPD/body")'"
	[ "$(won)" = "$3" ] || fail "$1: winner '$(won)', want $3"
	[ "$(seen)" = "$4" ] || fail "$1: origin saw '$(seen)', want $4"
	bad_l=$(line_of "$1" "$2") good_l=$(line_of "$1" "$3")
	[ -n "$bad_l" ] || fail "$1: no attempt to $2 in the proxy log"
	sp=$(attempt_ms "$1" "$3" spare)
	[ -n "$sp" ] || fail "$1: no spare attempt to $3: $(grep -F "$1:" "$PLOG")"
	[ "$bad_l" -lt "$good_l" ] || fail "$1: $3 tried before $2"
	[ "$sp" -ge 200 ] && [ "$sp" -le 3000 ] || fail "$1: spare started at +$sp ms"
	[ "$ms" -ge 200 ] && [ "$ms" -le 3000 ] || fail "$1: answered after $ms ms"
	ok "$2 first, $3 spare at +$sp ms, answer after $ms ms"
}
# refused NAME BAD GOOD GOOD_CLIENT BADFAM GOODFAM - BAD refuses: GOOD at
# once, as a primary attempt (not the 250 ms spare)
refused() {
	local code ms pr
	check "$5 of $1 refused ($2): $6 at once"
	read -r code ms < <(timed "http://$1:8080/hello")
	[ "$code" = 200 ] || fail "$1: status $code: $(cat "$TMPD/body")"
	[ "$(won)" = "$3" ] || fail "$1: winner '$(won)', want $3"
	[ "$(seen)" = "$4" ] || fail "$1: origin saw '$(seen)', want $4"
	grep -qF "$1: attempt $2 failed" "$PLOG" ||
		fail "$1: no failed attempt to $2: $(grep -F "$1:" "$PLOG")"
	pr=$(attempt_ms "$1" "$3" primary)
	[ -n "$pr" ] || fail "$1: $3 not started as a primary right after the refusal: $(grep -F "$1:" "$PLOG")"
	[ "$(line_of "$1" "$2")" -lt "$(line_of "$1" "$3")" ] || fail "$1: $3 tried before $2"
	[ "$ms" -lt 3000 ] || fail "$1: answered after $ms ms"
	ok "$2 refused, $3 primary at +$pr ms, answer after $ms ms"
}

# --- default: IPv6 first ------------------------------------------------------
start_proxy
plain both.test "$O6" "$NET6::2" "both families (IPv6 preferred)"
tunnel both.test "$O6" "$NET6::2" "both families (IPv6 preferred)"
plain v4only.test "$O4" 10.0.0.2 "A only"
tunnel v4only.test "$O4" 10.0.0.2 "A only"
plain v6only.test "$O6" "$NET6::2" "AAAA only"
tunnel v6only.test "$O6" "$NET6::2" "AAAA only"
blackholed bh6.test "$B6" "$O4" 10.0.0.2 IPv6 IPv4
tunnel bh6.test "$O4" 10.0.0.2 "IPv6 black-holed"
plain bh4.test "$O6" "$NET6::2" "IPv4 black-holed, IPv6 preferred"
refused rf6.test "$R6" "$O4" 10.0.0.2 IPv6 IPv4
tunnel rf6.test "$O4" 10.0.0.2 "IPv6 refused"

# --- dns_v4_first on: IPv4 first ------------------------------------------------
start_proxy "dns_v4_first on"
plain both.test "$O4" 10.0.0.2 "dns_v4_first: both families"
tunnel both.test "$O4" 10.0.0.2 "dns_v4_first: both families"
plain v6only.test "$O6" "$NET6::2" "dns_v4_first: AAAA only"
blackholed bh4.test "$B4" "$O6" "$NET6::2" IPv4 IPv6
tunnel bh4.test "$O6" "$NET6::2" "dns_v4_first, IPv4 black-holed"
refused rf4.test "$R4" "$O6" "$NET6::2" IPv4 IPv6
tunnel rf4.test "$O6" "$NET6::2" "dns_v4_first, IPv4 refused"

# --- tcp_outgoing_address per family -----------------------------------------
# IPv6: lwipd holds ::2 and ::3, the proxy must bind the configured one
# (both choices are tried, so a default source selection cannot pass both);
# IPv4: lwipd holds one address per interface, the configured one is used.
for src6 in "$NET6::3" "$NET6::2"; do
	start_proxy "tcp_outgoing_address $src6" "tcp_outgoing_address 10.0.0.2"
	plain both.test "$O6" "$src6" "outgoing $src6"
	tunnel both.test "$O6" "$src6" "outgoing $src6"
	plain v4only.test "$O4" 10.0.0.2 "outgoing 10.0.0.2"
	check "outgoing $src6: /echo reports the client"
	out=$(pcurl http://v6only.test:8080/echo)
	[[ "$out" == *"\"client\": \"$src6\""* ]] || fail "echo: $out"
	ok "client $src6"
	blackholed bh6.test "$B6" "$O4" 10.0.0.2 IPv6 IPv4
done
# lwipd has only one IPv4 address, so a proxy that ignored the IPv4 line
# would pass the above too: an IPv4 address lwipd does not hold must be
# bound (and refused by lwipd: EADDRNOTAVAIL) and nothing reach the origin
start_proxy "tcp_outgoing_address 10.0.0.77" "tcp_outgoing_address $NET6::3"
check "outgoing IPv4 10.0.0.77 (not lwipd's): bound, refused, 503 at once"
nreq=$(wc -l <"$TMPD/origin-req.log")
read -r code ms < <(timed http://v4only.test:8080/hello)
[ "$code" = 503 ] || fail "status $code (the IPv4 outgoing address was not applied?)"
grep -q "Cannot assign requested address" "$TMPD/body" || fail "body: $(cat "$TMPD/body")"
grep -qF "v4only.test: attempt 10.0.0.1 failed at once: Cannot assign requested address" "$PLOG" ||
	fail "no bind failure in the proxy log: $(grep -F v4only.test: "$PLOG")"
[ "$(wc -l <"$TMPD/origin-req.log")" = "$nreq" ] || fail "the origin got a request: $(seen)"
[ "$ms" -lt 3000 ] || fail "503 after $ms ms"
ok "503 after $ms ms, errno 99 named, nothing reached the origin"
plain both.test "$O6" "$NET6::3" "outgoing $NET6::3 beside a foreign IPv4"
lwipd_stop
pass
