#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Resident keys (ssh-keygen -O resident) stored in TPM NV come back on a
# "fresh account": ssh-keygen -K in an empty directory writes
# id_ecdsa_sk_rk (application ssh:, no user) and id_ecdsa_sk_rk_work_alice
# (ssh:work, user alice, verify-required) whose public keys are the ones
# enrolled; both recovered key files log in to a loopback sshd (OpenSSH
# marks every downloaded key 0x21/0x25, so the no-PIN one needs presence:
# SK_TPM_PRESENCE=assume; the PIN one asks for its PIN); ssh-add -K loads
# both into an agent, and a login through the agent works. Nothing is left
# loaded in the TPM after any step.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

say "enroll a resident no-touch-required key (ssh:, no user, no PIN)"
enroll_ok k1 -O resident -O no-touch-required
tpm_clean "after the first resident enrollment"
[ "$(nv_records)" = 1 ] || fail "expected 1 resident record in NV, found $(nv_records)"

say "enroll a resident verify-required key (ssh:work, user alice, PIN)"
set_pin 9137
enroll_ok k2 "${ASKPASS_ENV[@]}" -O resident -O verify-required \
    -O user=alice -O application=ssh:work
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN for authenticator' \
    "ssh-keygen asked for the PIN"
tpm_clean "after the second resident enrollment"
[ "$(nv_records)" = 2 ] || fail "expected 2 resident records in NV, found $(nv_records)"

say "ssh-keygen -K in an empty directory"
: >"$ASKPASS_LOG"
download dl "${ASKPASS_ENV[@]}"
expect_ok "ssh-keygen -K"
assert_quiet "$ERR" "ssh-keygen -K"
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN for authenticator' \
    "ssh-keygen -K asked for the PIN first"
got=$(dir_files "$DL")
want="id_ecdsa_sk_rk id_ecdsa_sk_rk.pub id_ecdsa_sk_rk_work_alice id_ecdsa_sk_rk_work_alice.pub"
[ "$got" = "$want" ] || fail "ssh-keygen -K wrote '$got', expected '$want'"
[ "$(pubkey "$DL/id_ecdsa_sk_rk.pub")" = "$(pubkey "$T/k1.pub")" ] ||
    fail "id_ecdsa_sk_rk.pub is not the enrolled key k1"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_work_alice.pub")" = "$(pubkey "$T/k2.pub")" ] ||
    fail "id_ecdsa_sk_rk_work_alice.pub is not the enrolled key k2"
assert_grep "$DL/id_ecdsa_sk_rk_work_alice.pub" ' ssh:work$' "comment is the application"
tpm_clean "after ssh-keygen -K"

say "ssh-keygen -K without a PIN (empty answer on stdin) finds the same keys"
download dl-nopin
expect_ok "ssh-keygen -K with an empty PIN"
# Reading from stdin, ssh-keygen writes its prompt to stderr; nothing else
# may be there.
[ "$(cat "$ERR")" = "Enter PIN for authenticator: " ] ||
    fail "ssh-keygen -K with an empty PIN: unexpected output on stderr"
[ "$(dir_files "$DL")" = "$want" ] || fail "ssh-keygen -K (no PIN) wrote $(dir_files "$DL")"
tpm_clean "after ssh-keygen -K without PIN"

sshd_start
DL=$T/dl

say "the recovered no-PIN key logs in (flags 0x21 in the file: presence assumed)"
authorize "" "$T/k1.pub"
login_ok login-rk1 "$T/k1.pub" 0x01 "$DL/id_ecdsa_sk_rk" SK_TPM_PRESENCE=assume
assert_quiet "$ERR" "login with the recovered no-PIN key"
tpm_clean "after the login with id_ecdsa_sk_rk"

say "the original no-touch-required key file still logs in as such"
authorize no-touch-required "$T/k1.pub"
login_ok login-k1 "$T/k1.pub" 0x00 "$T/k1"
tpm_clean "after the login with k1"

say "the recovered PIN key logs in with its PIN (verify-required)"
authorize verify-required "$T/k2.pub"
: >"$ASKPASS_LOG"
login_ok login-rk2 "$T/k2.pub" 0x05 "$DL/id_ecdsa_sk_rk_work_alice" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login with the recovered PIN key"
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN for ECDSA-SK key' "ssh asked for the PIN"
tpm_clean "after the login with id_ecdsa_sk_rk_work_alice"

say "ssh-add -K loads both resident keys into an agent"
agent_start rk SK_TPM_PRESENCE=assume "${ASKPASS_ENV[@]}"
: >"$ASKPASS_LOG"
run add-K env SSH_AUTH_SOCK="$AGENT_SOCK" "${ASKPASS_ENV[@]}" ssh-add -K -S "$LIB"
expect_ok "ssh-add -K"
[ "$(grep -c '^Resident identity added: ECDSA-SK SHA256:' "$ERR")" = 2 ] ||
    fail "ssh-add -K did not add exactly 2 resident identities"
assert_no_grep "$ERR" 'sk-tpm:' "ssh-add -K (library silent)"
run list env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -l
expect_ok "ssh-add -l"
[ "$(grep -c ' (ECDSA-SK)$' "$OUT")" = 2 ] || fail "ssh-add -l does not list 2 ECDSA-SK keys"
for k in k1 k2; do
	assert_grep "$OUT" "$(re_quote "$(fingerprint "$T/$k.pub")")" "the agent holds $k"
done
tpm_clean "after ssh-add -K"

say "login through the agent with the resident no-PIN key"
authorize "" "$T/k1.pub"
login_ok login-agent-rk1 "$T/k1.pub" 0x01 "$T/k1.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
assert_quiet "$T/rk.agent.err" "agent signing with the resident key"
tpm_clean "after the agent login (k1)"

say "login through the agent with the resident PIN key (PIN by askpass)"
authorize verify-required "$T/k2.pub"
login_ok login-agent-rk2 "$T/k2.pub" 0x05 "$T/k2.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
assert_quiet "$T/rk.agent.err" "agent signing with the resident PIN key"
tpm_clean "after the agent login (k2)"

[ "$(nv_records)" = 2 ] || fail "the resident records changed: $(nv_records) in NV"
say PASS
