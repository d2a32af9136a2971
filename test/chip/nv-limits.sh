#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The NV limits of a small chip (the slb9670 profile), through the real
# ssh-keygen: a record larger than the chip's TPM2_PT_NV_INDEX_MAX is
# refused with one line before any key is made (here the profile's limit
# lowered to 640 bytes, below the largest record); with NV full, an
# overwrite of a resident credential fails with one clear line and the old
# record stays, still returned by ssh-keygen -K and still logging in.
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015,SC2034
. "$(dirname "$0")/../e2e/lib.sh" "$@"

[ "${SK_TPM_PROFILE:-}" = slb9670 ] ||
    fail "run me with SK_TPM_TEST_PROFILE=slb9670 through with-swtpm.sh"
export SK_CHIP_LOG=$T/chip.log
: >"$SK_CHIP_LOG"
# shellcheck source-path=SCRIPTDIR source=profiles.sh
. "$(dirname "$0")/profiles.sh"

say "a record larger than TPM2_PT_NV_INDEX_MAX: refused before a key is made"
small=${SK_TPM_TCTI/nv-index-max=1664/nv-index-max=640}
[ "$small" != "$SK_TPM_TCTI" ] || fail "the profile's TCTI has no nv-index-max=1664"
app256=ssh:$(printf 'a%.0s' $(seq 252))
enroll small SK_TPM_TCTI="$small" -O resident -O no-touch-required \
    -O application="$app256" -O user="$(printf 'u%.0s' $(seq 64))"
expect_fail "enrollment of a record the chip cannot hold"
assert_one_sk_line "$ERR" "too large a record" 'has room for [0-9]+ on this TPM' \
    'TPM2_PT_NV_INDEX_MAX'
! grep -Eq ' (CreatePrimary|Create|CreateLoaded|Certify|NV_DefineSpace) ' \
    "$SK_CHIP_LOG" || fail "the TPM was asked to make something:
$(cat "$SK_CHIP_LOG")"
[ "$(nv_records)" = 0 ] || fail "a record was stored"

say "a resident credential, then NV filled to the last byte"
enroll_ok old -O resident -O no-touch-required -O user=bob
profile_nv_fill 0 || fail "filling NV failed"

say "overwrite with NV full: one clear line, the old record kept"
printf 'y\n' >"$T/answer-y"
RUN_STDIN=$T/answer-y enroll new -O resident -O no-touch-required -O user=bob
expect_fail "overwrite with NV full"
assert_grep "$OUT" 'Overwrite key in token \(y/n\)\?' "ssh-keygen asked whether to overwrite"
assert_one_sk_line "$ERR" "NV full" "NV memory is full" \
    'needs room beside the one it replaces, which is kept'
[ ! -e "$T/new.pub" ] || fail "a key file was written"
[ "$(nv_records)" = 1 ] || fail "NV holds $(nv_records) records, expected 1"
tpm_clean "after the refused overwrite"

download dl
expect_ok "ssh-keygen -K after the refused overwrite"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_bob.pub")" = "$(pubkey "$T/old.pub")" ] ||
    fail "-K returned another key than the old one"
sshd_start
authorize "" "$T/old.pub"
login_ok login-old "$T/old.pub" 0x01 "$DL/id_ecdsa_sk_rk_bob" SK_TPM_PRESENCE=assume
tpm_clean "at the end"
