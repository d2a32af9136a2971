#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# (c) ssh-keygen -O verify-required: ssh-keygen asks for the PIN (through
# SSH_ASKPASS, forced), ssh asks for it at login, the signature carries
# UP|UV (0x05) and sshd's verify-required accepts it. A wrong PIN is
# refused with one line giving the tries left; the right PIN works after.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

set_pin 4711
say "enroll: ssh-keygen -t ecdsa-sk -O verify-required, PIN through askpass"
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN for authenticator' \
    "ssh-keygen asked for the PIN"
tpm_clean "after enrollment"

sshd_start
authorize verify-required "$T/uv.pub"

say "login with the right PIN"
: >"$ASKPASS_LOG"
login_ok login-pin "$T/uv.pub" 0x05 "$T/uv" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login with PIN"
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN for ECDSA-SK key' "ssh asked for the PIN"
tpm_clean "after login"

say "login with a wrong PIN: refused"
set_pin 1234
login_refused login-wrong "$T/uv" "${ASKPASS_ENV[@]}"
assert_one_sk_line "$ERR" "wrong PIN" '[0-9]' '(left|remaining)'
tpm_clean "after the wrong PIN"

say "login with the right PIN again"
set_pin 4711
login_ok login-pin-again "$T/uv.pub" 0x05 "$T/uv" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login with PIN after a wrong one"
tpm_clean "after the second login"

say PASS
