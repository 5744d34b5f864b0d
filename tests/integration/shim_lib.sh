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

# shim_cleanup - EXIT trap: delete $APPNS, then lib.sh's cleanup
shim_cleanup() {
	local rc=$?
	[ "$APPNS_MADE" = 1 ] && ip netns del "$APPNS" 2>/dev/null
	(exit "$rc")
	lib_cleanup
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
