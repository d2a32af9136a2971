#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# (d) Keys held by ssh-agent (-P allowing the library's directory, keys
# added with ssh-add -S): the agent's ssh-sk-helper signs, with the agent's
# environment. A no-touch-required key works as is; a default key works when
# the agent was started with SK_TPM_PRESENCE=assume, and is refused with one
# line from the library (on the agent's stderr) when it was not. A
# verify-required key works when the agent can ask for the PIN through
# SSH_ASKPASS (the only way ssh-agent prompts).
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

say "enroll a no-touch-required key, a default key and a verify-required key"
enroll_ok nt -O no-touch-required
enroll_ok up SK_TPM_PRESENCE=assume
set_pin 2468
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required
tpm_clean "after enrollment"

# Only the agent can sign: ssh gets the .pub files, the private key files
# (which hold the key handles) move out of its way after ssh-add.
mkdir "$T/pub"
cp "$T/nt.pub" "$T/up.pub" "$T/uv.pub" "$T/pub/"

sshd_start
agent_start plain
PLAIN_SOCK=$AGENT_SOCK
agent_start assume SK_TPM_PRESENCE=assume
ASSUME_SOCK=$AGENT_SOCK
agent_start askpass "${ASKPASS_ENV[@]}"
ASKPASS_SOCK=$AGENT_SOCK

run add-nt env SSH_AUTH_SOCK="$PLAIN_SOCK" ssh-add -S "$LIB" "$T/nt"
expect_ok "ssh-add -S nt"
run add-up-plain env SSH_AUTH_SOCK="$PLAIN_SOCK" ssh-add -S "$LIB" "$T/up"
expect_ok "ssh-add -S up (plain agent)"
run add-up env SSH_AUTH_SOCK="$ASSUME_SOCK" ssh-add -S "$LIB" "$T/up"
expect_ok "ssh-add -S up"
run add-uv env SSH_AUTH_SOCK="$ASKPASS_SOCK" ssh-add -S "$LIB" "$T/uv"
expect_ok "ssh-add -S uv"
run list env SSH_AUTH_SOCK="$PLAIN_SOCK" ssh-add -l
expect_ok "ssh-add -l"
assert_grep "$OUT" "$(re_quote "$(fingerprint "$T/nt.pub")")" "the agent holds the key"
mv "$T/nt" "$T/nt.moved"
mv "$T/up" "$T/up.moved"
mv "$T/uv" "$T/uv.moved"

say "no-touch-required key through the agent"
authorize no-touch-required "$T/pub/nt.pub"
login_ok login-nt "$T/pub/nt.pub" 0x00 "$T/pub/nt.pub" SSH_AUTH_SOCK="$PLAIN_SOCK"
assert_quiet "$T/plain.agent.err" "agent signing nt"
tpm_clean "after the agent login (nt)"

say "default key through the agent started with SK_TPM_PRESENCE=assume"
authorize "" "$T/pub/up.pub"
login_ok login-up "$T/pub/up.pub" 0x01 "$T/pub/up.pub" SSH_AUTH_SOCK="$ASSUME_SOCK"
assert_quiet "$T/assume.agent.err" "agent signing up"
tpm_clean "after the agent login (up)"

say "default key through an agent without SK_TPM_PRESENCE: refused"
login_refused login-up-plain "$T/pub/up.pub" SSH_AUTH_SOCK="$PLAIN_SOCK"
assert_grep "$ERR" 'agent refused operation' "ssh saw the agent refuse"
assert_one_sk_line "$T/plain.agent.err" "agent without presence" \
    'no-touch-required' 'verify-required' 'SK_TPM_PRESENCE'
tpm_clean "after the refused agent login"

say "verify-required key through an agent that asks for the PIN by askpass"
authorize verify-required "$T/pub/uv.pub"
: >"$ASKPASS_LOG"
login_ok login-uv "$T/pub/uv.pub" 0x05 "$T/pub/uv.pub" SSH_AUTH_SOCK="$ASKPASS_SOCK"
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN and confirm user presence for ECDSA-SK key' \
    "the agent asked for the PIN"
assert_quiet "$T/askpass.agent.err" "agent signing uv"
tpm_clean "after the agent login (uv)"

say PASS
