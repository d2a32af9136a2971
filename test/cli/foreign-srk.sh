#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Another system's SRK at 0x81000001, as the chip profiles of
# test/chip/profiles-os.sh leave it (run with SK_TPM_TEST_PROFILE=windows
# or systemd; third argument the same name): sk-tpm doctor and setup say
# whose key it is, told by its Name, and what that means; setup leaves it
# alone; keys, resident ones included, are made, sign, list and download
# with ssh-keygen -K. For systemd also the two changes a machine sees:
# systemd-tpm2-setup arriving after sk-tpm keys were made, and systemd's
# SRK removed after keys were made under it.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
PROFILE=${CLI_ARGS[0]:-}
[ "${SK_TPM_PROFILE:-}" = "$PROFILE" ] ||
    { echo "$0: run me with SK_TPM_TEST_PROFILE=$PROFILE" >&2; exit 2; }
# shellcheck source=../chip/profiles-os.sh
. "$(dirname "$0")/../chip/profiles-os.sh"

srk_name() {
	tpm2_readpublic -c 0x81000001 -n "$T/name.bin" >/dev/null ||
	    fail "tpm2_readpublic 0x81000001 failed"
	od -An -tx1 -v "$T/name.bin" | tr -d ' \n'
}

# resident NAME APP: a resident key without a PIN.
resident() {
	enroll "$1" "$2" "" SK_TPM_PRESENCE=assume -O no-touch-required
}

# download NAME: ssh-keygen -K into $T/NAME.dl; FILES the files it wrote.
download() {
	mkdir "$T/$1.dl"
	run "dl-$1" env -C "$T/$1.dl" SK_TPM_PRESENCE=assume \
	    ssh-keygen -K -w "$LIB" -N ''
	expect_rc "ssh-keygen -K ($1)" 0
	FILES=$(ls "$T/$1.dl")
}

# listed NAME APP...: sk-tpm list shows exactly these applications, none
# skipped.
listed() {
	local name=$1 app
	shift
	sk "list-$name" list
	expect_rc "list $name" 0
	assert_empty "$ERR" "list $name"
	for app in "$@"; do
		assert_grep "$OUT" " $(re_quote "$app")  " "list $name: $app"
	done
	[ "$(grep -c ' ssh:' "$OUT")" = $# ] || fail "list $name: not $# credentials"
}

# doctor_chip: what the doctor says of the chip on every profile (swtpm
# answers for the chip: CreateLoaded, NV room).
doctor_chip() {
	assert_grep "$T/doctor.out" '^\[ok\]   TPM2_CreateLoaded: present' \
	    "doctor: CreateLoaded"
	assert_grep "$T/doctor.out" '^\[ok\]   NV room: at least 16 more resident credentials of 430 bytes fit' \
	    "doctor: NV room"
	assert_grep "$T/doctor.out" '^\[info\] specification: TPM 2\.0, revision [0-9]+\.[0-9]{2}' \
	    "doctor: specification revision"
}

case "$PROFILE" in
windows)
	say "doctor: an RSA SRK, probably Windows'"
	sk doctor doctor
	expect_rc doctor 0
	assert_grep "$OUT" "^\\[warn\\] SRK: 0x81000001 holds an RSA SRK, probably Windows' \\(dual boot\\); sk-tpm leaves it alone and derives its own ECC P-256 SRK" \
	    "doctor names the RSA SRK"
	assert_grep "$OUT" '^\[ok\]   salted session: an HMAC session salted to the derived SRK' \
	    "doctor derives sk-tpm's SRK"
	doctor_chip

	say "setup leaves it alone and says why"
	before=$(srk_name)
	sk setup setup
	expect_rc setup 0
	assert_empty "$ERR" setup
	assert_grep "$OUT" "^0x81000001 holds an RSA SRK, probably Windows' .*derives its own .* Name $before\$" \
	    "setup explains"
	[ "$(srk_name)" = "$before" ] || fail "setup changed 0x81000001"

	say "keys work under sk-tpm's derived SRK"
	resident win ssh:windows
	sign_ok win "$T/win" SK_TPM_PRESENCE=assume
	listed win ssh:windows
	download win
	grep -q '^id_ecdsa_sk_rk_windows$' <<<"$FILES" || fail "ssh-keygen -K: $FILES"
	[ "$(srk_name)" = "$before" ] || fail "enrolling changed 0x81000001"
	tpm_clean "after the keys"

	say "Windows' dictionary-attack settings and lockout password"
	assert_grep "$T/doctor.out" '^\[ok\]   dictionary attack: not in lockout; lockout counter 0, max tries 32, interval 600 s, recovery 86400 s$' \
	    "doctor shows Windows' DA parameters"
	assert_grep "$T/doctor.out" '^\[info\] lockout password: set \(lockoutAuthSet\): only its holder can end a lockout early or clear the TPM; on a dual-boot machine Windows keeps it, and a wrong one locks the lockout hierarchy for 86400 s$' \
	    "doctor says the lockout password is set"

	say "a PIN key, then a lockout: the advice does not offer what needs the password"
	echo 4826 >"$T/pin"  # what the askpass answers
	enroll pinkey ssh:windows-pin "" SK_TPM_PRESENCE=assume "${ASKPASS_ENV[@]}" \
	    -O no-touch-required -O verify-required
	# 32 wrong passwords for a DA-protected NV index lock the TPM out.
	tpm2_nvdefine 0x01500020 -C o -s 8 -a "ownerwrite|ownerread|authwrite|authread" -p right >/dev/null
	for _ in $(seq 32); do
		! tpm2_nvread 0x01500020 -C 0x01500020 -P wrong -s 8 >/dev/null 2>&1 ||
		    fail "tpm2_nvread with a wrong password succeeded"
	done
	echo message >"$T/locked.msg"
	run locked-sign env SSH_SK_PROVIDER="$LIB" SK_TPM_PRESENCE=assume \
	    "${ASKPASS_ENV[@]}" ssh-keygen -Y sign -f "$T/pinkey" -n file "$T/locked.msg"
	[ "$RC" != 0 ] || fail "a PIN key signed in lockout"
	assert_grep "$ERR" '^sk-tpm: the TPM is locked out after too many wrong PINs; it forgives one wrong PIN every 600 s, so try again in 600 s; the lockout password is set \(on a dual-boot machine Windows keeps it\), so only its holder can reset it sooner: from Windows, or with tpm2_dictionarylockout -c -p PASSWORD; do not guess it, a wrong one locks that out for 86400 s$' \
	    "the library's lockout line"
	sk locked-doctor doctor
	expect_rc "doctor in lockout" 1
	assert_grep "$OUT" '^\[FAIL\] dictionary attack: in lockout \(lockout counter 32, max tries 32\): keys with a PIN cannot be used; one failure is forgiven every 600 s; the lockout password is set, so only its holder can end it sooner: from Windows on a dual-boot machine, or tpm2_dictionarylockout -c -p PASSWORD \(do not guess: a wrong one locks that out for 86400 s\)$' \
	    "doctor's lockout advice"
	assert_no_grep "$OUT" 'anyone can end it' "doctor does not offer tpm2_dictionarylockout -c alone"
	# Acting as Windows, which knows the password.
	tpm2_dictionarylockout -c -p "$PROFILE_LOCKOUT_AUTH" >/dev/null
	sign_ok unlocked "$T/pinkey" "${ASKPASS_ENV[@]}"
	tpm_clean "after the lockout"
	;;
systemd)
	say "doctor: systemd's SRK, told by its Name"
	sk doctor doctor
	expect_rc doctor 0
	assert_grep "$OUT" "^\\[ok\\]   SRK: 0x81000001 holds systemd's SRK \\(systemd-tpm2-setup, systemd 255 or later; its Name differs from sk-tpm's standard SRK" \
	    "doctor names systemd's SRK"
	assert_grep "$OUT" '^\[ok\]   salted session: an HMAC session salted to the persistent SRK' \
	    "doctor uses systemd's SRK"
	assert_grep "$OUT" '^\[info\] lockout password: empty' "doctor: no lockout password"
	doctor_chip

	say "setup leaves it alone and says why"
	theirs=$(srk_name)
	sk setup setup
	expect_rc setup 0
	assert_empty "$ERR" setup
	assert_grep "$OUT" "^0x81000001 holds systemd's SRK \\(systemd-tpm2-setup, systemd 255 or later\\).*Nothing done: it stays, sk-tpm makes new keys under it.* Name $theirs\$" \
	    "setup explains"
	[ "$(srk_name)" = "$theirs" ] || fail "setup changed 0x81000001"

	say "a key made under systemd's SRK"
	resident under ssh:under-systemd
	sign_ok under-1 "$T/under" SK_TPM_PRESENCE=assume
	listed under ssh:under-systemd

	say "systemd's SRK removed: that key still signs, lists and downloads"
	tpm2_evictcontrol -C o -c 0x81000001 >/dev/null
	sign_ok under-2 "$T/under" SK_TPM_PRESENCE=assume SK_TPM_DEBUG=1
	assert_grep "$SIGN_ERR" 'derived from the systemd template' \
	    "the SRK is derived from systemd's template again"
	listed gone ssh:under-systemd
	download gone
	grep -q '^id_ecdsa_sk_rk_under-systemd$' <<<"$FILES" || fail "ssh-keygen -K: $FILES"
	tpm_clean "after systemd's SRK went"

	say "a key made now, under sk-tpm's derived SRK"
	resident before ssh:before-systemd
	sign_ok before-1 "$T/before" SK_TPM_PRESENCE=assume

	say "systemd-tpm2-setup arrives: every key still signs, lists and downloads"
	mkdir "$T/arrive"
	profile_systemd_state "$T/arrive" || fail "persisting systemd's SRK failed"
	[ "$(srk_name)" = "$theirs" ] || fail "systemd's SRK came back with another Name"
	sign_ok before-2 "$T/before" SK_TPM_PRESENCE=assume
	sign_ok under-3 "$T/under" SK_TPM_PRESENCE=assume
	listed both ssh:before-systemd ssh:under-systemd
	download both
	grep -q '^id_ecdsa_sk_rk_before-systemd$' <<<"$FILES" &&
	    grep -q '^id_ecdsa_sk_rk_under-systemd$' <<<"$FILES" ||
	    fail "ssh-keygen -K: $FILES"
	tpm_clean "after systemd arrived"
	;;
*)
	echo "$0: third argument must be windows or systemd" >&2
	exit 2
	;;
esac

say PASS
