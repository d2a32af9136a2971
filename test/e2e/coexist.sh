#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# TPM keys beside the keys of another provider. OpenSSH's sk-dummy (package
# openssh-tests) stands in for a USB token: a provider with handles of its
# own, as the built-in "internal" one has.
#  - One agent holds both keys, each added with its provider (ssh-add -S):
#    each logs in through it, with no provider named on ssh's side.
#  - Without an agent, ssh uses one provider per connection: an ssh_config
#    that names libsk-tpm.so for every host breaks the other provider's
#    key (one sk-tpm line saying why), and Host and Match blocks that give
#    each host its provider let both log in.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

SK_DUMMY=$(openssh_file sk-dummy.so)
[ -n "$SK_DUMMY" ] ||
    fail "sk-dummy.so (Debian package openssh-tests) is not installed"

say "a TPM key and a key of the other provider"
enroll_ok tpm -O no-touch-required
run enroll-usb ssh-keygen -t ecdsa-sk -w "$SK_DUMMY" -N '' -C e2e-usb -f "$T/usb"
expect_ok "enroll with sk-dummy"
tpm_clean "after enrollment"

sshd_start
{
	printf 'no-touch-required %s\n' "$(cat "$T/tpm.pub")"
	cat "$T/usb.pub"
} >"$AUTH_KEYS"

say "one agent holds both, each with its provider"
AGENT_ALSO_ALLOW="$(dirname "$(realpath "$SK_DUMMY")")/*" agent_start both
run add-tpm env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -S "$LIB" "$T/tpm"
expect_ok "ssh-add -S libsk-tpm.so"
run add-usb env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -S "$SK_DUMMY" "$T/usb"
expect_ok "ssh-add -S sk-dummy.so"
run agent-list env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -l
expect_ok "ssh-add -l"
assert_grep "$OUT" "$(re_quote "$(fingerprint "$T/tpm.pub")")" "the agent holds the TPM key"
assert_grep "$OUT" "$(re_quote "$(fingerprint "$T/usb.pub")")" "the agent holds the other key"
# Only the agent can sign: ssh gets the .pub files.
mkdir "$T/pub" "$T/moved"
cp "$T/tpm.pub" "$T/usb.pub" "$T/pub/"
mv "$T/tpm" "$T/usb" "$T/moved/"

# agent_login NAME KEY.pub FLAGS: through the agent; ssh names no
# provider (login() would name libsk-tpm.so, which must not matter).
agent_login() {
	local mark fp
	mark=$(wc -l <"$SSHD_LOG")
	run "$1" env SSH_AUTH_SOCK="$AGENT_SOCK" ssh "${SSH_OPTS[@]}" \
	    -i "$2" -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" 'echo LOGIN-OK'
	expect_ok "login $1"
	grep -qx LOGIN-OK "$OUT" || fail "login $1: the remote command did not run"
	sshd_settle "$mark"
	tail -n +"$((mark + 1))" "$SSHD_LOG" >"$T/$1.sshd"
	fp=$(re_quote "$(fingerprint "$2")")
	assert_grep "$T/$1.sshd" "Accepted publickey for $LOGIN_USER .* ECDSA-SK $fp" \
	    "login $1: sshd accepted the key"
	assert_grep "$T/$1.sshd" "sk_flags = $3\b" "login $1: signature flags $3"
}
agent_login agent-tpm "$T/pub/tpm.pub" 0x00
agent_login agent-usb "$T/pub/usb.pub" 0x01
assert_quiet "$T/both.agent.err" "the agent signing with both providers"
mv "$T/moved/tpm" "$T/moved/usb" "$T/"

# config_login NAME CONFIG HOST KEY.pub: ssh -F CONFIG HOST, no agent.
config_login() {
	local mark
	mark=$(wc -l <"$SSHD_LOG")
	run "$1" env -u SSH_AUTH_SOCK ssh -F "$2" "$3" 'echo LOGIN-OK'
	sshd_settle "$mark"
	tail -n +"$((mark + 1))" "$SSHD_LOG" >"$T/$1.sshd"
}

config_login_ok() {
	local fp
	config_login "$@"
	expect_ok "login $1"
	grep -qx LOGIN-OK "$OUT" || fail "login $1: the remote command did not run"
	fp=$(re_quote "$(fingerprint "$4")")
	assert_grep "$T/$1.sshd" "Accepted publickey for $LOGIN_USER .* ECDSA-SK $fp" \
	    "login $1: sshd accepted the key"
	assert_quiet "$ERR" "login $1"
}

# What every Host block of the configurations below ends with.
COMMON="	HostName 127.0.0.1
	Port $SSHD_PORT
	User $LOGIN_USER
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	GlobalKnownHostsFile /dev/null
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	LogLevel ERROR"

say "without an agent, one provider for every host breaks the other key"
cat >"$T/one-provider" <<EOF
Host tpm-box
	IdentityFile $T/tpm
Host usb-box
	IdentityFile $T/usb
Host *
	SecurityKeyProvider $LIB
$COMMON
EOF
config_login_ok one-tpm "$T/one-provider" tpm-box "$T/tpm.pub"
config_login one-usb "$T/one-provider" usb-box
expect_fail "the other provider's key through libsk-tpm.so"
assert_one_sk_line "$ERR" "the other provider's key through libsk-tpm.so" \
    "not made by sk-tpm" "SecurityKeyProvider that enrolled it"
assert_no_grep "$T/one-usb.sshd" "Accepted publickey" "sshd accepted nothing"

say "Host blocks give each host its provider"
cat >"$T/per-host" <<EOF
Host tpm-box
	IdentityFile $T/tpm
	SecurityKeyProvider $LIB
Host usb-box
	IdentityFile $T/usb
	SecurityKeyProvider $SK_DUMMY
Host *
$COMMON
EOF
config_login_ok host-tpm "$T/per-host" tpm-box "$T/tpm.pub"
config_login_ok host-usb "$T/per-host" usb-box "$T/usb.pub"

say "a Match block on the host name, the first value winning"
# ssh takes the first value it reads for each option: the Match comes
# first, and "Host *" (here sk-dummy, standing in for the default
# "internal", which needs no line) applies to the rest.
cat >"$T/match" <<EOF
Match originalhost tpm-*
	SecurityKeyProvider $LIB
Host tpm-box
	IdentityFile $T/tpm
Host usb-box
	IdentityFile $T/usb
Host *
	SecurityKeyProvider $SK_DUMMY
$COMMON
EOF
config_login_ok match-tpm "$T/match" tpm-box "$T/tpm.pub"
config_login_ok match-usb "$T/match" usb-box "$T/usb.pub"
tpm_clean "at the end"

say PASS
