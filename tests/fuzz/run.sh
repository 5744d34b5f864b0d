#!/usr/bin/env bash
# run.sh [SECONDS [TARGET...]] - run each fuzzer (build/fuzz/fuzz_TARGET,
# `make fuzz`) for SECONDS (default 15) over its seed corpus in
# tests/fuzz/corpus/TARGET (and tests/fuzz/TARGET.dict if there is one),
# one after the other.  The tree's corpus is only
# read: new inputs go to build/fuzz/new/TARGET, a crashing input to
# build/fuzz/crashes/TARGET-*.  Prints one line per target; exits 1 if any
# target crashed, leaked, timed out or could not run.
#   FUZZ_ARGS="-jobs=1 ..."   more libFuzzer options
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-15}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		t=${f#tests/fuzz/fuzz_}
		targets+=("${t%.c}")
	done
fi
mkdir -p build/fuzz/crashes build/fuzz/logs
failed=()
for t in "${targets[@]}"; do
	bin=build/fuzz/fuzz_$t
	log=build/fuzz/logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "$t: $bin not built (make fuzz)"
		failed+=("$t")
		continue
	fi
	mkdir -p "build/fuzz/new/$t" "tests/fuzz/corpus/$t"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/crashes/$t-" "${dict[@]}" ${FUZZ_ARGS:-} \
		"build/fuzz/new/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed 's/^#//; s/DONE//; s/[[:space:]]\+/ /g')
	if [ $rc -eq 0 ]; then
		echo "$t: ok, $stats"
	else
		echo "$t: FAILED (exit $rc); see $log:"
		grep -E 'ERROR|SUMMARY|runtime error|assert|Test unit written' "$log" | head -n 8 | sed 's/^/  | /'
		failed+=("$t")
	fi
done
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
