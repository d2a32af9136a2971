#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The verdict on the skipped tests of one ctest run, shared by
# test/run-all.sh and test/run-repeat.sh:
#
#   check-skips.sh BUILD-DIR CTEST-LOG	(removes CTEST-LOG)
#
# A skipped test means a dependency is missing, and nothing may pass
# untested: any skip fails (exit 1). One skip is accepted, and said loudly:
# the NixOS evaluation (ctest label nixpkgs, test/nixos) needs nixpkgs' lib
# in shared/nixpkgs beside the checkout (or SK_TPM_NIXPKGS), which cannot
# be fetched; a fresh clone may not have it. Only when that folder is
# really missing, and only those tests.
set -euo pipefail

build=$1 log=$2
trap 'rm -f "$log"' EXIT
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nixpkgs=${SK_TPM_NIXPKGS:-$(dirname "$root")/shared/nixpkgs}
skipped=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (Skipped)$/\1/p' "$log")
not_run=
if [ -n "$skipped" ] && [ ! -f "$nixpkgs/lib/default.nix" ]; then
	accepted=$(cd "$build" && ctest -N -L nixpkgs |
	    sed -n 's/^[[:space:]]*Test[[:space:]]*#[0-9]*: //p')
	not_run=$(grep -Fx -f <(printf '%s\n' "$accepted") <<<"$skipped" || true)
	skipped=$(grep -Fxv -f <(printf '%s\n' "$accepted") <<<"$skipped" || true)
fi
if [ -n "$skipped" ]; then
	echo "==> FAILED: tests were skipped (a dependency is missing):" >&2
	printf '%s\n' "$skipped" | sed 's/^/    /' >&2
	exit 1
fi
if [ -n "$not_run" ]; then
	echo "==> SKIPPED: the NixOS evaluation of contrib/nixos did NOT run:" \
	    "no nixpkgs lib at $nixpkgs (set SK_TPM_NIXPKGS):"
	printf '%s\n' "$not_run" | sed 's/^/    /'
	echo "==> all other tests passed; the NixOS evaluation was skipped"
	exit 0
fi
echo "==> all tests passed"
