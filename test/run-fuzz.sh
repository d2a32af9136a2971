#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
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
# First the seeds of the handle and record fuzzers are written again by
# test/fuzz/make_seeds and compared with the checked-in ones: the run
# fails if they differ (a codec change the seeds were not regenerated for).
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
echo "==> build ${targets[*]/#/fuzz_} make_seeds"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" make_seeds

# The seeds of the handle, record and ticket fuzzers are generated:
# corpus/handle, corpus/record and corpus/ticket hold exactly what
# make_seeds writes. It must run to its end and write each of them again,
# byte for byte, and nothing else.
echo "==> seeds: make_seeds against test/fuzz/corpus/{handle,record,ticket}"
corpus=$root/test/fuzz/corpus
seeds=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
generated=(handle record ticket)
for d in "${generated[@]}"; do mkdir "$seeds/$d"; done
if ! "$build/test/fuzz/make_seeds" "$seeds"; then
	echo "==> FAILED: make_seeds stopped before writing every seed" >&2
	exit 1
fi
stale=()
for d in "${generated[@]}"; do
	for f in "$seeds/$d"/*; do	# written, not as is
		cmp -s "$f" "$corpus/$d/${f##*/}" || stale+=("$d/${f##*/}")
	done
	for f in "$corpus/$d"/*; do	# no longer written
		[ -e "$seeds/$d/${f##*/}" ] || stale+=("$d/${f##*/}")
	done
done
if [ ${#stale[@]} -gt 0 ]; then
	echo "==> FAILED: seeds that make_seeds does not write as checked" \
	    "in (regenerate them, see test/fuzz/make_seeds.c): ${stale[*]}" >&2
	exit 1
fi
echo "seeds: $(find "$seeds" -type f | wc -l) files, as checked in"

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
