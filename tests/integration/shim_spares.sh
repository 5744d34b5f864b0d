#!/usr/bin/env bash
# The shim's spare TCP sockets (shim/ctl.c, "Spares";
# tests/integration/shim/spares.py): asked for ahead from the second TCP
# socket of a process on, at most 2; forgotten when the program takes
# their fd numbers; never shared with a forked child; and gone with the
# process.  The peer is a socat echo on the kernel side.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd python3 socat ss
shim_net
bg techo in_ns socat TCP-LISTEN:7000,fork,reuseaddr EXEC:cat
wait_kport 7000 || fail "socat echo did not start"
base=$(sed -n 's/^sockets //p' "$SOCKDIR/status")

check "spares.py under the shim"
app timeout 120 python3 "$(dirname "$0")/shim/spares.py" 10.0.0.1 7000 "$SOCKDIR/status" \
	>"$TMPD/spares.out" 2>&1
rc=$?
sed 's/^/   /' "$TMPD/spares.out"
[ $rc -eq 0 ] && grep -q 'all spares ok' "$TMPD/spares.out" || fail "spares.py failed (exit $rc)"

check "the spares went with the process"
for i in $(seq 50); do
	[ "$(sed -n 's/^sockets //p' "$SOCKDIR/status")" = "$base" ] && break
	sleep 0.1
done
now=$(sed -n 's/^sockets //p' "$SOCKDIR/status")
[ "$now" = "$base" ] || fail "lwipd holds $now sockets, $base before the program"
ok "lwipd holds $now sockets, as before"
pass
