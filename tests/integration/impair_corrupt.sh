#!/usr/bin/env bash
# Corruption on the link (--impair corrupt=1%: one bit flipped after the
# Ethernet header in 1% of frames, both ways): lwIP's checksum checks must
# drop the frames it receives corrupted and count them (chkerr in `stats`),
# the kernel side must count the ones it gets (TcpInCsumErrors), and TCP
# transfers both ways over IPv4 still arrive intact (same SHA-256).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd socat sha256sum ss nstat
DOWN_MB=${IMPAIR_CORRUPT_MB:-20}
UP_MB=${IMPAIR_CORRUPT_UP_MB:-4}
SHIM_LWIPD_ARGS="--impair corrupt=1%"
shim_net
expect_log "impairing the link both ways: corrupt=1%" "the impairment"

xfer_data "$DOWN_MB"
xfer down down TCP4 10.0.0.1 5401 "$DOWN_MB"
xfer_data "$UP_MB"
xfer up up TCP4 10.0.0.1 5402 "$UP_MB"

check "corrupted frames were dropped by lwIP's checksums and counted"
cp "$SOCKDIR/stats" "$TMPD/stats"
grep -E '^(impair|ip |tcp )' "$TMPD/stats" | sed 's/^/   /'
# field LINE-START FIELD [NTH-FIELD-1 VALUE] - a number from the stats file
field() { awk -v l="$1" -v f="$2" -v d="${3:-}" '$1 == l && (d == "" || $5 == d) {
	for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$TMPD/stats"; }
RX_CORRUPT=$(field impair corrupted rx)
TX_CORRUPT=$(field impair corrupted tx)
CHK=$(( $(field ip chkerr) + $(field tcp chkerr) ))
LEN=$(( $(field ip lenerr) + $(field tcp lenerr) ))
[ "$RX_CORRUPT" -gt 0 ] && [ "$TX_CORRUPT" -gt 0 ] ||
	fail "impair corrupted rx $RX_CORRUPT tx $TX_CORRUPT: expected both > 0"
[ "$CHK" -gt 0 ] || fail "lwIP counted no checksum error for $RX_CORRUPT corrupted frames"
# every bit flipped in a TCP/IPv4 frame is covered by a checksum or a length
# check (a few may land in fields neither covers, e.g. the TOS byte)
[ $((CHK + LEN)) -le "$RX_CORRUPT" ] && [ $(( (CHK + LEN) * 10 )) -ge $((RX_CORRUPT * 8)) ] ||
	fail "lwIP counted $CHK checksum and $LEN length errors for $RX_CORRUPT corrupted frames"
ok "lwIP: $RX_CORRUPT frames received corrupted, $CHK checksum errors and $LEN length errors counted"
KCSUM=$(in_ns nstat -asz TcpInCsumErrors IpExtInCsumErrors 2>/dev/null | awk '$1 ~ /CsumErrors/ { s += $2 } END { print s + 0 }')
[ "$KCSUM" -gt 0 ] || fail "the kernel side counted no checksum error for $TX_CORRUPT corrupted frames"
ok "kernel side: $TX_CORRUPT frames sent corrupted, $KCSUM checksum errors counted"
lwipd_stop
pass
