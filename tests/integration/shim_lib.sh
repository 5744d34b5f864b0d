# shim_lib.sh - helpers for the shim's integration tests (sourced after
# lib.sh, not run)
#
# shim_net builds lib.sh's network ($NS with $TAP, kernel side 10.0.0.1 and
# $NET6::1, lwipd at 10.0.0.2 and $NET6::2) plus a second namespace $APPNS
# holding only loopback: programs under the shim run there (app CMD...), so
# a socket that leaked past the shim to the kernel reaches nothing, and a
# test fails instead of quietly passing over the host's stack.

APPNS=lwa-$ID
APPNS_MADE=0
SHIM_RUN=$BUILD_DIR/lwip-run
# Python helpers for peers and programs: PYTHONPATH="$PEERLIB" python3 ...
PEERLIB=$(cd "$(dirname "${BASH_SOURCE[0]}")/shim" && pwd)

# shim_cleanup - EXIT trap: delete $APPNS, then lib.sh's cleanup
shim_cleanup() {
	local rc=$?
	[ "$APPNS_MADE" = 1 ] && ip netns del "$APPNS" 2>/dev/null
	(exit "$rc")
	lib_cleanup
}

# echo_peer PORT - a kernel-side TCP echo server on 10.0.0.1:PORT (each
# connection echoed until EOF, then closed), started and waited for
echo_peer() {
	bg "echo$1" in_ns env PYTHONPATH="$PEERLIB" python3 -c '
import sys
from peerlib import echo_back, serve
serve(int(sys.argv[1]), echo_back, ("10.0.0.1",))' "$1"
	wait_kport "$1" || fail "the echo peer on port $1 did not start"
}

# shim_net - lib_init, both namespaces, lwipd with v4 and v6, both pingable
shim_net() {
	lib_init
	[ -x "$SHIM_RUN" ] && [ -f "$BUILD_DIR/liblwipshim.so" ] || skip "shim not built (make)"
	trap shim_cleanup EXIT
	ns_create
	ip netns add "$APPNS" || fail "ip netns add $APPNS"
	APPNS_MADE=1
	ip -n "$APPNS" link set lo up
	kaddr 10.0.0.1/24 "$NET6::1/64"
	lwipd_start -i "$TAP" -a 10.0.0.2/24 -A "$NET6::2/64" ${SHIM_LWIPD_ARGS:-}
	wait_log "$NET6::2 is preferred" || fail "lwipd's $NET6::2 never became preferred"
	wait_ping 10.0.0.2 || fail "lwipd does not answer ping on 10.0.0.2"
	wait_ping "$NET6::2" || fail "lwipd does not answer ping on $NET6::2"
	SOCKDIR=$TMPD/mnt
	[ -S "$SOCKDIR/2" ] && [ -S "$SOCKDIR/26" ] || fail "no endpoints 2 and 26 in $SOCKDIR"
}

# app CMD... - run CMD under the shim in $APPNS
app() {
	nsenter --net="/run/netns/$APPNS" "$SHIM_RUN" --socket-dir "$SOCKDIR" "$@"
}

# wait_port NS-CMD PORT - wait until something listens on TCP PORT in $NS
wait_kport() {
	local port=$1 end=$(( $(date +%s) + ${2:-$TIMEOUT} ))
	until in_ns ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# wait_file FILE REGEX [SECONDS] - wait until FILE has a line matching REGEX
wait_file() {
	local f=$1 re=$2 end=$(( $(date +%s) + ${3:-$TIMEOUT} ))
	until grep -Eq -- "$re" "$f" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# xfer_data MB - $TMPD/data: MB megabytes of random data; sets SUM
xfer_data() {
	check "$1 MB of random data"
	head -c "$1M" /dev/urandom >"$TMPD/data" || fail "cannot make the data"
	SUM=$(sha256sum <"$TMPD/data" | cut -d' ' -f1)
	ok "sha256 $SUM"
}

# xfer NAME DIR FAMILY ADDR PORT MB - one transfer of $TMPD/data between a
# program under the shim and socat on the kernel side, run with the
# prefix $XFER_PEER (default in_ns); DIR up: program -> kernel, down:
# kernel -> program.  What arrives must have the SHA-256 $SUM; prints the
# duration.  XFER_TIMEOUT (default 300 s) bounds the program's socat.
xfer() {
	local name=$1 dir=$2 fam=$3 addr=$4 port=$5 mb=$6 out=$TMPD/$1.out t0 t1 sum
	local peer=${XFER_PEER:-in_ns} tmo=${XFER_TIMEOUT:-300} end
	check "$name: $mb MB $dir over $fam"
	rm -f "$out"
	if [ "$dir" = up ]; then
		bg "srv-$name" "$peer" socat -u "$fam-LISTEN:$port,reuseaddr" "CREATE:$out"
	else
		bg "srv-$name" "$peer" socat -u "OPEN:$TMPD/data,rdonly" "$fam-LISTEN:$port,reuseaddr"
	fi
	local srv=$BG_PID
	end=$(( $(date +%s) + TIMEOUT ))
	until "$peer" ss -Hltn "sport = :$port" 2>/dev/null | grep -c LISTEN >/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && fail "$name: socat did not listen on $port"
		sleep 0.1
	done
	t0=$(date +%s.%N)
	if [ "$dir" = up ]; then
		app timeout "$tmo" socat -u "OPEN:$TMPD/data,rdonly" "$fam:$addr:$port" \
			2>"$TMPD/$name.err" || fail "$name: the program's socat failed: $(cat "$TMPD/$name.err")"
		for _ in $(seq 300); do kill -0 "$srv" 2>/dev/null || break; sleep 0.1; done
	else
		app timeout "$tmo" socat -u "$fam:$addr:$port" "CREATE:$out" \
			2>"$TMPD/$name.err" || fail "$name: the program's socat failed: $(cat "$TMPD/$name.err")"
	fi
	t1=$(date +%s.%N)
	bg_stop "$srv"
	sum=$(sha256sum <"$out" | cut -d' ' -f1)
	[ "$sum" = "$SUM" ] || fail "$name: $(stat -c %s "$out") bytes arrived with sha256 $sum, sent $SUM"
	rm -f "$out"
	ok "$name: same sha256, $(awk -v a="$t0" -v b="$t1" -v mb="$mb" \
		'BEGIN { printf "%.1f s, %.1f MB/s", b - a, mb / (b - a) }')"
}
