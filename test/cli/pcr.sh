#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Issue 12 in the tool: a resident credential bound to PCR 8 (SK_TPM_PCRS
# at enrollment through the real ssh-keygen) shows its binding in
# "sk-tpm list" (text and JSON); "sk-tpm doctor" shows the current value of
# PCR 8, as tpm2_pcrread reads it, and whether the key still matches,
# before and after the PCR changes. An unbound credential shows none.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
for tool in tpm2_pcrextend tpm2_pcrread; do
	command -v "$tool" >/dev/null || { echo "$tool missing" >&2; exit 77; }
done

IDX='0x01a5c5[0-9a-f]{2}'
# A fresh simulator: PCR 8 all zeros, measured into once.
tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null

say "two resident credentials, one bound to PCR 8"
enroll bound ssh:bound "" SK_TPM_PCRS=8 -O no-touch-required
assert_grep "$ERR" 'sk-tpm: the key is bound to PCR 8 \(sha256\)' \
    "enrollment names the binding"
enroll plain ssh:plain "" -O no-touch-required
tpm_clean "after enrollment"

sk list list
expect_rc list 0
assert_grep "$OUT" "^$IDX  ssh:bound  -  no-pin  $(re_quote "$(fingerprint "$T/bound.pub")")  pcr=sha256:8\$" \
    "list shows the binding"
assert_grep "$OUT" "^$IDX  ssh:plain  -  no-pin  $(re_quote "$(fingerprint "$T/plain.pub")")\$" \
    "list shows no binding for the plain key"
sk list-json list --json
expect_rc "list --json" 0
assert_grep "$OUT" '"application":"ssh:bound"[^}]*"pcrs":"sha256:8"' \
    "JSON has the binding"
assert_grep "$OUT" '"application":"ssh:plain"[^}]*"pcrs":null' \
    "JSON has no binding for the plain key"

# "  8 : 0x..." (tpm2-tools pads PCR numbers below 10).
now=$(tpm2_pcrread sha256:8 | awk -F: '$1 ~ /^ *8 *$/ {gsub(/ /, "", $2); print tolower($2)}' | sed 's/^0x//')
[ ${#now} = 64 ] || fail "cannot read PCR 8 with tpm2_pcrread"
sk doctor doctor
expect_rc doctor 0
assert_grep "$OUT" "^\[info\] PCR 8 \(sha256\), bound by a resident key, is now $now\$" \
    "doctor shows the current value"
assert_grep "$OUT" "^\[ok\]   PCR binding: $IDX ssh:bound bound to sha256:8: the current values match\$" \
    "doctor says the key matches"
assert_no_grep "$OUT" "ssh:plain bound" "the plain key has no binding"

say "PCR 8 changes"
tpm2_pcrextend "8:sha256=$(printf '5e%.0s' $(seq 32))" >/dev/null
sk doctor-changed doctor
expect_rc "doctor after the change" 0
assert_grep "$OUT" "^\[warn\] PCR binding: $IDX ssh:bound bound to sha256:8: PCR 8 is [0-9a-f]{12}\.\.\., the key was enrolled with ${now:0:12}\.\.\.: it will be refused" \
    "doctor warns that the key will be refused"
tpm_clean "at the end"
say PASS
