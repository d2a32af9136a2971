#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The whole ctest suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (with LeakSanitizer):
#
#   test/run-sanitized.sh [BUILD-DIR] [CTEST-ARGS...]
#			(default build dir: build-sanitize in the checkout)
#
# Configures BUILD-DIR with -DSK_TPM_SANITIZE=ON -DSK_TPM_WERROR=ON (every
# target instrumented), builds it and runs every test. Any sanitizer report
# fails the run, even one from a process whose failure a test expected (an
# ssh-sk-helper refusing a hostile key file, say): reports go to files
# under BUILD-DIR/sanitizer-reports, which must stay empty. OpenSSH's own
# binaries are not instrumented; its ssh-sk-helper gets the runtimes
# preloaded through the wrappers that test/CMakeLists.txt generates in
# BUILD-DIR/test/sanitize-bin. Leak checking covers every instrumented test
# binary and the helper (OpenSSH's helper frees what it allocates).
# Known leaks of a dependency version (test/known-leaks.sh: each tied to
# the versions that have it) are suppressed; the processes that hit one
# are counted and named in the summary, and their reports kept apart
# under BUILD-DIR/sanitizer-suppressed.
# Fails, as test/run-all.sh does, if any test fails or is skipped.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-sanitize}
[ $# -gt 0 ] && shift

if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd	# sshd as root needs it (see .ci/run)
	chmod 0755 /run/sshd
fi

start=$(date +%s)
echo "==> sanitized: configure ($build)"
cmake -S "$root" -B "$build" -DSK_TPM_WERROR=ON -DSK_TPM_SANITIZE=ON
echo "==> sanitized: build"
cmake --build "$build" -j"$(nproc)"

reports=$build/sanitizer-reports
suppressed=$build/sanitizer-suppressed
rm -rf "$reports" "$suppressed"
mkdir -p "$reports" "$suppressed"
lsan_supp=$build/lsan.supp
bash "$root/test/known-leaks.sh" lsan "$lsan_supp"
# halt_on_error: the first report ends the process; abort_on_error=0 and an
# exit code of its own: a sanitizer failure is an exit, never a signal or
# a core dump, and is told apart from a test's own failures. ASan and LSan
# write their reports to log_path; GCC's UBSan, next to ASan, ignores it
# and writes to stderr, so its exit status 87 is what gives it away (the
# helper wrapper records it under $reports).
common="halt_on_error=1:abort_on_error=0:log_path=$reports/report"
asan="exitcode=86:detect_leaks=1:detect_stack_use_after_return=1"
asan+=":strict_string_checks=1:check_initialization_order=1:strict_init_order=1"
export ASAN_OPTIONS="$common:$asan"
export UBSAN_OPTIONS="$common:exitcode=87:print_stacktrace=1"
export LSAN_OPTIONS="exitcode=86:suppressions=$lsan_supp"
# The helper wrappers (see test/CMakeLists.txt); SK_HELPER_REAL is what the
# e2e scripts' own helper wrapper runs.
export PATH="$build/test/sanitize-bin:$PATH"
export SSH_SK_HELPER="$build/test/sanitize-bin/ssh-sk-helper"
export SK_HELPER_REAL=$SSH_SK_HELPER
export SK_TPM_SANITIZER_REPORTS=$reports

echo "==> sanitized: ctest"
log=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-ctest-san.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
(cd "$build" && ctest --output-on-failure -j2 "$@") 2>&1 | tee "$log" ||
    status=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))

# A process whose only leaks were suppressed exits normally but still
# writes LeakSanitizer's "Suppressions used:" table to its report file:
# such a file (nothing else in it) is no report.
for f in "$reports"/*; do
	[ -f "$f" ] || continue
	if ! grep -qvE '^(-+|Suppressions used:|[[:space:]]*count[[:space:]]+bytes[[:space:]]+template|[[:space:]]*[0-9]+[[:space:]]+[0-9]+[[:space:]]+[^[:space:]].*|)$' "$f"; then
		mv "$f" "$suppressed/"
	fi
done
hits=$(find "$suppressed" -type f | wc -l)
hit_note=
if [ "$hits" != 0 ]; then
	hit_note=", $hits processes hit a known dependency leak ($(cat "$suppressed"/* |
	    awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $3}' | sort -u | paste -sd, -);
	    see $suppressed)"
fi
found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
	echo "==> sanitized: sanitizer reports:" >&2
	for f in $found; do
		echo "--- $f" >&2
		cat "$f" >&2
	done
fi
summary=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)
if [ "$status" != 0 ] || [ -n "$found" ] || grep -q '(Skipped)' "$log"; then
	grep '(Skipped)' "$log" >&2 || true
	echo "==> sanitized (ASan+UBSan): FAILED: ${summary:-no ctest summary}," \
	    "$(echo "$found" | grep -c . || true) sanitizer reports, ctest" \
	    "status $status, ${elapsed}s$hit_note" >&2
	exit 1
fi
echo "==> sanitized (ASan+UBSan): passed: $summary, 0 sanitizer reports," \
    "${elapsed}s$hit_note"
