#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# (a) ssh-keygen -O no-touch-required: the key logs in when authorized_keys
# says no-touch-required, the signature carries no flags (0x00), and the
# library prints nothing on success. Without the option sshd insists on
# presence, which such a key never asserts, and refuses it.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

say "enroll: ssh-keygen -t ecdsa-sk -O no-touch-required"
enroll_ok nt -O no-touch-required
tpm_clean "after enrollment"

sshd_start

say "login with 'no-touch-required' in authorized_keys"
authorize no-touch-required "$T/nt.pub"
login_ok login "$T/nt.pub" 0x00 "$T/nt"
assert_quiet "$ERR" "login"
tpm_clean "after login"

say "a plain authorized_keys line demands presence: refused"
authorize "" "$T/nt.pub"
login_refused login-plain "$T/nt"
assert_grep "$T/login-plain.sshd" \
    'user presence \(authenticator touch\) requirement not met' \
    "sshd refuses for lack of presence"
tpm_clean "after the refused login"

say PASS
