#!/usr/bin/env bash
# bench.sh - make bench: lwipd next to the kernel and slirp4netns
#
# Builds its own network namespaces and measures, for each setup (see
# tools/bench/setups.sh) and each link MTU, TCP bulk throughput both ways
# (iperf3) and TCP request/response latency (sockperf ping-pong), several
# runs each, interleaved across setups so the machine's noise spreads
# evenly.  Prints progress, then one table of medians with ratios; writes it
# with every run's figure to build/bench/report.md (and a chart,
# build/bench/throughput.png, when gnuplot is there).  It only prints: no
# figure ever fails it.  Needs root.  See docs/benchmarks.md.
#
# Settings (environment):
#   BENCH_RUNS=3            runs of every measurement (the median is shown)
#   BENCH_TIME=5            seconds per iperf3 run
#   BENCH_LAT_TIME=2        seconds per sockperf run
#   BENCH_MTUS="1500 65520" link MTUs
#   BENCH_LAT_MTUS=1500     MTUs at which the BENCH_ONCE metrics run
#   BENCH_SETUPS="lwipd kernel slirp4netns"
#   BENCH_METRICS="tput_send tput_recv"   per-MTU metrics (metrics.sh)
#   BENCH_ONCE="lat crate_client crate_server idle"   metrics run only at
#                           BENCH_LAT_MTUS (latency, connection rate, idle
#                           connections)
#   BENCH_CRATE_N=10000 BENCH_CRATE_C=8   ab requests per run, concurrency
#   BENCH_IDLE_N=10000      idle connections
#   BENCH_IDLE_SETTLE=5     seconds after closing them before RSS is read
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_TIME=${BENCH_TIME:-5}
BENCH_LAT_TIME=${BENCH_LAT_TIME:-2}
BENCH_MTUS=${BENCH_MTUS:-1500 65520}
BENCH_LAT_MTUS=${BENCH_LAT_MTUS:-1500}
BENCH_SETUPS=${BENCH_SETUPS:-lwipd kernel slirp4netns}
BENCH_METRICS=${BENCH_METRICS-tput_send tput_recv}
BENCH_ONCE=${BENCH_ONCE-lat crate_client crate_server idle}
BENCH_CRATE_N=${BENCH_CRATE_N:-10000}
BENCH_CRATE_C=${BENCH_CRATE_C:-8}
BENCH_IDLE_N=${BENCH_IDLE_N:-10000}
BENCH_IDLE_SETTLE=${BENCH_IDLE_SETTLE:-5}
OUT=$ROOT/build/bench
LOGDIR=$OUT/logs
RESULTS=$OUT/results.tsv
STATUS=$OUT/status.tsv
BENCH_ID=$$
BENCH_TAG=lwb$BENCH_ID

NAMESPACES=()
BG_PIDS=()
TMPDIRS=()

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# stop_pid PID - SIGTERM, up to 3 s, then SIGKILL; reaps it
stop_pid() {
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	for i in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

cleanup() {
	local rc=$? p n d
	trap - EXIT
	for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do stop_pid "$p"; done
	for n in "${NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null; done
	for d in "${TMPDIRS[@]}"; do rm -rf "$d"; done
	exit "$rc"
}

# record SETUP KEY MTU RUN VALUE - one figure into results.tsv
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

. "$ROOT/tools/bench/setups.sh"
. "$ROOT/tools/bench/metrics.sh"

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, TAP devices); run: sudo make bench"
for c in ip nsenter ss iperf3 sockperf python3 timeout nginx ab; do
	command -v "$c" >/dev/null || die "$c not installed (make deps)"
done
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
# Run a private copy of lwipd and the shim: build/ may be rebuilt while we
# run (make check elsewhere), and a daemon and a shim from two different
# builds need not speak the same protocol.
BIN=$(mktemp -d /tmp/lwipd-bench-bin.XXXXXX)
TMPDIRS+=("$BIN")
chmod 755 "$BIN"
for f in lwipd lwip-run liblwipshim.so; do
	[ -e "$ROOT/build/$f" ] && cp -p "$ROOT/build/$f" "$BIN/"
done
: >"$RESULTS"
: >"$STATUS"

# Which setups can run here; the others get their reason in the table.
active=()
for s in $BENCH_SETUPS; do
	if why=$("${s}_check"); then
		active+=("$s")
	else
		printf '%s\t%s\n' "$s" "$why" >>"$STATUS"
		say "bench: $s: $why"
	fi
done
[ ${#active[@]} -gt 0 ] || die "no setup can run"

# Count the measurements for the progress lines.
nmetrics=0
for m in $BENCH_MTUS; do
	nmetrics=$((nmetrics + $(wc -w <<<"$BENCH_METRICS")))
	[[ " $BENCH_LAT_MTUS " == *" $m "* ]] && nmetrics=$((nmetrics + $(wc -w <<<"$BENCH_ONCE")))
done
total=$((nmetrics * BENCH_RUNS * ${#active[@]}))
done_n=0
start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
build_id=$( [ -e "$BIN/lwipd" ] && sha256sum "$BIN/lwipd" | cut -c1-12 || echo none)
say "bench: ${#active[@]} setups (${active[*]}), MTUs $BENCH_MTUS, $BENCH_RUNS runs each:" \
	"$total measurements, iperf3 ${BENCH_TIME}s, sockperf ${BENCH_LAT_TIME}s; logs in ${LOGDIR#$ROOT/}"

# measure METRIC SETUP MTU RUN - one measurement with its progress line
measure() {
	local m=$1 s=$2 mtu=$3 run=$4
	done_n=$((done_n + 1))
	printf '[%2d/%d %3ds] MTU %-5s %-11s %-9s run %d/%d: ' "$done_n" "$total" \
		$(( $(date +%s) - start )) "$mtu" "$s" "$m" "$run" "$BENCH_RUNS"
	"metric_$m" "$s" "$mtu" "$run"     # finishes the line
}

for mtu in $BENCH_MTUS; do
	say "bench: MTU $mtu: setting up ${active[*]}"
	for s in "${active[@]}"; do
		"${s}_up" "$mtu"
		peers_start "$s" "$mtu"
	done
	metrics=$BENCH_METRICS
	[[ " $BENCH_LAT_MTUS " == *" $mtu "* ]] && metrics+=" $BENCH_ONCE"
	for m in $metrics; do
		for run in $(seq "$BENCH_RUNS"); do
			for s in "${active[@]}"; do
				measure "$m" "$s" "$mtu" "$run"
			done
		done
	done
	for s in "${active[@]}"; do
		peers_stop "$s"
		"${s}_down"
	done
	if [[ " ${active[*]} " == *" lwipd "* ]]; then
		# lwipd logs its link counters when it stops
		c=$(grep -E 'counters|frames' "$LOGDIR/lwipd-mtu$mtu.log" | tail -n 2 | sed 's/^/    /')
		[ -n "$c" ] && say "bench: lwipd at MTU $mtu stopped:" && say "$c"
	fi
done

load1=$(cut -d' ' -f1-3 /proc/loadavg)
say "bench: done in $(( $(date +%s) - start )) s (load average before: $load0; after: $load1)"
say ""
python3 "$ROOT/tools/bench/report.py" --results "$RESULTS" --status "$STATUS" \
	--setups "$BENCH_SETUPS" --out "$OUT" \
	--params "$BENCH_RUNS runs of iperf3 ${BENCH_TIME} s and sockperf ${BENCH_LAT_TIME} s each; lwipd binary sha256 $build_id; load average $load0 before, $load1 after"
