#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The CREDENTIAL_EXISTS / FORCE protocol through real ssh-keygen: a second
# resident enrollment for the same (application, user) makes ssh-keygen ask
# "Overwrite key in token (y/n)?" on stdin. Answering "n" fails the
# enrollment, writes no key file and leaves the old record in place
# (ssh-keygen -K in an empty directory still returns the OLD public key).
# Answering "y" succeeds, and afterwards -K returns the NEW public key and
# exactly one record for (ssh:, bob): the old record is gone, not
# duplicated. Two users under one application (bob and carol on ssh:) come
# back from -K as id_ecdsa_sk_rk_bob and id_ecdsa_sk_rk_carol, and log in.
# The same question for a verify-required key is asked after the PIN and
# the forced retry reuses the PIN. Nothing is left loaded in the TPM.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

RES=(-O resident -O no-touch-required)

say "enroll a resident key for (ssh:, bob)"
enroll_ok bob1 "${RES[@]}" -O user=bob
tpm_clean "after the first enrollment"
[ "$(nv_records)" = 1 ] || fail "expected 1 record in NV, found $(nv_records)"

say "enroll (ssh:, bob) again and answer 'n' to the overwrite question"
printf 'n\n' >"$T/answer-n"
RUN_STDIN=$T/answer-n enroll bob2 "${RES[@]}" -O user=bob
expect_fail "enrollment refused by the user"
assert_grep "$OUT" "A resident key scoped to 'ssh:' with user id 'bob' already exists\." \
    "ssh-keygen names the existing credential"
assert_grep "$OUT" 'Overwrite key in token \(y/n\)\?' "ssh-keygen asked whether to overwrite"
assert_grep "$ERR" 'Key enrollment failed: bad permissions' \
    "ssh-keygen reports CREDENTIAL_EXISTS"
# CREDENTIAL_EXISTS is a question, not an error: the library says nothing.
assert_no_grep "$ERR" 'sk-tpm:' "the library is silent on CREDENTIAL_EXISTS"
[ ! -e "$T/bob2" ] && [ ! -e "$T/bob2.pub" ] || fail "a key file was written"
tpm_clean "after the refused overwrite"
[ "$(nv_records)" = 1 ] || fail "expected 1 record in NV, found $(nv_records)"

download dl-old
expect_ok "ssh-keygen -K after the refused overwrite"
[ -f "$DL/id_ecdsa_sk_rk_bob.pub" ] || fail "-K did not write id_ecdsa_sk_rk_bob"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_bob.pub")" = "$(pubkey "$T/bob1.pub")" ] ||
    fail "-K returned another key than the old one for (ssh:, bob)"
[ "$(grep -c '^Saved ECDSA-SK key' "$OUT")" = 1 ] || fail "-K did not save exactly one key"
tpm_clean "after ssh-keygen -K"

say "enroll (ssh:, bob) again and answer 'y': the record is replaced"
printf 'y\n' >"$T/answer-y"
RUN_STDIN=$T/answer-y enroll bob3 "${RES[@]}" -O user=bob
expect_ok "forced enrollment"
assert_grep "$OUT" 'Overwrite key in token \(y/n\)\?' "ssh-keygen asked whether to overwrite"
assert_quiet "$ERR" "forced enrollment"
[ -s "$T/bob3.pub" ] || fail "no key file after the forced enrollment"
[ "$(pubkey "$T/bob3.pub")" != "$(pubkey "$T/bob1.pub")" ] ||
    fail "the forced enrollment returned the old key"
# The key file carries only UP/UV/resident, never FORCE (0x10).
flags=$(skkey "$T/bob3" info | awk '$1 == "flags" {print $2}')
[ "$flags" = 0x20 ] || fail "forced key file has flags $flags, expected 0x20"
tpm_clean "after the forced enrollment"
[ "$(nv_records)" = 1 ] || fail "after the overwrite NV holds $(nv_records) records, expected 1"

download dl-new
expect_ok "ssh-keygen -K after the overwrite"
[ "$(grep -c '^Saved ECDSA-SK key' "$OUT")" = 1 ] ||
    fail "-K did not save exactly one key for (ssh:, bob)"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_bob.pub")" = "$(pubkey "$T/bob3.pub")" ] ||
    fail "-K did not return the new key for (ssh:, bob)"
tpm_clean "after ssh-keygen -K"

say "a second user under the same application: (ssh:, carol)"
enroll_ok carol "${RES[@]}" -O user=carol
[ "$(nv_records)" = 2 ] || fail "expected 2 records in NV, found $(nv_records)"
download dl-two
expect_ok "ssh-keygen -K with two users"
got=$(dir_files "$DL")
want="id_ecdsa_sk_rk_bob id_ecdsa_sk_rk_bob.pub id_ecdsa_sk_rk_carol id_ecdsa_sk_rk_carol.pub"
[ "$got" = "$want" ] || fail "ssh-keygen -K wrote '$got', expected '$want'"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_bob.pub")" = "$(pubkey "$T/bob3.pub")" ] ||
    fail "id_ecdsa_sk_rk_bob is not the new bob key"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_carol.pub")" = "$(pubkey "$T/carol.pub")" ] ||
    fail "id_ecdsa_sk_rk_carol is not the carol key"
tpm_clean "after ssh-keygen -K with two users"

say "overwrite a verify-required resident key: PIN first, then the question"
set_pin 5820
enroll_ok pin1 "${ASKPASS_ENV[@]}" -O resident -O verify-required -O user=dave
: >"$ASKPASS_LOG"
RUN_STDIN=$T/answer-y enroll pin2 "${ASKPASS_ENV[@]}" -O resident \
    -O verify-required -O user=dave
expect_ok "forced enrollment of a PIN key"
assert_quiet "$ERR" "forced enrollment of a PIN key"
[ "$(grep -c '^secret	Enter PIN for authenticator' "$ASKPASS_LOG")" = 1 ] ||
    fail "the PIN was asked for more than once (the forced retry must reuse it)"
[ "$(nv_records)" = 3 ] || fail "expected 3 records in NV, found $(nv_records)"
tpm_clean "after the forced enrollment of a PIN key"

sshd_start
DL=$T/dl-two
say "the new bob key logs in (recovered file, presence assumed)"
authorize "" "$T/bob3.pub"
login_ok login-bob "$T/bob3.pub" 0x01 "$DL/id_ecdsa_sk_rk_bob" SK_TPM_PRESENCE=assume
say "carol's key logs in"
authorize "" "$T/carol.pub"
login_ok login-carol "$T/carol.pub" 0x01 "$DL/id_ecdsa_sk_rk_carol" SK_TPM_PRESENCE=assume
say "the new PIN key logs in with the same PIN"
authorize verify-required "$T/pin2.pub"
login_ok login-pin2 "$T/pin2.pub" 0x05 "$T/pin2" "${ASKPASS_ENV[@]}"
tpm_clean "after the logins"

say PASS
