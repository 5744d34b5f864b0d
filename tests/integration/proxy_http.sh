#!/usr/bin/env bash
# lwip-proxy end to end over loopback (in a namespace of its own):
# methods, bodies (Content-Length and chunked, both ways), keep-alive on
# both sides, Via and hop-by-hop handling, CONNECT allowed and refused,
# access control, malformed/oversized/slow requests, invalid upstream
# responses, and the access log.
set -uo pipefail
. "$(dirname "$0")/../../proxy/test/lib.sh"
enter_netns "$@"
need curl ip "$PYTHON"
setup_net
init

start_origin 127.0.0.1:8080 '[::1]:8080'
wait_port 127.0.0.1 8080 || exit 1
{
	base_conf
	echo "connect_ports 443 8080"
	echo "request_timeout 2 seconds"
	echo "acl del method DELETE"
	echo "http_access deny del"
	echo "http_access allow all"
	echo "visible_hostname proxy.test"
	echo "max_connections 2000"
} >"$WORK/p.conf"
start_proxy "$WORK/p.conf"
RAW="$PYTHON $TESTDIR/raw.py"

# --- GET, access log with the address used
out=$(pcurl http://127.0.0.1:8080/hello)
check "GET through the proxy" [ "$out" = hello ]
check "access log: TCP_MISS/200 via 127.0.0.1" \
	contains "$(last_log)" "TCP_MISS/200 "
check "access log: HIER_DIRECT/127.0.0.1" \
	contains "$(last_log)" "GET http://127.0.0.1:8080/hello - HIER_DIRECT/127.0.0.1"
out=$(pcurl 'http://[::1]:8080/hello')
check "GET to an IPv6 literal" [ "$out" = hello ]
check "access log: HIER_DIRECT/::1" contains "$(last_log)" "HIER_DIRECT/::1"

# --- Via added, hop-by-hop fields removed, Host from the URL
out=$(pcurl -H 'Connection: X-Secret' -H 'X-Secret: 1' -H 'Keep-Alive: 5' \
	-H 'X-Kept: yes' -H 'Host: wrong.example' http://127.0.0.1:8080/echo)
check "Via sent upstream" contains "$out" '["Via", "1.1 proxy.test (lwip-proxy/'
check "end-to-end field kept" contains "$out" '["X-Kept", "yes"]'
check "Connection-listed field removed" eval '! contains "$out" X-Secret'
check "Keep-Alive removed" eval '! contains "$out" Keep-Alive'
check "Proxy-Connection removed" eval '! contains "$out" Proxy-Connection'
check "Host from the URL" contains "$out" '["Host", "127.0.0.1:8080"]'
hdr=$(pcurl -D - -o /dev/null http://127.0.0.1:8080/hello)
check "Via on the response" contains "$hdr" "Via: 1.1 proxy.test"

# --- request bodies
head -c 200000 /dev/urandom | base64 -w 0 >"$WORK/body"
size=$(stat -c %s "$WORK/body")
out=$(pcurl --data-binary @"$WORK/body" http://127.0.0.1:8080/echo)
check "POST with Content-Length ($size bytes) arrives whole" \
	contains "$out" "$(head -c 64 "$WORK/body")"
got=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["body"]))')
check "POST body length $got = $size" [ "$got" = "$size" ]
out=$(pcurl -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/body" \
	http://127.0.0.1:8080/echo)
got=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["body"]))')
check "chunked request body of $size bytes arrives whole ($got)" [ "$got" = "$size" ]
out=$(pcurl -X PUT --data-binary 'put-body' http://127.0.0.1:8080/echo)
check "PUT with a body" contains "$out" '"body": "put-body"'
out=$(pcurl -X DELETE http://127.0.0.1:8080/echo -o /dev/null -w '%{http_code}')
check "DELETE denied by http_access: 403" [ "$out" = 403 ]
check "access log: TCP_DENIED/403" contains "$(last_log)" "TCP_DENIED/403"

# --- response bodies
out=$(pcurl http://127.0.0.1:8080/chunked)
check "chunked response relayed" [ "$out" = chunk1chunk2chunk3 ]
hdr=$(pcurl --http1.0 -D - http://127.0.0.1:8080/chunked)
check "chunked response de-chunked for an HTTP/1.0 client" \
	contains "$hdr" $'\r\n\r\nchunk1chunk2chunk3'
check "no Transfer-Encoding to an HTTP/1.0 client" \
	eval '! contains "$hdr" Transfer-Encoding'
n=$(pcurl http://127.0.0.1:8080/big?n=5000000 | wc -c)
check "5 MB response whole ($n)" [ "$n" = 5000000 ]
out=$(pcurl http://127.0.0.1:8080/close)
check "close-delimited response relayed" [ "$out" = "closed body" ]
code=$(pcurl -I -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/hello)
check "HEAD" [ "$code" = 200 ]

# --- persistent connections on both sides
: >"$WORK/origin.log"
err=$(pcurl -v -o /dev/null -o /dev/null http://127.0.0.1:8080/hello \
	http://127.0.0.1:8080/echo 2>&1)
check "client connection reused" contains "$err" "Re-using existing connection"
ports=$(awk '{print $2}' "$WORK/origin.log" | sort -u | wc -l)
reqs=$(wc -l <"$WORK/origin.log")
check "server connection reused ($reqs requests, $ports connections)" \
	[ "$reqs" = 2 -a "$ports" = 1 ]
out=$($RAW 127.0.0.1 3128 --timeout 5 --part \
	'GET http://127.0.0.1:8080/hello HTTP/1.1\r\nHost: x\r\n\r\nGET http://127.0.0.1:8080/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
n=$(grep -c '^hello' <<<"$out")
check "two pipelined requests answered in order ($n)" [ "$n" = 2 ]
check "last response says Connection: close" contains "$out" "Connection: close"

# --- CONNECT
out=$(pcurl -p http://127.0.0.1:8080/hello)
check "CONNECT to an allowed port tunnels" [ "$out" = hello ]
check "access log: TCP_TUNNEL/200 CONNECT host:port" \
	wait_log "TCP_TUNNEL/200 [0-9]+ CONNECT 127.0.0.1:8080 "
out=$(pcurl -p http://127.0.0.1:9999/ 2>&1)
check "CONNECT to another port refused" contains "$out" "403"
check "access log: TCP_DENIED/403 CONNECT" contains "$(last_log)" "TCP_DENIED/403"

# a client that sends 4 MiB into a tunnel and half-closes while the
# server is still slow to read: every byte must reach the server, then
# the FIN (the proxy once ended that direction with bytes still queued)
"$PYTHON" -c '
import socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 443)); l.listen(4)
while True:
    c, _ = l.accept()
    n = len(c.recv(65536))
    if n:                               # not wait_port'"'"'s probe
        break
time.sleep(1)                           # slow: the proxy holds the rest
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
c.sendall(b"got %d\n" % n); c.close()' &
SINK=$!
wait_port 127.0.0.1 443 || exit 1
out=$("$PYTHON" -c '
import socket
s = socket.create_connection(("127.0.0.1", 3128), timeout=20)
s.sendall(b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
s.sendall(b"t" * (4 << 20))
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    d = s.recv(100)
    if not d:
        break
    out += d
print(out.decode().strip())' 2>&1)
kill $SINK 2>/dev/null; wait $SINK 2>/dev/null
check "CONNECT: a half-close after 4 MiB reaches a slow server after all of it ($out)" \
	[ "$out" = "got 4194304" ]

# --- errors
out=$($RAW 127.0.0.1 3128 --part 'GARBAGE\r\n\r\n')
check "malformed request: 400" contains "$out" "HTTP/1.1 400 Bad Request"
out=$($RAW 127.0.0.1 3128 --part 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
check "origin-form request: 400 Invalid URL" contains "$out" "ERR_INVALID_URL"
out=$($RAW 127.0.0.1 3128 --part 'GET http://127.0.0.1:8080/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n')
check "Content-Length with chunked: 400" contains "$out" "HTTP/1.1 400"
big=$(head -c 70000 /dev/zero | tr '\0' a)
out=$(pcurl -o /dev/null -w '%{http_code}' -H "X-Big: $big" http://127.0.0.1:8080/hello)
check "oversized request head: 431" [ "$out" = 431 ]
out=$(pcurl -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/bad)
check "invalid upstream response: 502" [ "$out" = 502 ]
out=$(pcurl -D - -o /dev/null http://127.0.0.1:9/)
check "connection refused: 503" contains "$out" "HTTP/1.1 503"
check "connection refused: ERR_CONNECT_FAIL with errno 111" \
	contains "$out" "X-Squid-Error: ERR_CONNECT_FAIL 111"
out=$($RAW 127.0.0.1 3128 --part 'GET http://127.0.0.1:8080/hello HTTP/1.1\r\nVia: 1.1 proxy.test (lwip-proxy/0.1)\r\n\r\n')
check "forwarding loop (our Via) detected: 403" contains "$out" "ERR_LOOP_DETECTED"
out=$(pcurl -o /dev/null -w '%{http_code}' http://127.0.0.1:3128/hello)
check "request aimed at the proxy itself ends (status $out)" [ "$out" = 400 ]
t0=$(now_ms)
out=$($RAW 127.0.0.1 3128 --timeout 20 --pause 500 --part 'GET http://127.0.0.1:8080/hello HTTP/1.1\r\n' --part 'X-A: 1\r\n')
t=$(( $(now_ms) - t0 ))
check "slow request head: 408 (after $t ms)" contains "$out" "HTTP/1.1 408"
check "408 not before request_timeout" [ "$t" -ge 1900 ]

# --- many clients at once: 1500 open, 750 of them with a request
out=$("$PYTHON" - <<'PY'
import socket
conns = [socket.create_connection(("127.0.0.1", 3128)) for _ in range(1500)]
req = b"GET http://127.0.0.1:8080/hello HTTP/1.1\r\nHost: x\r\n\r\n"
for s in conns[::2]:
    s.sendall(req)
ok = 0
for s in conns[::2]:
    s.settimeout(30)
    d = b""
    while b"hello" not in d:
        r = s.recv(4096)
        if not r:
            break
        d += r
    ok += d.startswith(b"HTTP/1.1 200")
print(ok)
PY
)
check "1500 concurrent clients: 750 answered ($out)" [ "$out" = 750 ]

# --- still alive and serving
out=$(pcurl http://127.0.0.1:8080/hello)
check "proxy still serves after the error cases" [ "$out" = hello ]
finish
