#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Attestation end to end: the real ssh-keygen -O write-attestation against
# two simulators manufactured with EK certificates from a private CA
# (with-swtpm.sh --ek-cert --second), checked by sk-tpm verify-attestation
# ($2). A good attestation verifies (exit 3: the AK is unbound until the
# EK round trip; every other guarantee shown); each kind of forgery or
# mix-up is refused (exit 1) with its reason; PIN policy is reported as the
# TPM enforces it; a TPM without EK certificate verifies as one whose EK
# is private ("not included"); a TPM whose endorsement hierarchy has a
# password still makes the key, with an empty attestation, and names the
# missing step under SK_TPM_DEBUG. A key bound to PCRs is certified too
# (through its policy's Certify branch): the verifier recomputes its
# authPolicy from the key handle, shows the PCRs and the values enrolled,
# and refuses a handle whose values were changed.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

CLI=${2:?usage: attest.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] && [ -n "${SK_TPM_TCTI_2:-}" ] ||
    fail "run me through with-swtpm.sh --ek-cert --second"
for tool in tpm2_nvundefine tpm2_pcrextend tpm2_pcrread; do
	command -v "$tool" >/dev/null || { echo "$tool missing" >&2; exit 77; }
done

head -c 32 /dev/urandom >"$T/chal"
head -c 32 /dev/urandom >"$T/chal-other"

# attest NAME [ENV=...] [ssh-keygen args]: enroll with an attestation
attest() {
	local name=$1
	shift
	enroll_ok "$name" "$@" -O challenge="$T/chal" \
	    -O write-attestation="$T/$name.att"
	[ -s "$T/$name.att" ] || fail "$name: no attestation written"
	tpm_clean "after enrolling $name"
}

# verify NAME EXPECTED-STATUS KEY.pub ATTEST [options]
verify() {
	local name=$1 want=$2
	shift 2
	run "verify-$name" "$CLI" verify-attestation "$@"
	[ "$RC" = "$want" ] || fail "verify $name: exit status $RC, expected $want"
}

# ak_pub FILE: hex of the AK's TPMT_PUBLIC ("akPub" of the statement: an
# 88-byte byte string of an ECC P-256 key)
ak_pub() {
	od -An -v -tx1 "$1" | tr -d ' \n' |
	    grep -o '65616b5075625858002300.\{170\}' | head -n1 | cut -c17-
}

# splice FILE OLDHEX NEWHEX OUT: replace bytes
splice() {
	LC_ALL=C perl -0777 -pe \
	    'BEGIN { $o = pack("H*", shift); $n = pack("H*", shift) } s/\Q$o\E/$n/' \
	    "$2" "$3" "$1" >"$4"
}

say "enroll without PIN, with -O write-attestation (and the EK certificate)"
attest plain SK_TPM_ATTEST_EK=1 -O application=ssh:
verify plain 3 "$T/plain.pub" "$T/plain.att" --challenge "$T/chal" \
    --ek-ca "$SWTPM_EK_CA"
for re in 'ok +authData and pubArea: this public key' \
    'ok +key: fixedTPM, fixedParent, sensitiveDataOrigin' \
    'ok +PIN: none; the key is noDA' \
    'ok +signature: the AK' 'ok +certInfo: TPM-generated TPM2_Certify' \
    'ok +challenge: extraData' 'ok +EK certificate: .*chains to --ek-ca' \
    'NOT SHOWN +AK: unbound' '^result: CONSISTENT BUT NOT PROVEN \(1 '; do
	assert_grep "$OUT" "$re" "verify plain"
done
say "  $(grep '^result' "$OUT")"
# A key without a binding: handle version 3, the Certify branch alone.
assert_grep "$OUT" 'ok +policy: PolicyCommandCode\(TPM2_Certify\) alone, .*signing takes the key.s auth value \(key handle version 3\)' \
    "the Certify-only policy of an unbound key"

say "without --challenge and --ek-ca: said so"
verify no-options 3 "$T/plain.pub" "$T/plain.att"
assert_grep "$OUT" 'NOT SHOWN +challenge: not checked' "no --challenge"
assert_grep "$OUT" 'NOT SHOWN +EK certificate: 2 present, not checked' "no --ek-ca"

say "with a PIN: reported as DA-protected"
set_pin 4711
attest uv "${ASKPASS_ENV[@]}" -O verify-required -O application=ssh:
verify uv 3 "$T/uv.pub" "$T/uv.att" --challenge "$T/chal" \
    --ek-ca "$SWTPM_EK_CA"
assert_grep "$OUT" 'ok +PIN: required;.*dictionary-attack lockout' "PIN key"

say "a PCR-bound key with a PIN: certified, the PCRs shown"
tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
pcr8=$(tpm2_pcrread sha256:8 | awk '$1 == "8" {print tolower($3)}')
pcr8=${pcr8#0x}
[ ${#pcr8} = 64 ] || fail "cannot read PCR 8: '$pcr8'"
enroll bound SK_TPM_PCRS=8 "${ASKPASS_ENV[@]}" -O verify-required \
    -O application=ssh: -O challenge="$T/chal" \
    -O write-attestation="$T/bound.att"
expect_ok "enroll bound"
assert_one_sk_line "$ERR" "enrollment names the binding" 'bound to PCR 8 \(sha256\)'
tpm_clean "after enrolling bound"
verify bound 3 "$T/bound.pub" "$T/bound.att" --challenge "$T/chal" \
    --ek-ca "$SWTPM_EK_CA"
for re in 'ok +certInfo: TPM-generated TPM2_Certify of this key' \
    'ok +challenge: extraData' \
    'ok +bound to PCRs: 8 \(sha256\): only a policy session can use the key; signing needs PolicyPCR over the values below and the PIN \(PolicyAuthValue\), then PolicyOR with a branch that admits TPM2_Certify alone \(key handle version 3\)' \
    "ok +PCR 8 \\(sha256\\) enrolled as $pcr8\$" \
    'ok +PIN: required;'; do
	assert_grep "$OUT" "$re" "verify bound"
done
assert_no_grep "$OUT" 'FAILED' "verify bound"
grep -E 'bound to|PCR 8' "$OUT" | sed 's/^/    /'
say "refused: the key handle's PCR values changed (its authPolicy no longer matches)"
other=$(printf '5e%.0s' $(seq 32))
splice "$T/bound.att" "$pcr8" "$other" "$T/bound-values.att"
cmp -s "$T/bound.att" "$T/bound-values.att" && fail "the PCR value is not in the file"
verify bound-values 1 "$T/bound.pub" "$T/bound-values.att"
assert_grep "$OUT" "FAILED +policy: the key's authPolicy is not the policy its key handle describes" \
    "changed PCR values"

say "the AK is the same key at every enrollment"
[ -n "$(ak_pub "$T/plain.att")" ] || fail "no AK public area found"
[ "$(ak_pub "$T/plain.att")" = "$(ak_pub "$T/uv.att")" ] ||
    fail "the AK differs between two enrollments on one TPM"

say "refused: a tampered attestation"
cp "$T/plain.att" "$T/tampered.att"
# one byte of certInfo's clock (8 bytes after magic, type, signer, extra)
off=$(LC_ALL=C grep -obUaP '\xff\x54\x43\x47' "$T/tampered.att" | head -n1 | cut -d: -f1)
[ -n "$off" ] || fail "no certInfo found"
off=$((off + 6 + 36 + 34 + 7))
flip_byte "$T/tampered.att" "$off"
cmp -s "$T/plain.att" "$T/tampered.att" && fail "tampering changed nothing"
verify tampered 1 "$T/plain.pub" "$T/tampered.att" --challenge "$T/chal"
assert_grep "$OUT" "FAILED +signature: the AK's signature over certInfo is not valid" "tampered"

say "refused: truncated and padded files"
head -c 100 "$T/plain.att" >"$T/short.att"
verify short 1 "$T/plain.pub" "$T/short.att"
assert_grep "$OUT" 'FAILED +attestation: truncated' "truncated"
{ cat "$T/plain.att"; printf x; } >"$T/long.att"
verify long 1 "$T/plain.pub" "$T/long.att"
assert_grep "$OUT" 'FAILED +attestation: .*bytes after' "trailing byte"

say "refused: another key's attestation"
verify other-key 1 "$T/uv.pub" "$T/plain.att" --challenge "$T/chal"
assert_grep "$OUT" 'FAILED +authData/pubArea: another key' "other key"

say "refused: another application"
attest app -O application=ssh:other
verify other-app 1 "$T/plain.pub" "$T/app.att" --challenge "$T/chal"
assert_grep "$OUT" 'FAILED +authData: made for another application' "other app"

say "refused: another challenge"
verify wrong-challenge 1 "$T/plain.pub" "$T/plain.att" \
    --challenge "$T/chal-other"
assert_grep "$OUT" 'FAILED +challenge: extraData is not' "wrong challenge"

say "refused: EK certificate of another CA"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/other-ca.key" -out "$T/other-ca.pem" -subj /CN=other-ca \
    -days 2 >/dev/null 2>&1 || fail "openssl req"
verify other-ca 1 "$T/plain.pub" "$T/plain.att" --challenge "$T/chal" \
    --ek-ca "$T/other-ca.pem"
assert_grep "$OUT" 'FAILED +EK certificate: does not chain to --ek-ca' "other CA"

say "refused: the AK of another TPM"
attest second SK_TPM_TCTI="$SK_TPM_TCTI_2" -O application=ssh:
TPM2TOOLS_TCTI=$SK_TPM_TCTI_2 tpm_clean "after enrolling on the second TPM"
ak1=$(ak_pub "$T/plain.att") ak2=$(ak_pub "$T/second.att")
[ "$ak1" != "$ak2" ] || fail "two TPMs have the same AK"
splice "$T/plain.att" "$ak1" "$ak2" "$T/other-ak.att"
cmp -s "$T/plain.att" "$T/other-ak.att" && fail "AK splice changed nothing"
verify other-ak 1 "$T/plain.pub" "$T/other-ak.att" --challenge "$T/chal"
assert_grep "$OUT" "FAILED +signature: the AK's signature" "other AK"

say "a TPM without EK certificate: not included, not a failure"
for idx in 0x01c00002 0x01c00016; do
	TPM2TOOLS_TCTI=$SK_TPM_TCTI_2 tpm2_nvundefine -C p "$idx" >/dev/null ||
	    fail "cannot remove EK certificate $idx from the second TPM"
done
attest noek SK_TPM_TCTI="$SK_TPM_TCTI_2" SK_TPM_ATTEST_EK=1 -O application=ssh:
TPM2TOOLS_TCTI=$SK_TPM_TCTI_2 tpm_clean "after enrolling without EK cert"
# As for a TPM whose owner keeps the EK private: the AK certificate, not
# the EK certificate, is what ties an attestation to a TPM.
verify noek 3 "$T/noek.pub" "$T/noek.att" --challenge "$T/chal" \
    --ek-ca "$SWTPM_EK_CA"
assert_grep "$OUT" 'note +EK certificate: not included \(.*or none in NV\)' "no EK cert"
assert_no_grep "$OUT" 'FAILED' "no EK cert"
verify noek-noca 3 "$T/noek.pub" "$T/noek.att" --challenge "$T/chal"
assert_grep "$OUT" 'note +EK certificate: not included' "no EK cert, no CA"

say "endorsement hierarchy with a password: the key is made, no attestation"
TPM2TOOLS_TCTI=$SK_TPM_TCTI_2 tpm2_changeauth -c e endorsement-pw >/dev/null ||
    fail "tpm2_changeauth -c e"
attest eauth SK_TPM_TCTI="$SK_TPM_TCTI_2" -O application=ssh:
TPM2TOOLS_TCTI=$SK_TPM_TCTI_2 tpm_clean "after enrolling without an AK"
verify eauth 1 "$T/eauth.pub" "$T/eauth.att" --challenge "$T/chal"
assert_grep "$OUT" 'FAILED +attestation: empty; the TPM could not certify' "no AK"
enroll eauth-debug SK_TPM_DEBUG=1 SK_TPM_TCTI="$SK_TPM_TCTI_2" \
    -O write-attestation="$T/eauth-debug.att"
expect_ok "enroll with SK_TPM_DEBUG and no AK"
assert_grep "$ERR" 'attestation: no certification of the key: .*endorsement hierarchy has a password' \
    "the missing step is named under SK_TPM_DEBUG"

say "usage errors: exit 2"
verify usage 2 "$T/plain.pub"
verify nofile 2 "$T/plain.pub" "$T/nonexistent"

say PASS
