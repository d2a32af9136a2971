#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# No TPM reachable (SK_TPM_TCTI names a port where nothing listens):
# enrollment and login fail with "device not found" and one line from the
# library, without tpm2-tss's own error output.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

# closed_port, not free_port: sshd_start below takes its port from
# free_port, and must not be given this one.
dead=$(closed_port)
DEAD_TCTI="swtpm:host=127.0.0.1,port=$dead"

say "enroll with SK_TPM_TCTI=$DEAD_TCTI"
enroll dead SK_TPM_TCTI="$DEAD_TCTI" -O no-touch-required
expect_fail "enrollment without a TPM"
assert_grep "$ERR" 'device not found' "ssh-keygen reports DEVICE_NOT_FOUND"
assert_one_sk_line "$ERR" "enrollment without a TPM" 'SK_TPM_TCTI'
[ ! -e "$T/dead" ] || fail "a key file was written"

say "login with a key whose TPM is unreachable"
enroll_ok nt -O no-touch-required
sshd_start
authorize no-touch-required "$T/nt.pub"
login_refused login-dead "$T/nt" SK_TPM_TCTI="$DEAD_TCTI"
assert_grep "$ERR" 'device not found' "ssh reports DEVICE_NOT_FOUND"
assert_one_sk_line "$ERR" "login without a TPM" 'SK_TPM_TCTI'

say "the same key logs in once the TPM is back"
login_ok login "$T/nt.pub" 0x00 "$T/nt"
tpm_clean "after the tests"

say PASS
