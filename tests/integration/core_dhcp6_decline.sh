#!/usr/bin/env bash
# DHCPv6 Decline: dnsmasq leases from a range of two addresses, PREFIX::100
# and PREFIX::101.  Another host on the link (a raw-socket responder on the
# kernel side) defends the first of them lwipd probes: it answers lwipd's DAD
# neighbour solicitation with an advertisement, as a host holding the address
# would.  (The kernel itself cannot hold it: dnsmasq never offers an address
# of its own interface.)  DAD fails; lwipd must send a Decline naming that
# address (on the wire; dnsmasq logs DHCPDECLINE), solicit again, lease the
# other address, and answer ping on it.  Then --no-dhcp6 written to the
# options file releases that lease, and --dhcp6 gets it again.
. "$(dirname "$0")/lib.sh"
lib_init
need_cmd radvd dnsmasq tcpdump
ns_create
kaddr fe80::1/64 "$NET6::1/64"
# defend.py TAP ADDR... - answer the first DAD probe (NS from ::) for one of
# ADDRs, and every later NS for that address, with an NA to ff02::1
cat >"$TMPD/defend.py" <<'PY'
import ipaddress, socket, struct, sys
ifname, cands = sys.argv[1], [ipaddress.IPv6Address(a).packed for a in sys.argv[2:]]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86dd))
s.bind((ifname, 0))
mymac = bytes.fromhex('020000d6d6d6')
def csum(d):
    if len(d) % 2: d += b'\0'
    t = sum(struct.unpack('!%dH' % (len(d) // 2), d))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
held = None
while True:
    f = s.recv(2048)
    if len(f) < 78 or f[12:14] != b'\x86\xdd' or f[20] != 58 or f[54] != 135:
        continue
    target = f[62:78]
    if held is None and target in cands and f[22:38] == bytes(16):
        held = target
        print('defending', ipaddress.IPv6Address(held), flush=True)
    if target != held:
        continue
    src, dst = ipaddress.IPv6Address('fe80::d6').packed, ipaddress.IPv6Address('ff02::1').packed
    icmp = struct.pack('!BBHI', 136, 0, 0, 0x20000000) + target + b'\x02\x01' + mymac
    c = csum(src + dst + struct.pack('!I3xB', len(icmp), 58) + icmp)
    icmp = icmp[:2] + struct.pack('!H', c) + icmp[4:]
    ip = struct.pack('!IHBB', 6 << 28, len(icmp), 58, 255) + src + dst
    s.send(bytes.fromhex('333300000001') + mymac + b'\x86\xdd' + ip + icmp)
    print('NA for', ipaddress.IPv6Address(target), flush=True)
PY
radvd_start "AdvManagedFlag on;" off
bg defend in_ns /usr/bin/python3 "$TMPD/defend.py" "$TAP" "$NET6::100" "$NET6::101"
dnsmasq_start --port=0 --dhcp-range="$NET6::100,$NET6::101,64,10m"
capture_start --immediate-mode
lwipd_start -i "$TAP"
expect_log "$TAP: $NET6::10[01] is a duplicate \(DAD failed\)" "DAD failing on the first leased address"
FIRST=$(log_line "is a duplicate" | sed -E 's/.*: ([0-9a-f:]+) is a duplicate.*/\1/')
[ "$FIRST" = "$NET6::100" ] && OTHER=$NET6::101 || OTHER=$NET6::100
grep -qx "defending $FIRST" "$TMPD/defend.log" || fail "the responder defended another address: $(cat "$TMPD/defend.log")"
grep -q "DHCPv6: leased $FIRST from" "$LWIPD_LOG" || fail "$FIRST was not leased first"
ok "$FIRST was leased, then found in use"
expect_log "$TAP: DHCPv6: $FIRST is in use by another host \(DAD failed\); declining it" "the decline"
expect_log "$TAP: DHCPv6: leased $OTHER from" "a lease of the other address $OTHER"
expect_log "$TAP: $OTHER is preferred" "DAD passed on $OTHER"
expect_ping "$OTHER" "leased"
check "the interfaces file no longer has $FIRST, and has the lease of $OTHER"
grep -q "inet6 $FIRST/" "$TMPD/mnt/interfaces" && fail "$FIRST still on the interface: $(cat "$TMPD/mnt/interfaces")"
grep -Eq "dhcp6 bound $OTHER server" "$TMPD/mnt/interfaces" || fail "no lease line for $OTHER: $(cat "$TMPD/mnt/interfaces")"
ok "$(grep -E '^ +dhcp6 ' "$TMPD/mnt/interfaces" | sed 's/^ *//')"
check "dnsmasq logged the Decline"
grep -q "DHCPDECLINE($TAP)" "$TMPD/dnsmasq.log" || fail "no DHCPDECLINE in dnsmasq's log: $(grep DHCP "$TMPD/dnsmasq.log" | tail -n 6)"
ok "$(grep -m1 "DHCPDECLINE($TAP)" "$TMPD/dnsmasq.log" | sed 's/.*dnsmasq-dhcp[^ ]* //')"

check "--no-dhcp6 written to the options file releases the lease; --dhcp6 leases again"
echo "-i $TAP --no-dhcp6" >"$TMPD/mnt/options" || fail "the options file refused --no-dhcp6"
expect_log "$TAP: DHCPv6: $OTHER released" "the release of $OTHER"
grep -q "inet6 $OTHER/" "$TMPD/mnt/interfaces" && fail "$OTHER still on the interface after --no-dhcp6"
grep -q "dhcp6 " "$TMPD/mnt/interfaces" && fail "a dhcp6 line after --no-dhcp6: $(grep 'dhcp6 ' "$TMPD/mnt/interfaces")"
grep -q -- "--no-dhcp6" "$TMPD/mnt/options" || fail "the options file does not show --no-dhcp6: $(cat "$TMPD/mnt/options")"
end=$(( $(date +%s) + 5 ))
until grep -q "DHCPRELEASE($TAP)" "$TMPD/dnsmasq.log"; do
	[ "$(date +%s)" -ge "$end" ] && fail "dnsmasq logged no DHCPRELEASE"
	sleep 0.2
done
ok "released; dnsmasq: $(grep -m1 "DHCPRELEASE($TAP)" "$TMPD/dnsmasq.log" | sed 's/.*dnsmasq-dhcp[^ ]* //')"
echo "-i $TAP --dhcp6" >"$TMPD/mnt/options" || fail "the options file refused --dhcp6"
end=$(( $(date +%s) + 20 ))
until [ "$(grep -c "DHCPv6: leased $OTHER from" "$LWIPD_LOG")" = 2 ]; do
	[ "$(date +%s)" -ge "$end" ] && fail "no new lease of $OTHER within 20 s of --dhcp6 (at the next RA)"
	sleep 0.2
done
ok "leased $OTHER again at the next router advertisement"
lwipd_stop
capture_stop
capture_read >"$TMPD/cap.txt"
# the DHCPv6 messages as "TYPE [ADDR]", one per line
awk '{ t = a = ""; for (i = 1; i < NF; i++) { if ($i == "dhcp6") t = $(i + 1);
	if ($i == "(IA_ADDR") a = " " $(i + 1) } if (t != "") print t a }' "$TMPD/cap.txt" >"$TMPD/msgs.txt"
check "the wire shows a Decline naming $FIRST, then a Request for $OTHER"
grep -qx "decline $FIRST" "$TMPD/msgs.txt" ||
	fail "no Decline of $FIRST in the capture: $(tr '\n' ';' <"$TMPD/msgs.txt")"
sed -n '/^decline/,$p' "$TMPD/msgs.txt" | grep -qx "request $OTHER" ||
	fail "no Request for $OTHER after the Decline: $(tr '\n' ';' <"$TMPD/msgs.txt")"
ok "$(tr '\n' ';' <"$TMPD/msgs.txt")"
pass
