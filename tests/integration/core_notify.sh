#!/usr/bin/env bash
# Readiness for systemd (sd_notify): lwipd under a fake $NOTIFY_SOCKET (a
# python AF_UNIX datagram listener) must send READY=1 only once the
# endpoints 2 and 26 accept connections and the filesystem is mounted (the
# listener checks both the moment READY=1 arrives), a STATUS= line with
# the addresses once they are learned, RELOADING=1 then READY=1 around a
# SIGHUP reload (the reload really happens: a --config line added before
# it takes effect), and STOPPING=1 on SIGTERM.  A second run checks an
# abstract socket name ("@name").
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd python3
ns_create
kaddr 10.0.0.1/24 "$NET6::1/64"
M=$TMPD/mnt

# listener SOCKNAME LOG - receive datagrams on SOCKNAME; one line per
# message (newlines shown as " | "); on the first READY=1, a line saying
# whether the endpoints accept connections and the filesystem is there.
# Abstract names belong to a network namespace: "@name" listens in $NS.
listener() {
	local ns=()
	[ "${1:0:1}" = @ ] && ns=(nsenter --net="/run/netns/$NS")
	"${ns[@]}" /usr/bin/python3 - "$1" "$M" <<'PY' >"$2" 2>&1
import os, socket, sys
name, mnt = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + name[1:] if name.startswith('@') else name)
print('listening', flush=True)
seen_ready = False
while True:
    m = s.recv(4096).decode()
    print('MSG ' + m.strip().replace('\n', ' | '), flush=True)
    if 'READY=1' in m.split('\n') and not seen_ready:
        seen_ready = True
        ok = []
        for ep in ('2', '26'):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(os.path.join(mnt, ep)); ok.append(ep)
            except OSError as e:
                print('endpoint %s: %s' % (ep, e), flush=True)
            c.close()
        fs = os.path.exists(os.path.join(mnt, 'interfaces'))
        print('AT-READY endpoints=%s fs=%s' % (','.join(ok) or 'none', fs), flush=True)
PY
}

# start_listener NAME - the listener in the background, waiting until bound
start_listener() {
	bg "notify$2" listener "$1" "$TMPD/notify$2.out"
	wait_for_file "$TMPD/notify$2.out" '^listening' || fail "the notify listener did not start"
}
wait_for_file() {
	local end=$(( $(date +%s) + ${3:-$TIMEOUT} ))
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

conf=$TMPD/lwipd.conf
printf -- '-a 10.0.0.2/24\n' >"$conf"
start_listener "$TMPD/notify.sock" 1
export NOTIFY_SOCKET=$TMPD/notify.sock
lwipd_start -i "$TAP" --config "$conf" -A "$NET6::2/64"
unset NOTIFY_SOCKET
OUT=$TMPD/notify1.out

check "READY=1 arrives, after the endpoints and the filesystem exist"
wait_for_file "$OUT" '^AT-READY' || fail "no READY=1: $(cat "$OUT")"
grep -q '^AT-READY endpoints=2,26 fs=True$' "$OUT" || fail "READY=1 came too early: $(grep -A3 READY "$OUT")"
grep -E '^MSG .*READY=1' "$OUT" | head -1 | grep -q "MAINPID=$LWIPD_PID" || fail "READY=1 without MAINPID=$LWIPD_PID"
ok "$(grep -m1 '^AT-READY' "$OUT")"

check "STATUS= lists the addresses as they are learned"
wait_for_file "$OUT" "^MSG STATUS=$TAP 10\\.0\\.0\\.2/24 .*$NET6::2/64" ||
	fail "no STATUS= with 10.0.0.2/24 and $NET6::2/64: $(cat "$OUT")"
ok "$(grep -m1 "^MSG STATUS=.*$NET6::2/64" "$OUT")"

check "SIGHUP: RELOADING=1, then READY=1 after the new configuration is applied"
n=$(wc -l <"$OUT")
printf -- '-A %s::9/64\n' "$NET6" >>"$conf"
kill -HUP "$LWIPD_PID"
wait_log 'reloaded configuration' || fail "no reload in the log"
wait_for_file "$OUT" "^MSG READY=1" || fail "no READY=1 after the reload"
tail -n +"$((n + 1))" "$OUT" >"$TMPD/after.out"
sed 's/^/   | /' "$TMPD/after.out"
first=$(grep -m1 -nE '^MSG RELOADING=1 \| MONOTONIC_USEC=[0-9]+$' "$TMPD/after.out" | cut -d: -f1)
ready=$(grep -m1 -nE '^MSG READY=1' "$TMPD/after.out" | cut -d: -f1)
[ -n "$first" ] || fail "no RELOADING=1 with MONOTONIC_USEC after SIGHUP"
[ -n "$ready" ] && [ "$ready" -gt "$first" ] || fail "READY=1 did not follow RELOADING=1"
expect_log "$TAP: $NET6::9/64 added" "the reloaded configuration applied"
ok "RELOADING=1 (line $first), READY=1 (line $ready)"

check "SIGTERM: STOPPING=1"
lwipd_stop
wait_for_file "$OUT" '^MSG STOPPING=1$' 5 || fail "no STOPPING=1: $(tail -n 3 "$OUT")"
ok "STOPPING=1"

check "an abstract NOTIFY_SOCKET (@name) gets READY=1 too"
start_listener "@lwipd-test-notify-$ID" 2
export NOTIFY_SOCKET=@lwipd-test-notify-$ID
lwipd_start -i "$TAP" -a 10.0.0.2/24
unset NOTIFY_SOCKET
wait_for_file "$TMPD/notify2.out" '^AT-READY endpoints=2,26 fs=True$' || fail "no READY=1 on @name: $(cat "$TMPD/notify2.out")"
ok "$(grep -m1 '^MSG READY' "$TMPD/notify2.out")"
lwipd_stop
pass
