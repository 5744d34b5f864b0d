#!/usr/bin/env bash
# Temporary addresses (RFC 8981, --temporary) and source selection (RFC
# 6724): lwipd holds a manual PREFIX::2 and, from dnsmasq's advertisement,
# a SLAAC address and a temporary one, with a short temporary preferred
# lifetime (16 s) and valid lifetime (30 s).  A program under lwip-run
# connects to a server on the kernel side without binding: the server sees
# the temporary address as the peer (lwIP's own choice would be the manual
# address).  After the temporary address is regenerated, a new connection
# comes from the new one, while the first connection, kept open, still
# carries data once its address is deprecated.  The interfaces file marks
# both; the old address is removed when its valid lifetime ends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3
SHIM_LWIPD_ARGS="--temporary --temp-preferred-lifetime 16 --temp-valid-lifetime 30"
shim_net
kaddr fe80::1/64
PORT=9480
SERVER='
import socket, sys, threading
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
print("listening", flush=True)
def serve(c, peer):
    f = c.makefile("rwb", buffering=0)
    for line in f:
        print("DATA", peer, line.decode().strip(), flush=True)
        f.write(line)
while True:
    c, a = s.accept()
    print("CONN", a[0], flush=True)
    threading.Thread(target=serve, args=(c, a[0]), daemon=True).start()'
# CLIENT HOST PORT WORD [GOFILE WORD2]: send WORD, print its echo; if
# GOFILE is given, wait for it to exist, then send WORD2 on the same
# connection and print that echo too
CLIENT='
import os, socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
f = c.makefile("rwb", buffering=0)
def say(w):
    f.write((w + "\n").encode()); print("ECHO", f.readline().decode().strip(), flush=True)
say(sys.argv[3])
if len(sys.argv) > 4:
    while not os.path.exists(sys.argv[4]): time.sleep(0.1)
    say(sys.argv[5])'

bg server in_ns /usr/bin/python3 -c "$SERVER" "$NET6::1" "$PORT"
wait_file "$TMPD/server.log" '^listening' || fail "server did not start: $(cat "$TMPD/server.log")"
dnsmasq_start --port=0 --enable-ra --dhcp-range="$NET6::,ra-only,64,1h" --ra-param="$TAP,10,600"

expect_log "$TAP: temporary address [0-9a-f:]+ for $NET6::/64 \(preferred" "a temporary address"
t=$(log_line "temporary address [0-9a-f:]+ for $NET6::" | sed -E 's/.*temporary address ([0-9a-f:]+) .*/\1/')
wait_log "$TAP: $t is preferred" || fail "$t never preferred"
pub=$(log_line "SLAAC address .* for $NET6::/64" | sed -E 's/.*SLAAC address ([0-9a-f:]+) .*/\1/')
[ -n "$pub" ] || fail "no SLAAC address logged"

check "a connection without bind() comes from the current temporary address"
bg client1 app python3 -c "$CLIENT" "$NET6::1" "$PORT" first "$TMPD/go" second
wait_file "$TMPD/client1.log" '^ECHO first' || fail "client 1 got no echo: $(cat "$TMPD/client1.log")"
t1=$(grep -m1 '^CONN' "$TMPD/server.log" | cut -d' ' -f2)
grep -qE "temporary address $t1 for" "$LWIPD_LOG" ||
	fail "server saw $t1, not a temporary address (public $pub, manual $NET6::2)"
grep -q "replaces $t1" "$LWIPD_LOG" && fail "$t1 was already replaced when the connection was made"
ok "server saw $t1 (public $pub and manual $NET6::2 not used)"

check "the temporary address is regenerated before its preferred lifetime ends"
wait_log "temporary address [0-9a-f:]+ for $NET6::/64 .*replaces $t1" 20 || fail "$t1 never replaced"
t2=$(log_line "replaces $t1" | sed -E 's/.*temporary address ([0-9a-f:]+) .*/\1/')
wait_log "$TAP: $t2 is preferred" || fail "$t2 never preferred"
ok "$t2 replaces $t1"

check "a new connection comes from a newer temporary address"
app python3 -c "$CLIENT" "$NET6::1" "$PORT" third >"$TMPD/client2.log" 2>&1 ||
	fail "client 2: $(cat "$TMPD/client2.log")"
peer2=$(grep '^CONN' "$TMPD/server.log" | sed -n 2p | cut -d' ' -f2)
[ -n "$peer2" ] && [ "$peer2" != "$t1" ] || fail "second connection from $peer2 (old $t1)"
grep -qE "temporary address $peer2 for" "$LWIPD_LOG" || fail "$peer2 is not one of the temporary addresses"
ok "server saw $peer2"

check "the old connection keeps working after $t1 is deprecated"
wait_log "$TAP: $t1 deprecated" 20 || fail "$t1 never deprecated"
grep -E "inet6 $t1/64 scope global deprecated temporary valid_lft [0-9]+s preferred_lft 0s" "$TMPD/mnt/interfaces" ||
	fail "interfaces does not show $t1 deprecated temporary: $(grep inet6 "$TMPD/mnt/interfaces")"
grep -E "inet6 [0-9a-f:]+/64 scope global preferred temporary " "$TMPD/mnt/interfaces" ||
	fail "no preferred temporary address in interfaces"
touch "$TMPD/go"
wait_file "$TMPD/client1.log" '^ECHO second' || fail "no echo over the old connection: $(cat "$TMPD/client1.log")"
grep -q "^DATA $t1 second" "$TMPD/server.log" || fail "server did not get 'second' from $t1: $(cat "$TMPD/server.log")"
ok "'second' went over $t1 and came back"

check "$t1 is removed when its valid lifetime (30 s) ends"
wait_log "$TAP: $t1 gone" 30 || fail "$t1 never removed"
grep -q "inet6 $t1/" "$TMPD/mnt/interfaces" && fail "$t1 still listed"
ok "gone"
lwipd_stop
pass
