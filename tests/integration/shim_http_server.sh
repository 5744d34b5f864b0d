#!/usr/bin/env bash
# python3 http.server under the shim, listening on :: (dual stack) inside
# lwipd, reached by curl from the kernel side over IPv4 and IPv6, with
# keep-alive (two requests on one connection) and without.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd curl python3
shim_net
mkdir -p "$TMPD/www"
head -c 200000 /dev/urandom >"$TMPD/www/blob"
echo hello >"$TMPD/www/small"
# HTTP/1.1 so that keep-alive works
bg appsrv app python3 -c '
import http.server, functools, sys
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
h = functools.partial(H, directory=sys.argv[1])
class S(http.server.ThreadingHTTPServer):
    address_family = __import__("socket").AF_INET6
s = S(("::", 8000), h)
print("listening", s.socket.getsockname(), flush=True)
s.serve_forever()
' "$TMPD/www"
wait_file "$TMPD/appsrv.log" "listening" || fail "server under the shim did not start: $(cat "$TMPD/appsrv.log")"
ok "$(head -n1 "$TMPD/appsrv.log")"

for host in 10.0.0.2 "[$NET6::2]"; do
	check "curl http://$host:8000/ from the kernel side, keep-alive"
	in_ns curl -sS --max-time 30 -o "$TMPD/a" "http://$host:8000/blob" -o "$TMPD/b" "http://$host:8000/small" \
		-w '%{num_connects}\n' >"$TMPD/conns" 2>"$TMPD/curl.err" || fail "curl $host: $(cat "$TMPD/curl.err")"
	cmp -s "$TMPD/a" "$TMPD/www/blob" || fail "$host: blob damaged"
	cmp -s "$TMPD/b" "$TMPD/www/small" || fail "$host: small damaged"
	[ "$(tail -n1 "$TMPD/conns")" = 0 ] || fail "$host: second request did not reuse the connection ($(tr '\n' ' ' <"$TMPD/conns"))"
	ok "two requests, one connection"
	check "curl http://$host:8000/ without keep-alive"
	in_ns curl -sS --max-time 30 -H 'Connection: close' -o "$TMPD/a" "http://$host:8000/blob" || fail "curl $host (close)"
	cmp -s "$TMPD/a" "$TMPD/www/blob" || fail "$host: blob damaged (close)"
	ok "intact"
done
check "the server logged IPv4 peers as ::ffff:10.0.0.1 and IPv6 as $NET6::1"
grep -q '::ffff:10\.0\.0\.1' "$TMPD/appsrv.log" || fail "no ::ffff:10.0.0.1 in $(cat "$TMPD/appsrv.log")"
grep -q "$NET6::1 " "$TMPD/appsrv.log" || fail "no $NET6::1 in the log"
ok "peer addresses right"
lwipd_stop
pass
