#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in a build directory of their own, and runs
# each for a bounded time:
#
#   test/run-fuzz.sh [SECONDS]		(default 60 per target)
#
# Each target (test/fuzz/fuzz_*.c) runs over a scratch copy of its seed
# corpus (test/fuzz/corpus/NAME) with its dictionary, through
# test/fuzz/run-fuzzer.sh, which prints one line per target:
#
#   fuzz: NAME: N executions, 0 crashes
#
# Fails if any target crashes, leaks, trips a sanitizer, times out or
# allocates more than 64 MiB at once; the input that did it is kept in
# BUILD-DIR/test/fuzz/artifacts. Environment: CC (default clang; on
# Debian the packages clang and libclang-rt-dev), FUZZ_BUILD_DIR
# (default build-fuzz in the checkout).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cc=${CC:-clang}

case $seconds in
''|*[!0-9]*|0)
	echo "usage: run-fuzz.sh [SECONDS]  (a positive whole number)" >&2
	exit 2
	;;
esac
if ! command -v "$cc" >/dev/null; then
	echo "run-fuzz.sh: no $cc; on Debian: apt-get install clang" \
	    "libclang-rt-dev" >&2
	exit 1
fi

targets=()
for src in "$root"/test/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	targets+=("${name#fuzz_}")
done

echo "==> configure fuzzers ($build, $cc)"
CC=$cc cmake -S "$root" -B "$build" -DSK_TPM_FUZZ=ON -DSK_TPM_WERROR=ON \
    -DBUILD_BENCH=OFF -DFUZZ_SECONDS="$seconds" >/dev/null
echo "==> build ${targets[*]/#/fuzz_}"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

echo "==> run each for ${seconds} s"
failed=()
for name in "${targets[@]}"; do
	dict=()
	if [ -f "$root/test/fuzz/$name.dict" ]; then
		dict=("$root/test/fuzz/$name.dict")
	fi
	FUZZ_ARTIFACTS=$build/test/fuzz/artifacts \
	    sh "$root/test/fuzz/run-fuzzer.sh" \
	    "$build/test/fuzz/fuzz_$name" "$seconds" \
	    "$root/test/fuzz/corpus/$name" "${dict[@]}" || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "==> FAILED: fuzz target(s) crashed: ${failed[*]}" >&2
	exit 1
fi
echo "==> fuzz: ${#targets[@]} targets, no crashes"
