#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The unit and swtpm integration tests under valgrind's memcheck:
#
#   test/run-valgrind.sh [BUILD-DIR [REGEX]]
#		(default: build-valgrind in the checkout; REGEX: only the
#		tests whose names match, as ctest -R)
#
# Configures and builds BUILD-DIR as a plain build (warnings as errors, no
# sanitizers: valgrind and ASan do not mix), then runs each test that ctest
# labels unit or integration with the same command, environment and
# working directory that ctest would use, except that the test binary
# itself runs under valgrind; for a test started through test/with-swtpm.sh
# that is the command after "--", so the fixture and swtpm run as usual.
# Fails on any invalid read or write, use of uninitialised memory, bad
# free, or definitely or indirectly lost block. test/valgrind.supp may hide
# documented one-time allocations of third-party libraries only, never our
# code; valgrind prints a suppression stanza for anything it reports.
# Known leaks of a dependency version are added from test/known-leaks.sh,
# which writes only the entries that apply to the installed versions.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-valgrind}
only=${2:-}
supp=$root/test/valgrind.supp
per_test_timeout=${SK_TPM_VALGRIND_TIMEOUT:-1200}

command -v valgrind >/dev/null || {
	echo "run-valgrind: valgrind is not installed (apt-get install valgrind)" >&2
	exit 1
}

start=$(date +%s)
echo "==> valgrind: configure ($build)"
cmake -S "$root" -B "$build" -DSK_TPM_WERROR=ON -DSK_TPM_SANITIZE=OFF
echo "==> valgrind: build"
cmake --build "$build" -j"$(nproc)"

logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"
known=$build/valgrind-known-leaks.supp
bash "$root/test/known-leaks.sh" valgrind "$known"
vg=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99
    --track-origins=yes --num-callers=40 --gen-suppressions=all
    --suppressions="$supp" --suppressions="$known")

# ctest -N -V lists each test as "N: Test command: ...", "N: Working
# Directory: ...", "N: Environment variables:" and " N:  VAR=VALUE" lines,
# then "  Test  #N: NAME". The arguments are CMake's, double-quoted.
listing=$(cd "$build" && ctest -N -V -L '^(unit|integration)$' ${only:+-R "$only"})

names=() cmds=() dirs=() envs=()
cmd= dir= env_lines=
while IFS= read -r line; do
	case "$line" in
	[0-9]*": Test command: "*)
		cmd=${line#*: Test command: } dir= env_lines= ;;
	[0-9]*": Working Directory: "*)
		dir=${line#*: Working Directory: } ;;
	[0-9]*":  "*=*)
		env_lines+="${line#*:  }"$'\n' ;;
	"  Test "*"#"*": "*)
		names+=("${line##*: }")
		cmds+=("$cmd")
		dirs+=("$dir")
		envs+=("$env_lines") ;;
	esac
done <<<"$listing"
[ ${#names[@]} -gt 0 ] || { echo "run-valgrind: ctest lists no unit or integration test" >&2; exit 1; }

passed=0 failed=0 skipped=0 ran=0
failures=()
for i in "${!names[@]}"; do
	name=${names[$i]}
	eval "argv=(${cmds[$i]})"
	# Tests that already run valgrind themselves (unit-*-valgrind).
	if [[ "$(basename "${argv[0]}")" == valgrind* ]]; then
		continue
	fi
	# Put valgrind in front of the test binary: after the fixture's "--"
	# (and after "bash .../abrmd.sh", which starts the broker and then
	# runs the binary), or first.
	wrapped=() inserted=0 at=-1
	if [[ "$(basename "${argv[0]}")" == with-swtpm.sh ]]; then
		for j in "${!argv[@]}"; do
			if [ "${argv[$j]}" = -- ]; then
				at=$j
				break
			fi
		done
		if [ "$at" -ge 0 ] && [ "${argv[$((at + 1))]:-}" = bash ] &&
		    [[ "$(basename "${argv[$((at + 2))]:-}")" == abrmd.sh ]]; then
			at=$((at + 2))
		fi
		if [ "$at" -ge 0 ]; then
			wrapped=("${argv[@]:0:$((at + 1))}" "${vg[@]}"
			    "--log-file=$logs/$name.%p"
			    "${argv[@]:$((at + 1))}")
			inserted=1
		fi
	fi
	if [ "$inserted" = 0 ]; then
		wrapped=("${vg[@]}" "--log-file=$logs/$name.%p" "${argv[@]}")
	fi
	env_args=()
	while IFS= read -r e; do
		[ -n "$e" ] && env_args+=("$e")
	done <<<"${envs[$i]}"

	t0=$(date +%s)
	status=0
	(cd "${dirs[$i]:-$build}" &&
	    env "${env_args[@]}" timeout "$per_test_timeout" "${wrapped[@]}") \
	    >"$logs/$name.out" 2>&1 || status=$?
	secs=$(( $(date +%s) - t0 ))
	ran=$((ran + 1))
	# What valgrind said about the test binary (one log per process).
	errors=0 leaked=0
	for f in "$logs/$name".[0-9]*; do
		[ -f "$f" ] || continue
		n=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1)
		errors=$((errors + ${n:-0}))
		n=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -n 1 | tr -d ,)
		leaked=$((leaked + ${n:-0}))
	done
	if [ "$status" = 77 ]; then
		skipped=$((skipped + 1))
		printf '  %-28s SKIPPED (a dependency is missing) %4ss\n' "$name" "$secs"
		failures+=("$name (skipped)")
	elif [ "$status" = 0 ] && [ "$errors" = 0 ]; then
		passed=$((passed + 1))
		printf '  %-28s ok: 0 errors, 0 bytes definitely lost %4ss\n' "$name" "$secs"
	else
		failed=$((failed + 1))
		printf '  %-28s FAILED: exit %s, %s errors, %s bytes definitely lost %4ss\n' \
		    "$name" "$status" "$errors" "$leaked" "$secs"
		failures+=("$name")
		sed 's/^/    /' "$logs/$name.out" | tail -n 40
		for f in "$logs/$name".[0-9]*; do
			[ -f "$f" ] && grep -q 'ERROR SUMMARY: [1-9]' "$f" &&
			    sed 's/^/    /' "$f"
		done
	fi
done

elapsed=$(( $(date +%s) - start ))
if [ ${#failures[@]} -gt 0 ]; then
	echo "==> valgrind (memcheck): FAILED: ${failures[*]}; $passed of $ran" \
	    "tests clean, ${elapsed}s (logs in $logs)" >&2
	exit 1
fi
echo "==> valgrind (memcheck): passed: $passed of $ran tests, 0 errors," \
    "0 bytes definitely or indirectly lost, ${elapsed}s"
