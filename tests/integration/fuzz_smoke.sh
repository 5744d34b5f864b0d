#!/usr/bin/env bash
# fuzz_smoke.sh - every fuzzer (make fuzz) over its seed corpus for a short
# while (FUZZ_SECONDS, default 15 each): fails on any crash, sanitizer
# report or leak, so the regression inputs in tests/fuzz/corpus stay fixed.
# Skipped without clang's libFuzzer, and under make check-asan (the
# fuzzers are sanitizer builds already; make check ran them).
cd "$(dirname "$0")/../.."
if [ -n "${LWIPD_CHECK_ASAN:-}" ]; then
	echo "SKIP: fuzz_smoke: make check runs the fuzzers"
	exit 77
fi
if ! ls build/fuzz/fuzz_* >/dev/null 2>&1; then
	echo "SKIP: fuzz_smoke: no fuzzers built (make fuzz needs clang and libclang-rt-14-dev)"
	exit 77
fi
exec tests/fuzz/run.sh "${FUZZ_SECONDS:-15}"
