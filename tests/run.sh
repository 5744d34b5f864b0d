#!/usr/bin/env bash
# Run every test: the Criterion unit tests in build/tests, then the
# integration scripts in tests/integration (each exits 0 pass, 77 skip,
# anything else fail).  Prints Criterion's summaries and a closing
# "N passed, N failed, N skipped" line; exits non-zero if anything failed.
#   tests/run.sh [PATTERN]   only tests whose name contains PATTERN
set -uo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-}
pass=0 fail=0 skip=0 failed=()
logdir=build/test-logs
mkdir -p "$logdir"

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[[ -z "$pattern" || "$name" == *"$pattern"* ]] || continue
	echo "== unit: $name"
	if "$t" --jobs 2 2>&1 | tee "$logdir/$name.log" | grep -E 'Synthesis|\[FAIL\]|Assertion|CRASH|signal'; then :; fi
	if [ "${PIPESTATUS[0]}" -eq 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); failed+=("$name"); fi
done

for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in lib|*_lib) continue ;; esac     # helpers, not tests
	[[ -z "$pattern" || "$name" == *"$pattern"* ]] || continue
	echo "== integration: $name"
	start=$(date +%s)
	timeout --kill-after=10 600 bash "$t" >"$logdir/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)  pass=$((pass+1)); echo "   ok ($secs s)" ;;
	77) skip=$((skip+1)); echo "   skipped: $(tail -n 1 "$logdir/$name.log")" ;;
	*)  fail=$((fail+1)); failed+=("$name"); echo "   FAILED (exit $rc, $secs s); last lines of $logdir/$name.log:"
	    tail -n 25 "$logdir/$name.log" | sed 's/^/   | /' ;;
	esac
done

[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
