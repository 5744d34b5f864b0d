#!/usr/bin/env bash
# Names through the stack: dnsmasq on the kernel side serves web.test
# (A 10.0.0.1, AAAA $NET6::1); lwipd is told --dns 10.0.0.1 and publishes
# resolv.conf; curl under the shim fetches http://web.test:8080/ over IPv4
# and IPv6.  python's getaddrinfo/gethostbyname/getnameinfo answer from
# DNS (dnsmasq must log the queries: they went through lwipd).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd curl python3 ss dnsmasq
SHIM_LWIPD_ARGS="--dns 10.0.0.1"
shim_net
wait_file "$SOCKDIR/resolv.conf" 'nameserver 10\.0\.0\.1' || fail "lwipd published no resolv.conf with 10.0.0.1"
dnsmasq_start --port=53 --no-resolv --no-hosts --log-queries --local=/test/ \
	--host-record="web.test,10.0.0.1,$NET6::1" --listen-address=10.0.0.1
mkdir -p "$TMPD/www"
head -c 100000 /dev/urandom >"$TMPD/www/blob"
bg httpd in_ns python3 -m http.server --bind :: --directory "$TMPD/www" 8080
wait_kport 8080 || fail "http.server did not start"

for v in 4 6; do
	check "curl -$v http://web.test:8080/blob under the shim"
	app curl -$v -sS --max-time 30 -o "$TMPD/got" "http://web.test:8080/blob" 2>"$TMPD/curl.err" ||
		fail "curl -$v by name: $(cat "$TMPD/curl.err")"
	cmp -s "$TMPD/got" "$TMPD/www/blob" || fail "curl -$v: page damaged"
	ok "intact"
done
grep -q 'query\[A\] web.test' "$TMPD/dnsmasq.log" || fail "dnsmasq saw no A query for web.test"
grep -q 'query\[AAAA\] web.test' "$TMPD/dnsmasq.log" || fail "dnsmasq saw no AAAA query for web.test"
ok "dnsmasq answered A and AAAA queries"

check "python: getaddrinfo, gethostbyname, getnameinfo, a missing name"
app python3 - "$NET6::1" >"$TMPD/py.out" 2>&1 <<'PY' || fail "python resolver checks: $(cat "$TMPD/py.out")"
import socket, sys
v6 = sys.argv[1]
addrs = {a[4][0] for a in socket.getaddrinfo("web.test", 80, type=socket.SOCK_STREAM)}
assert addrs == {"10.0.0.1", v6}, addrs
assert socket.gethostbyname("web.test") == "10.0.0.1"
assert socket.getaddrinfo("web.test", "http", socket.AF_INET6)[0][4][:2] == (v6, 80)
try:
    socket.getaddrinfo("missing.test", 80)
    sys.exit("missing.test resolved")
except socket.gaierror as e:
    assert e.errno == socket.EAI_NONAME, e
assert socket.getnameinfo(("10.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == ("10.0.0.1", "80")
# not addresses, as glibc says: trailing text, an unknown interface
for bad in ("10.0.0.1 x", "fe80::1%nosuchif0"):
    try:
        print("resolved", bad, socket.getaddrinfo(bad, 80))
        sys.exit("%r resolved" % bad)
    except socket.gaierror:
        pass
print("resolver ok")
PY
ok "$(cat "$TMPD/py.out")"

check "a program's own strtok() loop around getaddrinfo() keeps its place"
app python3 - >"$TMPD/strtok.out" 2>&1 <<'PY' || fail "strtok: $(cat "$TMPD/strtok.out")"
import ctypes, socket
libc = ctypes.CDLL(None)
libc.strtok.restype = ctypes.c_char_p
libc.strtok.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
buf = ctypes.create_string_buffer(b"web.test,missing.test,web.test")
names = []
t = libc.strtok(buf, b",")
while t:
    names.append(t.decode())
    try:
        socket.getaddrinfo(t.decode(), 80)
    except socket.gaierror:
        pass
    t = libc.strtok(None, b",")
assert names == ["web.test", "missing.test", "web.test"], names
print("strtok ok")
PY
ok "$(cat "$TMPD/strtok.out")"
lwipd_stop
pass
