#!/usr/bin/env bash
# curl under the shim fetches a page from python3 http.server on the kernel
# side of the TAP, over IPv4 and IPv6, by address; the page must arrive
# intact and the server must see lwipd's addresses as the client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd curl python3 ss
shim_net
mkdir -p "$TMPD/www"
head -c 300000 /dev/urandom >"$TMPD/www/blob"
bg httpd in_ns python3 -m http.server --bind :: --directory "$TMPD/www" 8080
wait_kport 8080 || fail "http.server did not start"

for url in "http://10.0.0.1:8080/blob" "http://[$NET6::1]:8080/blob"; do
	check "curl $url under the shim"
	app curl -sS --max-time 30 -o "$TMPD/got" "$url" || fail "curl $url failed"
	cmp -s "$TMPD/got" "$TMPD/www/blob" || fail "$url: the page arrived damaged"
	ok "300000 bytes intact"
done
check "the server saw lwipd's addresses"
grep -q '10\.0\.0\.2' "$TMPD/httpd.log" || fail "no request from 10.0.0.2: $(cat "$TMPD/httpd.log")"
grep -q "$NET6::2" "$TMPD/httpd.log" || fail "no request from $NET6::2: $(cat "$TMPD/httpd.log")"
ok "requests from 10.0.0.2 and $NET6::2"
check "without the shim the same curl cannot reach the peer (the app namespace is empty)"
nsenter --net="/run/netns/$APPNS" curl -s --max-time 5 -o /dev/null "http://10.0.0.1:8080/blob" &&
	fail "curl reached 10.0.0.1 without the shim: the test network leaks"
ok "unreachable without the shim"
lwipd_stop
pass
