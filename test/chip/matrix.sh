#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every flow on one chip profile (SK_TPM_TEST_PROFILE, test/chip/
# profiles.sh), through the real ssh-keygen, ssh, sshd and the sk-tpm tool
# ($2): enroll without a PIN (with -O write-attestation, checked by
# verify-attestation, the EK certificates found wherever the chip keeps
# them) and with one, log in with both, a resident key with the longest
# application a record holds (256 bytes, with a 64-byte user id: the
# largest record) shown by sk-tpm list and removed by sk-tpm delete, and
# one with the longest application whose file ssh-keygen -K can still name
# (240 bytes: "id_ecdsa_sk_rk_", 236 and ".pub" are NAME_MAX, 255),
# downloaded and logged in with. The TPM commands of the
# enrollment and the login are counted from the chip TCTI's log.
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015,SC2034
. "$(dirname "$0")/../e2e/lib.sh" "$@"

CLI=${2:?usage: matrix.sh LIB SK-TPM}
PROFILE=${SK_TPM_PROFILE:?run me with SK_TPM_TEST_PROFILE=NAME through with-swtpm.sh}
TEST_NAME=matrix-$PROFILE
# shellcheck source-path=SCRIPTDIR source=profiles.sh
. "$(dirname "$0")/profiles.sh"
ekcerts=profile_${PROFILE}_ekcerts
ekcerts=${!ekcerts:-0}
export SK_CHIP_LOG=$T/chip.log
: >"$SK_CHIP_LOG"

# counted WHAT CMD...: run CMD and say how many TPM commands it sent
# through the chip TCTI, and how many of them the chip answered itself.
COUNTS=
counted() {
	local what=$1 before all ours
	shift
	before=$(wc -l <"$SK_CHIP_LOG")
	"$@"
	all=$(tail -n +"$((before + 1))" "$SK_CHIP_LOG" | wc -l)
	ours=$(tail -n +"$((before + 1))" "$SK_CHIP_LOG" | grep -c ' chip$' || true)
	say "  $what: $all TPM commands ($ours answered by the chip or its RM)"
	COUNTS="$COUNTS $what=$all/$ours"
}

head -c 32 /dev/urandom >"$T/chal"

say "enroll without a PIN, with -O write-attestation"
# SK_TPM_ATTEST_EK=1: the EK certificates go into the attestation only on
# request, and this flow shows they are found wherever the chip keeps them.
counted enroll enroll_ok plain SK_TPM_ATTEST_EK=1 -O no-touch-required -O application=ssh: \
    -O challenge="$T/chal" -O write-attestation="$T/plain.att"
tpm_clean "after enrolling without a PIN"
ekca=()
[ "$ekcerts" = 0 ] || ekca=(--ek-ca "$SWTPM_EK_CA")
run verify "$CLI" verify-attestation "$T/plain.pub" "$T/plain.att" \
    --challenge "$T/chal" "${ekca[@]}"
[ "$RC" = 3 ] || fail "verify-attestation: exit status $RC, expected 3"
assert_grep "$OUT" 'ok +signature: the AK' "verify-attestation"
assert_grep "$OUT" 'ok +challenge: extraData' "verify-attestation"
if [ "$ekcerts" != 0 ]; then
	assert_grep "$OUT" 'ok +EK certificate: .*chains to --ek-ca' \
	    "verify-attestation finds the EK certificates"
else
	# Nothing in NV, or only CA certificates of a chain: the file cannot
	# tell an empty NV from certificates left out, and says both.
	assert_grep "$OUT" 'EK certificate: (none; this TPM had no EK certificate in NV|not included .*or none in NV)' \
	    "verify-attestation without EK certificates"
fi
say "  $(grep 'EK certificate' "$OUT" | sed 's/^ *//')"

say "enroll with a PIN"
set_pin 2468
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required -O application=ssh:
tpm_clean "after enrolling with a PIN"

sshd_start
say "log in without and with the PIN"
authorize no-touch-required "$T/plain.pub"
counted login login_ok login-plain "$T/plain.pub" 0x00 "$T/plain"
authorize "" "$T/uv.pub"
login_ok login-uv "$T/uv.pub" 0x05 "$T/uv" "${ASKPASS_ENV[@]}"
tpm_clean "after the logins"

say "a key bound to PCR 7: logs in as enrolled, refused once PCR 7 moves"
tpm2_pcrextend "7:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null
enroll pcr SK_TPM_PCRS=7 -O no-touch-required
expect_ok "enroll bound to PCR 7"
assert_one_sk_line "$ERR" "enrollment names the binding" 'bound to PCR 7 \(sha256\)'
authorize no-touch-required "$T/pcr.pub"
login_ok login-pcr "$T/pcr.pub" 0x00 "$T/pcr"
tpm2_pcrextend "7:sha256=$(printf '5e%.0s' $(seq 32))" >/dev/null
login_refused login-pcr-moved "$T/pcr"
tpm_clean "after the PCR-bound key"

say "sk-tpm setup, sk-tpm doctor, and a login with the persistent SRK"
run setup "$CLI" setup
expect_ok "sk-tpm setup"
run doctor "$CLI" doctor
expect_ok "sk-tpm doctor"
assert_grep "$OUT" '^healthy' "sk-tpm doctor"
# The chip's commands as the doctor reads them (TPM2_CAP_COMMANDS, which
# the chip TCTI answers as the chip would).
if [[ "$SK_TPM_TCTI" == *absent=CreateLoaded* ]]; then
	assert_grep "$OUT" 'TPM2_CreateLoaded: absent' "doctor: CreateLoaded absent"
else
	assert_grep "$OUT" 'TPM2_CreateLoaded: present' "doctor: CreateLoaded present"
fi
authorize no-touch-required "$T/plain.pub"
login_ok login-after-setup "$T/plain.pub" 0x00 "$T/plain"
tpm_clean "after setup"

say "resident: the largest record (256-byte application, 64-byte user id)"
app256=ssh:$(printf 'a%.0s' $(seq 252))
user64=$(printf 'u%.0s' $(seq 64))
enroll_ok big -O resident -O no-touch-required -O application="$app256" \
    -O user="$user64"
say "resident: the longest application ssh-keygen -K names a file for"
app240=ssh:$(printf 'k%.0s' $(seq 236))
enroll_ok rk -O resident -O no-touch-required -O application="$app240"
tpm_clean "after the resident enrollments"
[ "$(nv_records)" = 2 ] || fail "expected 2 records in NV, found $(nv_records)"

run list "$CLI" list
expect_ok "sk-tpm list"
[ "$(grep -c 'ssh:' "$OUT")" = 2 ] || fail "sk-tpm list: expected 2 credentials"
assert_grep "$OUT" "$(fingerprint "$T/big.pub" | sed 's/[+/]/./g')" "list shows the largest record"

say "sk-tpm delete the largest record"
run delete "$CLI" delete --application "$app256" --user "$user64" --yes
expect_ok "sk-tpm delete"
[ "$(nv_records)" = 1 ] || fail "after delete NV holds $(nv_records) records, expected 1"

say "ssh-keygen -K, and a login with what it wrote"
download dl
expect_ok "ssh-keygen -K"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_${app240#ssh:}.pub")" = "$(pubkey "$T/rk.pub")" ] ||
    fail "ssh-keygen -K did not return the resident key"
# ssh-keygen -K's file asks for presence (OpenSSH writes it so).
authorize "" "$T/rk.pub"
login_ok login-rk "$T/rk.pub" 0x01 "$DL/id_ecdsa_sk_rk_${app240#ssh:}" \
    SK_TPM_PRESENCE=assume

tpm_clean "at the end"

say "profile $PROFILE: every flow passed; TPM commands:$COUNTS"
