#!/usr/bin/env bash
# Issue 12: keys bound to PCRs through the real ssh-keygen, ssh and sshd.
# SK_TPM_PCRS in ssh-keygen's environment binds the new key; it logs in
# while the PCRs hold their enrollment values, is refused with the
# "platform state changed" line (no PIN tried, no lockout count) once one
# is extended, and logs in again when the same measurements are replayed.
# PCRs 16 and 23 of the simulator are resettable; PCR 7 is
# integration.pcr's.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

for tool in tpm2_pcrreset tpm2_pcrextend; do
	command -v "$tool" >/dev/null || { echo "$tool missing" >&2; exit 77; }
done

da_counter() {
	timeout "$E2E_TIMEOUT" tpm2_getcap properties-variable |
	    awk '$1 == "TPM2_PT_LOCKOUT_COUNTER:" {print $2}'
}

# boot VALUE: PCRs 16 and 23 as a boot that measured VALUE leaves them.
boot() {
	tpm2_pcrreset 16 23 >/dev/null
	tpm2_pcrextend "16:sha256=$1" "23:sha256=$1" >/dev/null
}

GOOD=$(printf 'a1%.0s' $(seq 32))
OTHER=$(printf '5e%.0s' $(seq 32))
boot "$GOOD"

say "enroll with SK_TPM_PCRS=16 (no PIN)"
enroll bound SK_TPM_PCRS=16 -O no-touch-required
expect_ok "enroll bound"
assert_one_sk_line "$ERR" "enrollment names the binding" \
    'bound to PCR 16 \(sha256\)' 'stops working when'
tpm_clean "after enrollment"

say "enroll with SK_TPM_PCRS=sha256:16,23 and a PIN"
set_pin 4711
enroll both SK_TPM_PCRS=sha256:16,23 "${ASKPASS_ENV[@]}" -O verify-required
expect_ok "enroll both"
assert_one_sk_line "$ERR" "enrollment names the binding" \
    'bound to PCRs 16,23 \(sha256\)'

sshd_start

say "logins while the platform is as enrolled"
authorize no-touch-required "$T/bound.pub"
login_ok login-bound "$T/bound.pub" 0x00 "$T/bound"
assert_quiet "$ERR" "login bound"
authorize verify-required "$T/both.pub"
login_ok login-both "$T/both.pub" 0x05 "$T/both" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login both"
tpm_clean "after the logins"

say "PCR 16 changes (another boot chain): refused, no lockout count"
tpm2_pcrextend "16:sha256=$OTHER" >/dev/null
before=$(da_counter)
[ -n "$before" ] || fail "cannot read TPM2_PT_LOCKOUT_COUNTER"
authorize no-touch-required "$T/bound.pub"
login_refused login-bound-changed "$T/bound"
assert_one_sk_line "$ERR" "bound key on a changed platform" \
    '^sk-tpm: the platform state changed: PCR 16 \(sha256\) is [0-9a-f]+\.\.\., this key was enrolled with [0-9a-f]+\.\.\.; after an intended firmware or Secure Boot update, enroll a new key$'
say "  what the user sees:"
sed 's/^/    | /' "$ERR"
authorize verify-required "$T/both.pub"
login_refused login-both-changed "$T/both" "${ASKPASS_ENV[@]}"
assert_one_sk_line "$ERR" "PIN key on a changed platform" \
    'the platform state changed: PCR 16 \(sha256\)'
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
