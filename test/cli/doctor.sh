#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm doctor against swtpm: the checklist names the TPM and how it was
# reached, the manufacturer (IBM for swtpm), firmware, P-256, a salted
# session, the lockout state, NV limits and resident records, and exits 0;
# a lockout, an unreachable TPM or (without SK_TPM_TCTI) a missing device
# make it exit 1 with one clear line on stderr.
#
# Third argument: "srk" when run with the standard SRK persisted
# (with-swtpm.sh --srk), "no-srk" without.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
MODE=${CLI_ARGS[0]:-}
case "$MODE" in
srk|no-srk) ;;
*) echo "$0: third argument must be srk or no-srk" >&2; exit 2 ;;
esac
command -v tpm2_createprimary >/dev/null && command -v tpm2_evictcontrol >/dev/null ||
    { echo "$0: tpm2_createprimary/tpm2_evictcontrol are not installed" >&2; exit 77; }

# doctor_ok NAME [sk args...]: doctor exits 0, says healthy, and writes
# nothing on stderr.
doctor_ok() {
	local name=$1
	shift
	sk "$name" "$@" doctor
	expect_rc "doctor $name" 0
	assert_empty "$ERR" "doctor $name"
	assert_no_grep "$OUT" '^\[FAIL\]' "doctor $name"
	assert_grep "$OUT" '^healthy \([0-9]+ warnings?\)$' "doctor $name: verdict"
}

# doctor_fails NAME ERE [sk args...]: doctor exits 1, with a FAIL line
# matching ERE and exactly one line on stderr.
doctor_fails() {
	local name=$1 re=$2
	shift 2
	sk "$name" "$@" doctor
	expect_rc "doctor $name" 1
	assert_grep "$OUT" "^\[FAIL\] $re" "doctor $name"
	assert_grep "$OUT" '^[0-9]+ problems? found$' "doctor $name: verdict"
	assert_one_error "$ERR" "doctor $name" "$re"
}

say "a healthy simulator ($MODE)"
doctor_ok healthy
port=$SWTPM_PORT
assert_grep "$OUT" "^\[info\] TPM: SK_TPM_TCTI names \"swtpm:host=127\.0\.0\.1,port=$port\"\$" "doctor: TCTI source"
assert_grep "$OUT" "^\[ok\]   TPM: reached through swtpm:host=127\.0\.0\.1,port=$port\$" "doctor: TPM reached"
assert_grep "$OUT" '^\[info\] /dev/tpmrm0: not checked \(SK_TPM_TCTI chooses the TPM\)$' "doctor: no device check"
assert_grep "$OUT" '^\[info\] manufacturer: IBM \(0x49424d00\)$' "doctor: manufacturer"
assert_grep "$OUT" '^\[info\] vendor: "SW   TPM"$' "doctor: vendor"
# swtpm's FW1/FW2, read back with tpm2-tools for comparison.
fw1=$(tpm2_getcap properties-fixed | awk '/TPM2_PT_FIRMWARE_VERSION_1/ {getline; print $2}')
fw2=$(tpm2_getcap properties-fixed | awk '/TPM2_PT_FIRMWARE_VERSION_2/ {getline; print $2}')
[ -n "$fw1" ] && [ -n "$fw2" ] || fail "tpm2_getcap shows no firmware version"
fwtext=$(printf '%u.%u.%u.%u' $((fw1 >> 16)) $((fw1 & 0xffff)) $((fw2 >> 16)) $((fw2 & 0xffff)))
assert_grep "$OUT" "^\[info\] firmware: $(re_quote "$fwtext") \(TPM2_PT_FIRMWARE_VERSION_1 $(printf '0x%08x' "$fw1"), _2 $(printf '0x%08x' "$fw2")\)\$" \
    "doctor: firmware $fwtext"
assert_grep "$OUT" '^\[info\] specification: TPM 2\.0, revision [0-9]+\.[0-9]{2}, level 0, 20[0-9]{2} day [0-9]+$' "doctor: specification"
assert_grep "$OUT" '^\[ok\]   firmware: not on the list of TPM-FAIL' "doctor: TPM-FAIL check"
assert_grep "$OUT" '^\[ok\]   ECC NIST P-256: supported$' "doctor: P-256"
assert_grep "$OUT" '^\[ok\]   dictionary attack: not in lockout; lockout counter 0, max tries 4, interval 2 s, recovery 2 s$' \
    "doctor: lockout state as with-swtpm.sh set it"
assert_grep "$OUT" '^\[info\] NV: 0 indices defined \(TPM2_PT_HR_NV_INDEX\); persistent handles: [0-9]+ used \(TPM2_PT_HR_PERSISTENT\), [0-9]+ more possible' "doctor: NV counts"
assert_grep "$OUT" '^\[info\] NV: an index holds at most 2048 bytes \(TPM2_PT_NV_INDEX_MAX\), one write at most 1024 \(TPM2_PT_NV_BUFFER_MAX\)$' "doctor: NV limits"
assert_grep "$OUT" '^\[ok\]   NV room: at least 16 more resident credentials of 430 bytes fit \(measured with 16 empty indices, removed again\)$' \
    "doctor: NV room measured"
assert_grep "$OUT" '^\[ok\]   TPM2_CreateLoaded: present' "doctor: CreateLoaded"
assert_grep "$OUT" '^\[info\] lockout password: empty: anyone who may use the TPM can end a lockout' \
    "doctor: lockoutAuth not set"
assert_grep "$OUT" '^\[ok\]   resident credentials: 0 \(0 skipped, 0 unwritten\); 0 of 256 sk-tpm NV slots in use$' "doctor: no records"
if [ "$MODE" = srk ]; then
	assert_grep "$OUT" '^\[ok\]   SRK: the standard ECC P-256 SRK is persistent at 0x81000001$' "doctor: persistent SRK"
	assert_grep "$OUT" '^\[ok\]   salted session: an HMAC session salted to the persistent SRK started and was flushed$' "doctor: salted session"
	assert_grep "$OUT" 'persistent handles: 1 used' "doctor: one persistent handle"
	assert_grep "$OUT" '^healthy \(0 warnings\)$' "doctor: no warnings"
else
	assert_grep "$OUT" '^\[warn\] SRK: no persistent SRK at 0x81000001: each signature derives it \(about 150 ms on a discrete TPM\) or loads a saved copy; run "sk-tpm setup" to make it persistent$' \
	    "doctor: no persistent SRK is a warning that recommends setup"
	assert_grep "$OUT" '^\[ok\]   salted session: an HMAC session salted to the derived SRK started and was flushed$' "doctor: salted session"
	assert_grep "$OUT" '^healthy \(1 warning\)$' "doctor: one warning"
fi
tpm_clean "after doctor"
[ -z "$(tpm2_getcap handles-nv-index)" ] || fail "doctor left NV indices behind"

say "--tcti overrides SK_TPM_TCTI, before or after the command"
good=$SK_TPM_TCTI
sk tcti-before SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)" --tcti "$good" doctor
expect_rc "sk-tpm --tcti GOOD doctor" 0
assert_grep "$OUT" "^\[info\] TPM: --tcti names \"$(re_quote "$good")\"\$" "doctor names --tcti"
sk tcti-after SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)" doctor --tcti "$good"
expect_rc "sk-tpm doctor --tcti GOOD" 0

say "resident records: one usable, one corrupt"
enroll alice ssh:test alice -O no-touch-required
tpm2_nvdefine 0x01a5c5f0 -C o -s 64 -a "ownerwrite|ownerread|authread|no_da" >/dev/null
echo garbage | tpm2_nvwrite 0x01a5c5f0 -C o -i - >/dev/null
doctor_ok records
assert_grep "$OUT" '^\[warn\] resident credentials: 1 usable, 1 skipped \(corrupt or from another TPM\), 0 unwritten; see "sk-tpm list"; 2 of 256 sk-tpm NV slots in use$' \
    "doctor counts the records"
assert_grep "$OUT" '^\[info\] NV: 2 indices defined' "doctor counts the NV indices"

if [ "$MODE" = no-srk ]; then
	say "another key at 0x81000001 is left alone"
	tpm2_createprimary -C o -G ecc256 -c "$T/other.ctx" >/dev/null
	tpm2_evictcontrol -C o -c "$T/other.ctx" 0x81000001 >/dev/null
	tpm2_flushcontext -t >/dev/null 2>&1 || true
	doctor_ok other-srk
	assert_grep "$OUT" '^\[warn\] SRK: 0x81000001 holds another key than the standard ECC P-256 SRK' "doctor: foreign key at the SRK handle"
	assert_grep "$OUT" 'salted to the derived SRK' "doctor derives its own SRK"
	tpm2_evictcontrol -C o -c 0x81000001 >/dev/null
fi

if [ "$MODE" = srk ]; then
	say "NV full, then nearly full: the doctor's measure of the room left"
	defined=$(tpm2_getcap handles-nv-index | wc -l)
	# Indices of 2048 bytes, then of a record's size, outside the sk-tpm
	# range, until the TPM refuses one; the last 2048-byte one first.
	n=0
	for size in 2048 430; do
		while tpm2_nvdefine "$(printf '0x%08x' $((0x01510000 + n)))" -C o \
		    -s "$size" -a 'ownerread|ownerwrite' >/dev/null 2>&1; do
			[ "$size" = 430 ] || big=$((0x01510000 + n))
			n=$((n + 1))
		done
	done
	[ "$n" -gt 0 ] && [ -n "${big:-}" ] || fail "no NV index could be defined"
	doctor_ok nv-full
	assert_grep "$OUT" '^\[warn\] NV room: full: no further resident credential of 430 bytes fits' \
	    "doctor: NV full"
	tpm2_nvundefine "$(printf '0x%08x' "$big")" -C o >/dev/null
	doctor_ok nv-little
	assert_grep "$OUT" '^\[(info|warn)\] NV room: about [0-9]+ more resident credentials? of 430 bytes fit \(measured: empty indices defined until the TPM said NV_SPACE, then removed\)$' \
	    "doctor measures a little room"
	room=$(sed -n 's/.*NV room: about \([0-9]*\) more.*/\1/p' "$OUT")
	[ "$room" -ge 1 ] && [ "$room" -le 4 ] ||
	    fail "doctor: $room records of 430 bytes where one 2048-byte index was"
	for i in $(seq 0 $((n - 1))); do
		[ "$((0x01510000 + i))" = "$big" ] ||
		    tpm2_nvundefine "$(printf '0x%08x' $((0x01510000 + i)))" -C o >/dev/null
	done
	[ "$(tpm2_getcap handles-nv-index | wc -l)" = "$defined" ] ||
	    fail "doctor left NV indices behind"
fi

say "wrong authorizations: counted, then lockout"
# A DA-protected NV index outside our range with a password, and DA
# parameters that neither forgive nor recover during the test.
tpm2_dictionarylockout -s -n 3 -t 600 -l 600 >/dev/null
tpm2_nvdefine 0x01500010 -C o -s 8 -a "ownerwrite|ownerread|authwrite|authread" -p right >/dev/null
printf '12345678' | tpm2_nvwrite 0x01500010 -C 0x01500010 -P right -i - >/dev/null
wrong_read() {
	! tpm2_nvread 0x01500010 -C 0x01500010 -P wrong -s 8 >/dev/null 2>&1 ||
	    fail "tpm2_nvread with a wrong password succeeded"
}
wrong_read
doctor_ok counted
assert_grep "$OUT" '^\[warn\] dictionary attack: lockout counter 1, max tries 3, interval 600 s, recovery 600 s' \
    "doctor warns about counted failures"
wrong_read
wrong_read
doctor_fails lockout 'dictionary attack: in lockout \(lockout counter 3, max tries 3\)'
assert_grep "$OUT" 'one failure is forgiven every 600 s, or anyone can end it now with tpm2_dictionarylockout -c \(the lockout password is empty\)' \
    "doctor says how a lockout ends"
tpm_clean "after doctor in lockout"
tpm2_dictionarylockout -c >/dev/null
doctor_ok cleared
assert_grep "$OUT" '^\[ok\]   dictionary attack: not in lockout; lockout counter 0, max tries 3' "doctor after the reset"

say "a malformed SK_TPM_PRESENCE fails the doctor, not list"
doctor_fails presence 'environment: SK_TPM_PRESENCE=sometimes is not understood' SK_TPM_PRESENCE=sometimes
assert_grep "$OUT" '^\[ok\]   TPM: reached through' "doctor goes on after an environment problem"
sk list-presence SK_TPM_PRESENCE=sometimes list
expect_rc "list with a malformed SK_TPM_PRESENCE" 0
assert_empty "$ERR" "list with a malformed SK_TPM_PRESENCE"
assert_grep "$OUT" ' ssh:test  alice  no-pin ' "list with a malformed SK_TPM_PRESENCE"

say "an unreachable TPM"
closed="swtpm:host=127.0.0.1,port=$(closed_port)"
doctor_fails closed 'TPM: cannot reach the TPM at "swtpm:host=127\.0\.0\.1,port=[0-9]+"' SK_TPM_TCTI="$closed"
assert_grep "$OUT" '^\[info\] the other checks need a TPM$' "doctor stops after an unreachable TPM"

say "without SK_TPM_TCTI: /dev/tpmrm0 and its permissions"
# The variable must be absent, not merely empty.
run default env -u SK_TPM_TCTI "$SK" doctor
assert_grep "$OUT" '^\[info\] TPM: no SK_TPM_TCTI: trying /dev/tpmrm0, then tpm2-abrmd \(never a simulator\)$' \
    "doctor explains the default path"
if [ -e /dev/tpmrm0 ]; then
	# A real TPM: its health is the host's business, the lines are ours.
	assert_grep "$OUT" '^\[info\] /dev/tpmrm0: present, owner [^ ]+, group [^ ]+, mode 0[0-7]{3}$' \
	    "doctor describes /dev/tpmrm0"
	assert_grep "$OUT" '^\[(ok|FAIL)\] +/dev/tpmrm0: ' "doctor says whether /dev/tpmrm0 opens"
	assert_grep "$OUT" '^\[(ok|info)\] +group tss: ' "doctor looks at group tss"
else
	expect_rc "doctor without a TPM" 1
	assert_grep "$OUT" '^\[info\] /dev/tpmrm0: absent' "doctor: no device"
	if [ ! -S /run/dbus/system_bus_socket ] && [ -z "${DBUS_SYSTEM_BUS_ADDRESS:-}" ]; then
		assert_one_error "$ERR" "doctor without a TPM" 'TPM: no TPM found: /dev/tpmrm0 is absent'
	fi
fi

say PASS
