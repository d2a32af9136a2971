#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The whole ctest suite, again and again, to show it does not flake:
#
#   test/run-repeat.sh [N] [BUILD-DIR]	(default: 3 rounds, build-repeat)
#
# Builds as test/run-all.sh does (warnings as errors), then runs `ctest -j2`
# N times back to back, and once more while two busy loops keep both cores
# of a two-core machine loaded (one per core elsewhere: nproc of them). A
# test that races its own harness shows up here long before CI trips over
# it. Every round runs even after a failure; the summary gives each round's
# time and failed tests, and the exit status is 1 if any round failed or
# skipped a test. In a Debian root: .ci/debian-root.sh trixie -- bash
# test/run-repeat.sh 3
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-3}
build=${2:-$root/build-repeat}
case "$rounds" in
''|*[!0-9]*) echo "usage: test/run-repeat.sh [N] [BUILD-DIR]" >&2; exit 2 ;;
esac

if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd	# sshd as root needs it (see .ci/run)
	chmod 0755 /run/sshd
fi
cmake -S "$root" -B "$build" -DSK_TPM_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

log=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-repeat.XXXXXX")
busy=()
stop_busy() {
	local p
	for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${busy[@]}"; do wait "$p" 2>/dev/null || true; done
	busy=()
}
trap 'stop_busy; rm -f "$log"' EXIT

summary=() bad=0
# round NAME: one whole ctest run, its verdict added to the summary.
round() {
	local name=$1 t0 status=0 failed
	t0=$(date +%s)
	(cd "$build" && ctest -j2 --output-on-failure) >"$log" 2>&1 ||
	    status=$?
	failed=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (\(Failed\|Timeout\|Skipped\|Not Run\).*/\1/p' \
	    "$log" | tr '\n' ' ')
	if [ "$status" = 0 ] && ! grep -q '(Skipped)' "$log"; then
		summary+=("$(printf '%-22s %5ss  passed (%s)' "$name" \
		    "$(( $(date +%s) - t0 ))" \
		    "$(grep -o '[0-9]* tests failed out of [0-9]*' "$log" | tail -n 1)")")
	else
		bad=1
		summary+=("$(printf '%-22s %5ss  FAILED: %s' "$name" \
		    "$(( $(date +%s) - t0 ))" "${failed:-status $status}")")
		echo "==> $name failed; its output:" >&2
		grep -v '^ *[0-9]*/[0-9]* Test *#[0-9]*: .* Passed' "$log" >&2
	fi
	echo "==> ${summary[-1]}"
}

for ((i = 1; i <= rounds; i++)); do
	round "round $i of $rounds"
done
for ((i = 0; i < $(nproc); i++)); do
	( while :; do :; done ) &
	busy+=("$!")
done
round "under load (${#busy[@]} busy)"
stop_busy

echo "==> run-repeat: $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}"), $(nproc) cores"
printf '    %s\n' "${summary[@]}"
exit "$bad"
