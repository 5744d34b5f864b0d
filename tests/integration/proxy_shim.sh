#!/usr/bin/env bash
# lwip-proxy under the shim (issue 5's end-to-end run): the proxy runs with
# lwip-run in an app namespace holding only loopback, so every socket it
# has - listener, DNS (c-ares), upstream connects - is lwipd's.  Origin and
# scripted DNS server run on the kernel side of the TAP; curl is the client
# there too.  Checks: plain request over both families (the preferred IPv6
# wins), CONNECT, an IPv6 address nobody answers for (IPv4 wins as the
# 250 ms spare), the origin sees lwipd's addresses, NXDOMAIN named.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd curl python3 ss
PROXY_BIN=${PROXY_BIN:-$BUILD_DIR/lwip-proxy}
PYTHON=${PYTHON:-/usr/bin/python3}
PTEST=$LIB_ROOT/proxy/test
[ -x "$PROXY_BIN" ] || skip "lwip-proxy not built"
"$PYTHON" -c 'import dnslib' 2>/dev/null || skip "python3-dnslib missing"
shim_net

cat >"$TMPD/zone" <<ZONE
both.test	AAAA	$NET6::1
both.test	A	10.0.0.1
bh6.test	AAAA	$NET6::99
bh6.test	A	10.0.0.1
ZONE
bg dns in_ns "$PYTHON" "$PTEST/dnsd.py" --listen 10.0.0.1:5353 --zone "$TMPD/zone"
bg origin in_ns "$PYTHON" "$PTEST/origin.py" --listen 10.0.0.1:8080 \
	--listen "[$NET6::1]:8080" --log "$TMPD/origin-req.log"
wait_kport 8080 || fail "origin did not start"
cat >"$TMPD/p.conf" <<CONF
http_port 3128
access_log $TMPD/access.log
dns_nameservers 10.0.0.1:5353
connect_ports 443 8080
connect_timeout 10 seconds
CONF
bg proxy app "$PROXY_BIN" -v -f "$TMPD/p.conf"

# pcurl ARGS... - curl through the proxy at lwipd's IPv4 address, from $NS
pcurl() { in_ns curl -sS --max-time 30 -x http://10.0.0.2:3128 "$@"; }
won() { tail -n 1 "$TMPD/access.log" | sed -n 's/.* HIER_DIRECT\/\([^ ]*\) .*/\1/p'; }

check "the proxy listens through lwipd"
for _ in $(seq 100); do
	in_ns curl -s --max-time 1 -o /dev/null http://10.0.0.2:3128/ && break
	sleep 0.2
done
in_ns curl -s --max-time 2 -o /dev/null http://10.0.0.2:3128/ ||
	fail "no proxy on 10.0.0.2:3128: $(tail -n 5 "$TMPD/proxy.log")"
ok "10.0.0.2:3128 answers"

check "a name with both families: IPv6 wins, through lwipd"
out=$(pcurl http://both.test:8080/hello) || fail "curl failed: $out"
[ "$out" = hello ] || fail "got '$out'"
[ "$(won)" = "$NET6::1" ] || fail "winner $(won), log: $(tail -n 1 "$TMPD/access.log")"
grep -q "^$NET6::2 " "$TMPD/origin-req.log" || fail "origin did not see $NET6::2: $(cat "$TMPD/origin-req.log")"
ok "hello over $NET6::1 from $NET6::2"

check "the proxy also answers on lwipd's IPv6 address"
out=$(in_ns curl -sS --max-time 30 -x "http://[$NET6::2]:3128" http://both.test:8080/hello)
[ "$out" = hello ] || fail "got '$out'"
ok "via [$NET6::2]:3128"

check "IPv6 address that never answers: IPv4 after the 250 ms spare delay"
res=$(pcurl -o /dev/null -w '%{http_code} %{time_total}' http://bh6.test:8080/hello)
code=${res% *}
ms=$(awk -v t="${res#* }" 'BEGIN { printf "%d", t * 1000 }')
[ "$code" = 200 ] || fail "status $code"
[ "$(won)" = 10.0.0.1 ] || fail "winner $(won)"
[ "$ms" -ge 240 ] || fail "IPv4 won after $ms ms: before the spare delay?"
grep -q "bh6.test: attempt 10.0.0.1 (IPv4, spare)" "$TMPD/proxy.log" ||
	fail "no IPv4 spare attempt in the log"
grep -q "^10.0.0.2 " "$TMPD/origin-req.log" || fail "origin did not see 10.0.0.2"
ok "IPv4 spare won after $ms ms"

check "CONNECT through lwipd"
out=$(pcurl -p http://both.test:8080/hello) || fail "CONNECT failed: $out"
[ "$out" = hello ] || fail "got '$out'"
wait_file "$TMPD/access.log" "TCP_TUNNEL/200 .* CONNECT both.test:8080 .* HIER_DIRECT/$NET6::1" 10 ||
	fail "no TCP_TUNNEL over $NET6::1 in the log: $(cat "$TMPD/access.log")"
ok "tunnel"

check "NXDOMAIN through lwipd's DNS path is named"
out=$(pcurl http://nx.test:8080/)
[[ "$out" == *NXDOMAIN* ]] || fail "no NXDOMAIN in: $out"
ok "503 NXDOMAIN"
lwipd_stop
pass
