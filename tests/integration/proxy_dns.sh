#!/usr/bin/env bash
# lwip-proxy's resolver end to end (in a namespace of its own), against a
# scripted DNS server: AAAA and A asked at once, distinct errors for
# NXDOMAIN, SERVFAIL, no answer (timeout) and no address (NODATA), all as
# 503 with the cause named; one family failing does not stop the other.
set -uo pipefail
. "$(dirname "$0")/../../proxy/test/lib.sh"
enter_netns "$@"
need curl ip "$PYTHON"
setup_net
init

zone >"$WORK/zone"
cat >>"$WORK/zone" <<ZONE
halfsf.test	A	127.0.0.1
ZONE
start_dns "$WORK/zone"
start_origin 127.0.0.1:8080 '[::1]:8080'
wait_port 127.0.0.1 8080 || exit 1
restart_proxy "dns_timeout 2 seconds"

# both queries go out at once
pcurl -o /dev/null http://both.test:8080/hello
check "AAAA asked" grep -q "both.test. AAAA" "$WORK/dns.log"
check "A asked" grep -q "both.test. A " "$WORK/dns.log"

# page() - The error page for URL $1: status line and body
page() {
	pcurl -D - "$1"
}

out=$(page http://nx.test:8080/)
check "NXDOMAIN: 503" contains "$out" "HTTP/1.1 503"
check "NXDOMAIN: named" contains "$out" "does not exist (NXDOMAIN)"
check "NXDOMAIN: ERR_DNS_FAIL" contains "$out" "X-Squid-Error: ERR_DNS_FAIL"
check "access log: TCP_MISS/503, no peer" contains "$(last_log)" "TCP_MISS/503"
out=$(page http://unknown-name.test:8080/)
check "unknown name: NXDOMAIN" contains "$out" "NXDOMAIN"
out=$(page http://sf.test:8080/)
check "SERVFAIL: 503" contains "$out" "HTTP/1.1 503"
check "SERVFAIL: named" contains "$out" "(SERVFAIL)"
out=$(page http://nodata.test:8080/)
check "no A/AAAA: 503" contains "$out" "HTTP/1.1 503"
check "no A/AAAA: named" contains "$out" "no IPv6 or IPv4 address"
t0=$(now_ms)
out=$(page http://drop.test:8080/)
t=$(( $(now_ms) - t0 ))
check "no answer: 503" contains "$out" "HTTP/1.1 503"
check "no answer: named as a timeout" contains "$out" "(timeout)"
check "no answer: after dns_timeout ($t ms)" [ "$t" -ge 1900 ]
check "no answer: not much later ($t ms)" [ "$t" -lt 15000 ]

# messages differ from each other
a=$(page http://nx.test:8080/ | grep -o '<h1>.*</h1>')
b=$(page http://sf.test:8080/ | grep -o '<h1>.*</h1>')
c=$(page http://drop.test:8080/ | grep -o '<h1>.*</h1>')
check "three distinct DNS messages" [ "$a" != "$b" -a "$b" != "$c" -a "$a" != "$c" ]

# one family answering is enough
out=$(pcurl http://v4only.test:8080/hello)
check "A only" [ "$out" = hello ]
out=$(pcurl http://v6only.test:8080/hello)
check "AAAA only" [ "$out" = hello ]
out=$(pcurl http://halfsf.test:8080/hello)
check "AAAA NODATA, A fine" [ "$out" = hello ]

# the proxy keeps serving
out=$(pcurl http://both.test:8080/hello)
check "still serving" [ "$out" = hello ]
finish
