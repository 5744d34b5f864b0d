#!/usr/bin/env bash
# iperf3 under the shim against iperf3 -s on the kernel side: TCP both
# directions (IPv4 and IPv6) and UDP; every run must finish and move data.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shim_lib.sh"
need_cmd iperf3 python3 ss
shim_net
bg iperfd in_ns iperf3 -s -p 5201
wait_kport 5201 || fail "iperf3 -s did not start"

# run_iperf WHAT ARGS... - one client run; its JSON must show bytes received
run_iperf() {
	local what=$1
	shift
	check "iperf3 $what"
	app timeout 60 iperf3 -J -t 2 -p 5201 "$@" >"$TMPD/ip.json" 2>"$TMPD/ip.err" ||
		fail "iperf3 $what failed: $(tail -c 600 "$TMPD/ip.json") $(cat "$TMPD/ip.err")"
	python3 - "$TMPD/ip.json" <<'PY' || fail "iperf3 $what: $(tail -c 400 "$TMPD/ip.json")"
import json, sys
j = json.load(open(sys.argv[1]))
end = j["end"]
if "sum_received" in end:
    b = end["sum_received"]["bytes"]; bps = end["sum_received"]["bits_per_second"]
else:
    b = end["sum"]["bytes"]; bps = end["sum"]["bits_per_second"]
assert b > 100000, b
print("%.1f Mbit/s, %d bytes" % (bps / 1e6, b))
PY
	ok "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; s=e.get("sum_received", e.get("sum")); print("%.1f Mbit/s" % (s["bits_per_second"]/1e6))' "$TMPD/ip.json")"
}
run_iperf "TCP upload over IPv4" -c 10.0.0.1
run_iperf "TCP download over IPv4 (-R)" -c 10.0.0.1 -R
run_iperf "TCP upload over IPv6" -c "$NET6::1"
run_iperf "UDP over IPv4" -c 10.0.0.1 -u -b 20M
lwipd_stop
pass
