#!/usr/bin/env bash
# lwipd over passt (-i passt:PATH), no admin step: passt and lwipd both run
# as uid 65534 without capabilities.  passt runs inside the test's network
# namespace $NS, so the "host" it forwards to is $NS: a veth pair there
# gives passt the default route it copies its template from, and HTTP
# servers on $NS's loopback (127.0.0.1 and ::1) are what the gateway
# addresses map to (passt's default --map-gw).  passt's addresses are set
# (-a/-n/-g for IPv4 and IPv6), DNS is not handed out: the mapped gateway
# is the only address anything is sent to.
# lwipd learns 10.0.2.15 by DHCP and a SLAAC address in fd00:2::/64 from
# passt's router advertisement; curl under lwip-run fetches a file from
# $NS's loopback through 10.0.2.2 and fd00:2::2.  Then passt is killed and
# started again: lwipd reconnects, renews its lease and solicits a router
# (the new passt's log shows both), and curl works again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/link_lib.sh"
lib_init
need_cmd passt setpriv curl ss
need_link_user
ns_empty
SOCK=$TMPD/s/passt.sock
GW4=10.0.2.2 GW6=fd00:2::2 PORT=8080

# The namespace's own network: only so that passt finds a template
# interface with default routes; nothing is ever sent to these addresses.
ip -n "$NS" link add v0 type veth peer name v1 || skip "no veth support"
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip -n "$NS" addr add 10.77.0.1/24 dev v0
ip -n "$NS" route add default via 10.77.0.254
ip -n "$NS" addr add fd00:77::1/64 dev v0 nodad
ip -n "$NS" -6 route add default via fd00:77::fe

mkdir -p "$TMPD/www"
head -c 200000 /dev/urandom | base64 >"$TMPD/www/file.txt"
chmod -R a+rX "$TMPD/www"
bg http4 in_ns /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$TMPD/www" "$PORT"
bg http6 in_ns /usr/bin/python3 -m http.server --bind ::1 --directory "$TMPD/www" "$PORT"
end=$(( $(date +%s) + 20 ))
until in_ns ss -Hltn "sport = :$PORT" | grep -q '127.0.0.1' &&
      in_ns ss -Hltn "sport = :$PORT" | grep -q '\[::1\]'; do
	[ "$(date +%s)" -ge "$end" ] && fail "HTTP servers on $NS's loopback did not start"
	sleep 0.2
done

# passt_start LOG - passt in $NS as uid 65534, in the foreground
passt_start() {
	local end
	say "   start: passt -f -s $SOCK (log $1)"
	rm -f "$TMPD/s/passt.pid"
	bg passt as_user_ns passt -f -l "$1" -P "$TMPD/s/passt.pid" -s "$SOCK" \
		-a 10.0.2.15 -n 24 -g "$GW4" -a fd00:2::15 -g "$GW6" \
		--no-dhcp-dns --no-dhcp-search
	wait_file "$1" "UNIX domain socket bound" 10 || fail "passt did not start: $(cat "$TMPD/passt.log" "$1" 2>/dev/null)"
	end=$(( $(date +%s) + 10 ))
	until [ -s "$TMPD/s/passt.pid" ]; do     # written after the socket is bound
		[ "$(date +%s)" -ge "$end" ] && fail "passt wrote no pid file"
		sleep 0.1
	done
	PASST_PID=$(cat "$TMPD/s/passt.pid")
	kill -0 "$PASST_PID" || fail "passt's pid file says $PASST_PID, which is not running"
}

# fetch URL WHAT - curl under lwip-run; the file must come back whole
fetch() {
	check "curl under lwip-run fetches $1 ($2)"
	run_a curl -sS -g -m 10 -o "$TMPD/s/got" "$1" 2>"$TMPD/curl.err" ||
		fail "curl $1: $(cat "$TMPD/curl.err")"
	cmp -s "$TMPD/s/got" "$TMPD/www/file.txt" || fail "curl $1: the file differs"
	ok "$(stat -c %s "$TMPD/s/got") bytes, identical"
}

passt_start "$TMPD/s/passt1.log"
lwipd_start -i "passt:$SOCK" --dhcp
check "lwipd runs as uid $LINK_UID without capabilities"
st=/proc/$LWIPD_PID/status
grep -qE "^Uid:\s+$LINK_UID\s" "$st" && grep -qE '^CapEff:\s+0+$' "$st" ||
	fail "not unprivileged: $(grep -E '^(Uid|CapEff)' "$st" | tr '\n' ' ')"
ok "$(grep ^Uid "$st" | tr -s '\t ' ' ')"
expect_log "connected to passt$" "the connection to passt"
mac=$(lwipd_mac)
slaac=$(eui64 fd00:2:0:0 "$mac")
expect_log "IPv4 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway $GW4 \(DHCP lease" "the address from passt's DHCP"
expect_log "prefix fd00:2::/64 learned" "the prefix from passt's router advertisement"
expect_log "$slaac is preferred" "the SLAAC address $slaac"
check "interfaces shows the link connected, the lease and the SLAAC address"
"${AS_USER[@]}" cat "$TMPD/mnt/interfaces" >"$TMPD/ifaces.txt"
grep -q "^ *link passt connected" "$TMPD/ifaces.txt" || fail "no 'link passt connected': $(cat "$TMPD/ifaces.txt")"
grep -q "inet 10.0.2.15/24 gateway $GW4 dynamic" "$TMPD/ifaces.txt" || fail "no DHCP address in interfaces"
grep -q "inet6 $slaac/64 scope global preferred" "$TMPD/ifaces.txt" || fail "no SLAAC address in interfaces"
ok "$(grep -E 'link passt|inet ' "$TMPD/ifaces.txt" | tr -s ' ' | tr '\n' ';')"

fetch "http://$GW4:$PORT/file.txt" "IPv4 gateway -> 127.0.0.1"
fetch "http://[$GW6]:$PORT/file.txt" "IPv6 gateway -> ::1"
check "the servers on $NS's loopback saw lwipd's requests"
wait_file "$TMPD/http4.log" '^127\.0\.0\.1 .*"GET /file.txt' 5 || fail "no request at 127.0.0.1"
wait_file "$TMPD/http6.log" '^::1 .*"GET /file.txt' 5 || fail "no request at ::1"
ok "127.0.0.1 and ::1 each served GET /file.txt"

check "passt killed: lwipd notices, its link goes down, it keeps retrying"
kill -KILL "$PASST_PID"
wait_log "passt closed the connection; reconnecting" || fail "lwipd did not notice passt's death"
line=$(iface_line "$TMPD/mnt" 'passt:')
grep -q 'state DOWN' <<<"$line" || fail "link still up without passt: $line"
ok "$(log_line 'passt closed' | sed 's/^lwipd: //'); $line"
sleep 1
passt_start "$TMPD/s/passt2.log"
check "lwipd reconnects to the new passt and renews its addresses"
wait_log "connected to passt again \(connection 2\); renewing addresses" 15 || fail "lwipd did not reconnect"
wait_file "$TMPD/s/passt2.log" "DHCP: (ack to request|offer to discover)" || fail "the new passt saw no DHCP from lwipd"
wait_file "$TMPD/s/passt2.log" "NDP: received RS" || fail "the new passt saw no router solicitation"
ok "$(log_line 'connected to passt again' | sed 's/^lwipd: //')"
ok "passt: $(grep -Em1 'DHCP: (ack|offer)' "$TMPD/s/passt2.log" | sed 's/^[0-9.]*: info: *//'), $(grep -m1 'received RS' "$TMPD/s/passt2.log" | sed 's/^[0-9.]*: info: *//')"
fetch "http://$GW4:$PORT/file.txt" "IPv4, after the restart"
fetch "http://[$GW6]:$PORT/file.txt" "IPv6, after the restart"
lwipd_stop
pass
