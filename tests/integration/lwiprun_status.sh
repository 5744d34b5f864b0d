#!/usr/bin/env bash
# lwip-run --status and lwip-run without a daemon.  No lwipd: --status
# exits 1 and says how to start one; `lwip-run CMD` does not run CMD, exits
# 69 and says the same on stderr.  lwipd running (filesystem, then --no-fs):
# --status exits 0 with its pid and its interfaces and addresses (lo and
# the TAP, IPv4 and IPv6, from the daemon itself), and CMD runs.  A stale
# endpoint left by a killed lwipd counts as not running.
. "$(dirname "$0")/lib.sh"
lib_init
RUN=$LIB_ROOT/build/lwip-run
[ -x "$RUN" ] || skip "$RUN not built (make)"
ns_create
kaddr 10.0.0.1/24 "$NET6::1/64"
M=$TMPD/mnt
mkdir -p "$M"

# expect_not_running WHAT - --status and a command, both refused
expect_not_running() {
	local out rc
	check "$1: --status exits 1 and says how to start lwipd"
	out=$("$RUN" --socket-dir "$M" --status); rc=$?
	say "$out" | sed 's/^/   | /'
	[ "$rc" -eq 1 ] || fail "--status exited $rc, not 1"
	grep -q "^lwipd at $M: not running ($2" <<<"$out" || fail "no 'not running ($2...)' line"
	grep -qF 'systemctl --user start lwipd@tap0' <<<"$out" || fail "no systemctl hint"
	grep -qF 'lwipd -i tap0 --dhcp' <<<"$out" || fail "no lwipd hint"
	ok "exit 1, with both ways to start one"
	check "$1: lwip-run CMD does not run CMD, exits 69, says why"
	rm -f "$TMPD/ran"
	out=$(LWIPD_SOCKET_DIR=$M "$RUN" touch "$TMPD/ran" 2>&1); rc=$?
	say "   $out"
	[ "$rc" -eq 69 ] || fail "exit status $rc, not 69"
	[ -e "$TMPD/ran" ] && fail "the command ran without lwipd"
	grep -qF "lwip-run: no lwipd at $M ($2" <<<"$out" || fail "no clear message"
	grep -qF 'systemctl --user start lwipd@tap0' <<<"$out" || fail "no systemctl hint"
	ok "refused (LWIPD_SOCKET_DIR honoured)"
}

# expect_running FS-WORDS - --status lists lwipd's interfaces; CMD runs
expect_running() {
	local out rc mac
	check "--status with lwipd running ($1)"
	out=$("$RUN" --socket-dir "$M" --status); rc=$?
	say "$out" | sed 's/^/   | /'
	[ "$rc" -eq 0 ] || fail "--status exited $rc, not 0"
	mac=$(lwipd_mac)
	grep -qF "lwipd at $M: running (pid $LWIPD_PID), $1" <<<"$out" || fail "no 'running (pid $LWIPD_PID), $1' line"
	grep -Eq "^  1: lo <UP,LOOPBACK,RUNNING> mtu 65536$" <<<"$out" || fail "no lo"
	grep -Eq "^  [0-9]+: $TAP <UP,BROADCAST,RUNNING,MULTICAST> mtu 1500 ether $mac$" <<<"$out" || fail "no $TAP with MAC $mac"
	grep -q "^      inet 10.0.0.2/24$" <<<"$out" || fail "no 10.0.0.2/24"
	grep -q "^      inet6 $NET6::2/64$" <<<"$out" || fail "no $NET6::2/64"
	grep -q "^      inet6 fe80::.*/64$" <<<"$out" || fail "no link-local address"
	grep -q "^      inet 127.0.0.1/8$" <<<"$out" || fail "no 127.0.0.1/8"
	grep -q "^      inet6 ::1/128$" <<<"$out" || fail "no ::1/128 (preferred)"
	ok "exit 0; pid, lo, $TAP with its MAC, IPv4, IPv6 and link-local"
	check "lwip-run CMD runs CMD"
	rm -f "$TMPD/ran"
	"$RUN" --socket-dir "$M" touch "$TMPD/ran" || fail "lwip-run touch failed"
	[ -e "$TMPD/ran" ] || fail "the command did not run"
	ok "ran"
}

expect_not_running "no lwipd" "$M/2 does not exist"

lwipd_start -i "$TAP" -a 10.0.0.2/24 -A "$NET6::2/64"
wait_log "$NET6::2 is preferred" || fail "$NET6::2 never became preferred"
expect_running "filesystem mounted"
lwipd_stop
expect_not_running "after lwipd stopped" "$M/2 does not exist"

lwipd_start -i "$TAP" -a 10.0.0.2/24 -A "$NET6::2/64" --no-fs
wait_log "$NET6::2 is preferred" || fail "$NET6::2 never became preferred"
expect_running "no filesystem (--no-fs)"
check "a killed lwipd leaves a stale endpoint: not running"
kill -KILL "$LWIPD_PID"; wait "$LWIPD_PID" 2>/dev/null; LWIPD_PID=""
[ -S "$M/2" ] || fail "no stale socket $M/2 left to test with"
ok "$M/2 left behind"
expect_not_running "stale endpoint" "nothing listens on $M/2"
pass
