#!/usr/bin/env bash
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

dir=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-abrmd.XXXXXX")
pids=()
# shellcheck disable=SC2317	# called by the trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
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

# The bus: dbus-daemon's session policy (anyone on the bus may own a name),
# listening on a socket of our own.
dbus-daemon --session --nofork --nopidfile --address="unix:path=$dir/bus" \
	</dev/null >"$dir/dbus.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do [ -S "$dir/bus" ] && break; sleep 0.05; done
[ -S "$dir/bus" ] || { echo "abrmd.sh: dbus-daemon did not start" >&2; show_logs; exit 1; }
export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"

# The broker. --flush-all starts it from an empty TPM; --allow-root because
# CI runs as root.
direct=$SK_TPM_TCTI
tpm2-abrmd --session --allow-root --flush-all --logger=stdout \
	--tcti="${ABRMD_TCTI_WRAPPER:+$ABRMD_TCTI_WRAPPER:}swtpm:host=127.0.0.1,port=$SWTPM_PORT" \
	</dev/null >"$dir/abrmd.log" 2>&1 &
pids+=("$!")
export SK_TPM_TCTI=tabrmd:bus_type=session SK_TPM_TCTI_DIRECT=$direct
ready=0
for _ in $(seq 100); do
	if TSS2_LOG=all+NONE timeout 10 tpm2_getcap -T "$SK_TPM_TCTI" \
	    properties-fixed >/dev/null 2>&1; then
		ready=1
		break
	fi
	kill -0 "${pids[1]}" 2>/dev/null || break
	sleep 0.1
done
[ "$ready" = 1 ] || { echo "abrmd.sh: tpm2-abrmd did not come up" >&2; show_logs; exit 1; }
echo "abrmd.sh: tpm2-abrmd (pid ${pids[1]}) serves swtpm on port $SWTPM_PORT" \
    "over $DBUS_SESSION_BUS_ADDRESS"

set +e
"$@"
status=$?
set -e
[ "$status" = 0 ] || show_logs
exit "$status"
