#!/usr/bin/env bash
# python3 http.server under the shim, listening on :: (dual stack) inside
# lwipd, reached by curl from the kernel side over IPv4 and IPv6, with
# keep-alive (two requests on one connection) and without.  Then accept()
# must give the peer's address with lwipd stopped: it comes from the
# connection's name (docs/protocol.md), not from a request to lwipd.
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

# accept() takes the peer's address from the connection's name, without
# asking lwipd: with lwipd stopped (SIGSTOP) after the connection is
# queued, accept() must still return at once with the right address.
check "accept() answers with lwipd stopped (no round trip for the peer)"
bg acc app python3 -c '
import signal, socket, sys, time
s = socket.socket(socket.AF_INET6)
s.bind(("::", 8001)); s.listen(4)
print("listening", flush=True)
while not __import__("os").path.exists(sys.argv[1]):
    time.sleep(0.05)
signal.alarm(3)            # a round trip to the stopped lwipd would hang here
fd, a = s._accept()        # accept(2) only: socket.accept() also asks getsockname
print("accepted", a[0], flush=True)
' "$TMPD/stopped"
wait_file "$TMPD/acc.log" "listening" || fail "accept test did not start"
bg client in_ns python3 -c '
import socket, time
c = socket.create_connection(("10.0.0.2", 8001)); time.sleep(10)'
sleep 1                    # the connection reaches the program's queue
kill -STOP "$LWIPD_PID"
touch "$TMPD/stopped"
wait_file "$TMPD/acc.log" "accepted" 5 || { kill -CONT "$LWIPD_PID"; fail "accept() blocked on the stopped lwipd: $(cat "$TMPD/acc.log")"; }
kill -CONT "$LWIPD_PID"
grep -q "accepted ::ffff:10.0.0.1" "$TMPD/acc.log" || fail "wrong peer: $(cat "$TMPD/acc.log")"
ok "$(grep accepted "$TMPD/acc.log")"
bg_stop "$BG_PID"
lwipd_stop
pass
