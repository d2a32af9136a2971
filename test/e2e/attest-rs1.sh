#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The opt-in RS1 attestation, for CAs whose verifier is libfido2: the EK
# round trip with the RSA-2048 AK (sk-tpm attest export/challenge/activate
# --ak rs1, files ak-rs1.*), its AK certificate installed beside the
# ES256 AK's, then an enrollment with SK_TPM_ATTEST_ALG=rs1 (and with the
# config file's attestation-alg) whose real ssh-keygen -O write-attestation
# file verifies with sk-tpm verify-attestation (exit 0), with libfido2's
# fido_cred_verify (test/fido2/fido2-tpm-verify.c) and with python-fido2
# where it can check TPM statements; each refuses another challenge and a
# tampered file. ES256 stays the default and libfido2 refuses it, which is
# why RS1 exists. Malformed settings fail clearly.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=attest-lib.sh
. "$(dirname "$0")/attest-lib.sh"

CLI=${2:?usage: attest-rs1.sh LIB SK-TPM FIDO2-TPM-VERIFY}
FIDO=${3:?usage: attest-rs1.sh LIB SK-TPM FIDO2-TPM-VERIFY}
[ -n "${SWTPM_EK_CA:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
need_tools openssl perl python3 tpm2_createprimary tpm2_readpublic \
    tpm2_makecredential tpm2_flushcontext tpm2_pcrextend
if [ "$FIDO" = none ]; then
	say "SKIPPED: built without libfido2 (libfido2-dev, .ci/packages)"
	exit 77
fi
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import fido2' 2>/dev/null; then PY=$p; break; fi
done
WEBAUTHN=$(dirname "$0")/webauthn-tpm.py
E=$T/export CA=$T/ca
mkdir -p "$E" "$CA"

say "machine: sk-tpm attest export, both AKs, each in its own files"
run export "$CLI" attest export "$E"
expect_ok "attest export (the default, ES256)"
run export-rs1 "$CLI" attest export "$E" --ak rs1
expect_ok "attest export --ak rs1"
assert_grep "$OUT" '^the RS1 AK \(RSA-2048, RSASSA-SHA-1\): ak-rs1.tpmt' "export names the AK"
for f in ak.tpmt ak.pem ak.name ak-rs1.tpmt ak-rs1.pem ak-rs1.name; do
	[ -s "$E/$f" ] || fail "export wrote no $f"
done
openssl pkey -pubin -in "$E/ak-rs1.pem" -noout -text 2>/dev/null |
    grep -q 'Public-Key: (2048 bit)' || fail "ak-rs1.pem is not an RSA-2048 key"
# the RSA AK's TPMT_PUBLIC: RSA (0x0001), nameAlg SHA-256, RSASSA (0x0014)
# with SHA-1 (0x0004), 2048 bits, exponent 0 (65537)
[ "$(od -An -v -tx1 -N 20 "$E/ak-rs1.tpmt" | tr -d ' \n')" = \
    0001000b00050072000000100014000408000000 ] ||
    fail "ak-rs1.tpmt: not the RS1 template: $(od -An -tx1 -N 20 "$E/ak-rs1.tpmt")"
run export-again "$CLI" attest export "$T/export-again" --ak rs1
[ "$RC" != 0 ] || fail "export into a missing directory succeeded"
mkdir -p "$T/export-again"
run export-again "$CLI" attest export "$T/export-again" --ak rs1
expect_ok "export again"
cmp -s "$E/ak-rs1.tpmt" "$T/export-again/ak-rs1.tpmt" ||
    fail "the RS1 AK is not the same key every time"
run export-bad "$CLI" attest export "$E" --ak rsa
[ "$RC" = 2 ] || fail "export --ak rsa: exit $RC"
tpm_clean "after export"

say "CA: sk-tpm attest challenge --ak rs1"
run challenge "$CLI" attest challenge "$E" --ak rs1 -o "$CA/cred" \
    -s "$CA/secret" --ek-ca "$SWTPM_EK_CA"
expect_ok "attest challenge --ak rs1"
assert_grep "$OUT" "^credential for AK $(cat "$E/ak-rs1.name")\$" "RS1 AK name"
assert_grep "$OUT" '^the RS1 AK \(RSA-2048, RSASSA-SHA-1\)$' "challenge names the AK"
assert_grep "$OUT" 'sk-tpm attest activate --ak rs1\)$' "challenge says how to activate"
same_key "$CA/secret.ak.pem" "$E/ak-rs1.pem" || fail "the CA's copy is not the RS1 AK"
# the RS1 AK's Name, computed from ak-rs1.tpmt as the walk-through does
[ "000b$(sha256sum <"$E/ak-rs1.tpmt" | cut -d' ' -f1)" = "$(cat "$E/ak-rs1.name")" ] ||
    fail "ak-rs1.name is not the Name of ak-rs1.tpmt"
# ak-rs1.pem swapped for the ES256 AK's (or any other key): refused
mkdir -p "$T/swapped" && cp "$E"/ek-cert-*.der "$E"/ak-rs1.tpmt "$T/swapped/" &&
    cp "$E/ak.pem" "$T/swapped/ak-rs1.pem" || fail "swapped export"
run challenge-swapped "$CLI" attest challenge "$T/swapped" --ak rs1 \
    -o "$CA/x" -s "$CA/y" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "challenge with a swapped ak-rs1.pem: exit $RC"
assert_grep "$ERR" 'ak-rs1.pem is not the key of ak-rs1.tpmt' "swapped ak-rs1.pem"
[ ! -e "$CA/x" ] || fail "a credential was written for a swapped ak-rs1.pem"
# the ES256 AK's public area under the RS1 name: refused
mkdir -p "$T/wrongkind" && cp "$E"/ek-cert-*.der "$T/wrongkind/" &&
    cp "$E/ak.tpmt" "$T/wrongkind/ak-rs1.tpmt" || fail "wrong-kind export"
run challenge-wrongkind "$CLI" attest challenge "$T/wrongkind" --ak rs1 \
    -o "$CA/x" -s "$CA/y" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "challenge --ak rs1 with an ECC AK: exit $RC"
assert_grep "$ERR" 'not a restricted RSA-2048 RSASSA-SHA-1 signing key' "ECC AK as rs1"

say "machine: sk-tpm attest activate, with the AK the credential names"
run activate-es256 "$CLI" attest activate "$CA/cred" -o "$T/got-es256"
[ "$RC" = 1 ] || fail "activating the RS1 AK's credential with the ES256 AK: exit $RC"
assert_grep "$ERR" "not made for this TPM's EK and AK" "the default AK is ES256"
[ ! -e "$T/got-es256" ] || fail "a secret was written for the wrong AK"
tpm_clean "after refusing the wrong AK"
run activate "$CLI" attest activate --ak rs1 "$CA/cred" -o "$T/got"
expect_ok "attest activate --ak rs1"
assert_quiet "$ERR" "attest activate --ak rs1"
cmp -s "$CA/secret" "$T/got" || fail "the activated secret differs"
tpm_clean "after activation"
run activate-env env SK_TPM_ATTEST_ALG=rs1 "$CLI" attest activate "$CA/cred" \
    -o "$T/got-env"
expect_ok "attest activate with SK_TPM_ATTEST_ALG=rs1"
cmp -s "$CA/secret" "$T/got-env" || fail "the activated secret differs (env)"
tpm_clean "after the second activation"

say "interop: the RS1 AK is tpm2-tools' rsa2048:rsassa-sha1:null primary"
run createak tpm2_createprimary -C e -g sha256 -G rsa2048:rsassa-sha1:null \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
    -c "$T/ak.ctx"
expect_ok "tpm2_createprimary of the RS1 AK"
run readak tpm2_readpublic -c "$T/ak.ctx" -o "$T/ak.tss"
expect_ok "tpm2_readpublic"
tpm2_flushcontext -t >/dev/null
tail -c +3 "$T/ak.tss" | cmp -s - "$E/ak-rs1.tpmt" ||
    fail "tpm2-tools' primary is not the RS1 AK of ak-rs1.tpmt"
openssl x509 -inform der -in "$E/ek-cert-1.der" -pubkey -noout \
    >"$CA/ek.pem" || fail "EK public key"
head -c 32 /dev/urandom >"$CA/secret-tools"
run makecred tpm2_makecredential -T none -u "$CA/ek.pem" -G rsa \
    -s "$CA/secret-tools" -n "$(cat "$E/ak-rs1.name")" -o "$CA/cred-tools"
expect_ok "tpm2_makecredential -T none for the RS1 AK"
run activate-tools "$CLI" attest activate --ak rs1 "$CA/cred-tools" \
    -o "$T/got-tools"
expect_ok "sk-tpm activates tpm2-tools' credential with the RS1 AK"
cmp -s "$CA/secret-tools" "$T/got-tools" || fail "tpm2-tools' secret differs"
tpm_clean "after the tpm2-tools interop"

say "CA: issue the RS1 AK's certificate; machine: install-cert"
ca_make "$CA" ca /CN=fleet-ak-ca
ek_tpm_attrs "$E/ek-cert-1.der"
issue_ak "$CA/secret.ak.pem" "$CA/ak-rs1.der"
run install "$CLI" attest install-cert "$CA/ak-rs1.der"
expect_ok "install-cert (RSA)"
assert_no_grep "$ERR" 'warning' "install-cert of a certificate in the profile"
assert_grep "$OUT" 'ak-rs1-cert.der \(the RS1 AK.s certificate\)$' "installed as the RS1 AK's"
cmp -s "$HOME/.config/sk-tpm/ak-rs1-cert.der" "$CA/ak-rs1.der" ||
    fail "the installed certificate differs"
[ ! -e "$HOME/.config/sk-tpm/ak-cert.der" ] ||
    fail "the RS1 AK's certificate took the ES256 AK's place"
# an RSA certificate for another key is not this TPM's RS1 AK
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
    openssl pkey -pubout >"$CA/other-rsa.pem" || fail "RSA key"
issue_ak "$CA/other-rsa.pem" "$CA/ak-other.der"
run install-other "$CLI" attest install-cert "$CA/ak-other.der"
[ "$RC" = 1 ] || fail "installing another RSA key's certificate: exit $RC"
assert_grep "$ERR" "certifies another key than this TPM's AK \(its RS1 AK\)" "other RSA key"

say "enroll with SK_TPM_ATTEST_ALG=rs1: the RS1 statement"
head -c 32 /dev/urandom >"$T/chal"
enroll_ok key SK_TPM_ATTEST_ALG=rs1 -O challenge="$T/chal" \
    -O write-attestation="$T/key.att"
tpm_clean "after enrollment"
run verify "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA" --ak-ca "$CA/ca.pem"
sed 's/^/    /' "$OUT"
[ "$RC" = 0 ] || fail "verify: exit status $RC, expected 0"
assert_grep "$OUT" 'ok +signature: .*signed certInfo \(RS1: RSASSA-PKCS1-v1_5 with SHA-1, alg -65535\)' "RS1 signature"
assert_grep "$OUT" 'ok +challenge: extraData = SHA-1\(authData' "SHA-1 extraData"
assert_grep "$OUT" 'ok +AK: certified \(RSA-2048, issued by /CN=fleet-ak-ca\), chains to --ak-ca' "RSA AK certified"
assert_no_grep "$OUT" 'NOT SHOWN|FAILED' "every guarantee shown"
# the statement says alg -65535 (CBOR 0x39 0xfffe after "alg")
LC_ALL=C grep -qaP '\x63alg\x39\xff\xfe' "$T/key.att" || fail "the statement's alg is not -65535"

say "libfido2: fido_cred_verify accepts the RS1 file"
run fido2 "$FIDO" "$T/key.att" "$T/chal" ssh:
sed 's/^/    /' "$OUT"
[ "$RC" = 0 ] || fail "libfido2 refused the RS1 attestation: exit $RC"
assert_grep "$OUT" "^fido2-tpm-verify: OK: libfido2's fido_cred_verify accepted" "libfido2 accepts"
head -c 32 /dev/urandom >"$T/chal-other"
run fido2-chal "$FIDO" "$T/key.att" "$T/chal-other" ssh:
[ "$RC" = 1 ] || fail "libfido2 with another challenge: exit $RC"
assert_grep "$OUT" 'REFUSED by libfido2: fido_cred_verify' "libfido2 refuses another challenge"
run fido2-app "$FIDO" "$T/key.att" "$T/chal" ssh:other
[ "$RC" = 1 ] || fail "libfido2 with another application: exit $RC"
# one byte of certInfo's clock, then one of the signature
cp "$T/key.att" "$T/key-clock.att"
off=$(LC_ALL=C grep -obUaP '\xff\x54\x43\x47' "$T/key.att" | head -n1 | cut -d: -f1)
[ -n "$off" ] || fail "no certInfo found"
flip_byte "$T/key-clock.att" $((off + 6 + 36 + 22 + 3))
run fido2-clock "$FIDO" "$T/key-clock.att" "$T/chal" ssh:
[ "$RC" = 1 ] || fail "libfido2 with a tampered certInfo: exit $RC"
assert_grep "$OUT" 'REFUSED by libfido2: fido_cred_verify' "libfido2 refuses a tampered certInfo"
run verify-clock "$CLI" verify-attestation "$T/key.pub" "$T/key-clock.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify-attestation with a tampered certInfo: exit $RC"
assert_grep "$OUT" "FAILED +signature: the AK's signature over certInfo is not valid" "tampered certInfo"
cp "$T/key.att" "$T/key-sig.att"
off=$(LC_ALL=C grep -obUaP '\x63sig\x59\x01\x00' "$T/key.att" | head -n1 | cut -d: -f1)
[ -n "$off" ] || fail "no 256-byte sig found"
flip_byte "$T/key-sig.att" $((off + 7 + 100))
run fido2-sig "$FIDO" "$T/key-sig.att" "$T/chal" ssh:
[ "$RC" = 1 ] || fail "libfido2 with a tampered signature: exit $RC"
run verify-sig "$CLI" verify-attestation "$T/key.pub" "$T/key-sig.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify-attestation with a tampered signature: exit $RC"
assert_grep "$OUT" "FAILED +signature: the AK's signature over certInfo is not valid" "tampered signature"
run verify-chal "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal-other" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify-attestation with another challenge: exit $RC"
assert_grep "$OUT" 'FAILED +challenge: extraData is not SHA-1' "another challenge"
# alg said -7 over the RSA AK's signature: refused, not misread (an
# ES256 signature is DER of at most 72 bytes, so the statement is
# malformed before the AK is looked at)
LC_ALL=C perl -0777 -e '
    open(F, "<:raw", $ARGV[0]) or die; $a = <F>; close F;
    ($m, $c, $sig, $rest) = unpack("N/a* N/a* N/a* a*", $a);
    $sig =~ s/\x63alg\x39\xff\xfe/\x63alg\x26/ or die "no alg";
    open(F, ">:raw", $ARGV[1]) or die;
    print F pack("N/a* N/a* N/a* a*", $m, $c, $sig, $rest)' \
    "$T/key.att" "$T/key-alg.att" || fail "alg rewrite"
run verify-alg "$CLI" verify-attestation "$T/key.pub" "$T/key-alg.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 1 ] || fail "verify-attestation with alg -7 over an RSA AK: exit $RC"
assert_grep "$OUT" "FAILED +attestation: malformed" "alg swapped"
run fido2-alg "$FIDO" "$T/key-alg.att" "$T/chal" ssh:
[ "$RC" = 1 ] || fail "libfido2 with alg -7 over an RSA AK: exit $RC"

say "python-fido2 on the RS1 file"
if [ -z "$PY" ]; then
	fail "python3-fido2 is not installed (.ci/packages has it)"
fi
run webauthn "$PY" "$WEBAUTHN" "$T/key.att" "$T/chal"
sed 's/^/    /' "$OUT"
if [ "$RC" = 77 ]; then
	# fido2 0.9 (Debian 12) checks no ECC pubArea at all, whatever alg
	assert_grep "$OUT" '^webauthn-tpm: SKIPPED: python-fido2 0\.9' "only fido2 0.9 is skipped"
else
	[ "$RC" = 0 ] || fail "python-fido2 refused the RS1 attestation: exit $RC"
	assert_grep "$OUT" '^webauthn-tpm: OK' "python-fido2 accepts"
	run webauthn-chal "$PY" "$WEBAUTHN" "$T/key.att" "$T/chal-other"
	[ "$RC" = 1 ] || fail "python-fido2 with another challenge: exit $RC"
	run webauthn-clock "$PY" "$WEBAUTHN" "$T/key-clock.att" "$T/chal"
	[ "$RC" = 1 ] || fail "python-fido2 with a tampered certInfo: exit $RC"
fi

say "the config file's attestation-alg = rs1, and ES256 still the default"
printf '# attestation for a libfido2 CA\nattestation-alg = rs1\n' >"$T/config"
enroll_ok key-conf SK_TPM_CONFIG="$T/config" -O challenge="$T/chal" \
    -O write-attestation="$T/key-conf.att"
run fido2-conf "$FIDO" "$T/key-conf.att" "$T/chal" ssh:
[ "$RC" = 0 ] || fail "libfido2 refused the config file's RS1 attestation: exit $RC"
enroll_ok key-es SK_TPM_CONFIG="$T/config" SK_TPM_ATTEST_ALG=es256 \
    -O challenge="$T/chal" -O write-attestation="$T/key-es.att"
enroll_ok key-default -O challenge="$T/chal" -O write-attestation="$T/key-default.att"
tpm_clean "after the enrollments"
for k in key-es key-default; do
	LC_ALL=C grep -qaP '\x63alg\x26' "$T/$k.att" || fail "$k: the statement's alg is not -7"
	run "verify-$k" "$CLI" verify-attestation "$T/$k.pub" "$T/$k.att" \
	    --challenge "$T/chal"
	[ "$RC" = 3 ] || fail "verify $k (ES256, no AK certificate installed): exit $RC"
	assert_grep "$OUT" 'ok +signature: .*signed certInfo$' "$k: ES256 signature"
	assert_grep "$OUT" 'ok +challenge: extraData = SHA-256' "$k: SHA-256 extraData"
	# libfido2 knows only RS1 "tpm" statements: why this option exists
	run "fido2-$k" "$FIDO" "$T/$k.att" "$T/chal" ssh:
	[ "$RC" = 1 ] || fail "libfido2 on an ES256 statement: exit $RC (it checks only RS1)"
done

say "a PCR-bound key: certified by the RS1 AK through its Certify branch"
tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
enroll key-pcr SK_TPM_ATTEST_ALG=rs1 SK_TPM_PCRS=8 -O challenge="$T/chal" \
    -O write-attestation="$T/key-pcr.att"
expect_ok "enroll bound to PCR 8 with RS1"
tpm_clean "after the PCR-bound enrollment"
run verify-pcr "$CLI" verify-attestation "$T/key-pcr.pub" "$T/key-pcr.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem"
[ "$RC" = 0 ] || fail "verify the PCR-bound key's RS1 attestation: exit $RC"
assert_grep "$OUT" 'alg -65535' "the PCR-bound key's RS1 signature"
run fido2-pcr "$FIDO" "$T/key-pcr.att" "$T/chal" ssh:
[ "$RC" = 0 ] || fail "libfido2 refused the PCR-bound key's RS1 attestation: exit $RC"

say "malformed settings fail the enrollment clearly"
enroll bad-env SK_TPM_ATTEST_ALG=rsa
[ "$RC" != 0 ] || fail "enrollment with SK_TPM_ATTEST_ALG=rsa succeeded"
assert_grep "$ERR" 'SK_TPM_ATTEST_ALG=rsa is not understood; use es256 \(the default\) or rs1' "bad env"
printf 'attestation-alg = es384\n' >"$T/config-bad"
enroll bad-conf SK_TPM_CONFIG="$T/config-bad"
[ "$RC" != 0 ] || fail "enrollment with attestation-alg = es384 succeeded"
assert_grep "$ERR" 'the attestation-alg setting=es384 is not understood' "bad config"
run activate-badenv env SK_TPM_ATTEST_ALG=rsa "$CLI" attest activate "$CA/cred"
[ "$RC" = 2 ] || fail "activate with SK_TPM_ATTEST_ALG=rsa: exit $RC"
assert_grep "$ERR" 'SK_TPM_ATTEST_ALG=rsa is not understood' "bad env, activate"
tpm_clean "at the end"

say PASS
