#!/usr/bin/env bash
# Stable-privacy addresses (RFC 7217, --addr-gen stable-privacy): dnsmasq
# advertises PREFIX::/64.  With the default secret file (under
# $XDG_STATE_HOME, created 0600 in a 0700 directory) lwipd forms a SLAAC
# address that is not the EUI-64 one and holds no byte run of the MAC (nor
# does the link-local address); it answers ping.  A restart with the same
# secret forms the same address; another secret, another address; another
# prefix (a second dnsmasq run), another identifier.  When the kernel side
# already holds the address, DAD fails and lwipd retries with DAD_counter 1
# and a new address that works.  A secret file of mode 0644 is refused with
# "chmod 600 PATH".
. "$(dirname "$0")/lib.sh"
lib_init
ns_create
NET6B=fd01:$(printf '%x' $((ID % 65535 + 1)))
kaddr fe80::1/64 "$NET6::1/64" "$NET6B::1/64"
mac=02:11:22:33:44:55
export XDG_STATE_HOME=$TMPD/state
secret=$XDG_STATE_HOME/lwipd/secret
other=$TMPD/other-secret

# run_slaac PREFIX ARGS... - start lwipd with ARGS, wait until its
# stable-privacy SLAAC address under PREFIX::/64 is preferred; sets $A
run_slaac() {
	local prefix=$1 a
	shift
	lwipd_start -i "$TAP" --mac "$mac" --addr-gen stable-privacy "$@"
	wait_log "SLAAC address .* \(stable-privacy, DAD_counter [0-9]+\) for $prefix::/64" ||
		fail "no stable-privacy SLAAC address under $prefix::/64"
	a=$(log_line "SLAAC address .* for $prefix::/64" | sed -E 's/.*SLAAC address ([0-9a-f:]+) .*/\1/')
	wait_log "$TAP: $a is preferred" || fail "$a never became preferred"
	A=$a
}

# iid_hex ADDR - the low 64 bits of ADDR as 16 hex digits
iid_hex() {
	python3 -c 'import ipaddress,sys; print(ipaddress.IPv6Address(sys.argv[1]).packed[8:].hex())' "$1"
}

# no_mac ADDR - fail if ADDR's identifier holds 3 bytes in a row of the MAC
# (either half, with or without the flipped U/L bit), as EUI-64 would
no_mac() {
	local iid m
	iid=$(iid_hex "$1")
	m=$(tr -d : <<<"$mac")
	for part in "${m:0:6}" "${m:6:6}" "$(printf '%02x' $((0x${m:0:2} ^ 2)))${m:2:4}"; do
		case $iid in *"$part"*) fail "$1 contains MAC bytes $part (MAC $mac)" ;; esac
	done
	case $iid in ??????fffe*) fail "$1 has the EUI-64 ff:fe in the middle" ;; esac
}

dnsmasq_start --port=0 --enable-ra --dhcp-range="$NET6::,ra-only,64,1h" --ra-param="$TAP,10,600"

check "first run: default secret file, a SLAAC address without the MAC"
run_slaac "$NET6"
a1=$A
[ "$a1" != "$(eui64 "$NET6:0:0" "$mac")" ] || fail "$a1 is the EUI-64 address"
no_mac "$a1"
ok "$a1 (EUI-64 would be $(eui64 "$NET6:0:0" "$mac"))"
check "the link-local address is stable-privacy too"
ll=$(log_line 'link-local address .* \(stable-privacy\)' | sed -E 's/.*link-local address ([0-9a-f:]+) .*/\1/')
[ -n "$ll" ] || fail "no stable-privacy link-local address logged"
no_mac "$ll"
wait_log "$TAP: $ll is preferred" || fail "$ll never preferred"
ok "$ll"
check "the secret file was created 0600 in a 0700 directory"
[ -f "$secret" ] || fail "no $secret"
[ "$(stat -c %a "$secret")" = 600 ] || fail "$secret has mode $(stat -c %a "$secret")"
[ "$(stat -c %a "$(dirname "$secret")")" = 700 ] || fail "$(dirname "$secret") has mode $(stat -c %a "$(dirname "$secret")")"
[ "$(tr -d '\n' <"$secret" | wc -c)" -ge 32 ] || fail "secret shorter than 128 bits of hex"
ok "$(stat -c '%a %s bytes' "$secret")"
expect_ping "$a1" "stable-privacy SLAAC"
check "the interfaces file marks it stable-privacy with lifetimes"
grep -E "inet6 $a1/64 scope global preferred stable-privacy valid_lft [0-9]+s preferred_lft [0-9]+s" \
	"$TMPD/mnt/interfaces" || fail "not shown: $(grep inet6 "$TMPD/mnt/interfaces")"
lwipd_stop >/dev/null || exit 1

check "restart with the same secret: the same address"
run_slaac "$NET6"
a2=$A
[ "$a2" = "$a1" ] || fail "got $a2, first run had $a1"
ok "$a2"
lwipd_stop >/dev/null || exit 1

check "another secret: another address"
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$other"
chmod 600 "$other"
run_slaac "$NET6" --secret-file "$other"
a3=$A
[ "$a3" != "$a1" ] || fail "the same address $a3 with another secret"
no_mac "$a3"
ok "$a3"
lwipd_stop >/dev/null || exit 1

check "another prefix ($NET6B::/64, a second dnsmasq run): another identifier"
bg_stop "$DNSMASQ_PID"
mv "$TMPD/dnsmasq.log" "$TMPD/dnsmasq1.log"
dnsmasq_start --port=0 --enable-ra --dhcp-range="$NET6B::,ra-only,64,1h" --ra-param="$TAP,10,600"
run_slaac "$NET6B"
b1=$A
[ "$(iid_hex "$b1")" != "$(iid_hex "$a1")" ] || fail "$b1 has the identifier of $a1"
no_mac "$b1"
ok "$b1 vs $a1"
lwipd_stop >/dev/null || exit 1

check "DAD failure: the kernel side holds $b1; lwipd retries with DAD_counter 1"
kaddr "$b1/64"
lwipd_start -i "$TAP" --mac "$mac" --addr-gen stable-privacy
expect_log "$TAP: $b1 is used by another host; trying [0-9a-f:]+ \(stable-privacy, DAD_counter 1\)" \
	"the retry with DAD_counter 1"
b2=$(log_line "$b1 is used by another host; trying" | sed -E 's/.* trying ([0-9a-f:]+) .*/\1/')
[ "$b2" != "$b1" ] || fail "same address after DAD failure"
wait_log "$TAP: $b2 is preferred" || fail "$b2 never preferred"
expect_ping "$b2" "retried SLAAC"
lwipd_stop >/dev/null || exit 1

check "a secret file readable by others is refused, saying chmod 600"
chmod 644 "$secret"
out=$(in_ns timeout 10 "$LWIPD" -i "$TAP" --addr-gen stable-privacy --no-fs --mount "$TMPD/m2" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "lwipd ran (status $rc) with a 0644 secret: $out"
grep -qF "chmod 600 $secret" <<<"$out" || fail "no 'chmod 600 $secret' in: $out"
ok "status $rc: $out"
pass
