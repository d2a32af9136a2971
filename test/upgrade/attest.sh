#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Attestation files written by an earlier statement version keep
# verifying: sk-tpm verify-attestation (offline, no TPM) on a fixture of
# test/fixtures/attest/ (made by make-attest-fixture.sh), which names its
# statement version (and for pcr-v3, a key bound to PCR 8 with handle
# version 3, the PCR and its value), checks the AK's signature and the challenge, and
# refuses the same file for another challenge and with one byte of
# certInfo flipped.
#
#   attest.sh SK-TPM FIXTURE-DIR VERSION
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../common/lib.sh
. "$(dirname "$0")/../common/lib.sh"

CLI=${1:?usage: attest.sh SK-TPM FIXTURE-DIR VERSION}
FIX=${2:?usage: attest.sh SK-TPM FIXTURE-DIR VERSION}
VER=${3:?usage: attest.sh SK-TPM FIXTURE-DIR VERSION}
test_workdir attest-fixture "${E2E_KEEP:-0}"
# Nothing here may reach a TPM.
export SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)"

say "statement version $VER: $(cat "$FIX/VERSION")"
run verify "$CLI" verify-attestation "$FIX/key.pub" "$FIX/key.att" \
    --challenge "$FIX/chal"
sed 's/^/    /' "$OUT"
[ "$RC" = 3 ] || fail "verify: exit $RC, expected 3 (AK unbound)"
assert_grep "$OUT" "^  ok +format: ssh-sk-attest-v01, sk-tpm statement version $VER," \
    "the statement version is named"
assert_grep "$OUT" '^  ok +signature: the AK .* signed certInfo' "signature"
assert_grep "$OUT" '^  ok +challenge: .*made for this challenge' "challenge"
assert_grep "$OUT" '^  ok +authData and pubArea: this public key' "authData"
assert_grep "$OUT" 'EK certificate: 2 present' "the EK certificates"
if grep -q '(rs1)' "$FIX/VERSION"; then
	assert_grep "$OUT" '^  ok +signature: .*\(RS1: RSASSA-PKCS1-v1_5 with SHA-1, alg -65535\)' \
	    "the RS1 AK's signature"
	assert_grep "$OUT" '^  ok +challenge: extraData = SHA-1' "SHA-1 extraData"
fi
if grep -q '(ek-unread)' "$FIX/VERSION"; then
	assert_grep "$OUT" 'note +EK certificate: more indices in NV could not be read \(1: 0x01c0000a: ' \
	    "the unread index is named"
fi
if grep -q '(pcr)' "$FIX/VERSION"; then
	assert_grep "$OUT" 'ok +bound to PCRs: 8 \(sha256\): only a policy session' \
	    "the PCRs of a bound key"
	assert_grep "$OUT" 'ok +PCR 8 \(sha256\) enrolled as [0-9a-f]{64}$' \
	    "the value enrolled"
fi
assert_no_grep "$OUT" 'FAILED' "nothing failed"

say "refused: another challenge"
head -c 32 /dev/urandom >"$T/other"
run other "$CLI" verify-attestation "$FIX/key.pub" "$FIX/key.att" \
    --challenge "$T/other"
[ "$RC" = 1 ] || fail "another challenge: exit $RC, expected 1"
assert_grep "$OUT" 'FAILED +challenge' "another challenge"

say "refused: one byte of certInfo flipped"
cp "$FIX/key.att" "$T/bad.att"
# TPMS_ATTEST begins with TPM_GENERATED_VALUE, ff 54 43 47; its 40th byte
# is inside extraData
magic=$(LC_ALL=C grep -obUaP '\xff\x54\x43\x47' "$T/bad.att" | head -1 |
    cut -d: -f1)
[ -n "$magic" ] || fail "no TPMS_ATTEST in the fixture"
flip_byte "$T/bad.att" $((magic + 40))
run bad "$CLI" verify-attestation "$FIX/key.pub" "$T/bad.att" \
    --challenge "$FIX/chal"
[ "$RC" = 1 ] || fail "a flipped byte: exit $RC, expected 1"
assert_grep "$OUT" "FAILED +signature: the AK's signature over certInfo" \
    "a flipped byte"
say PASS
