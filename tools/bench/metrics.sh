# metrics.sh - what make bench measures (sourced by tools/bench.sh)
#
# A metric is a function `metric_NAME SETUP MTU RUN` that runs one
# measurement between SETUP's program and peer (see setups.sh), calls
# `record SETUP KEY MTU RUN VALUE` for each figure it gets (KEY names the
# row in tools/bench/report.py) and prints a short summary ending the
# progress line (it runs in the main shell, not a subshell, so it may
# restart peers).  It returns non-zero when the measurement failed.
#
# Peer servers run for the whole life of a setup: peers_start SETUP starts
# them, peers_stop SETUP stops them.

IPERF_PORT=5201
SOCKPERF_PORT=11111
HTTP_PORT=8080                  # nginx on the peer side
HOLD_PORT=5300                  # tools/bench/idle.py's server on the peer side
declare -A PEER_PIDS

# nginx_conf DIR LISTEN - an nginx configuration (tools/nginx-conf.sh)
# serving DIR/www/small (100 bytes) on LISTEN
nginx_conf() {
	"$ROOT/tools/nginx-conf.sh" "$1" "$2 backlog=4096"
	head -c 100 /dev/zero | tr '\0' x >"$1/www/small"
}

# peers_start SETUP - the peer side's servers (iperf3, sockperf, nginx, the
# idle-connection holder) and the program side's nginx (under the shim for
# lwipd), each running for the whole life of the setup
peers_start() {
	local s=$1 bind=${PEER_BIND[$1]} mtu=$2 d
	d=$(mktemp -d /tmp/lwipd-bench-www.XXXXXX)
	TMPDIRS+=("$d")
	chmod 755 "$d"
	nginx_conf "$d/peer" "$bind:$HTTP_PORT"
	nginx_conf "$d/prog" "0.0.0.0:$PROG_PORT"
	"${s}_peer"
	"${CMD[@]}" nginx -c "$d/peer/nginx.conf" >>"$LOGDIR/$s-nginx-peer.log" 2>&1 &
	PEER_PIDS[$s]+=" $!"
	BG_PIDS+=("$!")
	"${CMD[@]}" python3 "$ROOT/tools/bench/idle.py" serve "$bind" "$HOLD_PORT" \
		>>"$LOGDIR/$s-idle-server.log" 2>&1 &
	PEER_PIDS[$s]+=" $!"
	BG_PIDS+=("$!")
	"${s}_prog"
	"${CMD[@]}" nginx -c "$d/prog/nginx.conf" >>"$LOGDIR/$s-nginx-prog.log" 2>&1 &
	PEER_PIDS[$s]+=" $!"
	BG_PIDS+=("$!")
	"${s}_peer"
	"${CMD[@]}" iperf3 -s -B "$bind" -p "$IPERF_PORT" \
		>>"$LOGDIR/$s-mtu$mtu-iperf3-server.log" 2>&1 &
	PEER_PIDS[$s]="$!"
	BG_PIDS+=("$!")
	"${CMD[@]}" sockperf server --tcp -i "$bind" -p "$SOCKPERF_PORT" \
		>>"$LOGDIR/$s-mtu$mtu-sockperf-server.log" 2>&1 &
	PEER_PIDS[$s]+=" $!"
	BG_PIDS+=("$!")
	wait_listen "$s" "$IPERF_PORT" && wait_listen "$s" "$SOCKPERF_PORT" &&
		wait_listen "$s" "$HTTP_PORT" && wait_listen "$s" "$HOLD_PORT" ||
		die "$s: peer servers did not start (see $LOGDIR)"
}

peers_stop() {
	local p
	for p in ${PEER_PIDS[$1]:-}; do stop_pid "$p"; done
	PEER_PIDS[$1]=""
}

# wait_listen SETUP PORT - until the peer listens on TCP PORT (10 s)
wait_listen() {
	local i
	for i in $(seq 100); do
		"${1}_peer"
		"${CMD[@]}" ss -Hltn "sport = :$2" 2>/dev/null | grep -q LISTEN && return 0
		sleep 0.1
	done
	return 1
}

# setup_dead SETUP MTU - after a failure: say so if lwipd is gone
setup_dead() {
	if [ "$1" = lwipd ] && ! kill -0 "$LWIPD_PID" 2>/dev/null; then
		echo "    lwipd is no longer running; its log ends: $(tail -n 2 "$LOGDIR/lwipd-mtu$2.log" | tr '\n' ' ')"
	fi
}

# --- TCP bulk throughput (iperf3) -------------------------------------------------
#
# metric_tput_send / metric_tput_recv SETUP MTU RUN: iperf3 for
# $BENCH_TIME seconds, program→peer (the program sends) or peer→program
# (-R, the program receives).  Records Gbit/s as seen by the receiver and,
# for lwipd, the daemon's CPU seconds per GB moved (cpu_send, cpu_recv).

metric_tput_send() { tput_run "$@" send; }
metric_tput_recv() { tput_run "$@" recv; }

tput_run() {
	local s=$1 mtu=$2 run=$3 dir=$4 rflag=() json c0=0 c1 out
	[ "$dir" = recv ] && rflag=(-R)
	json=$LOGDIR/$s-mtu$mtu-tput_$dir-$run.json
	[ "$s" = lwipd ] && c0=$(lwipd_cpu_ticks)
	"${s}_prog"
	timeout -k 2 $((BENCH_TIME + 20)) "${CMD[@]}" iperf3 -c "${PEER_IP[$s]}" \
		-p "$IPERF_PORT" -t "$BENCH_TIME" -J "${rflag[@]}" >"$json" 2>"$json.err"
	c1=$( [ "$s" = lwipd ] && lwipd_cpu_ticks || echo 0 )
	out=$(python3 - "$json" "$((c1 - c0))" "$(getconf CLK_TCK)" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    r = d['end']['sum_received']
    if 'error' in d or r['bytes'] <= 0:
        raise ValueError(d.get('error', 'no data'))
except Exception as e:
    print('fail', str(e)[:80].replace('\n', ' '))
    sys.exit()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
print('%.4f %.3f' % (r['bits_per_second'] / 1e9, ticks / hz / (r['bytes'] / 1e9)))
EOF
)
	if [ "${out%% *}" = fail ] || [ -z "$out" ]; then
		echo "FAILED: ${out#fail } $(head -c 200 "$json.err" | tr '\n' ' ')"
		setup_dead "$s" "$mtu"
		# an iperf3 server left mid-test refuses the next one: restart it
		peers_stop "$s"
		peers_start "$s" "$mtu"
		return 1
	fi
	set -- $out
	record "$s" "tput_$dir" "$mtu" "$run" "$1"
	[ "$s" = lwipd ] && record "$s" "cpu_$dir" "$mtu" "$run" "$2"
	if [ "$s" = lwipd ]; then
		printf '%6.2f Gbit/s  (lwipd %.2f CPU s/GB)\n' "$1" "$2"
	else
		printf '%6.2f Gbit/s\n' "$1"
	fi
}

# --- TCP request/response latency (sockperf ping-pong) ------------------------------
#
# metric_lat SETUP MTU RUN: sockperf ping-pong over TCP, the program as
# client, $BENCH_LAT_TIME seconds, 14-byte messages (sockperf's minimum:
# its header), one in flight; records the round-trip time's median and
# 99th percentile in µs (lat_p50, lat_p99) and the number of round trips.

metric_lat() {
	local s=$1 mtu=$2 run=$3 log out
	log=$LOGDIR/$s-mtu$mtu-lat-$run.log
	"${s}_prog"
	timeout -k 2 $((BENCH_LAT_TIME + 20)) "${CMD[@]}" sockperf ping-pong --tcp \
		-i "${PEER_IP[$s]}" -p "$SOCKPERF_PORT" -m 14 -t "$BENCH_LAT_TIME" \
		--full-rtt >"$log" 2>&1
	out=$(awk '
		/percentile 50\.000 =/ { p50 = $NF }
		/percentile 99\.000 =/ { p99 = $NF }
		/Total [0-9]+ observations/ { for (i = 2; i <= NF; i++) if ($(i-1) ~ /Total$/) n = $i }
		END { if (p50 != "" && p99 != "") print p50, p99, n }' "$log" | sed 's/\x1b\[[0-9;]*m//g')
	if [ -z "$out" ]; then
		echo "FAILED: $(tail -n 2 "$log" | tr '\n' ' ')"
		setup_dead "$s" "$mtu"
		peers_stop "$s"
		peers_start "$s" "$mtu"
		return 1
	fi
	set -- $out
	record "$s" lat_p50 "$mtu" "$run" "$1"
	record "$s" lat_p99 "$mtu" "$run" "$2"
	printf 'RTT median %7.1f µs, p99 %7.1f µs  (%s round trips)\n' "$1" "$2" "${3:-?}"
}

# --- connection rate (ab against nginx) -------------------------------------------
#
# metric_crate_client SETUP MTU RUN: ab (HTTP/1.0, a new connection per
# request, $BENCH_CRATE_C at a time) as the program against nginx on the
# peer; metric_crate_server: ab on the peer against nginx run by the
# program (under the shim for lwipd).  Records requests per second
# (crate_client, crate_server) and, for a daemon, its RSS growth over the
# run in KiB (rss_crate_client, rss_crate_server: should stay near 0).

metric_crate_client() { crate_run "$@" client; }
metric_crate_server() { crate_run "$@" server; }

crate_run() {
	local s=$1 mtu=$2 run=$3 side=$4 log url pid r0=0 r1 rate
	log=$LOGDIR/$s-mtu$mtu-crate_$side-$run.log
	pid=$(setup_daemon_pid "$s")
	[ -n "$pid" ] && r0=$(rss_kib "$pid")
	if [ "$side" = client ]; then
		"${s}_prog"
		url=http://${PEER_IP[$s]}:$HTTP_PORT/small
	else
		"${s}_peer"
		url=http://${PROG_REACH[$s]}/small
	fi
	timeout -k 2 120 "${CMD[@]}" ab -q -n "$BENCH_CRATE_N" -c "$BENCH_CRATE_C" "$url" >"$log" 2>&1
	rate=$(awk '/^Requests per second:/ { print $4 }' "$log")
	if [ -z "$rate" ] || grep -q '^Failed requests: *[1-9]' "$log"; then
		echo "FAILED: $(grep -E 'apr_|Failed|error' "$log" | head -n 2 | tr '\n' ' ')"
		setup_dead "$s" "$mtu"
		return 1
	fi
	record "$s" "crate_$side" "$mtu" "$run" "$rate"
	if [ -n "$pid" ]; then
		r1=$(rss_kib "$pid")
		record "$s" "rss_crate_$side" "$mtu" "$run" "$((r1 - r0))"
		printf '%8.0f requests/s  (%s RSS %+d KiB)\n' "$rate" "$s" "$((r1 - r0))"
	else
		printf '%8.0f requests/s\n' "$rate"
	fi
}

# rss_kib PID - resident set size in KiB
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- idle connections ---------------------------------------------------------------
#
# metric_idle SETUP MTU RUN: the program opens $BENCH_IDLE_N TCP
# connections to the peer's holder and keeps them idle; records the
# daemon's RSS per connection in KiB (idle_rss_per_conn) and, after all are
# closed and lwIP's TIME_WAIT (2 MSL) has had $BENCH_IDLE_SETTLE seconds,
# its RSS above the baseline in KiB (idle_rss_after).  The kernel has no
# daemon: its column shows that n/a.

metric_idle() {
	local s=$1 mtu=$2 run=$3 pid log r0 r1 r2 fifo cpid i
	pid=$(setup_daemon_pid "$s")
	[ -n "$pid" ] || { echo "n/a (no daemon)"; return 0; }
	log=$LOGDIR/$s-mtu$mtu-idle-$run.log
	fifo=$(mktemp -u /tmp/lwipd-bench-idle.XXXXXX)
	mkfifo "$fifo"
	r0=$(rss_kib "$pid")
	"${s}_prog"
	(ulimit -n $((BENCH_IDLE_N + 100)); exec "${CMD[@]}" python3 "$ROOT/tools/bench/idle.py" \
		connect "${PEER_IP[$s]}" "$HOLD_PORT" "$BENCH_IDLE_N" <"$fifo" >"$log" 2>&1) &
	cpid=$!
	exec 9>"$fifo"
	for i in $(seq 1200); do
		grep -q '^ready\|^error' "$log" 2>/dev/null && break
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^ready' "$log"; then
		exec 9>&-
		rm -f "$fifo"
		stop_pid "$cpid"
		echo "FAILED: $(tail -n 2 "$log" | tr '\n' ' ')"
		setup_dead "$s" "$mtu"
		return 1
	fi
	sleep 1
	r1=$(rss_kib "$pid")
	echo close >&9
	exec 9>&-
	rm -f "$fifo"
	wait "$cpid" 2>/dev/null
	sleep "$BENCH_IDLE_SETTLE"
	r2=$(rss_kib "$pid")
	record "$s" idle_rss_per_conn "$mtu" "$run" \
		"$(awk -v a="$r0" -v b="$r1" -v n="$BENCH_IDLE_N" 'BEGIN { printf "%.2f", (b - a) / n }')"
	record "$s" idle_rss_after "$mtu" "$run" "$((r2 - r0))"
	printf '%d conns: RSS %d -> %d KiB (%.2f KiB each), %d KiB after close\n' \
		"$BENCH_IDLE_N" "$r0" "$r1" "$(awk -v a="$r0" -v b="$r1" -v n="$BENCH_IDLE_N" \
		'BEGIN { print (b - a) / n }')" "$r2"
}
