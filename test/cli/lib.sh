# shellcheck shell=bash disable=SC2034
# Helpers for the sk-tpm command-line tests. A test script does
#	. "$(dirname "$0")/lib.sh" "$@"	# $1 sk-tpm, $2 libsk-tpm.so
# and finds its own further arguments in CLI_ARGS. Tests that need the TPM
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

say() {
	printf '[%s] %s\n' "$CLI_NAME" "$*"
}

# fail MSG: print MSG and the output of the last command, then exit 1.
fail() {
	local f
	printf '[%s] FAIL: %s\n' "$CLI_NAME" "$*" >&2
	for f in "${OUT:-}" "${ERR:-}"; do
		[ -n "$f" ] && [ -s "$f" ] || continue
		printf -- '--- %s\n' "$(basename "$f")" >&2
		sed 's/^/    /' "$f" >&2
	done
	exit 1
}

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

for tool in setsid timeout; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 77; }
done

# The developer's own settings must not leak into the tests.
unset SK_TPM_DEBUG SK_TPM_OWNER_AUTH SK_TPM_PRESENCE SSH_ASKPASS \
    SSH_ASKPASS_REQUIRE DISPLAY WAYLAND_DISPLAY SSH_AUTH_SOCK SSH_AGENT_PID \
    TSS2_LOG

T=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-cli.XXXXXX")
chmod 700 "$T"
export HOME=$T/home
mkdir -m 700 "$HOME"
cli_cleanup() {
	if [ "${CLI_KEEP:-0}" = 1 ]; then
		echo "[$CLI_NAME] kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cli_cleanup EXIT
trap 'exit 1' INT TERM

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

# run NAME CMD...: CMD without a terminal, stdin from /dev/null; output in
# $T/NAME.out and $T/NAME.err (also $OUT, $ERR), exit status in $RC.
run() {
	run_input "$1" "" "${@:2}"
}

# run_input NAME TEXT CMD...: the same with TEXT (and a newline, unless
# TEXT is empty) on stdin.
run_input() {
	local name=$1 text=$2
	shift 2
	OUT=$T/$name.out
	ERR=$T/$name.err
	if [ -n "$text" ]; then
		printf '%s\n' "$text" >"$T/$name.in"
	else
		: >"$T/$name.in"
	fi
	RC=0
	setsid -w timeout "$CLI_TIMEOUT" "$@" <"$T/$name.in" >"$OUT" 2>"$ERR" || RC=$?
	[ "$RC" != 124 ] || fail "$name: timed out after ${CLI_TIMEOUT}s: $*"
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

# assert_grep FILE ERE WHAT / assert_no_grep FILE ERE WHAT
assert_grep() {
	grep -Eq -- "$2" "$1" || fail "$3: no line matching /$2/ in $(basename "$1")"
}

assert_no_grep() {
	! grep -Eq -- "$2" "$1" || fail "$3: unexpected line matching /$2/ in $(basename "$1")"
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

# re_quote TEXT: TEXT as an ERE matching itself.
re_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# fingerprint KEY.pub: SHA256:... as ssh-keygen -l prints it.
fingerprint() {
	ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'
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

# tpm_clean WHEN: the tool left no transient objects or sessions behind.
tpm_clean() {
	local what left
	for what in handles-transient handles-loaded-session handles-saved-session; do
		left=$(timeout "$CLI_TIMEOUT" tpm2_getcap "$what") ||
		    fail "tpm2_getcap $what failed"
		[ -z "$left" ] || fail "$1: the TPM still holds $what:
$left"
	done
}

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

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# closed_port: a port on 127.0.0.1 nobody listens on (never 2321/2322,
# where other people's simulators live).
closed_port() {
	local p
	for _ in $(seq 100); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		[ "$p" != 2321 ] && [ "$p" != 2322 ] || continue
		if port_free "$p" && port_free $((p + 1)); then
			echo "$p"
			return 0
		fi
	done
	fail "no free port found"
}
