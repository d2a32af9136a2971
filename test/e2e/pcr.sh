#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Issue 12: keys bound to PCRs through the real ssh-keygen, ssh and sshd.
# SK_TPM_PCRS in ssh-keygen's environment binds the new key; it logs in
# while the PCRs hold their enrollment values, is refused with the
# "platform state changed" line (no PIN tried, no lockout count) once one
# is extended, and logs in again when the same measurements are replayed
# after a power cycle. PCRs 8 and 14 are measured into from locality 0, as
# an operating system does; PCR 7 is integration.pcr's. PCRs 16 and 23,
# which anybody can reset, are refused.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

for tool in tpm2_pcrreset tpm2_pcrextend tpm2_shutdown tpm2_startup swtpm_ioctl; do
	command -v "$tool" >/dev/null || { echo "$tool missing" >&2; exit 77; }
done

da_counter() {
	timeout "$E2E_TIMEOUT" tpm2_getcap properties-variable |
	    awk '$1 == "TPM2_PT_LOCKOUT_COUNTER:" {print $2}'
}

# boot VALUE: a power cycle of the simulator (an orderly shutdown first,
# as an operating system does), then PCRs 8 and 14 as a boot that measured
# VALUE leaves them.
boot() {
	tpm2_shutdown -c >/dev/null
	swtpm_ioctl --tcp "127.0.0.1:$((SWTPM_PORT + 1))" -i >/dev/null
	tpm2_startup -c >/dev/null
	tpm2_pcrextend "8:sha256=$1" "14:sha256=$1" >/dev/null
}

GOOD=$(printf 'a1%.0s' $(seq 32))
OTHER=$(printf '5e%.0s' $(seq 32))
boot "$GOOD"

say "PCRs 16 and 23 are refused, measured or not"
tpm2_pcrextend "16:sha256=$GOOD" "23:sha256=$GOOD" >/dev/null
for list in 16 sha256:23 8,23; do
	enroll resettable SK_TPM_PCRS=$list -O no-touch-required
	expect_fail "enroll with SK_TPM_PCRS=$list"
	assert_one_sk_line "$ERR" "enrollment with PCR 16 or 23" \
	    "^sk-tpm: SK_TPM_PCRS=$list: PCR (16|23) can be reset by any program \\(TPM2_PCR_Reset from locality 0\\) and set to any value, so a key bound to it guards nothing; bind to PCRs the firmware measures, e\\.g\\. 7\$"
	[ ! -e "$T/resettable" ] || fail "a key file was written for SK_TPM_PCRS=$list"
done
tpm2_pcrreset 16 23 >/dev/null
tpm_clean "after the refusals of PCRs 16 and 23"

say "enroll with SK_TPM_PCRS=8 (no PIN)"
enroll bound SK_TPM_PCRS=8 -O no-touch-required
expect_ok "enroll bound"
assert_one_sk_line "$ERR" "enrollment names the binding" \
    'bound to PCR 8 \(sha256\)' 'stops working when'
tpm_clean "after enrollment"

say "enroll with SK_TPM_PCRS=sha256:8,14 and a PIN"
set_pin 4711
enroll both SK_TPM_PCRS=sha256:8,14 "${ASKPASS_ENV[@]}" -O verify-required
expect_ok "enroll both"
assert_one_sk_line "$ERR" "enrollment names the binding" \
    'bound to PCRs 8,14 \(sha256\)'

sshd_start

say "logins while the platform is as enrolled"
authorize no-touch-required "$T/bound.pub"
login_ok login-bound "$T/bound.pub" 0x00 "$T/bound"
assert_quiet "$ERR" "login bound"
authorize verify-required "$T/both.pub"
login_ok login-both "$T/both.pub" 0x05 "$T/both" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login both"
tpm_clean "after the logins"

say "PCR 8 changes (another boot chain): refused, no lockout count"
tpm2_pcrextend "8:sha256=$OTHER" >/dev/null
before=$(da_counter)
[ -n "$before" ] || fail "cannot read TPM2_PT_LOCKOUT_COUNTER"
authorize no-touch-required "$T/bound.pub"
login_refused login-bound-changed "$T/bound"
assert_one_sk_line "$ERR" "bound key on a changed platform" \
    '^sk-tpm: the platform state changed: PCR 8 \(sha256\) is [0-9a-f]+\.\.\., this key was enrolled with [0-9a-f]+\.\.\.; after an intended firmware or Secure Boot update, enroll a new key$'
say "  what the user sees:"
sed 's/^/    | /' "$ERR"
authorize verify-required "$T/both.pub"
login_refused login-both-changed "$T/both" "${ASKPASS_ENV[@]}"
assert_one_sk_line "$ERR" "PIN key on a changed platform" \
    'the platform state changed: PCR 8 \(sha256\)'
assert_no_grep "$ERR" 'wrong PIN' "not reported as a wrong PIN"
[ "$(da_counter)" = "$before" ] ||
    fail "the lockout counter moved from $before to $(da_counter)"
tpm_clean "after the refusals"

say "the same measurements after a reboot: logins work again"
boot "$GOOD"
authorize no-touch-required "$T/bound.pub"
login_ok login-bound-again "$T/bound.pub" 0x00 "$T/bound"
authorize verify-required "$T/both.pub"
login_ok login-both-again "$T/both.pub" 0x05 "$T/both" "${ASKPASS_ENV[@]}"
tpm_clean "at the end"

say PASS
