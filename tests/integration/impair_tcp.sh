#!/usr/bin/env bash
# TCP over an impaired link (--impair loss=5%,reorder=2%,dup=1%, both
# directions): a program under the shim downloads IMPAIR_MB megabytes
# (default 100) and uploads IMPAIR_UP_MB (default 16) of random data from
# and to socat on the kernel side, over IPv4 and IPv6; each copy must
# arrive with the same SHA-256.  Uploads are smaller by default: lwIP as
# the sender recovers from most losses by timeout (~0.3 MB/s here under 5%
# loss, docs/reliability.md); IMPAIR_UP_MB=100 runs the issue's full size.
# The impairment must really have happened: lwipd's impair counters and
# TCP retransmissions on both sides are non-zero.  Prints each transfer's
# duration (docs/reliability.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd socat sha256sum ss nstat
MB=${IMPAIR_MB:-100}
UP_MB=${IMPAIR_UP_MB:-16}
SPEC=${IMPAIR_SPEC:-loss=5%,dup=1%,reorder=2%}
XFER_TIMEOUT=${IMPAIR_XFER_TIMEOUT:-$(( 120 + (MB > UP_MB ? MB : UP_MB) * 10 ))}
SHIM_LWIPD_ARGS="--impair $SPEC"
shim_net
expect_log "impairing the link both ways: " "the impairment"

xfer_data "$MB"
xfer down4 down TCP4 10.0.0.1 5302 "$MB"
xfer down6 down TCP6 "[$NET6::1]" 5304 "$MB"
xfer_data "$UP_MB"
xfer up4   up   TCP4 10.0.0.1 5301 "$UP_MB"
xfer up6   up   TCP6 "[$NET6::1]" 5303 "$UP_MB"

check "the link was impaired, both ways"
cat "$SOCKDIR/stats" >"$TMPD/stats"
grep -E '^(impair|tcpmib|tcp )' "$TMPD/stats" | sed 's/^/   /'
# impair_field DIR FIELD - one counter of the impair line for direction DIR
impair_field() {
	awk -v d="$1" -v f="$2" '$1 == "impair" && $5 == d {
		for (i = 6; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$TMPD/stats"
}
for d in rx tx; do
	for f in frames dropped duplicated reordered; do
		v=$(impair_field "$d" "$f")
		[ -n "$v" ] && [ "$v" -gt 0 ] || fail "impair $d $f is '${v:-missing}', expected > 0"
	done
done
for f in delayed corrupted overflow; do
	for d in rx tx; do
		[ "$(impair_field "$d" "$f")" = 0 ] || fail "impair $d $f non-zero without being asked for"
	done
done
ok "impair rx and tx: frames, dropped, duplicated, reordered all > 0"

check "TCP retransmitted on both sides"
RETRANS=$(awk '$1 == "tcpmib" { for (i = 2; i < NF; i += 2) if ($i == "retranssegs") print $(i + 1) }' "$TMPD/stats")
[ -n "$RETRANS" ] && [ "$RETRANS" -gt 0 ] || fail "lwIP's tcpmib retranssegs is '${RETRANS:-missing}'"
KRETRANS=$(in_ns nstat -asz TcpRetransSegs 2>/dev/null | awk '$1 == "TcpRetransSegs" { print $2 }')
[ -n "$KRETRANS" ] && [ "$KRETRANS" -gt 0 ] || fail "the kernel side's TcpRetransSegs is '${KRETRANS:-missing}'"
ok "lwIP retransmitted $RETRANS segments (fast retransmit), the kernel $KRETRANS"

lwipd_stop
check "impair counters logged at exit"
grep -Eq "$TAP: impair rx: frames [1-9]" "$LWIPD_LOG" && grep -Eq "$TAP: impair tx: frames [1-9]" "$LWIPD_LOG" ||
	fail "no impair counters in the log at exit"
ok "$(grep -E "$TAP: impair tx:" "$LWIPD_LOG" | sed 's/^lwipd: //')"
pass
