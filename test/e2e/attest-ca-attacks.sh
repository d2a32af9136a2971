#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Attacks on the fleet CA's round trip, replayed against a real TPM
# (swtpm with EK certificates from a private CA):
# - the machine's owner exports genuinely, swaps ak.pem for a software
#   P-256 key (or ak.name for another Name) and asks for an AK certificate:
#   sk-tpm attest challenge refuses the DIR; when the files are swapped
#   after the challenge, the CA certifies its own copy of the AK (kept next
#   to the secret), which is the TPM's; an attestation forged with the
#   software key is refused by verify-attestation (and, as a check on the
#   forgery itself, would pass had the CA certified the software key);
# - certificates from the EK CA that are not EK certificates (a TLS server
#   certificate, one without tcg-kp-EKCertificate or the TPM attributes,
#   one with the wrong key usage) are refused as EKs by challenge;
# - install-cert with symbolic links planted at the old fixed temporary
#   name and at the target, a directory that is a link, and one others
#   may write: nothing outside is written or truncated;
# - attest export into a directory where a link or a FIFO waits at an
#   output's name: refused, nothing written through the link, no hang.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=attest-lib.sh
. "$(dirname "$0")/attest-lib.sh"

CLI=${2:?usage: attest-ca-attacks.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
need_tools openssl perl sha256sum
FORGE=$(dirname "$0")/attest-forge.pl
E=$T/export CA=$T/ca
mkdir -p "$E" "$CA"

say "machine: a genuine export; CA: the fleet CA"
run export "$CLI" attest export "$E"
expect_ok "attest export"
ca_make "$CA" ca /CN=fleet-ak-ca
ek_tpm_attrs "$E/ek-cert-1.der"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/soft.key" >/dev/null 2>&1 || fail "software key"
openssl pkey -in "$T/soft.key" -pubout -out "$T/soft.pem" || fail "soft.pem"

# challenge_refused NAME DIR WHY: challenge refuses DIR and writes nothing
challenge_refused() {
	rm -f "$CA/x" "$CA/y" "$CA/y.ak.pem"
	run "challenge-$1" "$CLI" attest challenge "$2" -o "$CA/x" -s "$CA/y" \
	    --ek-ca "$SWTPM_EK_CA"
	[ "$RC" = 1 ] || fail "challenge for $1: exit $RC, expected 1"
	assert_grep "$ERR" "$3" "challenge for $1"
	[ ! -e "$CA/x" ] && [ ! -e "$CA/y" ] && [ ! -e "$CA/y.ak.pem" ] ||
	    fail "challenge for $1 wrote files"
}

say "attack: ak.pem swapped for a software key before the challenge"
cp -R "$E" "$T/swapped"
cp "$T/soft.pem" "$T/swapped/ak.pem"
challenge_refused swapped-pem "$T/swapped" \
    "ak.pem is not the key of ak.tpmt, the key the credential is sealed to"
say "attack: ak.name of another key"
cp -R "$E" "$T/renamed"
printf '000b%064x\n' 7 >"$T/renamed/ak.name"
challenge_refused swapped-name "$T/renamed" "ak.name is not the Name of ak.tpmt"
printf 'not a key\n' >"$T/swapped/ak.pem"
challenge_refused garbage-pem "$T/swapped" "ak.pem is not the key of ak.tpmt"

say "the honest round trip; ak.pem swapped after the challenge"
run challenge "$CLI" attest challenge "$E" -o "$CA/cred" -s "$CA/secret" \
    --ek-ca "$SWTPM_EK_CA"
expect_ok "attest challenge"
cp "$T/soft.pem" "$E/ak.pem"
run activate "$CLI" attest activate "$CA/cred" -o "$T/got"
expect_ok "attest activate"
cmp -s "$CA/secret" "$T/got" || fail "the activated secret differs"
tpm_clean "after activation"
# The CA certifies what it sealed to: its copy, not the machine's ak.pem
issue_ak "$CA/secret.ak.pem" "$CA/ak.der"
cert_key "$CA/ak.der" "$T/certified.pem"
same_key "$T/certified.pem" "$T/soft.pem" && fail "the software key was certified"
# ... which is the key of ak.tpmt, as tpm2-tools reads it
run print tpm2_print -t TPMT_PUBLIC -f pem "$E/ak.tpmt"
expect_ok "tpm2_print ak.tpmt"
same_key "$T/certified.pem" "$OUT" || fail "the certified key is not ak.tpmt's"

say "machine: install-cert, with links planted"
D=$HOME/.config/sk-tpm
mkdir -p "$D"
echo "precious" >"$T/victim"
ln -s "$T/victim" "$D/ak-cert.der.new"
run install "$CLI" attest install-cert "$CA/ak.der"
expect_ok "install-cert beside a link at the old temporary name"
[ "$(cat "$T/victim")" = precious ] || fail "install-cert wrote through a planted link"
cmp -s "$D/ak-cert.der" "$CA/ak.der" || fail "the certificate was not installed"
[ -z "$(find "$D" -name 'ak-cert.der.?*' ! -name ak-cert.der.new)" ] ||
    fail "install-cert left a temporary file"
rm "$D/ak-cert.der"
ln -s "$T/victim" "$D/ak-cert.der"
run install-link "$CLI" attest install-cert "$CA/ak.der"
[ "$RC" = 1 ] || fail "install-cert over a link: exit $RC, expected 1"
assert_grep "$ERR" "ak-cert.der: a symbolic link; not replaced" "link at the target"
[ "$(cat "$T/victim")" = precious ] || fail "install-cert wrote through a link at the target"
[ -L "$D/ak-cert.der" ] || fail "the link at the target was replaced"
rm "$D/ak-cert.der" "$D/ak-cert.der.new"
chmod 770 "$D"
run install-groupw "$CLI" attest install-cert "$CA/ak.der"
[ "$RC" = 1 ] || fail "install-cert into a group-writable directory: exit $RC"
assert_grep "$ERR" "writable by others; refusing to write there" "group-writable directory"
[ ! -e "$D/ak-cert.der" ] || fail "written into a group-writable directory"
chmod 700 "$D"
mv "$D" "$T/elsewhere"
ln -s "$T/elsewhere" "$D"
run install-dirlink "$CLI" attest install-cert "$CA/ak.der"
[ "$RC" = 1 ] || fail "install-cert into a linked directory: exit $RC"
assert_grep "$ERR" "not a directory \\(a symbolic link\\?\\); refusing" "linked directory"
[ ! -e "$T/elsewhere/ak-cert.der" ] || fail "written through a linked directory"
rm "$D"
mv "$T/elsewhere" "$D"
run install-ok "$CLI" attest install-cert "$CA/ak.der"
expect_ok "install-cert"
[ "$(stat -c %a "$D/ak-cert.der")" = 644 ] || fail "ak-cert.der is not mode 0644"

say "attack: an attestation forged with the software key"
head -c 32 /dev/urandom >"$T/chal"
enroll_ok key -O challenge="$T/chal" -O write-attestation="$T/key.att"
tpm_clean "after enrollment"
run verify-genuine "$CLI" verify-attestation "$T/key.pub" "$T/key.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 0 ] || fail "the genuine attestation: exit $RC, expected 0"
run forge perl "$FORGE" "$T/key.att" "$E/ak.tpmt" "$T/certified.pem" \
    "$T/soft.key" "$T/forged.att"
expect_ok "forge an attestation ($(cat "$ERR"))"
run verify-forged "$CLI" verify-attestation "$T/key.pub" "$T/forged.att" \
    --challenge "$T/chal" --ak-ca "$CA/ca.pem" --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 1 ] || fail "the forged attestation: exit $RC, expected 1"
assert_grep "$OUT" "ok +signature: the AK" "the forgery is signed by its own AK"
assert_grep "$OUT" "FAILED +AK: the AK certificate is for another key than the AK that signed" \
    "forged attestation refused"
assert_grep "$OUT" '^result: REFUSED' "forged attestation refused"
# The forgery is sound: with a certificate for the software key, which is
# what certifying the machine's ak.pem gave, it would have passed.
issue_ak "$T/soft.pem" "$CA/soft.der"
splice_cert "$T/forged.att" "$CA/soft.der" "$T/forged-soft.att" || fail "splice"
run verify-forged-soft "$CLI" verify-attestation "$T/key.pub" \
    "$T/forged-soft.att" --challenge "$T/chal" --ak-ca "$CA/ca.pem" \
    --ek-ca "$SWTPM_EK_CA"
[ "$RC" = 0 ] || fail "the forgery with the software key's certificate: exit $RC"

say "refused as EKs: certificates of the EK CA that are not EK certificates"
tpm_san=$(tpm_san_hex "$MANUF" "$MODEL" "$VERSION")
openssl x509 -inform der -in "$E/ek-cert-1.der" -pubkey -noout \
    >"$T/ek.pem" || fail "EK public key"
# ek_like NAME EXTENSIONS...: a certificate from the EK CA for the TPM's
# EK key, alone in a copy of the export
ek_like() {
	local name=$1
	shift
	mkdir -p "$T/$name"
	cp "$E/ak.tpmt" "$T/$name/"
	ek_ca_issue "$T/$name/ek-cert-1.der" "$T/ek.pem" "/CN=$name" "$@"
}
ek_like tls 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:www.example.com'
challenge_refused tls "$T/tls" \
    "not an EK certificate: its extended key usage lacks tcg-kp-EKCertificate"
ek_like plain 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,keyEncipherment'
challenge_refused plain "$T/plain" \
    "not an EK certificate: neither tcg-kp-EKCertificate .* nor the TPM attributes"
ek_like badusage 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature' 'extendedKeyUsage=2.23.133.8.1'
challenge_refused badusage "$T/badusage" \
    "not an EK certificate: an RSA EK certificate without keyEncipherment"
# The TCG attributes alone (no extended key usage) make an EK certificate.
ek_like sanonly 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,keyEncipherment' "2.5.29.17=critical,DER:$tpm_san"
run challenge-sanonly "$CLI" attest challenge "$T/sanonly" -o "$CA/cred-san" \
    -s "$CA/secret-san" --ek-ca "$SWTPM_EK_CA"
expect_ok "challenge with an EK certificate that has the TPM attributes only"
run activate-sanonly "$CLI" attest activate "$CA/cred-san" -o "$T/got-san"
expect_ok "activate"
cmp -s "$CA/secret-san" "$T/got-san" || fail "the secret differs"

say "machine: attest export with a link and a FIFO planted"
L=$T/planted
mkdir -p "$L"
echo "precious" >"$T/victim-export"
ln -s "$T/victim-export" "$L/ak.pem"
run export-link "$CLI" attest export "$L"
expect_fail "attest export with ak.pem a link"
grep -q "ak.pem: cannot write" "$ERR" || fail "export-link: no reason given"
[ "$(cat "$T/victim-export")" = precious ] ||
    fail "attest export wrote through a planted link"
rm "$L/ak.pem" "$L/ak.name"
mkfifo "$L/ak.name"
run export-fifo "$CLI" attest export "$L"
expect_fail "attest export with ak.name a FIFO"
grep -q "ak.name: cannot write" "$ERR" || fail "export-fifo: no reason given"
rm "$L/ak.name"
run export-clean "$CLI" attest export "$L"
expect_ok "attest export once the planted files are gone"
cmp -s "$L/ak.tpmt" "$E/ak.tpmt" || fail "the export differs from the first"

say PASS
