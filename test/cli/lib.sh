# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2034
# Helpers for the sk-tpm command-line tests. A test script does
#	. "$(dirname "$0")/lib.sh" "$@"	# $1 sk-tpm, $2 libsk-tpm.so
# and finds its own further arguments in CLI_ARGS; it also has the
# functions of test/common/lib.sh (say, fail, run, assertions, ports,
# closed_port, tpm_clean). Tests that need the TPM
# run under test/with-swtpm.sh (SK_TPM_TCTI, TPM2TOOLS_TCTI and SWTPM_PORT
# are exported by it) and call need_tpm.
#
# Every command runs under `setsid` (no controlling terminal, as in CI
# even when ctest runs in a terminal) and `timeout`, with stdin from
# /dev/null unless a test feeds it, so that an unexpected prompt fails the
# test instead of hanging it. Everything lives in $T, removed on exit
# (CLI_KEEP=1 keeps it).

set -euo pipefail

CLI_TIMEOUT=${CLI_TIMEOUT:-60}
CLI_NAME=$(basename "$0" .sh)
TEST_NAME=$CLI_NAME
TEST_TIMEOUT=$CLI_TIMEOUT
# shellcheck source-path=SCRIPTDIR source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"

[ $# -ge 2 ] || { echo "usage: $0 /path/to/sk-tpm /path/to/libsk-tpm.so [ARGS]" >&2; exit 2; }
SK=$1
LIB=$2
shift 2
CLI_ARGS=("$@")
case "$LIB" in
/*) ;;
*) echo "$0: the library path must be absolute (OpenSSH needs it)" >&2; exit 2 ;;
esac
[ -x "$SK" ] || { echo "$0: $SK: not an executable" >&2; exit 2; }

need_tools setsid timeout

# The developer's own settings must not leak into the tests.
unset SK_TPM_DEBUG SK_TPM_OWNER_AUTH SK_TPM_PRESENCE SK_TPM_ATTEST_EK SSH_ASKPASS \
    SSH_ASKPASS_REQUIRE DISPLAY WAYLAND_DISPLAY SSH_AUTH_SOCK SSH_AGENT_PID \
    TSS2_LOG

test_workdir cli "${CLI_KEEP:-0}"
# The name the scripts use for it (doctor-device.sh adds to the trap).
cli_cleanup() {
	test_cleanup
}

need_tpm() {
	local tool
	[ -n "${SK_TPM_TCTI:-}" ] && [ -n "${TPM2TOOLS_TCTI:-}" ] || {
		echo "$0: run me through test/with-swtpm.sh" >&2; exit 2; }
	for tool in ssh-keygen tpm2_getcap tpm2_nvdefine tpm2_nvwrite \
	    tpm2_nvread tpm2_nvundefine tpm2_dictionarylockout; do
		command -v "$tool" >/dev/null || {
			echo "$0: $tool is not installed" >&2; exit 77; }
	done
}

# run NAME CMD...: test/common/lib.sh (stdin /dev/null).
# run_input NAME TEXT CMD...: the same with TEXT (and a newline, unless
# TEXT is empty) on stdin.
run_input() {
	local name=$1 text=$2
	shift 2
	if [ -n "$text" ]; then
		printf '%s\n' "$text" >"$T/$name.in"
	else
		: >"$T/$name.in"
	fi
	RUN_STDIN=$T/$name.in run "$name" "$@"
}

# sk NAME ARGS...: run sk-tpm; VAR=VALUE words before ARGS go into its
# environment.
sk() {
	local name=$1 envs=()
	shift
	while [ $# -gt 0 ] && [[ "$1" == [A-Z]*=* ]]; do
		envs+=("$1")
		shift
	done
	run "$name" env "${envs[@]}" "$SK" "$@"
}

# sk_input NAME TEXT ARGS...: run sk-tpm with TEXT on stdin.
sk_input() {
	local name=$1 text=$2
	shift 2
	run_input "$name" "$text" "$SK" "$@"
}

expect_rc() {
	[ "$RC" = "$2" ] || fail "$1: exit status $RC, expected $2"
}

assert_empty() {
	[ ! -s "$1" ] || fail "$2: $(basename "$1") should be empty"
}

# assert_one_error FILE WHAT ERE...: stderr is exactly one line, starting
# "sk-tpm: " and matching every ERE; no tpm2-tss log lines.
assert_one_error() {
	local file=$1 what=$2 n re line
	shift 2
	n=$(wc -l <"$file")
	[ "$n" = 1 ] || fail "$what: expected exactly one line on stderr, got $n"
	line=$(cat "$file")
	[[ "$line" == "sk-tpm: "* ]] || fail "$what: stderr does not start with 'sk-tpm: '"
	for re in "$@"; do
		grep -Eq -- "$re" <<<"$line" || fail "$what: the error line does not match /$re/"
	done
	say "  sk-tpm said: $line"
}

# enroll NAME APPLICATION USER [ssh-keygen options...]: a resident
# credential made by the real ssh-keygen through libsk-tpm.so, key files
# $T/NAME and $T/NAME.pub. USER "" for none. VAR=VALUE words before the
# options go into ssh-keygen's environment.
enroll() {
	local name=$1 app=$2 user=$3 envs=() uopt=()
	shift 3
	while [ $# -gt 0 ] && [[ "$1" == [A-Z]*=* ]]; do
		envs+=("$1")
		shift
	done
	[ -z "$user" ] || uopt=(-O "user=$user")
	run "enroll-$name" env "${envs[@]}" ssh-keygen -t ecdsa-sk -w "$LIB" \
	    -O resident -O "application=$app" "${uopt[@]}" \
	    -N '' -C "cli-$name" -f "$T/$name" "$@"
	expect_rc "enroll $name" 0
	[ -s "$T/$name.pub" ] || fail "enroll $name: no public key file"
}

# An askpass program that answers PIN prompts with the contents of
# $T/pin (ssh-keygen asks for the PIN of -O verify-required keys).
ASKPASS=$T/askpass
cat >"$ASKPASS" <<EOF
#!/bin/sh
cat "$T/pin"
EOF
chmod 755 "$ASKPASS"
ASKPASS_ENV=(SSH_ASKPASS="$ASKPASS" SSH_ASKPASS_REQUIRE=force)

# nv_defined INDEX: whether the simulator has that NV index (0x01a5c5f0;
# tpm2_getcap prints "- 0x1A5C5F0").
nv_defined() {
	local want have
	want=$(printf '0x%X' "$1")
	# Not a pipe into grep -q: under pipefail, tpm2_getcap's SIGPIPE
	# would turn a match into a failure.
	have=$(timeout "$CLI_TIMEOUT" tpm2_getcap handles-nv-index) ||
	    fail "tpm2_getcap handles-nv-index failed"
	grep -qx -- "- $want" <<<"$have"
}

# sign_ok NAME KEY [ENV...]: sign a message with the key through the
# library and check the signature with ssh-keygen -Y verify; the signing
# run's stderr is in SIGN_ERR.
sign_ok() {
	local name=$1 key=$2
	shift 2
	echo "message $name" >"$T/$name.msg"
	rm -f "$T/$name.msg.sig"
	run "$name" env SSH_SK_PROVIDER="$LIB" SK_TPM_PRESENCE=assume "$@" \
	    ssh-keygen -Y sign -f "$key" -n file "$T/$name.msg"
	expect_rc "sign $name" 0
	SIGN_ERR=$ERR
	printf 'signer %s\n' "$(cat "$key.pub")" \
	    >"$T/allowed"
	RUN_STDIN=$T/$name.msg run "$name-verify" ssh-keygen -Y verify \
	    -f "$T/allowed" -I signer -n file -s "$T/$name.msg.sig"
	expect_rc "verify $name" 0
}

# closed_port: test/common/lib.sh.
