#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# EK certificates in the forms chips store them, read through the library
# and shown by sk-tpm verify-attestation ($2): the RSA certificate behind
# the TPM 1.2 stored-certificate header (10 01 00, a 16-bit size) in a
# padded index, and the P-384 certificate followed by the CA's
# intermediate certificate in one high-range index. Both chain to the
# test CA's root alone (the intermediate comes from NV).
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015,SC2034
. "$(dirname "$0")/../e2e/lib.sh" "$@"
# shellcheck source-path=SCRIPTDIR source=profiles.sh
. "$(dirname "$0")/profiles.sh"

CLI=${2:?usage: ek-forms.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA_DIR:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
need_tools tpm2_nvdefine tpm2_nvwrite tpm2_nvundefine tpm2_nvread openssl

say "the RSA certificate wrapped (0x1001) and padded at 0x01C00002"
mkdir "$T/nv"
profile_ek_move "$T/nv" 0x01c00002 || fail "reading the RSA EK certificate failed"
len=$(stat -c %s "$T/nv/0x01c00002.der")
printf '\x10\x01\x00' >"$T/nv/head"
printf '%b' "$(printf '\\x%02x\\x%02x' $((len >> 8)) $((len & 255)))" >>"$T/nv/head"
profile_nv_put "$T/nv" 0x01c00002 1536 "$T/nv/head" "$T/nv/0x01c00002.der" ||
    fail "storing it wrapped failed"

say "the P-384 certificate and the intermediate in one index, 0x01C00016"
profile_ek_move "$T/nv" 0x01c00016 || fail "reading the P-384 EK certificate failed"
profile_der "$SWTPM_EK_CA_DIR/issuercert.pem" "$T/nv/inter.der" || fail "openssl"
profile_nv_put "$T/nv" 0x01c00016 2048 "$T/nv/0x01c00016.der" "$T/nv/inter.der" ||
    fail "storing both failed"

head -c 32 /dev/urandom >"$T/chal"
# The EK certificates go into the attestation only on request.
enroll_ok k SK_TPM_ATTEST_EK=1 -O no-touch-required -O challenge="$T/chal" \
    -O write-attestation="$T/k.att"
run verify "$CLI" verify-attestation "$T/k.pub" "$T/k.att" \
    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA_DIR/swtpm-localca-rootca-cert.pem"
[ "$RC" = 3 ] || fail "verify: exit status $RC, expected 3"
assert_grep "$OUT" 'ok +EK certificate: RSA-2048, issued by [^;]*; ECC-384, issued by .*chains to --ek-ca' \
    "both certificates read and chained to the root through NV's intermediate"
say "  $(grep 'EK certificate' "$OUT" | sed 's/^ *//')"
tpm_clean "at the end"
