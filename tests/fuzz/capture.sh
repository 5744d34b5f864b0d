#!/usr/bin/env bash
# capture.sh [TEST...] - refresh the frames fuzzer's seed corpus from real
# traffic: run integration tests with lwipd writing every frame to a pcap
# (--pcap, through a wrapper given to the tests as $LWIPD), then split each
# capture into seeds (tests/fuzz/pcap2seeds.py).  Needs root, like the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(core_dhcp4 core_ipv6 core_dhcp6 core_mld shim_http_client shim_http_server)
work=$root/build/fuzz/pcap
mkdir -p "$work"
cat >"$work/lwipd" <<EOT
#!/bin/sh
exec "$root/build/lwipd" "\$@" --pcap "$work/\$FUZZ_PCAP_NAME.pcap"
EOT
chmod +x "$work/lwipd"
for t in "${tests[@]}"; do
	rm -f "$work/$t.pcap"
	echo "== $t"
	FUZZ_PCAP_NAME=$t LWIPD=$work/lwipd tests/run.sh "$t" | tail -n 1
	[ -s "$work/$t.pcap" ] || { echo "no capture from $t" >&2; continue; }
	/usr/bin/python3 tests/fuzz/pcap2seeds.py "$work/$t.pcap" tests/fuzz/corpus/frames
done
