#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# contrib/nixos/provision-srk.sh against swtpm: after it, sk-tpm doctor
# finds the standard SRK persistent and sk-tpm setup finds its Name is the
# standard SRK's; a second run changes nothing; a key enrolled before still
# signs (the persisted key is the derived one).
#
#   with-swtpm.sh -- provision-srk.sh SCRIPT SK-TPM
set -euo pipefail
script=$1 tool=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
doctor=$("$tool" doctor 2>&1) || true
grep -q 'SRK: no persistent SRK at 0x81000001' <<<"$doctor" ||
    { echo "$doctor"; fail "a fresh simulator should have no SRK"; }
out=$(bash "$script") || fail "provision-srk failed: $out"
echo "first run: $out"
grep -q 'is persistent' <<<"$out" || fail "first run did not persist the SRK"
out=$(bash "$script") || fail "second run failed: $out"
echo "second run: $out"
grep -q 'already in use' <<<"$out" || fail "second run was not a no-op"
doctor=$("$tool" doctor 2>&1) || true
grep -q 'the standard ECC P-256 SRK is persistent at 0x81000001' <<<"$doctor" ||
    { echo "$doctor"; fail "sk-tpm doctor does not recognise the SRK"; }
echo "sk-tpm doctor: the standard SRK is persistent"
# Its Name, not only its shape: setup derives the standard SRK and compares.
out=$("$tool" setup 2>&1) || fail "sk-tpm setup after provision-srk: $out"
grep -q '^0x81000001 already holds the standard ECC P-256 SRK; nothing to do' <<<"$out" ||
    fail "sk-tpm setup does not find the standard SRK's Name: $out"
[ "$(tpm2_getcap handles-transient)" = "" ] || fail "transient objects left"
echo PASS
