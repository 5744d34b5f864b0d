#!/usr/bin/env bash
# Run every test: the Criterion unit tests in build/tests, then the
# integration scripts in tests/integration (each exits 0 pass, 77 skip,
# anything else fail).  Prints Criterion's summaries and a closing
# "N passed, N failed, N skipped" line; exits non-zero if anything failed.
#   tests/run.sh [PATTERN]   only tests whose name contains PATTERN
# LWIPD_BUILD=DIR tests the build in DIR instead of build/ (make check-asan:
# build-asan/).  With LWIPD_CHECK_ASAN set, every test runs with sanitizer
# options that make any report fatal and write it to DIR/test-logs/san/
# TEST.*; a test that leaves such a report fails, whatever it returned.
set -uo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-}
pass=0 fail=0 skip=0 failed=()
B=${LWIPD_BUILD:-build}
logdir=$B/test-logs
mkdir -p "$logdir"
sandir=$logdir/san
if [ -n "${LWIPD_CHECK_ASAN:-}" ]; then
	rm -rf "$sandir"
	mkdir -p "$sandir"
	chmod 1777 "$sandir"        # tests run programs as other uids too
fi

# san_env NAME - sanitizer options for test NAME (none outside check-asan)
san_env() {
	[ -n "${LWIPD_CHECK_ASAN:-}" ] || return 0
	local common="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$PWD/$sandir/$1"
	export ASAN_OPTIONS="$common:detect_leaks=1:verify_asan_link_order=0"
	export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
	export UBSAN_OPTIONS="$common"
}

# san_reports NAME - print and count the sanitizer reports test NAME left
san_reports() {
	local f found=1
	for f in "$sandir/$1".*; do
		[ -f "$f" ] || continue
		echo "   sanitizer report $f:"
		sed -n '1,40p' "$f" | sed 's/^/   | /'
		found=0
	done
	return $found
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[[ -z "$pattern" || "$name" == *"$pattern"* ]] || continue
	echo "== unit: $name"
	san_env "$name"
	if "$t" --jobs 2 2>&1 | tee "$logdir/$name.log" | grep -E 'Synthesis|\[FAIL\]|Assertion|CRASH|signal'; then :; fi
	rc=${PIPESTATUS[0]}
	san_reports "$name" && rc=1
	if [ "$rc" -eq 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); failed+=("$name"); fi
done

for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in lib|*_lib) continue ;; esac     # helpers, not tests
	[[ -z "$pattern" || "$name" == *"$pattern"* ]] || continue
	echo "== integration: $name"
	start=$(date +%s)
	san_env "$name"
	timeout --kill-after=10 600 bash "$t" >"$logdir/$name.log" 2>&1
	rc=$?
	if san_reports "$name" >>"$logdir/$name.log"; then
		rc=1
		echo "   sanitizer report(s): see $logdir/$name.log"
	fi
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
