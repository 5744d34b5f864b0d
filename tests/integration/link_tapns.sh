#!/usr/bin/env bash
# -i tap-ns: lwipd makes its own TAP inside a private user and network
# namespace (a forked child unshares them, maps our uid, creates the TAP,
# sends its fd back with SCM_RIGHTS and holds the namespace).  As root,
# then as uid 65534 without capabilities if this kernel allows
# unprivileged user namespaces: the interface comes up (its EUI-64
# link-local address passes DAD and shows as preferred in `interfaces`),
# the namespace holds only lo and the TAP, its kernel side pings lwipd's
# link-local and manual addresses from inside, and the helper goes away
# with lwipd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/link_lib.sh"
lib_init
need_cmd setpriv ping
ns_empty

# run_case WHO NSENTER... - one lwipd -i tap-ns; NSENTER is how to enter
# its namespace (as root, or as the uid through the user namespace)
run_case() {
	local who=$1 pid mac ll out
	shift
	lwipd_start -i tap-ns -A "$NET6::10/64"
	check "$who: lwipd runs as $who, the helper holds a new network namespace"
	say "   lwipd: $(grep ^Uid /proc/"$LWIPD_PID"/status | tr -s '\t ' ' '), $(grep ^CapEff /proc/"$LWIPD_PID"/status | tr -s '\t ' ' ')"
	log_line 'TAP tap0 in a private network namespace held by pid' >/dev/null ||
		fail "no namespace line in the log"
	pid=$(log_line 'held by pid' | sed -E 's/.*held by pid ([0-9]+).*/\1/')
	[ "$(readlink /proc/"$pid"/ns/net)" != "$(readlink /proc/"$LWIPD_PID"/ns/net)" ] ||
		fail "the TAP is in lwipd's own network namespace"
	[ "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/self/ns/user)" ] ||
		fail "no user namespace of its own"
	out=$("$@" -t "$pid" ip -br link)
	[ "$(awk '{print $1}' <<<"$out" | sort | tr '\n' ' ')" = "lo tap0 " ] ||
		fail "the namespace holds more than lo and tap0: $out"
	ok "pid $pid: $(tr '\n' ';' <<<"$out" | tr -s ' ')"
	mac=$(lwipd_mac)
	ll=$(eui64 fe80:0:0:0 "$mac")
	expect_log "tap-ns: $ll is preferred" "$who: the link-local address $ll after DAD"
	check "$who: interfaces shows the link-local address preferred, the link up"
	"${AS_USER[@]}" cat "$TMPD/mnt/interfaces" >"$TMPD/if.txt" 2>&1 || cat "$TMPD/mnt/interfaces" >"$TMPD/if.txt"
	grep -q "^2: tap-ns: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP" "$TMPD/if.txt" ||
		fail "tap-ns not up: $(cat "$TMPD/if.txt")"
	grep -q "inet6 $ll/64 scope link preferred" "$TMPD/if.txt" || fail "no preferred $ll: $(cat "$TMPD/if.txt")"
	grep -q "^ *link tap-ns tap0 pid $pid" "$TMPD/if.txt" || fail "no 'link tap-ns tap0 pid $pid'"
	ok "$(grep -E "^2:|inet6 $ll|link tap-ns" "$TMPD/if.txt" | tr -s ' ' | tr '\n' ';')"
	expect_log "tap-ns: $NET6::10 is preferred" "$who: the manual address"
	check "$who: the namespace's kernel side pings lwipd"
	"$@" -t "$pid" ip addr add "$NET6::1/64" dev tap0 nodad || fail "cannot add an address inside"
	for a in "$ll%tap0" "$NET6::10"; do
		out=$("$@" -t "$pid" ping -c 2 -i 0.3 -W 2 -n "$a" 2>&1) ||
			fail "no reply from $a: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		ok "$a: $(grep 'packets transmitted' <<<"$out")"
	done
	lwipd_stop
	check "$who: the helper left with lwipd"
	for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && fail "helper pid $pid still runs"
	ok "pid $pid gone"
}

run_case root nsenter -n
if setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true 2>/dev/null; then
	fuse_world_rw
	tun_world_rw
	LWIPD_WRAP="${AS_USER[*]}"
	LWIPD_MOUNT_OWNER=$LINK_UID:$LINK_UID
	run_case "uid $LINK_UID" "${AS_USER[@]}" nsenter -U -n --preserve-credentials
else
	say "   NOTE: unprivileged user namespaces are not allowed here; the uid $LINK_UID case is skipped"
fi
pass
