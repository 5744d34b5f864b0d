#!/usr/bin/env bash
# lwip-proxy's connector end to end (in a namespace of its own): family
# preference and dns_v4_first, a refused IPv6 address (IPv4 at once), a
# black-holed IPv6 address (IPv4 after happy_eyeballs_connect_timeout),
# strict groups (connect_limit 0), the resolution delay, every address
# black-holed (504), tcp_outgoing_address per family and the family filter
# leaving nothing (specific error at once), CONNECT over the same logic.
# Which family won is read from the access log and the origin's log; the
# timing checks are ordering and generous bounds only.
set -uo pipefail
. "$(dirname "$0")/../../proxy/test/lib.sh"
enter_netns "$@"
need curl ip "$PYTHON"
setup_net
init
[ "$HAVE_BH" = 1 ] || { echo "skip: no TUN device for black-holing"; exit 77; }

zone >"$WORK/zone"
start_dns "$WORK/zone"
start_origin 127.0.0.1:8080 '[::1]:8080' 127.0.0.1:8081
wait_port 127.0.0.1 8080 || exit 1

# won() - The peer address in the access log's last line
won() {
	last_log | sed -n 's/.* HIER_DIRECT\/\([^ ]*\) .*/\1/p'
}

# --- default: IPv6 first
restart_proxy
out=$(pcurl http://both.test:8080/hello)
check "both families: answer" [ "$out" = hello ]
check "both families: IPv6 wins by default ($(won))" [ "$(won)" = ::1 ]
check "origin saw an IPv6 client" contains "$(tail -n 1 "$WORK/origin.log")" "::1 "
pcurl -o /dev/null http://v4only.test:8080/hello
check "A only: IPv4 ($(won))" [ "$(won)" = 127.0.0.1 ]
pcurl -o /dev/null http://v6only.test:8080/hello
check "AAAA only: IPv6 ($(won))" [ "$(won)" = ::1 ]

# --- refused IPv6: IPv4 at once, as a primary attempt (not a 250 ms spare)
out=$(pcurl http://both.test:8081/hello)
check "IPv6 refused: answer" [ "$out" = hello ]
check "IPv6 refused: IPv4 won ($(won))" [ "$(won)" = 127.0.0.1 ]
check "IPv6 refused: IPv4 started as primary right after the failure" \
	grep -q "both.test: attempt 127.0.0.1 (IPv4, primary)" "$WORK/proxy.log"

# --- black-holed IPv6: IPv4 as a spare after the connect timeout (250 ms)
read -r code ms < <(curl_time_ms http://bh6.test:8080/hello)
check "IPv6 black-holed: 200 ($code)" [ "$code" = 200 ]
check "IPv6 black-holed: IPv4 won ($(won))" [ "$(won)" = 127.0.0.1 ]
check "IPv6 black-holed: IPv4 was a spare" \
	grep -q "bh6.test: attempt 127.0.0.1 (IPv4, spare)" "$WORK/proxy.log"
check "IPv6 black-holed: not before 250 ms ($ms ms)" [ "$ms" -ge 240 ]
check "IPv6 black-holed: well before connect_timeout ($ms ms)" [ "$ms" -lt 5000 ]
read -r code ms < <(curl_time_ms http://bh4.test:8080/hello)
check "IPv4 black-holed: IPv6 wins without waiting ($(won), $ms ms)" \
	[ "$(won)" = ::1 -a "$code" = 200 ]

# --- CONNECT uses the same connector
restart_proxy "connect_ports 8080"
out=$(pcurl -p http://bh6.test:8080/hello)
check "CONNECT to a name with IPv6 black-holed tunnels" [ "$out" = hello ]
check "access log: TCP_TUNNEL/200 over IPv4" \
	wait_log "TCP_TUNNEL/200 .* CONNECT bh6.test:8080 - HIER_DIRECT/127.0.0.1 "

# --- a longer happy_eyeballs_connect_timeout delays the spare accordingly
restart_proxy "happy_eyeballs_connect_timeout 1500"
read -r code ms < <(curl_time_ms http://bh6.test:8080/hello)
check "connect_timeout 1500: IPv4 after it ($ms ms)" \
	[ "$code" = 200 -a "$ms" -ge 1450 -a "$(won)" = 127.0.0.1 ]

# --- dns_v4_first
restart_proxy "dns_v4_first on"
pcurl -o /dev/null http://both.test:8080/hello
check "dns_v4_first: IPv4 wins ($(won))" [ "$(won)" = 127.0.0.1 ]

# --- resolution delay: a late AAAA does not hold up IPv4 for long, a late A
# does not hold up IPv6 at all
restart_proxy
read -r code ms < <(curl_time_ms http://slowaaaa.test:8080/hello)
check "AAAA 400 ms late: IPv4 after the 50 ms resolution delay ($(won), $ms ms)" \
	[ "$code" = 200 -a "$(won)" = 127.0.0.1 -a "$ms" -lt 400 ]
check "AAAA late: IPv4 started at +50 ms or later" \
	grep -Eq "slowaaaa.test: attempt 127.0.0.1 \(IPv4, primary\) at \+([5-9][0-9]|[1-9][0-9][0-9]+) ms" "$WORK/proxy.log"
read -r code ms < <(curl_time_ms http://slowa.test:8080/hello)
check "A 400 ms late: IPv6 at once ($(won), $ms ms)" \
	[ "$code" = 200 -a "$(won)" = ::1 -a "$ms" -lt 400 ]

# --- strict groups: IPv6 group, then IPv4 group, no spare
restart_proxy "happy_eyeballs_connect_limit 0" "connect_timeout 2 seconds"
read -r code ms < <(curl_time_ms http://bh6.test:8080/hello)
check "strict groups: 200 over IPv4 ($code, $(won))" \
	[ "$code" = 200 -a "$(won)" = 127.0.0.1 ]
check "strict groups: IPv4 only after the IPv6 attempt timed out ($ms ms)" \
	[ "$ms" -ge 1900 ]
check "strict groups: no spare attempt" \
	eval '! grep -q "(IPv4, spare)" "$WORK/proxy.log"'

# --- every address black-holed: 504 once connect_timeout passes
restart_proxy "connect_timeout 1 second"
out=$(pcurl -D - -o /dev/null http://bhall.test:8080/hello)
check "every attempt timed out: 504" contains "$out" "HTTP/1.1 504"
check "access log: TCP_MISS/504" contains "$(last_log)" "TCP_MISS/504"

# --- tcp_outgoing_address per family: the origin sees it
restart_proxy "tcp_outgoing_address $SRC6" "tcp_outgoing_address 127.0.0.2" \
	"tcp_outgoing_address 127.0.0.3" "tcp_outgoing_address ::1"
out=$(pcurl http://both.test:8080/echo)
check "outgoing IPv6 address used ($out)" contains "$out" "\"client\": \"$SRC6\""
out=$(pcurl http://v4only.test:8080/echo)
check "outgoing IPv4 address used (first matching line)" \
	contains "$out" '"client": "127.0.0.2"'

# --- the family filter: only IPv4 has an outgoing address
restart_proxy "tcp_outgoing_address 127.0.0.2"
out=$(pcurl http://both.test:8080/echo)
check "IPv6 skipped without an outgoing address: IPv4 used" \
	[ "$(won)" = 127.0.0.1 ] && contains "$out" '"client": "127.0.0.2"'
read -r code ms < <(curl_time_ms http://v6only.test:8080/hello)
out=$(pcurl http://v6only.test:8080/hello)
check "nothing left after the filter: 503 ($code)" [ "$code" = 503 ]
check "nothing left: specific message" contains "$out" "No usable outgoing address"
check "nothing left: no connect attempt" \
	eval '! grep -q "v6only.test: attempt" "$WORK/proxy.log"'
check "nothing left: fails at once ($ms ms)" [ "$ms" -lt 2000 ]
out=$(pcurl 'http://[::1]:8080/hello')
check "IPv6 literal with only an IPv4 outgoing address: same error" \
	contains "$out" "No usable outgoing address"
finish
