#!/usr/bin/env bash
# Run a command against private swtpm simulators that this script starts and
# stops itself:
#
#   test/with-swtpm.sh [--second] [--srk] [--no-da-tuning] -- CMD [ARGS...]
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
# --srk persists the TCG standard ECC P-256 SRK at 0x81000001 in each; it
# needs SK_TPM_TESTUTIL, the path of the built sk-tpm-testutil (ctest sets
# it; tpm2_createprimary cannot make the standard template).
# Unless --no-da-tuning, dictionary-attack lockout is set to 4 tries and a
# 2-second recovery so that wrong-PIN tests neither lock for minutes nor
# interfere with each other. Exits 77 (ctest: skipped) only if swtpm or
# tpm2-tools are missing; otherwise with CMD's status.
set -euo pipefail

second=0 srk=0 tune=1
while [ $# -gt 0 ]; do
	case "$1" in
	--second) second=1 ;;
	--srk) srk=1 ;;
	--no-da-tuning) tune=0 ;;
	--) shift; break ;;
	*) echo "with-swtpm: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "usage: with-swtpm.sh [--second] [--srk] -- CMD..." >&2; exit 2; }

for tool in swtpm tpm2_dictionarylockout; do
	command -v "$tool" >/dev/null || { echo "with-swtpm: $tool not installed" >&2; exit 77; }
done
if [ "$srk" = 1 ] && [ ! -x "${SK_TPM_TESTUTIL:-}" ]; then
	echo "with-swtpm: --srk needs SK_TPM_TESTUTIL (path of sk-tpm-testutil)" >&2
	exit 2
fi

# shellcheck source-path=SCRIPTDIR source=common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/common/lib.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-swtpm.XXXXXX")
# shellcheck disable=SC2317	# called by the trap
cleanup() {
	daemons_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

prepare() {
	local tcti=$1 ctx
	if [ "$tune" = 1 ]; then
		TPM2TOOLS_TCTI=$tcti tpm2_dictionarylockout -s -n 4 -t 2 -l 2 >/dev/null
	fi
	if [ "$srk" = 1 ]; then
		SK_TPM_TCTI=$tcti "$SK_TPM_TESTUTIL" persist-srk
	fi
}

read -r port pid < <(swtpm_start "$work/tpm1")
DAEMONS+=("$pid")
export SWTPM_PORT=$port SWTPM_STATE=$work/tpm1
export SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$port"
export TPM2TOOLS_TCTI=$SK_TPM_TCTI
prepare "$SK_TPM_TCTI"
echo "$pid" >"$work/tpm1.pid"
export SWTPM_PIDFILE=$work/tpm1.pid

# A restart in place keeps the state directory and the port, so keys and
# NV records must survive it. The restarted simulator is started by a
# helper script so that test code can call it as one command.
cat >"$work/restart" <<EOS
#!/usr/bin/env bash
set -eu
old=\$(cat "$work/tpm1.pid")
kill "\$old" 2>/dev/null || true
for _ in \$(seq 50); do kill -0 "\$old" 2>/dev/null || break; sleep 0.1; done
swtpm socket --tpm2 --tpmstate dir="$work/tpm1" \
	--server type=tcp,port=$port,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
	--flags not-need-init,startup-clear --log file="$work/tpm1/swtpm.log" \
	--daemon --pid file="$work/tpm1.pid"
for _ in \$(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && exit 0; sleep 0.1; done
exit 1
EOS
chmod +x "$work/restart"
export SWTPM_RESTART=$work/restart

if [ "$second" = 1 ]; then
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
