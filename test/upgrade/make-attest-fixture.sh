#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Makes an attestation fixture: what the library given as $1 wrote for
# ssh-keygen -O write-attestation, kept so that sk-tpm verify-attestation
# of every later version is tested against it (test/upgrade/attest.sh).
# Run it once, through test/with-swtpm.sh --ek-cert, with the build of the
# version whose statement it keeps:
#
#   test/with-swtpm.sh --ek-cert -- test/upgrade/make-attest-fixture.sh \
#       LIB OUTDIR [ek-unread|pcr|rs1]
#
# OUTDIR gets key.pub, key.att (SK_TPM_ATTEST_EK=1: the EK certificates
# inside), chal (the challenge) and VERSION. ek-unread first defines an EK
# certificate index that only a password opens (as test/chip/ek-unread.sh
# does), so that the statement says it could not be read. pcr binds the
# key to PCR 8, extended once with 32 bytes of 0xa1 (key handle version 3:
# certified through its policy's Certify branch). rs1 makes the opt-in RS1
# statement (SK_TPM_ATTEST_ALG=rs1).
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015
. "$(dirname "$0")/../e2e/lib.sh" "$@"

OUTDIR=${2:?usage: make-attest-fixture.sh LIB OUTDIR [ek-unread|pcr|rs1]}
[ -n "${SWTPM_EK_CA:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
mkdir -p "$OUTDIR"
if [ "${3:-}" = ek-unread ]; then
	head -c 600 /dev/zero >"$T/zeros"
	tpm2_nvdefine 0x01c0000a -C p -s 600 -p secret \
	    -a 'ppwrite|authread|no_da|platformcreate' >/dev/null ||
	    fail "defining the unreadable index failed"
	tpm2_nvwrite 0x01c0000a -C p -i "$T/zeros" || fail "writing it failed"
fi
ALG=es256
[ "${3:-}" = rs1 ] && ALG=rs1
head -c 32 /dev/urandom >"$T/chal"
if [ "${3:-}" = pcr ]; then
	tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null ||
	    fail "tpm2_pcrextend 8"
	enroll key SK_TPM_ATTEST_EK=1 SK_TPM_PCRS=8 -O no-touch-required \
	    -O challenge="$T/chal" -O write-attestation="$T/key.att"
	expect_ok "enroll bound to PCR 8"
	assert_one_sk_line "$ERR" "enroll" 'bound to PCR 8 \(sha256\)'
else
	enroll_ok key SK_TPM_ATTEST_EK=1 SK_TPM_ATTEST_ALG=$ALG \
	    -O no-touch-required -O challenge="$T/chal" \
	    -O write-attestation="$T/key.att"
fi
cp "$T/key.pub" "$T/key.att" "$T/chal" "$OUTDIR/"
printf 'sk-tpm %s (%s)\n' "$(git -C "$(dirname "$0")" describe --always \
    --dirty 2>/dev/null || echo unknown)" "${3:-plain}" >"$OUTDIR/VERSION"
say "written: $OUTDIR"
