#!/usr/bin/env bash
# Bad usage: every bad option exits 2 with a message naming the option; a
# non-/64 IPv6 prefix says lwIP supports /64 only; --help and --version
# exit 0.  A TAP that does not exist, or belongs to another user, opened by
# an unprivileged lwipd, fails with the `ip tuntap add ... user` hint.
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd setpriv

# usage EXPECTED_STATUS REGEX ARGS... - run lwipd ARGS (no network needed:
# it must fail before opening anything) and check status and message
usage() {
	local want=$1 re=$2 out rc
	shift 2
	check "lwipd $* -> exit $want, message /$re/"
	out=$(timeout 10 "$LWIPD" --mount "$TMPD/mnt" "$@" 2>&1)
	rc=$?
	[ "$rc" -eq "$want" ] || fail "lwipd $*: exit $rc, want $want; output: $out"
	grep -Eq -- "$re" <<<"$out" || fail "lwipd $*: message does not match /$re/: $out"
	ok "$(head -n 1 <<<"$out")"
}

usage 2 '(-A|--address6).*-i NAME'          -A fd00::1/48 -i x
usage 2 '(-A|--address6).*needs an interface' -A fd00::1/64
usage 2 '^lwipd: -A fd00::1/48: .*/64 (prefixes )?only' -i x -A fd00::1/48
usage 2 '^lwipd: -A fd00::1/128: .*/64 (prefixes )?only' -i x -A fd00::1/128
usage 2 '^lwipd: -A fd00::zz/64: '           -i x -A fd00::zz/64
usage 2 '^lwipd: -a 10\.0\.0\.300: '         -i x -a 10.0.0.300
usage 2 '^lwipd: -a 10\.0\.0\.1/33: '        -i x -a 10.0.0.1/33
usage 2 '^lwipd: -m 255\.0\.255\.0: '        -i x -a 10.0.0.1 -m 255.0.255.0
usage 2 '^lwipd: --mac 01:02:03:04:05:06: '  -i x --mac 01:02:03:04:05:06
usage 2 '^lwipd: --mac nonsense: '           -i x --mac nonsense
usage 2 '^lwipd: --dns banana: '             -i x --dns banana
usage 2 '^lwipd: --bogus: unknown option'    -i x --bogus
usage 2 '^lwipd: -a: needs an argument'      -i x -a
usage 2 '^lwipd: --dhcp(=yes)?: takes no argument' -i x --dhcp=yes
usage 2 'no interface: give -i NAME'       --dns 10.0.0.1
usage 2 '/nonexistent/lwipd\.conf'           -i x --config /nonexistent/lwipd.conf
printf -- '-i x\n-A fd00::1/56\n' >"$TMPD/bad.conf"
usage 2 "bad\.conf:2: -A fd00::1/56: .*/64"  --config "$TMPD/bad.conf"
usage 0 '^Usage: lwipd'                      --help
usage 0 '^lwipd .*lwIP 2\.2\.1'              --version

# The TAP errors need a TAP lwipd may not open: run unprivileged (as root,
# TUNSETIFF would simply create a missing TAP).
tun_world_rw
ns_create 0           # $TAP owned by uid 0 (a TAP with no owner is open to all)
nobody() { in_ns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	timeout 10 "$LWIPD" --mount "$TMPD/mnt" "$@" 2>&1; }

check "a TAP that does not exist: the error gives the ip tuntap add ... user hint"
out=$(nobody -i nosuchtap0); rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "exit $rc for a missing TAP: $out"
grep -q 'no such device' <<<"$out" || fail "the error does not say the TAP is missing: $out"
grep -q 'ip tuntap add dev nosuchtap0 mode tap user' <<<"$out" || fail "no 'ip tuntap add ... user' hint: $out"
ok "exit $rc: $out"

check "a TAP owned by root, opened by uid 65534: says so and how to recreate it"
out=$(nobody -i "$TAP"); rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "exit $rc for somebody else's TAP: $out"
grep -q "ip tuntap add dev $TAP mode tap user" <<<"$out" || fail "no 'ip tuntap add ... user' hint: $out"
ok "exit $rc: $out"
pass
