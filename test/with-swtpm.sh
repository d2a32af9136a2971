#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Run a command against private swtpm simulators that this script starts and
# stops itself:
#
#   test/with-swtpm.sh [--second] [--srk] [--no-da-tuning] [--ek-cert] \
#       [--state-from DIR] \
#       -- CMD [ARGS...]
#
# Each simulator gets its own state directory and a free port on 127.0.0.1
# (never 2321: other people's simulators live there). CMD sees:
#   SK_TPM_TCTI        swtpm:host=127.0.0.1,port=P of the first simulator
#   TPM2TOOLS_TCTI     the same, for tpm2-tools
#   SWTPM_PORT         P
#   SWTPM_STATE        its state directory
#   SWTPM_PIDFILE      the file holding its pid (changes on restart)
#   SK_TPM_TCTI_2      (--second) the TCTI of a second, unrelated simulator
#   SWTPM_PORT_2, SWTPM_STATE_2
#   SWTPM_RESTART      a command that restarts the first simulator in place
#                      (same state), for fault tests
#   SWTPM_EK_CA        (--ek-cert) a PEM file with the root and intermediate
#                      certificates of the private CA that issued the EK
#                      certificates; SWTPM_EK_CA_DIR its state directory
# --ek-cert manufactures each simulator with swtpm_setup first: an RSA-2048
# EK certificate at 0x01C00002 and an ECC P-384 one at 0x01C00016, issued
# by a private swtpm-localca CA made here for this run (never the system's
# /var/lib/swtpm-localca).
# --srk persists the TCG standard ECC P-256 SRK at 0x81000001 in each; it
# needs SK_TPM_TESTUTIL, the path of the built sk-tpm-testutil (ctest sets
# it; tpm2_createprimary cannot make the standard template).
# --state-from DIR starts the first simulator from a copy of the swtpm state
# directory DIR (a stored TPM, e.g. test/upgrade's fixtures); DIR itself is
# never written.
# Unless --no-da-tuning, dictionary-attack lockout is set to 4 tries and a
# 2-second recovery so that wrong-PIN tests neither lock for minutes nor
# interfere with each other.
# SK_TPM_TEST_PROFILE=NAME (environment) makes the first simulator answer
# as the chip class NAME of test/chip/profiles.sh (which says how): its
# fixture and state are prepared, then SK_TPM_TCTI goes through the chip
# TCTI, SK_TPM_CHIP_TCTI (ctest sets it); TPM2TOOLS_TCTI stays direct. Exits 77 (ctest: skipped) only if swtpm or
# tpm2-tools are missing; otherwise with CMD's status.
set -euo pipefail

second=0 srk=0 tune=1 ekcert=0 state_from=
while [ $# -gt 0 ]; do
	case "$1" in
	--state-from) state_from=${2:?--state-from needs a directory}; shift ;;
	--second) second=1 ;;
	--srk) srk=1 ;;
	--no-da-tuning) tune=0 ;;
	--ek-cert) ekcert=1 ;;
	--) shift; break ;;
	*) echo "with-swtpm: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "usage: with-swtpm.sh [--second] [--srk] -- CMD..." >&2; exit 2; }

for tool in swtpm tpm2_dictionarylockout; do
	command -v "$tool" >/dev/null || { echo "with-swtpm: $tool not installed" >&2; exit 77; }
done
if [ "$ekcert" = 1 ]; then
	for tool in swtpm_setup swtpm_localca; do
		command -v "$tool" >/dev/null || { echo "with-swtpm: $tool not installed" >&2; exit 77; }
	done
fi
profile=${SK_TPM_TEST_PROFILE:-}
if [ -n "$profile" ]; then
	# shellcheck source-path=SCRIPTDIR source=chip/profiles.sh
	. "$(dirname "${BASH_SOURCE[0]}")/chip/profiles.sh"
	# shellcheck source-path=SCRIPTDIR source=chip/profiles-os.sh
	. "$(dirname "${BASH_SOURCE[0]}")/chip/profiles-os.sh"
	profile_exists "$profile" || {
		echo "with-swtpm: no chip profile $profile" >&2; exit 2; }
	rules=profile_${profile}_tcti
	# A profile of state alone (profiles-os.sh) needs no chip TCTI.
	[ -z "${!rules:-}" ] || [ -f "${SK_TPM_CHIP_TCTI:-}" ] || {
		echo "with-swtpm: SK_TPM_TEST_PROFILE needs SK_TPM_CHIP_TCTI" \
		    "(path of libtss2-tcti-chip.so)" >&2; exit 2; }
	fixture=profile_${profile}_fixture
	case " ${!fixture:-} " in
	*" ek-cert "*) ekcert=1 ;;
	esac
fi
if [ "$srk" = 1 ] && [ ! -x "${SK_TPM_TESTUTIL:-}" ]; then
	echo "with-swtpm: --srk needs SK_TPM_TESTUTIL (path of sk-tpm-testutil)" >&2
	exit 2
fi

# shellcheck source-path=SCRIPTDIR source=common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/common/lib.sh"
# The library keeps a saved context of the derived SRK in
# $XDG_RUNTIME_DIR/sk-tpm (sk/tpm/tpm-srk-cache.c): a test that wants it sets
# its own directory; the developer's must neither change what a test sees
# nor collect a file per simulator.
unset XDG_RUNTIME_DIR

work=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-swtpm.XXXXXX")
# shellcheck disable=SC2317	# called by the trap
cleanup() {
	daemons_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# manufacture DIR: EK certificates from the private CA in $work/ca.
manufacture() {
	local dir=$1 ca=$work/ca
	mkdir -p "$dir" "$ca"
	if [ ! -f "$ca/setup.conf" ]; then
		cat >"$ca/localca.conf" <<EOC
statedir = $ca
signingkey = $ca/signkey.pem
issuercert = $ca/issuercert.pem
certserial = $ca/certserial
EOC
		printf -- '--platform-manufacturer sk-tpm-test\n--platform-version 2.1\n--platform-model swtpm\n' \
			>"$ca/localca.options"
		cat >"$ca/setup.conf" <<EOC
create_certs_tool = $(command -v swtpm_localca)
create_certs_tool_config = $ca/localca.conf
create_certs_tool_options = $ca/localca.options
active_pcr_banks = sha256
EOC
	fi
	swtpm_setup --tpm2 --tpmstate "$dir" --create-ek-cert \
		--create-platform-cert --config "$ca/setup.conf" \
		>"$dir.setup.log" 2>&1 || {
		echo "with-swtpm: swtpm_setup failed:" >&2
		cat "$dir.setup.log" >&2
		return 1
	}
	cat "$ca/swtpm-localca-rootca-cert.pem" "$ca/issuercert.pem" \
		>"$ca/ek-ca.pem"
}

prepare() {
	local tcti=$1 ctx
	if [ "$tune" = 1 ]; then
		TPM2TOOLS_TCTI=$tcti tpm2_dictionarylockout -s -n 4 -t 2 -l 2 >/dev/null
	fi
	if [ "$srk" = 1 ]; then
		SK_TPM_TCTI=$tcti "$SK_TPM_TESTUTIL" persist-srk
	fi
}

if [ -n "$state_from" ]; then
	[ -d "$state_from" ] || { echo "with-swtpm: $state_from: no such directory" >&2; exit 2; }
	mkdir -p "$work/tpm1"
	cp -R "$state_from/." "$work/tpm1/"
	chmod -R u+w "$work/tpm1"
elif [ "$ekcert" = 1 ]; then
	manufacture "$work/tpm1"
	export SWTPM_EK_CA=$work/ca/ek-ca.pem SWTPM_EK_CA_DIR=$work/ca
fi
read -r port pid < <(swtpm_start "$work/tpm1")
DAEMONS+=("$pid")
export SWTPM_PORT=$port SWTPM_STATE=$work/tpm1
export SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$port"
export TPM2TOOLS_TCTI=$SK_TPM_TCTI
prepare "$SK_TPM_TCTI"
if [ -n "$profile" ]; then
	mkdir "$work/profile"
	"profile_${profile}_state" "$work/profile" || {
		echo "with-swtpm: preparing chip profile $profile failed" >&2
		exit 1
	}
	# A profile of state alone still goes through the chip TCTI when it
	# is at hand (rules: none), so that SK_CHIP_LOG counts its commands.
	[ ! -f "${SK_TPM_CHIP_TCTI:-}" ] ||
	    export SK_TPM_TCTI="$SK_TPM_CHIP_TCTI:${!rules:-};$SK_TPM_TCTI"
	export SK_TPM_PROFILE=$profile
fi
echo "$pid" >"$work/tpm1.pid"
export SWTPM_PIDFILE=$work/tpm1.pid

# A restart in place keeps the state directory and the port, so keys and
# NV records must survive it. The restarted simulator is started by a
# helper script so that test code can call it as one command.
cat >"$work/restart" <<EOS
#!/usr/bin/env bash
set -eu
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common/lib.sh"
old=\$(cat "$work/tpm1.pid")
kill "\$old" 2>/dev/null || true
for _ in \$(seq 50); do kill -0 "\$old" 2>/dev/null || break; sleep 0.1; done
# A loaded machine (sanitizers, parallel tests) may need more than one try.
for _ in 1 2 3; do
	swtpm socket --tpm2 --tpmstate dir="$work/tpm1" \
		--server type=tcp,port=$port,bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear \
		--log file="$work/tpm1/swtpm.log" \
		--daemon --pid file="$work/tpm1.pid" || { sleep 1; continue; }
	# Listening is not enough: the port must be this swtpm's (another
	# test may have bound it while the simulator was down).
	for _ in \$(seq 100); do
		port_held_by $port "\$(cat "$work/tpm1.pid" 2>/dev/null)" &&
		    port_held_by $((port + 1)) "\$(cat "$work/tpm1.pid")" && exit 0
		sleep 0.1
	done
done
echo "restart: swtpm did not come back on port $port; its log:" >&2
tail -n 5 "$work/tpm1/swtpm.log" >&2
exit 1
EOS
chmod +x "$work/restart"
export SWTPM_RESTART=$work/restart

if [ "$second" = 1 ]; then
	[ "$ekcert" = 1 ] && manufacture "$work/tpm2"
	read -r port2 pid2 < <(swtpm_start "$work/tpm2")
	DAEMONS+=("$pid2")
	export SWTPM_PORT_2=$port2 SWTPM_STATE_2=$work/tpm2
	export SK_TPM_TCTI_2="swtpm:host=127.0.0.1,port=$port2"
	prepare "$SK_TPM_TCTI_2"
fi

set +e
"$@"
status=$?
set -e
# A restarted simulator has a new pid; stop that one too.
DAEMONS+=("$(cat "$work/tpm1.pid")")
exit $status
