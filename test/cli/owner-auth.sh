#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A TPM whose owner hierarchy has a password (run with --srk: with an owner
# password the library cannot derive the SRK, so a persistent one is the
# supported setup). Listing needs no password; deleting takes it from
# SK_TPM_OWNER_AUTH, and without it or with a wrong one fails with one
# line that says so, and nothing is removed.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
command -v tpm2_changeauth >/dev/null || { echo "$0: tpm2_changeauth is not installed" >&2; exit 77; }

say "a resident credential, then an owner password"
enroll alice ssh:test alice -O no-touch-required
fp=$(fingerprint "$T/alice.pub")
tpm2_changeauth -c o owner-secret >/dev/null

sk list list
expect_rc "list with an owner password" 0
assert_grep "$OUT" "^0x01a5c500  ssh:test  alice  no-pin  $(re_quote "$fp")\$" \
    "list needs no owner password"

say "delete without SK_TPM_OWNER_AUTH"
sk del-noauth delete --application ssh:test --user alice --yes
expect_rc "delete without the owner password" 1
assert_one_error "$ERR" "delete without the owner password" 'SK_TPM_OWNER_AUTH'
nv_defined 0x01a5c500 || fail "the credential is gone although delete failed"

say "delete with a wrong SK_TPM_OWNER_AUTH"
sk del-wrong SK_TPM_OWNER_AUTH=wrong delete --application ssh:test --user alice --yes
expect_rc "delete with a wrong owner password" 1
assert_one_error "$ERR" "delete with a wrong owner password" 'SK_TPM_OWNER_AUTH'
nv_defined 0x01a5c500 || fail "the credential is gone although delete failed"
tpm_clean "after the failed deletes"

say "delete with the right SK_TPM_OWNER_AUTH"
sk del-auth SK_TPM_OWNER_AUTH=owner-secret delete --application ssh:test --user alice --yes
expect_rc "delete with the owner password" 0
assert_empty "$ERR" "delete with the owner password"
assert_grep "$OUT" "^deleted resident credential 0x01a5c500 " "delete with the owner password"
nv_defined 0x01a5c500 && fail "the credential is still there"
tpm_clean "after delete"

say "doctor is content with an owner password and a persistent SRK"
sk doctor doctor
expect_rc "doctor with an owner password" 0
# Without the owner password no SRK can be derived to compare Names.
assert_grep "$OUT" "^\[info\] SRK: 0x81000001 holds a key of the standard SRK's shape; whose it is was not checked \(the owner hierarchy has a password\)" \
    "doctor: SRK"
assert_grep "$OUT" '^\[info\] NV room: not measured \(the owner hierarchy has a password\)$' "doctor: NV room"
assert_grep "$OUT" '^\[ok\]   salted session: .* persistent SRK' "doctor: salted session"

say PASS
