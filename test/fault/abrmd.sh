#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Run a command with tpm2-abrmd, the user-space TPM resource manager, in
# front of the simulator that test/with-swtpm.sh started:
#
#   with-swtpm.sh --srk -- bash abrmd.sh CMD [ARGS...]
#
# A private D-Bus session bus (a socket in a temporary directory) carries
# the broker, so nothing on the machine's system bus is touched and tests
# may run side by side. CMD sees
#   SK_TPM_TCTI               tabrmd:bus_type=session (through the broker)
#   SK_TPM_TCTI_DIRECT        the simulator itself (what SK_TPM_TCTI was)
#   TPM2TOOLS_TCTI            unchanged: the simulator itself, for checks
#   DBUS_SESSION_BUS_ADDRESS  the private bus
# ABRMD_TCTI_WRAPPER, if set, is the path of a TCTI module that wraps
# another (test/bench's latency TCTI): the broker then reaches the
# simulator through it.
# Exits 77 (skipped) when dbus-daemon, tpm2-abrmd or the tabrmd TCTI
# (Debian: dbus-daemon, tpm2-abrmd, libtss2-tcti-tabrmd0) are missing;
# otherwise with CMD's status.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: abrmd.sh CMD [ARGS...]" >&2; exit 2; }
: "${SK_TPM_TCTI:?run me through test/with-swtpm.sh}"
: "${SWTPM_PORT:?run me through test/with-swtpm.sh}"

for tool in dbus-daemon tpm2-abrmd tpm2_getcap; do
	command -v "$tool" >/dev/null || {
		echo "abrmd.sh: $tool is not installed" >&2; exit 77; }
done
# Not "ldconfig -p | grep -q": grep quitting early makes ldconfig die of
# SIGPIPE, which pipefail would report as a missing library.
if ! grep -q 'libtss2-tcti-tabrmd\.so\.0' <<<"$(ldconfig -p)"; then
	echo "abrmd.sh: libtss2-tcti-tabrmd.so.0 is not installed" \
	    "(Debian: libtss2-tcti-tabrmd0)" >&2
	exit 77
fi

# shellcheck source-path=SCRIPTDIR source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"

dir=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-abrmd.XXXXXX")
# shellcheck disable=SC2317	# called by the trap
cleanup() {
	daemons_stop
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

show_logs() {
	local f
	for f in "$dir"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f")" >&2
		tail -n 20 "$f" | sed 's/^/    /' >&2
	done
}

# The bus and the broker (test/common/lib.sh).
direct=$SK_TPM_TCTI
abrmd_start "$dir" "$SWTPM_PORT" || { show_logs; exit 1; }
export SK_TPM_TCTI=$ABRMD_TCTI SK_TPM_TCTI_DIRECT=$direct
echo "abrmd.sh: tpm2-abrmd (pid $ABRMD_PID) serves swtpm on port $SWTPM_PORT" \
    "over $DBUS_SESSION_BUS_ADDRESS"

set +e
"$@"
status=$?
set -e
[ "$status" = 0 ] || show_logs
exit "$status"
