#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm setup against a simulator without a persistent SRK:
#  - a free 0x81000001 gets the standard SRK, whose Name is the one the
#    test's own derivation (sk-tpm-testutil persist-srk) gives, and which
#    tpm2_readpublic shows; a key made before keeps signing (the same key,
#    now loaded under the persistent SRK), a key made after keeps signing
#    once the persistent SRK is evicted again;
#  - a second run changes nothing and exits 0;
#  - another key at 0x81000001 (an RSA primary) is refused with one line,
#    exit 1, and stays;
#  - with an owner password: refused without SK_TPM_OWNER_AUTH and with a
#    wrong one, done with the right one, and the password is not in a
#    capture of the TPM traffic (a control capture of setting it through
#    a password session holds it);
#  - the doctor recommends setup before and is content after.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
need_tools tpm2_createprimary tpm2_evictcontrol tpm2_readpublic \
    tpm2_changeauth tpm2_flushcontext
[ -x "${SK_TPM_TESTUTIL:-}" ] || { echo "$0: SK_TPM_TESTUTIL is not set" >&2; exit 2; }
OWNER_PW=owner-pw-in-clear-7193

# srk_name: the Name of what 0x81000001 holds, as tpm2-tools reads it.
srk_name() {
	tpm2_readpublic -c 0x81000001 -n "$T/name.bin" >/dev/null ||
	    fail "tpm2_readpublic 0x81000001 failed"
	od -An -tx1 -v "$T/name.bin" | tr -d ' \n'
}

srk_absent() {
	! tpm2_readpublic -c 0x81000001 >/dev/null 2>&1
}

key() {
	run "key-$1" env SK_TPM_PRESENCE=assume ssh-keygen -t ecdsa-sk \
	    -w "$LIB" -O no-touch-required -N '' -C "setup-$1" -f "$T/$1"
	expect_rc "key $1" 0
}

say "without a persistent SRK: a key, and the doctor's advice"
srk_absent || fail "the simulator starts with a persistent SRK"
key before
sign_ok before-1 "$T/before"
sk doctor-before doctor
expect_rc "doctor without a persistent SRK" 0
assert_grep "$OUT" '^\[warn\] SRK: no persistent SRK at 0x81000001: .*run "sk-tpm setup"' \
    "doctor recommends setup"

say "setup on a free 0x81000001"
sk made setup
expect_rc "setup" 0
assert_empty "$ERR" "setup"
assert_grep "$OUT" '^made the standard ECC P-256 SRK persistent at 0x81000001, Name 000b[0-9a-f]{64}$' "setup"
made=$(sed -n 's/.*Name //p' "$OUT")
[ "$(srk_name)" = "$made" ] || fail "tpm2_readpublic shows another Name than setup printed"
tpm_clean "after setup"

say "the same key as the test's own derivation of the standard SRK"
tpm2_evictcontrol -C o -c 0x81000001 >/dev/null
"$SK_TPM_TESTUTIL" persist-srk
[ "$(srk_name)" = "$made" ] || fail "the test's standard SRK has another Name than setup's"

say "the key made before setup signs under the persistent SRK"
sign_ok before-2 "$T/before" SK_TPM_DEBUG=1
assert_grep "$SIGN_ERR" 'using the persistent SRK at 0x81000001 \(same Name' \
    "the old key is loaded under the persistent SRK"
assert_no_grep "$SIGN_ERR" 'derived from the TCG template' "no derivation for the old key"

say "setup again: nothing to do"
sk again setup
expect_rc "setup again" 0
assert_empty "$ERR" "setup again"
assert_grep "$OUT" "^0x81000001 already holds the standard ECC P-256 SRK; nothing to do\\. Name $made\$" "setup again"
sk doctor-after doctor
expect_rc "doctor after setup" 0
assert_grep "$OUT" '^\[ok\]   SRK: the standard ECC P-256 SRK is persistent at 0x81000001$' "doctor after setup"

say "a key made after setup signs once the SRK is evicted again"
key after
sign_ok after-1 "$T/after"
tpm2_evictcontrol -C o -c 0x81000001 >/dev/null
sign_ok after-2 "$T/after"
sign_ok before-3 "$T/before"
tpm_clean "after the signatures"

say "an RSA SRK at 0x81000001 (Windows') is said to be one and left alone"
tpm2_createprimary -C o -G rsa2048 -c "$T/rsa.ctx" >/dev/null
tpm2_evictcontrol -C o -c "$T/rsa.ctx" 0x81000001 >/dev/null
tpm2_flushcontext -t >/dev/null
foreign=$(srk_name)
sk rsa setup
expect_rc "setup over an RSA SRK" 0
assert_empty "$ERR" "setup over an RSA SRK"
assert_grep "$OUT" "^0x81000001 holds an RSA SRK, probably Windows' \(a dual-boot machine\)\. Nothing done: it stays, and sk-tpm, whose keys live under an ECC P-256 SRK, derives its own .* Name $foreign\$" \
    "setup over an RSA SRK"
[ "$(srk_name)" = "$foreign" ] || fail "the RSA SRK at 0x81000001 changed"
sign_ok rsa-srk "$T/after"
tpm_clean "after setup over an RSA SRK"
tpm2_evictcontrol -C o -c 0x81000001 >/dev/null

say "another program's key (no SRK) at 0x81000001 is refused and left alone"
tpm2_createprimary -C o -G ecc256 -a 'sign|fixedtpm|fixedparent|sensitivedataorigin|userwithauth' \
    -c "$T/sign.ctx" >/dev/null
tpm2_evictcontrol -C o -c "$T/sign.ctx" 0x81000001 >/dev/null
tpm2_flushcontext -t >/dev/null
foreign=$(srk_name)
sk foreign setup
expect_rc "setup over another key" 1
assert_empty "$OUT" "setup over another key"
assert_one_error "$ERR" "setup over another key" \
    "0x81000001 holds another program's key, not a storage root key; setup leaves it alone"
[ "$(srk_name)" = "$foreign" ] || fail "the other key at 0x81000001 changed"
sign_ok foreign-key "$T/after"
tpm_clean "after the refusal"
tpm2_evictcontrol -C o -c 0x81000001 >/dev/null

say "an owner password: refused without it and with a wrong one"
# Control: set through a password session, so the capture shows it.
TCTI_PCAP_FILE=$T/control.pcap SK_TPM_TCTI="pcap:$SK_TPM_TCTI" \
    "$SK_TPM_TESTUTIL" owner-auth "" "$OWNER_PW" ||
    fail "could not set the owner password"
grep -qaF "$OWNER_PW" "$T/control.pcap" || fail "the control capture does not show the password"
sk no-auth setup
expect_rc "setup without SK_TPM_OWNER_AUTH" 1
assert_one_error "$ERR" "setup without SK_TPM_OWNER_AUTH" 'owner hierarchy has a password: set SK_TPM_OWNER_AUTH'
srk_absent || fail "setup without the owner password made an SRK"
sk wrong-auth SK_TPM_OWNER_AUTH=wrong setup
expect_rc "setup with a wrong owner password" 1
assert_one_error "$ERR" "setup with a wrong owner password" 'SK_TPM_OWNER_AUTH is not the TPM owner password'
srk_absent || fail "setup with a wrong owner password made an SRK"
tpm_clean "after the refusals"

say "with the owner password, captured: it never crosses in clear"
cap=$T/setup.pcap
sk auth SK_TPM_OWNER_AUTH="$OWNER_PW" TCTI_PCAP_FILE="$cap" \
    SK_TPM_TCTI="pcap:$SK_TPM_TCTI" setup
expect_rc "setup with the owner password" 0
assert_grep "$OUT" "^made the standard ECC P-256 SRK persistent at 0x81000001, Name $made\$" "setup with the owner password"
[ "$(srk_name)" = "$made" ] || fail "the SRK made with an owner password differs"
[ -s "$cap" ] || fail "no capture was written"
grep -qaF "$OWNER_PW" "$cap" && fail "the owner password is in the capture of setup"
tpm2_evictcontrol -C o -P "$OWNER_PW" -c 0x81000001 >/dev/null
sk auth-again SK_TPM_OWNER_AUTH="$OWNER_PW" setup
expect_rc "setup with the owner password, again" 0
sk auth-there SK_TPM_OWNER_AUTH="$OWNER_PW" setup
expect_rc "setup with the owner password, SRK there" 0
assert_grep "$OUT" "already holds the standard ECC P-256 SRK; nothing to do\\. Name $made\$" "setup with the owner password, SRK there"
sk unchecked setup
expect_rc "setup without the owner password, SRK there" 0
assert_empty "$ERR" "setup without the owner password, SRK there"
assert_grep "$OUT" "already holds a key of the standard SRK template; nothing done .*SK_TPM_OWNER_AUTH.* Name $made\$" \
    "setup without the owner password, SRK there"
tpm_clean "after setup with an owner password"
"$SK_TPM_TESTUTIL" owner-auth "$OWNER_PW" "" ||
    fail "could not remove the owner password"

say "usage"
sk extra setup extra
expect_rc "setup with an operand" 2
sk help setup --help
expect_rc "setup --help" 0
assert_grep "$OUT" '^usage: sk-tpm setup' "setup --help"

say PASS
