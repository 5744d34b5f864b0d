#!/usr/bin/env bash
# UDP over an impaired link (--impair loss=10%,dup=2%,reorder=5%,delay=5ms):
# numbered, checksummed datagrams (tests/integration/impair/udp.py) from a
# program under the shim to the kernel side over IPv4 (lwipd's transmit
# path) and back over IPv6 (its receive path).  The receiver must see gaps
# in a plausible proportion (7-13% for 10%), some duplicates and some late
# datagrams, and never a corrupted one; lwipd's counters must agree.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd ss
UDP_PY=$(cd "$(dirname "$0")" && pwd)/impair/udp.py
PY=/usr/bin/python3
N=${IMPAIR_DATAGRAMS:-3000}
SHIM_LWIPD_ARGS="--impair loss=10%,dup=2%,reorder=5%,delay=5ms,seed=7"
shim_net
expect_log "impairing the link both ways: loss=10%,dup=2%,reorder=5%,delay=5ms,seed=7 \(seed 7\)" \
	"the impairment with its seed"

# stat_of LINE FIELD - the number after FIELD in a summary line
stat_of() { awk -v f="$2" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' <<<"$1"; }

# impair_field DIR FIELD - one counter of lwipd's impair line for DIR
impair_field() {
	awk -v d="$1" -v f="$2" '$1 == "impair" && $5 == d {
		for (i = 6; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$SOCKDIR/stats"
}

# judge WHAT SUMMARY DIR - the receiver's summary must show plausible
# impairment and no corruption; lwipd's DIR counters must cover the losses
judge() {
	local what=$1 sum=$2 dir=$3 lost dups late corrupt dropped
	lost=$(stat_of "$sum" lost); dups=$(stat_of "$sum" duplicated)
	late=$(stat_of "$sum" late); corrupt=$(stat_of "$sum" corrupt)
	[ -n "$lost" ] || fail "$what: no summary from the receiver: $sum"
	[ "$corrupt" -eq 0 ] || fail "$what: $corrupt corrupted datagrams arrived ($sum)"
	[ "$lost" -ge $((N * 7 / 100)) ] && [ "$lost" -le $((N * 13 / 100)) ] ||
		fail "$what: $lost of $N lost, expected about 10% ($sum)"
	[ "$dups" -gt 0 ] && [ "$dups" -le $((N * 5 / 100)) ] ||
		fail "$what: $dups duplicates, expected about 2% ($sum)"
	[ "$late" -gt 0 ] || fail "$what: nothing arrived late with reorder=5% ($sum)"
	dropped=$(impair_field "$dir" dropped)
	[ "$dropped" -ge "$lost" ] ||
		fail "$what: $lost datagrams lost but lwipd's $dir dropped only $dropped frames"
	ok "$what: $sum; lwipd $dir dropped $dropped frames"
}

check "$N datagrams from the program to the kernel side over IPv4"
bg urecv in_ns "$PY" "$UDP_PY" recv 10.0.0.1 6001 "$N" 120
RECV=$BG_PID
wait_file "$TMPD/urecv.log" '^ready' || fail "the kernel-side receiver did not start: $(cat "$TMPD/urecv.log")"
app timeout 120 "$PY" "$UDP_PY" send 10.0.0.1 6001 "$N" >"$TMPD/usend.log" 2>&1 ||
	fail "the program's sender failed: $(cat "$TMPD/usend.log")"
wait_file "$TMPD/urecv.log" '^datagrams' 60 || fail "the receiver never summed up: $(cat "$TMPD/urecv.log")"
bg_stop "$RECV"
judge "IPv4, program to kernel" "$(grep '^datagrams' "$TMPD/urecv.log")" tx

check "$N datagrams from the kernel side to the program over IPv6"
app timeout 180 "$PY" "$UDP_PY" recv :: 6002 "$N" 120 >"$TMPD/arecv.log" 2>&1 &
ARECV=$!
BG_PIDS+=("$ARECV")
wait_file "$TMPD/arecv.log" '^ready' || fail "the program's receiver did not start: $(cat "$TMPD/arecv.log")"
in_ns "$PY" "$UDP_PY" send "$NET6::2" 6002 "$N" >"$TMPD/ksend.log" 2>&1 ||
	fail "the kernel-side sender failed: $(cat "$TMPD/ksend.log")"
wait_file "$TMPD/arecv.log" '^datagrams' 60 || fail "the program never summed up: $(cat "$TMPD/arecv.log")"
wait "$ARECV"
judge "IPv6, kernel to program" "$(grep '^datagrams' "$TMPD/arecv.log")" rx

grep '^impair' "$SOCKDIR/stats" | sed 's/^/   /'
for d in rx tx; do
	[ "$(impair_field $d delayed)" -gt 0 ] && [ "$(impair_field $d overflow)" = 0 ] ||
		fail "impair $d: expected frames delayed and no queue overflow"
done
check "the options file shows the impairment; writing --impair off ends it"
grep -q -- "--impair loss=10%,dup=2%,reorder=5%,delay=5ms,seed=7" "$SOCKDIR/options" ||
	fail "options file: $(cat "$SOCKDIR/options")"
echo "--impair off" >"$SOCKDIR/options" || fail "writing --impair off failed"
expect_log "link impairment off" "the impairment turned off"
grep -q -- "--impair" "$SOCKDIR/options" && fail "options file still shows --impair: $(cat "$SOCKDIR/options")"
echo "--impair loss=5" >"$SOCKDIR/options" 2>/dev/null && fail "a spec without its unit was accepted"
expect_log "missing unit %" "the bad spec refused with its reason"
lwipd_stop
pass
