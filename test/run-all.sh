#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Configure with warnings as errors, build, and run every test with ctest.
#
#   test/run-all.sh [BUILD-DIR]		(default: build-ci in the checkout)
#
# .ci/run installs the dependencies first and then runs this. Fails if the
# build fails, if any test fails, or if any test was skipped: a skipped test
# means a dependency is missing, and nothing may pass untested. The one
# exception, printed as SKIPPED: the NixOS evaluation (test/nixos) when
# there is no nixpkgs lib beside the checkout (test/check-skips.sh).
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
# One skip is accepted, said loudly: see test/check-skips.sh.
trap - EXIT
exec bash "$root/test/check-skips.sh" "$build" "$log"
