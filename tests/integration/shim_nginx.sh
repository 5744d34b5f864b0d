#!/usr/bin/env bash
# nginx under the shim (master listens, a forked worker accepts; nginx
# calls listen() a second time to apply `backlog=4096`), reached from the
# kernel side over IPv4 and IPv6 with curl, then ab: 500 HTTP/1.0
# requests, a new connection each, 8 at a time, none failed, with the
# kernel's ephemeral ports narrowed to 40 so that every port is reused
# while lwIP still holds its old connection in TIME-WAIT (nginx closes
# first): the new SYN must reopen it (daemon/timewait.c).
# Regressions: a second listen() with a backlog above 255 used to wrap
# lwIP's u8_t backlog to 0, refusing every SYN; a SYN for a TIME-WAIT
# four-tuple got a bare ACK, whose reset lwIP ignores: ab hung.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd nginx curl ab
shim_net
d=$TMPD/nginx
"$LIB_ROOT/tools/nginx-conf.sh" "$d" "0.0.0.0:8081 backlog=4096" "[::]:8081 ipv6only=on backlog=4096"
echo "hello from nginx under lwipd" >"$d/www/small"
bg nginx app nginx -c "$d/nginx.conf"
for i in $(seq 100); do
	[ "$(grep -c LISTEN "$SOCKDIR/sockets" 2>/dev/null)" -ge 2 ] && break
	sleep 0.1
done
for url in http://10.0.0.2:8081/small "http://[$NET6::2]:8081/small"; do
	check "curl $url from the kernel side"
	body=$(in_ns curl -sS --max-time 10 "$url" 2>"$TMPD/curl.err") ||
		fail "curl $url: $(cat "$TMPD/curl.err"); nginx: $(tail -n 3 "$d/error.log")"
	[ "$body" = "hello from nginx under lwipd" ] || fail "unexpected body: $body"
	ok "$body"
done
check "ab: 500 requests, new connection each, 8 concurrent, 40 client ports"
in_ns sysctl -qw net.ipv4.ip_local_port_range="40000 40039" || fail "cannot narrow the port range"
in_ns timeout 60 ab -q -s 10 -n 500 -c 8 http://10.0.0.2:8081/small >"$TMPD/ab.log" 2>&1 ||
	fail "ab failed: $(tail -n 3 "$TMPD/ab.log"); $(grep timewait "$SOCKDIR/stats")"
grep -q '^Complete requests: *500$' "$TMPD/ab.log" || fail "ab: $(grep -E 'Complete|Failed' "$TMPD/ab.log")"
grep -q '^Failed requests: *0$' "$TMPD/ab.log" || fail "ab: $(grep Failed "$TMPD/ab.log")"
ok "$(grep 'Requests per second' "$TMPD/ab.log")"
reopened=$(awk '$1 == "timewait" { print $3 }' "$SOCKDIR/stats")
[ "${reopened:-0}" -gt 0 ] || fail "no TIME-WAIT connection was reopened: $(grep timewait "$SOCKDIR/stats")"
ok "TIME-WAIT connections reopened by a new SYN: $reopened"
# nginx closed first, so lwipd's ends went to TIME-WAIT: they are parked
# off lwIP's list (daemon/timewait.c), at most one per client port here
parked=$(awk '$1 == "timewait" { print $7 }' "$SOCKDIR/stats")
[ "${parked:-0}" -gt 0 ] && [ "$parked" -le 80 ] ||
	fail "TIME-WAIT connections parked: ${parked:-none} (expected 1..80): $(grep timewait "$SOCKDIR/stats")"
ok "TIME-WAIT connections parked off lwIP's list: $parked"
pass
