#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The EK round trip for a fleet CA, then x5c: sk-tpm attest export; the CA
# checks the EK certificate and seals a secret for the AK's Name with
# sk-tpm attest challenge (no TPM); the machine recovers it with sk-tpm
# attest activate; the CA (openssl) issues the AK certificate in WebAuthn's
# profile; sk-tpm attest install-cert; then an enrollment's attestation
# verifies in one shot (exit 0) with x5c, that of a key bound to PCRs too,
# and python-fido2's WebAuthn "tpm" verifier is run on both. Interoperability with tpm2-tools both ways
# (tpm2_makecredential -T none activated by sk-tpm, sk-tpm's challenge
# activated by tpm2_activatecredential), the ECC P-256 EK, and refusals:
# a credential for another TPM, an altered or malformed one, a key that is
# not an AK, an EK certificate of another CA, AK certificates off the
# profile, and another TPM's AK certificate.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=attest-lib.sh
. "$(dirname "$0")/attest-lib.sh"

CLI=${2:?usage: attest-ca.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] && [ -n "${SK_TPM_TCTI_2:-}" ] ||
    fail "run me through with-swtpm.sh --ek-cert --second"
need_tools tpm2_makecredential tpm2_activatecredential tpm2_createek \
    tpm2_policysecret tpm2_startauthsession tpm2_pcrextend openssl perl python3
# the python3 that has python3-fido2 (Debian's, when another is first)
PY= FIDO2_RAN=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import fido2' 2>/dev/null; then PY=$p; break; fi
done
WEBAUTHN=$(dirname "$0")/webauthn-tpm.py
E=$T/export CA=$T/ca
mkdir -p "$E" "$CA"

say "machine: sk-tpm attest export"
run export "$CLI" attest export "$E"
expect_ok "attest export"
assert_grep "$OUT" '^2 EK certificates written' "export"
tpm_clean "after export"

say "CA: sk-tpm attest challenge, the EK certificate checked"
run challenge "$CLI" attest challenge "$E" -o "$CA/cred" -s "$CA/secret" \
    --ek-ca "$SWTPM_EK_CA"
expect_ok "attest challenge"
assert_grep "$OUT" "^credential for AK $(cat "$E/ak.name")\$" "AK name"
assert_grep "$OUT" '^sealed to the EK RSA-2048, issued by' "EK"
[ "$(stat -c %a "$CA/secret")" = 600 ] || fail "the secret is not mode 0600"
[ "$(stat -c %s "$CA/secret")" = 32 ] || fail "the secret is not 32 bytes"
assert_grep "$OUT" "^AK public key kept in $(re_quote "$CA/secret.ak.pem"): once the secret comes back, certify that key" \
    "the CA keeps its own copy of the AK"
same_key "$CA/secret.ak.pem" "$E/ak.pem" || fail "the CA's AK copy is not the exported AK"

say "machine: sk-tpm attest activate"
run activate "$CLI" attest activate "$CA/cred" -o "$T/got"
expect_ok "attest activate"
assert_quiet "$ERR" "attest activate"
cmp -s "$CA/secret" "$T/got" || fail "the activated secret differs"
tpm_clean "after activation"
run activate-hex "$CLI" attest activate "$CA/cred"
expect_ok "attest activate to stdout"
[ "$(cat "$OUT")" = "$(od -An -v -tx1 "$CA/secret" | tr -d ' \n')" ] ||
    fail "the secret printed in hex differs"
tpm_clean "after the second activation"

say "interop: tpm2_makecredential -T none, activated by sk-tpm"
openssl x509 -inform der -in "$E/ek-cert-1.der" -pubkey -noout \
    >"$CA/ek.pem" || fail "EK public key"
head -c 32 /dev/urandom >"$CA/secret-tools"
# The Name computed from ak.tpmt, as the walk-through does: never the
# machine's ak.name
AK_NAME=000b$(sha256sum <"$E/ak.tpmt" | cut -d' ' -f1)
[ "$AK_NAME" = "$(cat "$E/ak.name")" ] || fail "ak.name is not the Name of ak.tpmt"
run makecred tpm2_makecredential -T none -u "$CA/ek.pem" -G rsa \
    -s "$CA/secret-tools" -n "$AK_NAME" -o "$CA/cred-tools"
expect_ok "tpm2_makecredential -T none"
run activate-tools "$CLI" attest activate "$CA/cred-tools" -o "$T/got-tools"
expect_ok "sk-tpm activates tpm2-tools' credential"
cmp -s "$CA/secret-tools" "$T/got-tools" || fail "tpm2-tools' secret differs"
tpm_clean "after activating tpm2-tools' credential"

say "interop: sk-tpm's challenge, activated by tpm2_activatecredential"
run createek tpm2_createek -c "$T/ek.ctx" -G rsa -u "$T/ek.pub"
expect_ok "tpm2_createek"
# Without a resource manager the tools leave their objects loaded.
tpm2_flushcontext -t >/dev/null
run createak tpm2_createprimary -C e -g sha256 -G ecc256:ecdsa-sha256:null \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
    -c "$T/ak.ctx"
expect_ok "rebuild the AK with tpm2_createprimary"
tpm2_flushcontext -t >/dev/null
run session tpm2_startauthsession --policy-session -S "$T/s.ctx"
expect_ok "policy session"
run policysecret tpm2_policysecret -S "$T/s.ctx" -c e
expect_ok "PolicySecret(endorsement)"
run activate-by-tools tpm2_activatecredential -c "$T/ak.ctx" -C "$T/ek.ctx" \
    -i "$CA/cred" -o "$T/got-by-tools" -P "session:$T/s.ctx"
expect_ok "tpm2_activatecredential of sk-tpm's credential"
tpm2_flushcontext "$T/s.ctx" >/dev/null 2>&1 || true
tpm2_flushcontext -t >/dev/null
cmp -s "$CA/secret" "$T/got-by-tools" || fail "tpm2-tools recovered another secret"
tpm_clean "after tpm2_activatecredential"

say "the ECC P-256 EK (low range, no certificate here: --ek-pub)"
run createek-ecc tpm2_createek -c "$T/ek-ecc.ctx" -G ecc -u "$CA/ek-ecc.pem" -f pem
expect_ok "tpm2_createek -G ecc"
tpm2_flushcontext -t >/dev/null
run challenge-ecc "$CLI" attest challenge "$E" -o "$CA/cred-ecc" \
    -s "$CA/secret-ecc" --ek-pub "$CA/ek-ecc.pem"
expect_ok "attest challenge --ek-pub (ECC)"
assert_grep "$OUT" '^sealed to the EK ECC-256 from' "ECC EK"
run activate-ecc "$CLI" attest activate "$CA/cred-ecc" -o "$T/got-ecc"
expect_ok "attest activate with the ECC EK"
cmp -s "$CA/secret-ecc" "$T/got-ecc" || fail "the ECC secret differs"
run makecred-ecc tpm2_makecredential -T none -u "$CA/ek-ecc.pem" -G ecc \
    -s "$CA/secret-tools" -n "$AK_NAME" -o "$CA/cred-tools-ecc"
expect_ok "tpm2_makecredential -T none -G ecc"
run activate-tools-ecc "$CLI" attest activate "$CA/cred-tools-ecc" \
    -o "$T/got-tools-ecc"
expect_ok "sk-tpm activates tpm2-tools' ECC credential"
cmp -s "$CA/secret-tools" "$T/got-tools-ecc" || fail "ECC interop secret differs"
tpm_clean "after the ECC activations"

say "refused: a credential for another TPM"
E2=$T/export2
mkdir -p "$E2"
run export2 env SK_TPM_TCTI="$SK_TPM_TCTI_2" "$CLI" attest export "$E2"
expect_ok "export on the second TPM"
run challenge2 "$CLI" attest challenge "$E2" -o "$CA/cred2" -s "$CA/secret2" \
    --ek-ca "$SWTPM_EK_CA"
expect_ok "challenge for the second TPM"
run activate-other "$CLI" attest activate "$CA/cred2" -o "$T/got2"
[ "$RC" = 1 ] || fail "activating another TPM's credential: exit $RC"
assert_grep "$ERR" "not made for this TPM's EK and AK" "another TPM"
[ ! -e "$T/got2" ] || fail "a secret was written for another TPM"
tpm_clean "after refusing another TPM's credential"
# The right EK, another AK Name (the second TPM's AK): the HMAC fails.
cp "$E/ek-cert-1.der" "$E/ek-cert-2.der" "$T/" && mkdir -p "$T/mixed" &&
    cp "$E"/ek-cert-*.der "$E2/ak.tpmt" "$T/mixed/" || fail "mixed export"
run challenge-mixed "$CLI" attest challenge "$T/mixed" -o "$CA/cred-mixed" \
    -s "$CA/secret-mixed" --ek-ca "$SWTPM_EK_CA"
expect_ok "challenge for this EK and another AK"
run activate-mixed "$CLI" attest activate "$CA/cred-mixed"
[ "$RC" = 1 ] || fail "activating for another AK: exit $RC"
assert_grep "$ERR" "not made for this TPM's EK and AK" "another AK"
tpm_clean "after refusing a credential for another AK"

say "refused: an altered credential, a malformed file"
cp "$CA/cred" "$CA/cred-bad"
flip_byte "$CA/cred-bad" 20
run activate-bad "$CLI" attest activate "$CA/cred-bad"
[ "$RC" = 1 ] || fail "activating an altered credential: exit $RC"
assert_grep "$ERR" "not made for this TPM's EK and AK, or it was altered" "altered"
tpm_clean "after refusing an altered credential"
head -c 100 "$CA/cred" >"$CA/cred-short"
run activate-short "$CLI" attest activate "$CA/cred-short"
[ "$RC" = 1 ] || fail "activating a truncated file: exit $RC"
assert_grep "$ERR" "truncated" "truncated credential"
head -c 700 /dev/zero >"$CA/cred-long"
run activate-long "$CLI" attest activate "$CA/cred-long"
[ "$RC" = 2 ] || fail "activating an over-long file: exit $RC"
assert_grep "$ERR" "too long for a credential" "over-long credential"
run activate-junk "$CLI" attest activate "$E/ak.tpmt"
[ "$RC" = 1 ] || fail "activating a non-credential: exit $RC"
assert_grep "$ERR" "no 0xBADCC0DE magic" "not a credential"

say "refused by the CA: a key that is not an AK, an EK of another CA"
mkdir -p "$T/notak"
cp "$E"/ek-cert-*.der "$T/notak/"
# a signing key of the TPM that is not restricted: it could sign anything
run notak tpm2_createprimary -C e -g sha256 -G ecc256:ecdsa-sha256:null \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign' \
    -c "$T/notak.ctx"
expect_ok "an unrestricted signing key"
run notak-pub tpm2_readpublic -c "$T/notak.ctx" -o "$T/notak.tss"
expect_ok "tpm2_readpublic"
tpm2_flushcontext -t >/dev/null
tail -c +3 "$T/notak.tss" >"$T/notak/ak.tpmt"
run challenge-notak "$CLI" attest challenge "$T/notak" -o "$CA/x" -s "$CA/y" \
    --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "challenge for a key that is not an AK: exit $RC"
assert_grep "$ERR" 'not a restricted ECDSA P-256 signing key' "not an AK"
[ ! -e "$CA/x" ] && [ ! -e "$CA/y" ] || fail "files written for a non-AK"
tpm_clean "after the non-AK key"
ca_make "$CA" other
run challenge-otherca "$CLI" attest challenge "$E" -o "$CA/x" -s "$CA/y" \
    --ek-ca "$CA/other.pem"
[ "$RC" = 1 ] || fail "challenge with an EK of another CA: exit $RC"
assert_grep "$ERR" 'no RSA-2048, RSA-3072, ECC P-256 or ECC P-384 EK certificate that chains' "other CA"
[ ! -e "$CA/x" ] && [ ! -e "$CA/y" ] || fail "files written for a refused EK"
run challenge-usage "$CLI" attest challenge "$E" -o "$CA/x" -s "$CA/y"
[ "$RC" = 2 ] || fail "challenge without --ek-ca/--ek-pub: exit $RC"

say "CA: the secret came back, so issue the AK certificate (WebAuthn profile)"
ca_make "$CA" ca /CN=fleet-ak-ca
# The TPM's manufacturer, model and version, as its EK certificate says.
ek_tpm_attrs "$E/ek-cert-1.der"
# The key the CA kept when it sealed the secret, never the machine's ak.pem
issue_ak "$CA/secret.ak.pem" "$CA/ak.der"

say "machine: sk-tpm attest install-cert"
run install "$CLI" attest install-cert "$CA/ak.der"
expect_ok "install-cert"
assert_no_grep "$ERR" 'warning' "install-cert of a certificate in the profile"
[ -s "$HOME/.config/sk-tpm/ak-cert.der" ] || fail "no certificate installed"
cmp -s "$HOME/.config/sk-tpm/ak-cert.der" "$CA/ak.der" ||
    fail "the installed certificate differs"

say "enroll: the attestation verifies in one shot with x5c"
head -c 32 /dev/urandom >"$T/chal"
enroll_ok key -O challenge="$T/chal" -O write-attestation="$T/key.att"
tpm_clean "after enrollment"
run verify "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA" --ak-ca "$CA/ca.pem"
[ "$RC" = 0 ] || fail "verify: exit status $RC, expected 0"
assert_grep "$OUT" 'ok +AK: certified .*chains to --ak-ca' "AK certified"
assert_grep "$OUT" 'note +EK certificate: not included' "the EK is private by default"
assert_grep "$OUT" '^result: OK' "result"
assert_no_grep "$OUT" 'NOT SHOWN|FAILED' "every guarantee shown"
sed 's/^/    /' "$OUT"
say "enroll with SK_TPM_ATTEST_EK=1: the EK certificate checked too"
enroll_ok key-ek SK_TPM_ATTEST_EK=1 -O challenge="$T/chal" \
    -O write-attestation="$T/key-ek.att"
tpm_clean "after enrollment"
run verify-ek "$CLI" verify-attestation "$T/key-ek.pub" "$T/key-ek.att" \
    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA" --ak-ca "$CA/ca.pem"
[ "$RC" = 0 ] || fail "verify: exit status $RC, expected 0"
assert_grep "$OUT" 'ok +EK certificate: RSA-2048, issued by .*chains to --ek-ca' "EK"
assert_grep "$OUT" "note +manufacturer: $MANUF in the EK certificate, id:[0-9A-F]{8} .* as the TPM reports it" \
    "manufacturer shown"
assert_no_grep "$OUT" 'NOT SHOWN|FAILED' "every guarantee shown"

say "a key bound to PCR 8: certified through its Certify branch, proven in one shot"
tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
enroll key-pcr SK_TPM_PCRS=8 -O challenge="$T/chal" \
    -O write-attestation="$T/key-pcr.att"
expect_ok "enroll key-pcr"
assert_one_sk_line "$ERR" "enrollment names the binding" 'bound to PCR 8 \(sha256\)'
tpm_clean "after enrollment"
run verify-pcr "$CLI" verify-attestation "$T/key-pcr.pub" "$T/key-pcr.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 0 ] || fail "verify key-pcr: exit status $RC, expected 0"
assert_grep "$OUT" 'ok +bound to PCRs: 8 \(sha256\)' "the PCRs shown"
assert_grep "$OUT" '^result: OK' "result"
assert_no_grep "$OUT" 'NOT SHOWN|FAILED' "every guarantee shown"

say "an independent verifier: python-fido2's WebAuthn \"tpm\" attestation"
if [ -z "$PY" ]; then
	say "  SKIPPED: python3-fido2 is not installed (.ci/packages has it)"
else
	run webauthn "$PY" "$WEBAUTHN" "$T/key.att" "$T/chal"
	sed 's/^/    /' "$OUT"
	assert_grep "$OUT" "^webauthn-tpm: (SKIPPED|sk-tpm statement version 3, WebAuthn's \"tpm\" attStmt as it stands)" \
	    "the statement goes to fido2 as it is"
	if [ "$RC" = 77 ]; then
		assert_grep "$OUT" '^webauthn-tpm: SKIPPED: python-fido2 0\.9' \
		    "only fido2 0.9 is skipped"
	else
		[ "$RC" = 0 ] || fail "fido2's TPM attestation verifier: exit $RC"
		assert_grep "$OUT" '^webauthn-tpm: OK' "fido2 accepts"
		head -c 32 /dev/urandom >"$T/chal-other"
		run webauthn-chal "$PY" "$WEBAUTHN" "$T/key.att" "$T/chal-other"
		[ "$RC" = 1 ] || fail "fido2 with another challenge: exit $RC"
		assert_grep "$OUT" 'REFUSED by fido2: .*authData and ClientData' \
		    "fido2 refuses another challenge"
		# one byte of certInfo's clock (as attest.sh tampers)
		cp "$T/key.att" "$T/key-tampered.att"
		off=$(LC_ALL=C grep -obUaP '\xff\x54\x43\x47' "$T/key.att" |
		    head -n1 | cut -d: -f1)
		[ -n "$off" ] || fail "no certInfo found"
		flip_byte "$T/key-tampered.att" $((off + 6 + 36 + 34 + 7))
		run webauthn-tampered "$PY" "$WEBAUTHN" "$T/key-tampered.att" \
		    "$T/chal"
		[ "$RC" = 1 ] || fail "fido2 with a tampered file: exit $RC"
		assert_grep "$OUT" 'REFUSED by fido2: InvalidSignature' \
		    "fido2 refuses a tampered file"
		# The PCR-bound key: its public area's authPolicy is the
		# PolicyOR of its branches, which fido2 takes as it is.
		run webauthn-pcr "$PY" "$WEBAUTHN" "$T/key-pcr.att" "$T/chal"
		[ "$RC" = 0 ] || fail "fido2 on the PCR-bound key: exit $RC"
		assert_grep "$OUT" '^webauthn-tpm: OK' "fido2 accepts the PCR-bound key"
		FIDO2_RAN=1
	fi
fi

say "refused: AK certificates off WebAuthn's profile"
for bad in subject:'its subject is not empty' \
    no-eku:'its extended key usage lacks tcg-kp-AIKCertificate' \
    ca:'it is a CA certificate' \
    no-san:'no subjectAltName with the TPM manufacturer' \
    san-not-critical:'its subjectAltName is not critical'; do
	kind=${bad%%:*} why=${bad#*:}
	issue_ak "$CA/secret.ak.pem" "$CA/ak-$kind.der" "$kind"
	splice_cert "$T/key.att" "$CA/ak-$kind.der" "$T/key-$kind.att" ||
	    fail "splice $kind"
	run "verify-$kind" "$CLI" verify-attestation "$T/key.pub" \
	    "$T/key-$kind.att" --challenge "$T/chal" --ak-ca "$CA/ca.pem"
	[ "$RC" = 1 ] || fail "verify with an AK certificate ($kind): exit $RC"
	assert_grep "$OUT" "FAILED +AK: the AK certificate does not follow WebAuthn's TPM profile \\(section 8.3.1\\): $why" \
	    "AK certificate $kind"
	# fido2 checks the EKU of the profile (its subject check, as of 1.1,
	# looks for an attribute that no name has, so it passes anything)
	if [ -n "$FIDO2_RAN" ] && [ "$kind" = no-eku ]; then
		run "webauthn-$kind" "$PY" "$WEBAUTHN" "$T/key-$kind.att" "$T/chal"
		[ "$RC" = 1 ] || fail "fido2 with an AK certificate ($kind): exit $RC"
		assert_grep "$OUT" 'REFUSED by fido2: InvalidData' "fido2 $kind"
	fi
done
run install-subject "$CLI" attest install-cert "$CA/ak-subject.der"
expect_ok "install-cert of a certificate off the profile"
assert_grep "$ERR" "warning: .*WebAuthn verifiers will refuse it: its subject is not empty" \
    "install-cert warns"
run install-back "$CLI" attest install-cert "$CA/ak.der"
expect_ok "install-cert again"

say "refused: the AK certificate checked against another CA"
run verify-other "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ak-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "verify against another CA: exit $RC, expected 1"
assert_grep "$OUT" 'FAILED +AK: the AK certificate does not chain' "other AK CA"

say "another TPM: its AK certificate is not installed here, nor attached"
issue_ak "$CA/secret2.ak.pem" "$CA/ak2.der"
run install-other "$CLI" attest install-cert "$CA/ak2.der"
[ "$RC" = 1 ] || fail "installing another TPM's AK certificate: exit $RC"
assert_grep "$ERR" "certifies another key than this TPM's AK" "install other"
enroll_ok key2 SK_TPM_TCTI="$SK_TPM_TCTI_2" -O challenge="$T/chal" \
    -O write-attestation="$T/key2.att"
run verify-key2 "$CLI" verify-attestation "$T/key2.pub" "$T/key2.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify with another TPM's AK: exit $RC, expected 1"
assert_grep "$OUT" 'FAILED +AK: no AK certificate' "AK of another TPM"

say PASS
