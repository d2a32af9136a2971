#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The EK round trip with the high-range EKs of the TCG EK Credential
# Profile (2.3 on): ECC P-384 (template H-3) and RSA-3072 (H-6), nameAlg
# SHA-384, AES-256, authPolicy PolicyOR(PolicySecret(endorsement),
# PolicyAuthorizeNV). For each, made by tpm2_createek -G ecc384 / rsa3072:
# sk-tpm attest challenge --ek-pub and attest activate; tpm2-tools'
# credential (tpm2_makecredential -T none with the EK's public area)
# activated by sk-tpm; sk-tpm's credential activated by
# tpm2_activatecredential; an altered credential refused. Then the P-384
# EK certificate the TPM keeps at 0x01C00016: challenge --ek-ca --ek-alg
# ecc384 and activate. Run it on a chip profile (SK_TPM_TEST_PROFILE=
# nuvoton: the P-384 certificate in a padded high-range index beside the
# RSA one) as on plain swtpm.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=attest-lib.sh
. "$(dirname "$0")/attest-lib.sh"

CLI=${2:?usage: attest-high.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
need_tools tpm2_createek tpm2_readpublic tpm2_makecredential \
    tpm2_activatecredential tpm2_createprimary tpm2_flushcontext openssl
E=$T/export CA=$T/ca
mkdir -p "$E" "$CA"

say "machine: sk-tpm attest export${SK_TPM_PROFILE:+ (chip profile $SK_TPM_PROFILE)}"
run export "$CLI" attest export "$E"
expect_ok "attest export"
tpm_clean "after export"
AK_NAME=000b$(sha256sum <"$E/ak.tpmt" | cut -d' ' -f1)
[ "$AK_NAME" = "$(cat "$E/ak.name")" ] || fail "ak.name is not the Name of ak.tpmt"
# The AK as tpm2-tools makes it: the same primary of the endorsement
# hierarchy sk-tpm derives.
run createak tpm2_createprimary -C e -g sha256 -G ecc256:ecdsa-sha256:null \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
    -c "$T/ak.ctx"
expect_ok "rebuild the AK with tpm2_createprimary"
tpm2_flushcontext -t >/dev/null

for alg in ecc384:ECC-384:'ECC P-384' rsa3072:RSA-3072:RSA-3072; do
	g=${alg%%:*} desc=${alg#*:} kind=${alg##*:}
	desc=${desc%%:*}
	say "the $kind EK of the high range (tpm2_createek -G $g)"
	run "createek-$g" tpm2_createek -c "$T/ek-$g.ctx" -G "$g" \
	    -u "$CA/ek-$g.pub"
	expect_ok "tpm2_createek -G $g"
	run "readpublic-$g" tpm2_readpublic -c "$T/ek-$g.ctx" -f pem \
	    -o "$CA/ek-$g.pem"
	expect_ok "the EK's public key as PEM"
	tpm2_flushcontext -t >/dev/null

	run "challenge-$g" "$CLI" attest challenge "$E" -o "$CA/cred-$g" \
	    -s "$CA/secret-$g" --ek-pub "$CA/ek-$g.pem"
	expect_ok "attest challenge --ek-pub ($kind)"
	assert_grep "$OUT" "^sealed to the EK $desc from" "$kind EK"
	run "activate-$g" "$CLI" attest activate "$CA/cred-$g" -o "$T/got-$g"
	expect_ok "attest activate with the $kind EK"
	assert_quiet "$ERR" "attest activate ($kind)"
	cmp -s "$CA/secret-$g" "$T/got-$g" || fail "the $kind secret differs"
	tpm_clean "after activating with the $kind EK"

	say "  interop: tpm2_makecredential -T none, activated by sk-tpm"
	head -c 32 /dev/urandom >"$CA/secret-tools-$g"
	# the EK's public area (TPM2B_PUBLIC), so that tpm2-tools takes
	# its nameAlg and symmetric algorithm
	run "makecred-$g" tpm2_makecredential -T none -u "$CA/ek-$g.pub" \
	    -s "$CA/secret-tools-$g" -n "$AK_NAME" -o "$CA/cred-tools-$g"
	expect_ok "tpm2_makecredential -T none ($kind)"
	run "activate-tools-$g" "$CLI" attest activate "$CA/cred-tools-$g" \
	    -o "$T/got-tools-$g"
	expect_ok "sk-tpm activates tpm2-tools' $kind credential"
	cmp -s "$CA/secret-tools-$g" "$T/got-tools-$g" ||
	    fail "tpm2-tools' $kind secret differs"
	tpm_clean "after activating tpm2-tools' $kind credential"

	say "  interop: sk-tpm's challenge, activated by tpm2_activatecredential"
	# tpm2-tools authorises the EK with its empty auth value: the high
	# range sets userWithAuth beside adminWithPolicy
	run "activate-by-tools-$g" tpm2_activatecredential -c "$T/ak.ctx" \
	    -C "$T/ek-$g.ctx" -i "$CA/cred-$g" -o "$T/got-by-tools-$g"
	expect_ok "tpm2_activatecredential of sk-tpm's $kind credential"
	tpm2_flushcontext -t >/dev/null
	cmp -s "$CA/secret-$g" "$T/got-by-tools-$g" ||
	    fail "tpm2-tools recovered another $kind secret"
	tpm_clean "after tpm2_activatecredential ($kind)"

	say "  refused: the $kind credential altered"
	cp "$CA/cred-$g" "$CA/cred-bad-$g"
	flip_byte "$CA/cred-bad-$g" 20
	run "activate-bad-$g" "$CLI" attest activate "$CA/cred-bad-$g" \
	    -o "$T/got-bad-$g"
	[ "$RC" = 1 ] || fail "activating an altered $kind credential: exit $RC"
	assert_grep "$ERR" "not made for this TPM's EK and AK, or it was altered \\($kind EK\\)" \
	    "altered $kind credential"
	[ ! -e "$T/got-bad-$g" ] || fail "a secret was written for an altered credential"
	tpm_clean "after refusing an altered $kind credential"
done

say "the P-384 EK certificate in NV: challenge --ek-ca --ek-alg ecc384"
run challenge-cert "$CLI" attest challenge "$E" -o "$CA/cred-cert" \
    -s "$CA/secret-cert" --ek-ca "$SWTPM_EK_CA" --ek-alg ecc384
expect_ok "attest challenge --ek-alg ecc384"
assert_grep "$OUT" '^sealed to the EK ECC-384, issued by' "the P-384 EK certificate"
# the certificate's key is the EK tpm2_createek derived
cert_key "$E/ek-cert-2.der" "$CA/ek-cert-2.pem"
same_key "$CA/ek-cert-2.pem" "$CA/ek-ecc384.pem" ||
    fail "the P-384 EK certificate is not for the EK of template H-3"
run activate-cert "$CLI" attest activate "$CA/cred-cert" -o "$T/got-cert"
expect_ok "attest activate for the P-384 EK certificate"
assert_quiet "$ERR" "attest activate (EK certificate)"
cmp -s "$CA/secret-cert" "$T/got-cert" || fail "the secret for the certificate differs"
tpm_clean "after activating for the P-384 EK certificate"
# without --ek-alg the RSA-2048 certificate is taken first, as before
run challenge-default "$CLI" attest challenge "$E" -o "$CA/cred-default" \
    -s "$CA/secret-default" --ek-ca "$SWTPM_EK_CA"
expect_ok "attest challenge without --ek-alg"
assert_grep "$OUT" '^sealed to the EK RSA-2048, issued by' "the first EK certificate"
run challenge-none "$CLI" attest challenge "$E" -o "$CA/x" -s "$CA/y" \
    --ek-ca "$SWTPM_EK_CA" --ek-alg rsa3072
[ "$RC" = 1 ] || fail "challenge for an RSA-3072 certificate the TPM lacks: exit $RC"
assert_grep "$ERR" 'no RSA-3072 EK certificate that chains' "no RSA-3072 certificate"
[ ! -e "$CA/x" ] && [ ! -e "$CA/y" ] || fail "files written without an EK"
run challenge-badalg "$CLI" attest challenge "$E" -o "$CA/x" -s "$CA/y" \
    --ek-ca "$SWTPM_EK_CA" --ek-alg ecc521
[ "$RC" = 2 ] || fail "--ek-alg ecc521: exit $RC"
assert_grep "$ERR" 'one of rsa2048, rsa3072, ecc256, ecc384' "unknown --ek-alg"

say PASS
