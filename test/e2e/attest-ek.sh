#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The EK certificate in attestations, against two simulators with EK
# certificates from a private CA (with-swtpm.sh --ek-cert --second):
# - private by default: an attestation carries none unless
#   SK_TPM_ATTEST_EK=1, and the verifier says "not included" (not FAILED);
#   a malformed SK_TPM_ATTEST_EK is refused; attest export still hands the
#   EK to a fleet CA;
# - only indices the platform defined (TPMA_NV_PLATFORMCREATE) are used:
#   another TPM's certificate planted by the owner at 0x01C00002 is named
#   and skipped by export and left out of attestations;
# - verify-attestation --ek-ca refuses a certificate of the EK CA that is
#   not an EK certificate (a TLS server certificate) in the attestation.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=attest-lib.sh
. "$(dirname "$0")/attest-lib.sh"

CLI=${2:?usage: attest-ek.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] && [ -n "${SK_TPM_TCTI_2:-}" ] ||
    fail "run me through with-swtpm.sh --ek-cert --second"
need_tools openssl perl tpm2_nvdefine tpm2_nvwrite tpm2_nvundefine
head -c 32 /dev/urandom >"$T/chal"
E=$T/export E2=$T/export2
mkdir -p "$E" "$E2"
run export "$CLI" attest export "$E"
expect_ok "attest export"
assert_grep "$OUT" '^2 EK certificates written' "export hands over the EK"
assert_quiet "$ERR" "attest export"

# attest NAME [VAR=VALUE...]: enroll with an attestation for $T/chal
attest() {
	local name=$1
	shift
	enroll_ok "$name" "$@" -O challenge="$T/chal" \
	    -O write-attestation="$T/$name.att"
	[ -s "$T/$name.att" ] || fail "$name: no attestation written"
}

say "by default: no EK certificate in the attestation"
attest private
tpm_clean "after enrolling"
for c in "$E"/ek-cert-*.der; do
	contains "$T/private.att" "$c" && fail "$(basename "$c") is in the attestation"
done
run verify-private "$CLI" verify-attestation "$T/private.pub" \
    "$T/private.att" --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 3 ] || fail "verify: exit $RC, expected 3 (the AK is unbound)"
assert_grep "$OUT" 'note +EK certificate: not included' "not included"
assert_no_grep "$OUT" 'FAILED' "nothing failed"
assert_grep "$OUT" 'NOT SHOWN +AK: unbound' "only the AK is not shown"
[ "$(grep -c 'NOT SHOWN' "$OUT")" = 1 ] || fail "more than the AK not shown"

say "SK_TPM_ATTEST_EK=1: the EK certificates are included"
attest shared SK_TPM_ATTEST_EK=1
tpm_clean "after enrolling with the EK"
contains "$T/shared.att" "$E/ek-cert-1.der" || fail "the EK certificate is missing"
run verify-shared "$CLI" verify-attestation "$T/shared.pub" \
    "$T/shared.att" --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 3 ] || fail "verify: exit $RC, expected 3"
assert_grep "$OUT" 'ok +EK certificate: RSA-2048, issued by .*chains to --ek-ca' "EK checked"
run verify-shared-noca "$CLI" verify-attestation "$T/shared.pub" \
    "$T/shared.att" --challenge "$T/chal"
assert_grep "$OUT" 'NOT SHOWN +EK certificate: 2 present, not checked' "no --ek-ca"
run enroll-bad-setting env SK_TPM_ATTEST_EK=yes ssh-keygen -t ecdsa-sk \
    -w "$LIB" -N '' -f "$T/bad"
expect_fail "enroll with SK_TPM_ATTEST_EK=yes"
assert_grep "$ERR" 'SK_TPM_ATTEST_EK=yes is not understood; use 1' "malformed setting"
[ ! -e "$T/bad" ] || fail "a key was made with a malformed setting"

say "an index planted by the owner: named and skipped"
T2=$SK_TPM_TCTI_2
nv_drop "$T2" 0x01c00002
# this TPM's certificate where the second TPM's was, without PLATFORMCREATE
nv_plant "$T2" o 0x01c00002 "$E/ek-cert-1.der"
run export2 env SK_TPM_TCTI="$T2" "$CLI" attest export "$E2"
expect_ok "export with a planted index"
assert_grep "$ERR" 'warning: NV index 0x01c00002 skipped: not defined by the platform \(TPMA_NV_PLATFORMCREATE clear\)' \
    "the planted index is named"
assert_grep "$OUT" '^1 EK certificate written' "only the platform's index"
cmp -s "$E2/ek-cert-1.der" "$E/ek-cert-1.der" && fail "the planted certificate was exported"
attest planted SK_TPM_TCTI="$T2" SK_TPM_ATTEST_EK=1
TPM2TOOLS_TCTI=$T2 tpm_clean "after enrolling on the second TPM"
contains "$T/planted.att" "$E/ek-cert-1.der" && fail "the planted certificate is in the attestation"
contains "$T/planted.att" "$E2/ek-cert-1.der" || fail "the platform's certificate is missing"

say "verify-attestation --ek-ca: a TLS certificate of the EK CA is not an EK"
TPM2TOOLS_TCTI=$T2 tpm2_nvundefine -C o 0x01c00002 >/dev/null || fail "undefine"
nv_drop "$T2" 0x01c00016
openssl x509 -inform der -in "$E/ek-cert-1.der" -pubkey -noout >"$T/ek.pem" ||
    fail "EK public key"
ek_ca_issue "$T/tls.der" "$T/ek.pem" /CN=www.example.com \
    'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:www.example.com'
nv_plant "$T2" p 0x01c00002 "$T/tls.der"
attest tls SK_TPM_TCTI="$T2" SK_TPM_ATTEST_EK=1
TPM2TOOLS_TCTI=$T2 tpm_clean "after enrolling with a TLS certificate in NV"
contains "$T/tls.att" "$T/tls.der" || fail "the TLS certificate is not in the attestation"
run verify-tls "$CLI" verify-attestation "$T/tls.pub" "$T/tls.att" \
    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "verify with a TLS certificate as EK: exit $RC, expected 1"
assert_grep "$OUT" 'FAILED +EK certificate: not an EK certificate: its extended key usage lacks tcg-kp-EKCertificate' \
    "TLS certificate refused as EK"

say PASS
