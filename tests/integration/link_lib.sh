# link_lib.sh - helpers for the link back-end tests (sourced after lib.sh,
# not run)
#
# These tests need no TAP: $NS is a network namespace holding only
# loopback, where the lwipd instances and the programs under lwip-run run,
# so a socket that leaked past the shim reaches nothing.  Everything of
# lwipd's runs as uid 65534 ($LINK_UID) with no capabilities; the shared
# directories are made for that uid.  A second lwipd ("B") runs beside
# lib.sh's own ("A"): its log is $TMPD/b.log, its socket directory
# $TMPD/b.mnt.

LINK_UID=65534
AS_USER=(setpriv --reuid=$LINK_UID --regid=$LINK_UID --clear-groups --inh-caps=-all)
LWIP_RUN=$LIB_ROOT/build/lwip-run
WIRE_PEER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/link/wire_peer.py
B_PID=""

# ns_empty - make $NS with only loopback (up)
ns_empty() {
	ip netns add "$NS" || fail "ip netns add $NS"
	NS_MADE=1
	ip -n "$NS" link set lo up
}

# need_link_user - run lib.sh's lwipd as $LINK_UID (FUSE through
# fusermount3), and make $TMPD/s, a directory that uid owns, for sockets
need_link_user() {
	need_cmd setpriv
	[ -x "$LWIP_RUN" ] && [ -f "$LIB_ROOT/build/liblwipshim.so" ] || skip "shim not built (make)"
	fuse_world_rw
	LWIPD_WRAP="${AS_USER[*]}"
	LWIPD_MOUNT_OWNER=$LINK_UID:$LINK_UID
	mkdir -p "$TMPD/s"
	chown "$LINK_UID:$LINK_UID" "$TMPD/s"
	chmod 700 "$TMPD/s"
	trap link_cleanup EXIT
}

# link_cleanup - EXIT trap: B's mount if a killed B left it, then lib.sh's
link_cleanup() {
	local rc=$?
	b_kill TERM
	grep -q " $TMPD/b.mnt " /proc/mounts && umount -l "$TMPD/b.mnt" 2>/dev/null
	(exit "$rc")
	lib_cleanup
}

# as_user_ns CMD... - run CMD as $LINK_UID in $NS
as_user_ns() { nsenter --net="/run/netns/$NS" "${AS_USER[@]}" "$@"; }

# run_a CMD... / run_b CMD... - run CMD under the shim of lwipd A or B
run_a() { as_user_ns "$LWIP_RUN" --socket-dir "$TMPD/mnt" "$@"; }
run_b() { as_user_ns "$LWIP_RUN" --socket-dir "$TMPD/b.mnt" "$@"; }

# b_start ARGS... - start lwipd B (as $LINK_UID, in $NS) and wait until
# it runs
b_start() {
	if ! grep -q " $TMPD/b.mnt " /proc/mounts; then   # (a killed B's is cleaned by B)
		mkdir -p "$TMPD/b.mnt"
		chown "$LINK_UID:$LINK_UID" "$TMPD/b.mnt"
	fi
	say "   start B: lwipd $* --mount $TMPD/b.mnt"
	: >"$TMPD/b.log"
	nsenter --net="/run/netns/$NS" "${AS_USER[@]}" "$LWIPD" "$@" --mount "$TMPD/b.mnt" \
		>>"$TMPD/b.log" 2>&1 &
	B_PID=$!
	BG_PIDS+=("$B_PID")
	wait_file "$TMPD/b.log" 'info: running' || fail "lwipd B did not start: $(cat "$TMPD/b.log")"
}

# b_kill [SIGNAL] - stop lwipd B (default SIGKILL: no goodbye on the wire)
b_kill() {
	local sig=${1:-KILL}
	[ -n "$B_PID" ] || return 0
	kill -"$sig" "$B_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$B_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$B_PID" 2>/dev/null
	wait "$B_PID" 2>/dev/null
	B_PID=""
}

# wait_file FILE REGEX [SECONDS] - wait until FILE has a line matching
# the extended REGEX; returns 1 on timeout
wait_file() {
	local f=$1 re=$2 end=$(( $(date +%s) + ${3:-$TIMEOUT} ))
	until grep -Eq -- "$re" "$f" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && { say "   timeout waiting for /$re/ in $f"; return 1; }
		sleep 0.2
	done
}

# count_file FILE REGEX - how many lines of FILE match REGEX
count_file() { grep -Ec -- "$2" "$1" 2>/dev/null; }

# stat_of MNT PROTO FIELD - one counter from lwipd's `stats` file
stat_of() {
	"${AS_USER[@]}" cat "$1/stats" | awk -v p="$2" -v f="$3" \
		'$1 == p { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }'
}

# iface_field MNT REGEX - the first line of `interfaces` matching REGEX
iface_line() { "${AS_USER[@]}" cat "$1/interfaces" | grep -E -m1 -- "$2"; }

# wire_peer SOCK ARGS... - tests/integration/link/wire_peer.py as $LINK_UID
wire_peer() { as_user_ns /usr/bin/python3 "$WIRE_PEER" "$@"; }
