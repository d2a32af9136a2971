#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Text from outside is escaped when sk-tpm prints it: an application with a
# line break and an ESC sequence (ssh-keygen -O application=ssh:...), and a
# CA subject and an EK certificate's TPM manufacturer (subjectAltName)
# with the same, as attest challenge and verify-attestation show them. The
# fake "result: OK" line they carry never starts a line of the report, no
# ESC byte reaches the terminal, and the real verdict is the only one.
# Against swtpm (with-swtpm.sh --ek-cert) whose EK certificates are
# replaced, through the platform, by one from the hostile CA.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=attest-lib.sh
. "$(dirname "$0")/attest-lib.sh"

CLI=${2:?usage: attest-text.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
need_tools openssl perl tpm2_nvdefine tpm2_nvwrite tpm2_nvundefine
E=$T/export E2=$T/export2 CA=$T/ca
mkdir -p "$E" "$E2" "$CA"
FAKE=$'\nresult: OK (a key inside a genuine TPM, as stated)\e[8m'
FAKE_RE='\\x0aresult: OK \(a key inside a genuine TPM, as stated\)\\x1b\[8m'

# clean_report FILE WHAT: no ESC byte, no line break inside a value: the
# only line starting with "result:" is the last
clean_report() {
	LC_ALL=C grep -q $'\e' "$1" && fail "$2: an ESC byte was printed"
	[ "$(grep -c '^result:' "$1")" -le 1 ] || fail "$2: more than one result line"
	if grep -q '^result:' "$1"; then
		tail -n1 "$1" | grep -q '^result:' || fail "$2: a result line before the end"
	fi
}

run export "$CLI" attest export "$E"
expect_ok "attest export"
ek_tpm_attrs "$E/ek-cert-1.der"
openssl x509 -inform der -in "$E/ek-cert-1.der" -pubkey -noout >"$T/ek.pem" ||
    fail "EK public key"

say "a CA whose subject, and an EK certificate whose manufacturer, lie"
ca_make "$CA" ca "/CN=Vendor$FAKE/O=sk-tpm-test"
san=$(tpm_san_hex "id:1234$FAKE" "$MODEL" "$VERSION")
ISSUER_CERT=$CA/ca.pem ISSUER_KEY=$CA/ca.key \
    ek_ca_issue "$T/ek-hostile.der" "$T/ek.pem" /CN=ek \
    'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,keyEncipherment' \
    'extendedKeyUsage=2.23.133.8.1' "2.5.29.17=critical,DER:$san"
nv_drop "$SK_TPM_TCTI" 0x01c00002 0x01c00016
nv_plant "$SK_TPM_TCTI" p 0x01c00002 "$T/ek-hostile.der"

say "attest challenge: the EK's issuer escaped"
run export2 "$CLI" attest export "$E2"
expect_ok "attest export"
run challenge "$CLI" attest challenge "$E2" -o "$CA/cred" -s "$CA/secret" \
    --ek-ca "$CA/ca.pem"
expect_ok "attest challenge"
clean_report "$OUT" "challenge"
assert_grep "$OUT" "^sealed to the EK RSA-2048, issued by /CN=Vendor$FAKE_RE/O=sk-tpm-test\$" \
    "the issuer, escaped"
run activate "$CLI" attest activate "$CA/cred" -o "$T/got"
expect_ok "attest activate"
cmp -s "$CA/secret" "$T/got" || fail "the secret differs"
tpm_clean "after activation"
issue_ak "$CA/secret.ak.pem" "$CA/ak.der"
run install "$CLI" attest install-cert "$CA/ak.der"
expect_ok "install-cert"

say "verify-attestation: application, issuers and manufacturer escaped"
head -c 32 /dev/urandom >"$T/chal"
head -c 32 /dev/urandom >"$T/chal-other"
enroll_ok key SK_TPM_ATTEST_EK=1 -O application="ssh:$FAKE" \
    -O challenge="$T/chal" -O write-attestation="$T/key.att"
tpm_clean "after enrollment"
grep -q "^sk-ecdsa" "$T/key.pub" || fail "no key"
# the real verdict: refused (another challenge)
run verify "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal-other" --ek-ca "$CA/ca.pem" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify with another challenge: exit $RC, expected 1"
sed 's/^/    /' "$OUT"
clean_report "$OUT" "verify-attestation"
assert_grep "$OUT" "^$(re_quote "$T/key.pub"): application \"ssh:$FAKE_RE\"\$" \
    "the application, escaped"
assert_grep "$OUT" "ok +EK certificate: RSA-2048, issued by /CN=Vendor$FAKE_RE/O=sk-tpm-test, chains" \
    "the EK's issuer, escaped"
assert_grep "$OUT" "note +manufacturer: id:1234$FAKE_RE in the EK certificate" \
    "the manufacturer, escaped"
assert_grep "$OUT" "ok +AK: certified \\(ECC-256, issued by /CN=Vendor$FAKE_RE/O=sk-tpm-test\\)" \
    "the AK's issuer, escaped"
assert_grep "$OUT" '^result: REFUSED' "the real verdict"
# and with the right challenge, the one real OK
run verify-ok "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ek-ca "$CA/ca.pem" --ak-ca "$CA/ca.pem"
[ "$RC" = 0 ] || fail "verify: exit $RC, expected 0"
clean_report "$OUT" "verify-attestation"

say PASS
