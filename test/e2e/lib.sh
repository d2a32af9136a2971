# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2015,SC2034
# Shared helpers for the end-to-end tests: real ssh-keygen, ssh, sshd,
# ssh-agent and ssh-add on 127.0.0.1, driving libsk-tpm.so against the
# private swtpm that test/with-swtpm.sh started (SK_TPM_TCTI and
# TPM2TOOLS_TCTI are exported by it).
#
# A test script does
#	. "$(dirname "$0")/lib.sh" "$@"		# $1: absolute path of libsk-tpm.so
# and then uses the functions below and those of test/common/lib.sh (the
# shared library: say, fail, run, assertions, ports, sshd_start,
# authorize, tpm_clean). Everything lives in one temporary
# directory ($T) that is removed on exit together with every daemon started
# here (sshd, ssh-agent); set E2E_KEEP=1 to keep it for a post-mortem.
#
# Every command runs under `setsid` (no controlling terminal, so OpenSSH and
# the library behave as in CI even when ctest is started from a terminal),
# with stdin from /dev/null and under `timeout`, so that a prompt nobody
# answers fails the test instead of hanging it.

set -euo pipefail

E2E_TIMEOUT=${E2E_TIMEOUT:-60}
E2E_NAME=$(basename "$0" .sh)
TEST_NAME=$E2E_NAME
TEST_TIMEOUT=$E2E_TIMEOUT
# shellcheck source-path=SCRIPTDIR source=../common/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"

[ $# -ge 1 ] || { echo "usage: $0 /abs/path/libsk-tpm.so" >&2; exit 2; }
LIB=$1
case "$LIB" in
/*) ;;
*) echo "$0: the library path must be absolute (OpenSSH needs it)" >&2; exit 2 ;;
esac
[ -f "$LIB" ] || { echo "$0: $LIB: no such file" >&2; exit 2; }
[ -n "${SK_TPM_TCTI:-}" ] && [ -n "${TPM2TOOLS_TCTI:-}" ] || {
	echo "$0: run me through test/with-swtpm.sh" >&2; exit 2; }

need_tools ssh ssh-keygen ssh-agent ssh-add setsid timeout tpm2_getcap
# The tests must not see the developer's agent, askpass, display or our own
# switches from the calling shell; each test sets what it needs per command.
unset SSH_AUTH_SOCK SSH_AGENT_PID SSH_ASKPASS SSH_ASKPASS_REQUIRE DISPLAY \
    WAYLAND_DISPLAY SSH_SK_PROVIDER SSH_SK_HELPER SK_TPM_PRESENCE SK_TPM_DEBUG \
    SK_TPM_ATTEST_EK

test_workdir e2e "${E2E_KEEP:-0}"

expect_ok() {
	[ "$RC" = 0 ] || fail "$1: exit status $RC, expected success"
}

expect_fail() {
	[ "$RC" != 0 ] || fail "$1: succeeded, expected a failure"
}

# assert_quiet FILE WHAT: the library prints nothing on success: no
# "sk-tpm:" line, none of tpm2-tss's own "WARNING:"/"ERROR:" log lines, and
# in fact nothing at all, as the OpenSSH tools themselves write nothing to
# stderr on success with the options used here.
assert_quiet() {
	assert_no_grep "$1" 'sk-tpm:' "$2 (library must be silent on success)"
	assert_no_grep "$1" '(WARNING|ERROR)' "$2 (tpm2-tss logging must be silenced)"
	[ ! -s "$1" ] || fail "$2: unexpected output on stderr ($(basename "$1"))"
}

# assert_one_sk_line FILE WHAT ERE...: exactly one line from the library,
# matching every ERE, and no tpm2-tss log lines.
assert_one_sk_line() {
	local file=$1 what=$2 n line re
	shift 2
	n=$(grep -c '^sk-tpm: ' "$file" || true)
	[ "$n" = 1 ] || fail "$what: expected exactly one 'sk-tpm:' line, got $n"
	line=$(grep '^sk-tpm: ' "$file")
	for re in "$@"; do
		grep -Eq -- "$re" <<<"$line" ||
		    fail "$what: the sk-tpm line does not match /$re/"
	done
	assert_no_grep "$file" '(WARNING|ERROR):' "$what (tpm2-tss logging must be silenced)"
	say "  library said: $line"
}

# The askpass program. OpenSSH calls it with the prompt as $1 and
# SSH_ASKPASS_PROMPT set to "confirm" (yes/no question, answer by exit
# status), "none" (a notice such as "Confirm user presence", nothing to
# answer) or unset (a secret is wanted: we print the PIN from $PIN_FILE).
# Every call is logged to $ASKPASS_LOG as "KIND<TAB>PROMPT". A confirm is
# answered yes unless $CONFIRM_FILE contains "no".
ASKPASS=$T/askpass
ASKPASS_LOG=$T/askpass.log
PIN_FILE=$T/pin
CONFIRM_FILE=$T/confirm
: >"$ASKPASS_LOG"
echo yes >"$CONFIRM_FILE"
cat >"$ASKPASS" <<EOF
#!/bin/sh
printf '%s\t%s\n' "\${SSH_ASKPASS_PROMPT:-secret}" "\$1" >>"$ASKPASS_LOG"
case "\${SSH_ASKPASS_PROMPT:-}" in
confirm)
	[ "\$(cat "$CONFIRM_FILE")" = yes ] || exit 1
	exit 0 ;;
none)
	exit 0 ;;
esac
[ -f "$PIN_FILE" ] || exit 1
cat "$PIN_FILE"
EOF
chmod 755 "$ASKPASS"

set_pin() {
	printf '%s\n' "$1" >"$PIN_FILE"
}

# Environment assignments for a command that may prompt through askpass.
ASKPASS_ENV=(SSH_ASKPASS="$ASKPASS" SSH_ASKPASS_REQUIRE=force)

# enroll NAME [ssh-keygen args...]: make key $T/NAME (+ .pub) with
# ssh-keygen -t ecdsa-sk through the library; result in RC/OUT/ERR.
# Prefix arguments of the form VAR=VALUE are put into its environment.
enroll() {
	local name=$1 envs=()
	shift
	while [ $# -gt 0 ] && [[ "$1" == *=* ]] && [[ "$1" != -* ]]; do
		envs+=("$1")
		shift
	done
	run "enroll-$name" env "${envs[@]}" \
	    ssh-keygen -t ecdsa-sk -w "$LIB" -N '' -C "e2e-$name" -f "$T/$name" "$@"
}

# enroll_ok NAME [args...]: as enroll, and check the result.
enroll_ok() {
	local name=$1
	enroll "$@"
	expect_ok "enroll $name"
	[ -s "$T/$name" ] && [ -s "$T/$name.pub" ] || fail "enroll $name: no key files"
	grep -q '^sk-ecdsa-sha2-nistp256@openssh.com ' "$T/$name.pub" ||
	    fail "enroll $name: $name.pub is not an sk-ecdsa key"
	assert_quiet "$ERR" "enroll $name"
}

# --- sshd ---------------------------------------------------------------

AUTH_KEYS=$T/authorized_keys
LOGIN_USER=$(id -un)
# sshd_start and authorize: test/common/lib.sh.

SSH_OPTS=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no
    -o PubkeyAuthentication=yes -o ConnectTimeout=20 -o LogLevel=ERROR)

LOG_MARK=0
LAST_COUNTER=0

# login NAME IDENTITY [VAR=VALUE...]: ssh to the test sshd with IDENTITY
# (a private key file, or a .pub file for agent keys) and run
# `echo LOGIN-OK`, with the assignments in ssh's environment (which its
# ssh-sk-helper, hence the library, inherits). Result in RC/OUT/ERR; the
# sshd log lines of this attempt are in $T/NAME.sshd afterwards.
login() {
	local name=$1 id=$2 a
	shift 2
	for a in "$@"; do
		[[ "$a" == *=* ]] || fail "login: $a is not VAR=VALUE"
	done
	LOG_MARK=$(wc -l <"$SSHD_LOG")
	# Debian's ssh ignores SSH_SK_PROVIDER: the provider must be named.
	run "$name" env "$@" ssh "${SSH_OPTS[@]}" \
	    -o SecurityKeyProvider="$LIB" -i "$id" \
	    -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" 'echo LOGIN-OK'
	# sshd's processes log after ssh has gone: wait for them to finish.
	sshd_settle "$LOG_MARK"
	tail -n +"$((LOG_MARK + 1))" "$SSHD_LOG" >"$T/$name.sshd"
}

# login_ok NAME KEY.pub FLAGS [login args...]: the login succeeds, sshd
# accepted exactly this key, and the signature carried flags FLAGS (sshd
# logs "sk_counter = N, sk_flags = 0xFF" at DEBUG1).
login_ok() {
	local name=$1 pub=$2 flags=$3 fp counter
	shift 3
	login "$name" "$@"
	expect_ok "login $name"
	grep -qx LOGIN-OK "$OUT" || fail "login $name: the remote command did not run"
	fp=$(re_quote "$(fingerprint "$pub")")
	assert_grep "$T/$name.sshd" \
	    "Accepted publickey for $LOGIN_USER from 127\.0\.0\.1 port [0-9]+ ssh2: ECDSA-SK $fp" \
	    "login $name: sshd accepted the key"
	assert_grep "$T/$name.sshd" "sk_flags = $flags\b" \
	    "login $name: signature flags $flags"
	# The counter is signed and must never go backwards on one TPM.
	counter=$(grep -Eo 'sk_counter = [0-9]+' "$T/$name.sshd" | tail -n 1 |
	    awk '{print $3}')
	[ -n "$counter" ] || fail "login $name: sshd logged no sk_counter"
	[ "$counter" -ge "$LAST_COUNTER" ] ||
	    fail "login $name: counter went back from $LAST_COUNTER to $counter"
	LAST_COUNTER=$counter
	say "  sshd: sk_counter = $counter, sk_flags = $flags"
}

# login_refused NAME [login args...]: the login fails, sshd accepted no
# key, and sshd did not drop the connection before authentication.
login_refused() {
	local name=$1
	shift
	login "$name" "$@"
	expect_fail "login $name"
	assert_no_grep "$OUT" LOGIN-OK "login $name: the remote command ran"
	assert_no_grep "$T/$name.sshd" "Accepted publickey" "login $name: sshd accepted a key"
	# Refused by the key, not by sshd dropping the connection (OpenSSH
	# 9.8+ penalties; sshd_start turns them off).
	assert_no_grep "$T/$name.sshd" 'drop connection|penalty' \
	    "login $name: sshd dropped the connection before authentication"
}

# --- ssh-agent ------------------------------------------------------------

# agent_start NAME [VAR=VALUE...]: start `ssh-agent -D` on socket $T/NAME.sock
# with only the library's directory allowed as provider (and the patterns
# in AGENT_ALSO_ALLOW, comma-separated, when set); the assignments go into
# the agent's environment, which is what its ssh-sk-helper inherits. Sets
# AGENT_SOCK.
agent_start() {
	local name=$1 libdir pid
	shift
	# The agent canonicalises the provider path with realpath() before it
	# matches the -P list, so the list must name the canonical directory.
	libdir=$(dirname "$(realpath "$LIB")")
	AGENT_SOCK=$T/$name.sock
	setsid env "$@" ssh-agent -D -a "$AGENT_SOCK" \
	    -P "$libdir/*${AGENT_ALSO_ALLOW:+,$AGENT_ALSO_ALLOW}" \
	    </dev/null >"$T/$name.agent.out" 2>"$T/$name.agent.err" &
	pid=$!
	DAEMONS+=("$pid")
	await socket_or_dead "$AGENT_SOCK" "$pid" || true
	if [ -S "$AGENT_SOCK" ]; then
		say "ssh-agent $name (pid $pid) on $AGENT_SOCK"
		return 0
	fi
	OUT=$T/$name.agent.out ERR=$T/$name.agent.err
	fail "ssh-agent $name did not start"
}

# --- resident keys --------------------------------------------------------

# pubkey FILE: "TYPE BASE64" of a public key file, without the comment
# (which differs between ssh-keygen -K files and the originals).
pubkey() {
	awk '{print $1, $2; exit}' "$1"
}

# nv_records: how many NV indices of the library's resident range
# (0x01A5C500..0x01A5C5FF) are defined in the simulator.
nv_records() {
	local list
	list=$(timeout "$E2E_TIMEOUT" tpm2_getcap handles-nv-index) ||
	    fail "tpm2_getcap handles-nv-index failed"
	grep -Eic '^- 0x0?1a5c5[0-9a-f]{2}$' <<<"$list" || true
}

# download NAME [VAR=VALUE...]: `ssh-keygen -K -w LIB -N ''` in the new,
# empty directory $T/NAME (also in $DL); result in RC/OUT/ERR. The PIN
# question it asks first is answered through askpass when ASKPASS_ENV is
# among the assignments, else with an empty line (stdin is /dev/null).
download() {
	local name=$1
	shift
	DL=$T/$name
	mkdir "$DL"
	run "$name" env -C "$DL" "$@" ssh-keygen -K -w "$LIB" -N ''
}

# --- ssh-sk-helper watch ---------------------------------------------------

# A wrapper for ssh-sk-helper (used by giving SSH_SK_HELPER=$HELPER to ssh,
# ssh-keygen, ssh-add or ssh-agent): it runs the real helper and appends
# "exit N" or "signal N" to $HELPER_LOG, so a test can tell a clean failure
# from a crash of the process the library runs in.
SK_HELPER_REAL=${SK_HELPER_REAL:-$(openssh_file ssh-sk-helper)}
[ -n "$SK_HELPER_REAL" ] || { echo "$0: ssh-sk-helper is not installed" >&2; exit 77; }
HELPER=$T/sk-helper-wrapper
HELPER_LOG=$T/helper.log
: >"$HELPER_LOG"
cat >"$HELPER" <<EOW
#!/bin/sh
# The real helper keeps stdin/stdout: they are its socket to the caller.
"$SK_HELPER_REAL" "\$@"
rc=\$?
if [ \$rc -gt 128 ] && [ \$rc -lt 193 ]; then
	echo "signal \$((rc - 128))" >>"$HELPER_LOG"
else
	echo "exit \$rc" >>"$HELPER_LOG"
fi
exit \$rc
EOW
chmod 755 "$HELPER"
HELPER_ENV=(SSH_SK_HELPER="$HELPER")

# helper_clean WHAT: since the last call, every ssh-sk-helper run through
# $HELPER ended by itself with a status below 128 (no signal, no fatal()
# exit 255), at least one ran, the tool did not report an abnormal helper
# exit, and no core file appeared in $T.
helper_clean() {
	local bad
	[ -s "$HELPER_LOG" ] || fail "$1: ssh-sk-helper was never run"
	bad=$(grep -v -E '^exit ([0-9]|[0-9][0-9]|1[01][0-9]|12[0-7])$' \
	    "$HELPER_LOG" || true)
	[ -z "$bad" ] || fail "$1: ssh-sk-helper ended abnormally: $bad"
	if [ -n "${ERR:-}" ] && [ -f "$ERR" ]; then
		assert_no_grep "$ERR" 'exited abnormally|non-zero exit status|core dumped|internal error' \
		    "$1 (helper exit reported by OpenSSH)"
	fi
	[ -z "$(find "$T" -name 'core*' -type f -print -quit)" ] ||
	    fail "$1: a core file was written"
	say "  ssh-sk-helper: $(sort "$HELPER_LOG" | uniq -c | sed 's/^ *//' | paste -sd, -)"
	: >"$HELPER_LOG"
}

# --- key file surgery ------------------------------------------------------

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# skkey FILE info: print what skkey.pl sees in the unencrypted private key
# FILE (application, flags, key handle and its CBOR byte-string fields).
# skkey FILE EDIT ARGS... > NEWFILE: write FILE with its key handle edited
# (see skkey.pl), armoured as ssh-keygen does (base64, 70 columns).
skkey() {
	local file=$1
	shift
	command -v perl >/dev/null || fail "perl is needed to edit key files"
	if [ "$1" = info ]; then
		grep -v '^-----' "$file" | base64 -d | perl "$E2E_DIR/skkey.pl" info
		return
	fi
	echo '-----BEGIN OPENSSH PRIVATE KEY-----'
	grep -v '^-----' "$file" | base64 -d | perl "$E2E_DIR/skkey.pl" "$@" |
	    base64 -w 70
	echo '-----END OPENSSH PRIVATE KEY-----'
}

# skkey_field FILE K: "OFFSET LEN" of byte-string field K of FILE's handle.
skkey_field() {
	skkey "$1" info | awk -v k="$2" '$1 == "field" && $2 == k {print $3, $4}'
}

# dir_files DIR: the names in DIR, sorted, on one line.
dir_files() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | paste -sd' ' -
}
