#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# (b) A key with the default flags (presence required) logs in with a plain
# authorized_keys line when presence is shown: SK_TPM_PRESENCE=assume, or a
# confirm dialog through SSH_ASKPASS. With neither and no terminal, the
# login fails and the library says, in one line, what the options are.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

say "enroll: ssh-keygen -t ecdsa-sk (default flags) with SK_TPM_PRESENCE=assume"
enroll_ok up SK_TPM_PRESENCE=assume
tpm_clean "after enrollment"

sshd_start
authorize "" "$T/up.pub"

say "login with SK_TPM_PRESENCE=assume"
login_ok login-assume "$T/up.pub" 0x01 "$T/up" SK_TPM_PRESENCE=assume
assert_quiet "$ERR" "login with SK_TPM_PRESENCE=assume"
tpm_clean "after login"

say "login without SK_TPM_PRESENCE, terminal or askpass: refused"
login_refused login-none "$T/up"
assert_one_sk_line "$ERR" "no way to show presence" \
    'no-touch-required' 'verify-required' 'SK_TPM_PRESENCE'
tpm_clean "after the refused login"

say "login with an askpass confirm dialog answered yes"
echo yes >"$CONFIRM_FILE"
: >"$ASKPASS_LOG"
login_ok login-confirm "$T/up.pub" 0x01 "$T/up" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login with askpass confirm"
assert_grep "$ASKPASS_LOG" '^confirm	' "the library asked through askpass"
tpm_clean "after login with confirm"

say "login with an askpass confirm dialog answered no: refused"
echo no >"$CONFIRM_FILE"
: >"$ASKPASS_LOG"
login_refused login-deny "$T/up" "${ASKPASS_ENV[@]}"
assert_grep "$ASKPASS_LOG" '^confirm	' "the library asked through askpass"
assert_one_sk_line "$ERR" "presence denied" .
tpm_clean "after the denied login"

say PASS
