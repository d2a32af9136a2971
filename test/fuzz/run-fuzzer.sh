#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs one libFuzzer target for a bounded time and reports the figures:
#
#   run-fuzzer.sh FUZZER SECONDS SEEDS [DICT]
#
# FUZZER runs for SECONDS over a scratch copy of the seed corpus SEEDS (the
# checked-in seeds are only read; what the run adds is thrown away), with
# the dictionary DICT if given. Prints one line
#
#   fuzz: NAME: N executions, 0 crashes
#
# (NAME is FUZZER's file name without "fuzz_", N libFuzzer's final
# stat::number_of_executed_units) and exits 0; or, on a crash, a leak, a
# sanitizer report, a timeout or an out-of-memory, the end of the
# fuzzer's log and "1 crash", keeps the input that did it under
# $FUZZ_ARTIFACTS (default: the current directory) and exits 1.
#
# Any single allocation over 64 MiB counts as a crash: libcbor's
# cbor_load() would make one for a declared container size, which is why
# the decoders never call it.
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: run-fuzzer.sh FUZZER SECONDS SEEDS [DICT]" >&2
	exit 2
fi
fuzzer=$1
seconds=$2
seeds=$3
dict=${4:-}
name=$(basename "$fuzzer")
name=${name#fuzz_}
artifacts=${FUZZ_ARTIFACTS:-$(pwd)}

case $seconds in
''|*[!0-9]*|0)
	echo "run-fuzzer.sh: SECONDS must be a positive whole number" >&2
	exit 2
	;;
esac
if [ ! -x "$fuzzer" ] || [ ! -d "$seeds" ]; then
	echo "run-fuzzer.sh: no fuzzer $fuzzer or no seeds $seeds" >&2
	exit 2
fi

# Symbolized sanitizer reports: Debian's llvm-14 installs the symbolizer
# under a versioned name only.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] &&
    ! command -v llvm-symbolizer >/dev/null 2>&1 &&
    command -v llvm-symbolizer-14 >/dev/null 2>&1; then
	ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14)
	export ASAN_SYMBOLIZER_PATH
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-fuzz-$name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir "$scratch/corpus" "$scratch/artifacts"
mkdir -p "$artifacts"
cp "$seeds"/* "$scratch/corpus/"

set -- -max_total_time="$seconds" -timeout=10 -malloc_limit_mb=64 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$scratch/artifacts/"
if [ -n "$dict" ]; then
	set -- "$@" -dict="$dict"
fi
status=0
"$fuzzer" "$@" "$scratch/corpus" >"$scratch/log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log" |
    tail -n 1)
found=$(find "$scratch/artifacts" -type f | wc -l)
if [ "$status" = 0 ] && [ "$found" = 0 ] && [ -n "$execs" ]; then
	echo "fuzz: $name: $execs executions, 0 crashes"
	exit 0
fi

tail -n 60 "$scratch/log"
for f in "$scratch"/artifacts/*; do
	[ -f "$f" ] || continue
	cp "$f" "$artifacts/$name-$(basename "$f")"
	echo "run-fuzzer.sh: kept $artifacts/$name-$(basename "$f")"
done
echo "fuzz: $name: ${execs:-?} executions, 1 crash (exit status $status)"
exit 1
