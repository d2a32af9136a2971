#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# An EK certificate index that cannot be read hides nothing else, and the
# verifier tells "none in NV" from "could not be read": a simulator with
# EK certificates (RSA at 0x01C00002, P-384 at 0x01C00016) gets a third
# index at 0x01C0000A that only a password opens. The attestation still
# carries the two readable certificates (sk-tpm verify-attestation, $2,
# chains them and notes the unread one); with those two removed, it says
# that the index could not be read, and why, rather than "no EK
# certificate in NV".
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015,SC2034
. "$(dirname "$0")/../e2e/lib.sh" "$@"

CLI=${2:?usage: ek-unread.sh LIB SK-TPM}
[ -n "${SWTPM_EK_CA:-}" ] || fail "run me through with-swtpm.sh --ek-cert"
need_tools tpm2_nvdefine tpm2_nvwrite tpm2_nvundefine

head -c 32 /dev/urandom >"$T/chal"
head -c 600 /dev/zero >"$T/zeros"
# Defined by the platform (PLATFORMCREATE), as a manufacturer's would be:
# an index anyone with the owner's authorization defined is not read at all
# (sk/tpm/tpm-ekcert-origin.c).
tpm2_nvdefine 0x01c0000a -C p -s 600 -p secret \
    -a 'ppwrite|authread|no_da|platformcreate' >/dev/null ||
    fail "defining the unreadable index failed"
tpm2_nvwrite 0x01c0000a -C p -i "$T/zeros" || fail "writing it failed"

# attest NAME: enroll with an attestation and verify it against the CA.
attest() {
	# The EK certificates go into the attestation only on request.
	enroll_ok "$1" SK_TPM_ATTEST_EK=1 -O no-touch-required \
	    -O challenge="$T/chal" \
	    -O write-attestation="$T/$1.att"
	run "verify-$1" "$CLI" verify-attestation "$T/$1.pub" "$T/$1.att" \
	    --challenge "$T/chal" --ek-ca "$SWTPM_EK_CA"
}

say "two readable EK certificates and an unreadable index"
attest both
[ "$RC" = 3 ] || fail "verify: exit status $RC, expected 3"
assert_grep "$OUT" 'ok +EK certificate: .*chains to --ek-ca' "the readable certificates"
assert_grep "$OUT" 'note +EK certificate: more indices in NV could not be read \(1: 0x01c0000a: ' \
    "the unread index is named"
say "  $(grep 'could not be read' "$OUT" | sed 's/^ *//')"

say "only the unreadable index"
tpm2_nvundefine 0x01c00002 -C p >/dev/null && tpm2_nvundefine 0x01c00016 -C p >/dev/null ||
    fail "removing the EK certificates failed"
attest unread
[ "$RC" = 1 ] || fail "verify: exit status $RC, expected 1"
assert_grep "$OUT" 'EK certificate: none read; this TPM had EK certificate indices in NV that could not be read \(1: 0x01c0000a: .*auth' \
    "none read, and why"
assert_no_grep "$OUT" 'no EK certificate in NV' "not 'none in NV'"

say "no EK index at all: none in NV"
tpm2_nvundefine 0x01c0000a -C p >/dev/null || fail "removing the index failed"
attest none
# The file cannot tell "none in NV" from "left out" (SK_TPM_ATTEST_EK unset).
assert_grep "$OUT" 'note +EK certificate: not included .*or none in NV' "none in NV"
tpm_clean "at the end"
