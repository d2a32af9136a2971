#!/usr/bin/env bash
# Configure with warnings as errors, build, and run every test with ctest.
#
#   test/run-all.sh [BUILD-DIR]		(default: build-ci in the checkout)
#
# .ci/run installs the dependencies first and then runs this. Fails if the
# build fails, if any test fails, or if any test was skipped: a skipped test
# means a dependency is missing, and nothing may pass untested.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-ci}

if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd	# sshd as root needs it (see .ci/run)
	chmod 0755 /run/sshd
fi

echo "==> configure ($build)"
cmake -S "$root" -B "$build" -DSK_TPM_WERROR=ON
echo "==> build"
cmake --build "$build" -j"$(nproc)"

echo "==> ctest"
log=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-ctest.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
(cd "$build" && ctest --output-on-failure -j2) 2>&1 | tee "$log" ||
    status=${PIPESTATUS[0]}
if [ "$status" != 0 ]; then
	echo "==> FAILED: ctest exited with status $status" >&2
	exit "$status"
fi
if grep -q '(Skipped)' "$log"; then
	echo "==> FAILED: tests were skipped (a dependency is missing):" >&2
	grep '(Skipped)' "$log" >&2
	exit 1
fi
echo "==> all tests passed"
