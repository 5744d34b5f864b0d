#!/usr/bin/env bash
# SIGHUP: lwipd --config FILE; add "-A PREFIX::20/64" to FILE and send
# SIGHUP: the new address answers ping6, while a ping running all along to
# the old IPv4 address keeps getting replies and the IPv4 settings are not
# touched (only what changed is applied).  Then remove the line again:
# the address is removed and stops answering.
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
kaddr 10.0.0.1/24 fe80::1/64 "$NET6::1/64"
conf=$TMPD/lwipd.conf
cat >"$conf" <<CONF
# lwipd test configuration
-i $TAP
-a 10.0.0.2/24
-A $NET6::10/64
CONF
capture_start    # for the failure report
lwipd_start --config "$conf"
expect_log "$TAP: $NET6::10 is preferred" "the manual address from the file"
expect_ping 10.0.0.2 "IPv4 from the file"
expect_ping "$NET6::10" "IPv6 from the file"

check "a ping to 10.0.0.2 runs in the background across the reloads"
bg bgping in_ns ping -n -i 0.2 10.0.0.2
PING_PID=$BG_PID
sleep 1
before=$(grep -c 'bytes from 10.0.0.2' "$TMPD/bgping.log")
ok "$before replies so far"

check "add -A $NET6::20/64 to the file and send SIGHUP"
echo "-A $NET6::20/64" >>"$conf"
kill -HUP "$LWIPD_PID"
expect_log "reloaded configuration" "the reload"
expect_log "$TAP: $NET6::20 is preferred" "the new address"
expect_ping "$NET6::20" "new"
expect_ping "$NET6::10" "old"

check "remove the line again and send SIGHUP: $NET6::20 goes away"
sed -i "/$NET6::20/d" "$conf"
kill -HUP "$LWIPD_PID"
expect_log "$TAP: $NET6::20 removed" "the removal"
ping_once "$NET6::20" && fail "$NET6::20 still answers after its removal"
ok "$NET6::20 no longer answers"
expect_ping "$NET6::10" "old"

sleep 1
check "the background ping kept getting replies from 10.0.0.2"
bg_stop "$PING_PID" TERM
after=$(grep -c 'bytes from 10.0.0.2' "$TMPD/bgping.log")
last=$(grep -oE 'icmp_seq=[0-9]+' "$TMPD/bgping.log" | tail -n 1 | cut -d= -f2)
summary="$after replies, highest icmp_seq ${last:-none}"
[ "$after" -gt $((before + 5)) ] || fail "only $((after - before)) replies after the first reload ($summary)"
# A lost echo or two would be odd on a TAP, but is not what this test is about.
[ "$after" -ge $((last - 2)) ] || fail "the ping to 10.0.0.2 lost replies across the reloads: $summary"
ok "$summary"
check "the IPv4 settings were applied once, not again on reload"
n=$(grep -c "$TAP: IPv4 10.0.0.2 " "$LWIPD_LOG")
[ "$n" -eq 1 ] || fail "IPv4 10.0.0.2 was set $n times: $(grep "IPv4" "$LWIPD_LOG")"
ok "once"
lwipd_stop
pass
