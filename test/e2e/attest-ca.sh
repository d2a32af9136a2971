#!/usr/bin/env bash
# The EK round trip for a fleet CA, with tpm2-tools and openssl as the CA
# and the real ssh-keygen: sk-tpm attest export; the CA checks the EK
# certificate and makes a credential for the AK name with
# tpm2_makecredential -T none (no TPM); the machine activates it
# (tpm2-tools: the EK with its PolicySecret(endorsement) session and our
# AK, rebuilt from the same template); the CA issues the AK certificate
# with openssl; sk-tpm attest install-cert; then an enrollment's
# attestation verifies in one shot (exit 0) with x5c. A certificate for
# another TPM's AK is neither installed nor attached.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

CLI=${2:?usage: attest-ca.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] && [ -n "${SK_TPM_TCTI_2:-}" ] ||
    fail "run me through with-swtpm.sh --ek-cert --second"
for tool in tpm2_makecredential tpm2_activatecredential tpm2_createek \
    tpm2_policysecret openssl; do
	command -v "$tool" >/dev/null || { echo "$tool missing" >&2; exit 77; }
done
E=$T/export CA=$T/ca
mkdir -p "$E" "$CA"

say "machine: sk-tpm attest export"
run export "$CLI" attest export "$E"
expect_ok "attest export"
assert_grep "$OUT" '^2 EK certificates written' "export"
tpm_clean "after export"

say "CA: the EK certificate chains to the manufacturer CA"
openssl x509 -inform der -in "$E/ek-cert-1.der" -out "$CA/ek.crt" ||
    fail "EK certificate not DER"
run ek-verify openssl verify -CAfile "$SWTPM_EK_CA" "$CA/ek.crt"
expect_ok "EK certificate chain"
openssl x509 -in "$CA/ek.crt" -pubkey -noout >"$CA/ek.pem"

say "CA: a credential for the AK name, without a TPM"
head -c 32 /dev/urandom >"$CA/secret"
run makecred tpm2_makecredential -T none -u "$CA/ek.pem" -G rsa \
    -s "$CA/secret" -n "$(cat "$E/ak.name")" -o "$CA/cred"
expect_ok "tpm2_makecredential -T none"

say "machine: activate the credential with the EK and the AK"
run createek tpm2_createek -c "$T/ek.ctx" -G rsa -u "$T/ek.pub"
expect_ok "tpm2_createek"
# Without a resource manager the tools leave their objects loaded.
tpm2_flushcontext -t >/dev/null
run createak tpm2_createprimary -C e -g sha256 -G ecc256:ecdsa-sha256:null \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
    -c "$T/ak.ctx"
expect_ok "rebuild the AK with tpm2_createprimary"
tpm2_flushcontext -t >/dev/null
run akname tpm2_readpublic -c "$T/ak.ctx" -n "$T/ak.name.bin"
expect_ok "tpm2_readpublic"
[ "$(od -An -v -tx1 "$T/ak.name.bin" | tr -d ' \n')" = "$(cat "$E/ak.name")" ] ||
    fail "tpm2-tools' AK has another name than sk-tpm's"
run session tpm2_startauthsession --policy-session -S "$T/s.ctx"
expect_ok "policy session"
run policysecret tpm2_policysecret -S "$T/s.ctx" -c e
expect_ok "PolicySecret(endorsement)"
run activate tpm2_activatecredential -c "$T/ak.ctx" -C "$T/ek.ctx" \
    -i "$CA/cred" -o "$T/secret" -P "session:$T/s.ctx"
expect_ok "tpm2_activatecredential"
tpm2_flushcontext "$T/s.ctx" >/dev/null 2>&1 || true
tpm2_flushcontext -t >/dev/null
cmp -s "$CA/secret" "$T/secret" || fail "the activated secret differs"
tpm_clean "after activation"

say "CA: the secret came back, so issue the AK certificate"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CA/ca.key" -out "$CA/ca.pem" -subj /CN=fleet-ak-ca -days 2 \
    >/dev/null 2>&1 || fail "CA"
# a throwaway request: openssl takes the AK's public key from ak.pem
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CA/dummy.key" -out "$CA/dummy.csr" -subj /CN=sk-tpm-ak \
    >/dev/null 2>&1 || fail "CSR"
printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
    'extendedKeyUsage=2.23.133.8.3' >"$CA/ak.ext"
issue() {
	openssl x509 -req -in "$CA/dummy.csr" -force_pubkey "$1" -CA "$CA/ca.pem" \
	    -CAkey "$CA/ca.key" -CAcreateserial -extfile "$CA/ak.ext" -days 2 \
	    -out "$2" >/dev/null 2>&1 || fail "issue $2"
}
issue "$E/ak.pem" "$CA/ak.crt"

say "machine: sk-tpm attest install-cert"
run install "$CLI" attest install-cert "$CA/ak.crt"
expect_ok "install-cert"
[ -s "$HOME/.config/sk-tpm/ak-cert.der" ] || fail "no certificate installed"

say "enroll: the attestation verifies in one shot with x5c"
head -c 32 /dev/urandom >"$T/chal"
enroll_ok key -O challenge="$T/chal" -O write-attestation="$T/key.att"
tpm_clean "after enrollment"
run verify "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA" --ak-ca "$CA/ca.pem"
[ "$RC" = 0 ] || fail "verify: exit status $RC, expected 0"
assert_grep "$OUT" 'ok +AK: certified .*chains to --ak-ca' "AK certified"
assert_grep "$OUT" '^result: OK' "result"
assert_no_grep "$OUT" 'NOT SHOWN|FAILED' "every guarantee shown"
sed 's/^/    /' "$OUT"

say "refused: the AK certificate checked against another CA"
run verify-other "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ak-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "verify against another CA: exit $RC, expected 1"
assert_grep "$OUT" 'FAILED +AK: the AK certificate does not chain' "other AK CA"

say "another TPM: its AK certificate is not installed here, nor attached"
mkdir -p "$T/export2"
run export2 env SK_TPM_TCTI="$SK_TPM_TCTI_2" "$CLI" attest export "$T/export2"
expect_ok "export on the second TPM"
issue "$T/export2/ak.pem" "$CA/ak2.crt"
run install-other "$CLI" attest install-cert "$CA/ak2.crt"
[ "$RC" = 1 ] || fail "installing another TPM's AK certificate: exit $RC"
assert_grep "$ERR" "certifies another key than this TPM's AK" "install other"
enroll_ok key2 SK_TPM_TCTI="$SK_TPM_TCTI_2" -O challenge="$T/chal" \
    -O write-attestation="$T/key2.att"
run verify-key2 "$CLI" verify-attestation "$T/key2.pub" "$T/key2.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify with another TPM's AK: exit $RC, expected 1"
assert_grep "$OUT" 'FAILED +AK: no AK certificate' "AK of another TPM"

say PASS
