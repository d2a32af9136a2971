#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Hostile inputs through the real tools (ssh, ssh-keygen) reach the library
# inside ssh-sk-helper and end in a clean error: ssh/ssh-keygen exit
# non-zero, the library prints exactly one "sk-tpm:" line saying what is
# wrong, sshd never accepts a key, and ssh-sk-helper ends by itself with a
# status below 128 (the helper is wrapped through SSH_SK_HELPER so that a
# signal or a fatal() exit is seen; see helper_clean in lib.sh). Nothing is
# left loaded in the TPM. Cases:
#  1. key handles edited in the key file (lengths and padding kept right so
#     OpenSSH passes them on): a byte flipped in the TPM2B_PRIVATE (its
#     encrypted part, then its integrity HMAC) or in the public point →
#     "altered or belongs to another TPM" (the TPM's integrity check); the
#     public area's type → "malformed TPM structures"; the application
#     hash → "made for another application"; the SRK name (no longer the
#     name of the SRK public area the handle carries) → "altered".
#  2. a handle cut in half, one whose TPM2B_PRIVATE is cut short inside a
#     well-formed CBOR map, and one with 3000 bytes appended →
#     "malformed sk-tpm key handle"; an empty handle (OpenSSH passes it).
#  3. another provider's handle: a key made by OpenSSH's sk-dummy (package
#     openssh-tests; the sub-case says so and is left out if it is not
#     installed) and a handle of 64 random bytes → "not made by sk-tpm".
#  4. a 5000-byte application string: a plain key enrolls and logs in (the
#     library only hashes it); a resident key is refused with one line
#     (a record holds at most 256 bytes) and leaves no NV index behind.
#  5. PIN of length 0: OpenSSH turns "" into NULL, so the library asks
#     again; ssh-keygen gives up after 3 calls ("Too many incorrect PINs"),
#     ssh after one prompt, and an empty PIN never costs a try of the TPM's
#     dictionary-attack counter. PIN of 1000 bytes: enrolls and logs in; one
#     byte more is a wrong PIN. OpenSSH's askpass reader keeps at most 1023
#     bytes (readpass.c reads into a 1024-byte buffer), so an 1100-byte
#     answer is silently cut by OpenSSH, before the library: asserted as
#     such (the first 1023 bytes log in).
#  6. invalid UTF-8 in the user id (-O user=$'\xff\xfe'): the resident key
#     enrolls; ssh-keygen -K writes it as id_ecdsa_sk_rk_fffe (OpenSSH
#     escapes the bytes, then uses hex) and the recovered key logs in.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

# Where the openssh-tests package put it (Debian 12 and 13:
# /usr/lib/openssh/regress/misc/sk-dummy/sk-dummy.so).
SK_DUMMY=$(openssh_file sk-dummy.so)

# hostile_login NAME KEYFILE ERE...: a login with KEYFILE fails cleanly,
# with one library line matching every ERE, before any signature is sent.
hostile_login() {
	local name=$1 key=$2
	shift 2
	chmod 600 "$key"
	login_refused "$name" "$key" "${HELPER_ENV[@]}"
	assert_grep "$ERR" 'sign_and_send_pubkey: signing failed for ECDSA-SK' \
	    "$name: ssh reports that signing failed"
	assert_one_sk_line "$ERR" "$name" "$@"
	helper_clean "$name"
	tpm_clean "$name"
}

# da_counter: the TPM's dictionary-attack failure counter.
da_counter() {
	timeout "$E2E_TIMEOUT" tpm2_getcap properties-variable |
	    awk '$1 == "TPM2_PT_LOCKOUT_COUNTER:" {print $2}'
}

say "enroll the key the handles are taken from (no-touch-required)"
enroll_ok nt "${HELPER_ENV[@]}" -O no-touch-required
helper_clean "enrollment"
tpm_clean "after enrollment"
sshd_start
authorize no-touch-required "$T/nt.pub"
say "the unedited key logs in through the wrapped helper"
login_ok login-nt "$T/nt.pub" 0x00 "$T/nt" "${HELPER_ENV[@]}"
helper_clean "login with the unedited key"
skkey "$T/nt" xor 0 00 >"$T/same"
cmp -s "$T/nt" "$T/same" || fail "skkey.pl does not rewrite an unedited key byte for byte"

# --- 1. tampered handles ---------------------------------------------------
read -r pub_off pub_len < <(skkey_field "$T/nt" 3)
read -r priv_off priv_len < <(skkey_field "$T/nt" 4)
read -r srk_off _ < <(skkey_field "$T/nt" 5)
read -r app_off _ < <(skkey_field "$T/nt" 7)
[ -n "$pub_off" ] && [ -n "$priv_off" ] && [ -n "$srk_off" ] && [ -n "$app_off" ] ||
    fail "the key handle does not have the CBOR fields 3, 4, 5 and 7"

say "1a. a byte flipped in the encrypted part of the TPM2B_PRIVATE"
skkey "$T/nt" xor $((priv_off + priv_len - 1)) 01 >"$T/t-priv"
hostile_login t-priv "$T/t-priv" '^sk-tpm: the key handle was altered or belongs to another TPM$'

say "1b. a byte flipped in the integrity HMAC of the TPM2B_PRIVATE"
skkey "$T/nt" xor $((priv_off + 6)) 80 >"$T/t-hmac"
hostile_login t-hmac "$T/t-hmac" '^sk-tpm: the key handle was altered or belongs to another TPM$'

say "1c. a byte flipped in the public point (TPM2B_PUBLIC)"
skkey "$T/nt" xor $((pub_off + pub_len - 5)) 01 >"$T/t-point"
hostile_login t-point "$T/t-point" '^sk-tpm: the key handle was altered or belongs to another TPM$'

say "1d. the public area's type changed"
skkey "$T/nt" xor $((pub_off + 3)) 01 >"$T/t-type"
hostile_login t-type "$T/t-type" '^sk-tpm: the key handle holds malformed TPM structures$'

say "1e. the application hash changed"
skkey "$T/nt" xor $((app_off + 5)) 01 >"$T/t-app"
hostile_login t-app "$T/t-app" '^sk-tpm: this key handle was made for another application than "ssh:"$'

say "1f. the SRK name changed"
skkey "$T/nt" xor $((srk_off + 5)) 01 >"$T/t-srk"
hostile_login t-srk "$T/t-srk" '^sk-tpm: cannot use this key: the key handle was altered: the storage key it carries is not the one it names$'

# --- 2. truncated and oversized handles ------------------------------------
hlen=$(skkey "$T/nt" info | awk '$1 == "handle_len" {print $2}')
hex=$(skkey "$T/nt" info | awk '$1 == "handle" {print $2}')

say "2a. the handle cut in half ($hlen → $((hlen / 2)) bytes)"
skkey "$T/nt" truncate $((hlen / 2)) >"$T/t-half"
hostile_login t-half "$T/t-half" '^sk-tpm: cannot use this key: malformed sk-tpm key handle$'

say "2b. the TPM2B_PRIVATE cut to 20 bytes inside a well-formed CBOR map"
skkey "$T/nt" shrink-field 4 20 >"$T/t-short"
hostile_login t-short "$T/t-short" '^sk-tpm: cannot use this key: malformed sk-tpm key handle$'

say "2c. 3000 bytes appended to the handle"
skkey "$T/nt" set "$hex$(head -c 3000 /dev/zero | tr '\0' a | od -An -tx1 | tr -d ' \n')" >"$T/t-long"
hostile_login t-long "$T/t-long" '^sk-tpm: cannot use this key: malformed sk-tpm key handle$'

say "2d. an empty handle"
skkey "$T/nt" set "" >"$T/t-empty"
hostile_login t-empty "$T/t-empty" '^sk-tpm: this key was not made by sk-tpm'

# --- 3. other providers' handles -------------------------------------------
if [ -n "$SK_DUMMY" ]; then
	say "3a. a key enrolled by OpenSSH's sk-dummy provider"
	run enroll-dummy ssh-keygen -t ecdsa-sk -w "$SK_DUMMY" -N '' \
	    -O no-touch-required -f "$T/dummy"
	expect_ok "sk-dummy enrollment"
	authorize no-touch-required "$T/dummy.pub"
	hostile_login t-dummy "$T/dummy" '^sk-tpm: this key was not made by sk-tpm'
	authorize no-touch-required "$T/nt.pub"
elif [ "${CI:-}" = true ]; then
	# .ci/packages installs openssh-tests: in CI the sub-case must run.
	fail "sk-dummy.so (Debian package openssh-tests) is not installed"
else
	say "3a. NOTE: sk-dummy.so is missing (Debian package openssh-tests);" \
	    "the sk-dummy sub-case is left out, the random handle below still runs"
fi

say "3b. a handle of 64 random bytes"
skkey "$T/nt" set "$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$T/t-random"
hostile_login t-random "$T/t-random" '^sk-tpm: this key was not made by sk-tpm'

# --- 4. a huge application string -----------------------------------------
big=ssh:$(head -c 5000 /dev/zero | tr '\0' a)

say "4a. -O application=ssh:<5000 x a>, plain key: enrolls and logs in"
enroll_ok big "${HELPER_ENV[@]}" -O no-touch-required -O application="$big"
helper_clean "enrollment with a 5000-byte application"
[ "$(skkey "$T/big" info | awk '$1 == "application" {print length($2)}')" = 5004 ] ||
    fail "the key file does not hold the 5004-byte application"
authorize no-touch-required "$T/big.pub"
login_ok login-big "$T/big.pub" 0x00 "$T/big" "${HELPER_ENV[@]}"
assert_quiet "$ERR" "login with a 5000-byte application"
helper_clean "login with a 5000-byte application"
tpm_clean "after the login with a 5000-byte application"
authorize no-touch-required "$T/nt.pub"

say "4b. the same application for a resident key: refused cleanly"
enroll bigr "${HELPER_ENV[@]}" -O resident -O no-touch-required -O application="$big"
expect_fail "resident enrollment with a 5000-byte application"
assert_grep "$ERR" 'Key enrollment failed: invalid format' "ssh-keygen reports the failure"
assert_one_sk_line "$ERR" "resident, 5000-byte application" "longer than 256 bytes, the limit for resident credentials"
helper_clean "resident enrollment with a 5000-byte application"
[ ! -e "$T/bigr" ] || fail "a key file was written"
[ "$(nv_records)" = 0 ] || fail "a refused resident enrollment left $(nv_records) NV index(es)"
tpm_clean "after the refused resident enrollment"

# --- 5. PINs of 0 and 1000 bytes --------------------------------------------
say "5a. empty PIN at enrollment (askpass answers an empty line)"
printf '\n' >"$PIN_FILE"
: >"$ASKPASS_LOG"
enroll pin0 "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}" -O verify-required
expect_fail "enrollment with an empty PIN"
assert_grep "$ERR" '^Too many incorrect PINs' "ssh-keygen gives up"
[ "$(grep -c '^secret	Enter PIN for authenticator' "$ASKPASS_LOG")" = 2 ] ||
    fail "ssh-keygen did not ask for the PIN exactly twice"
# The helper turns "" into NULL: the library sees "no PIN yet" each time,
# which asks for one and is not an error of its own.
assert_no_grep "$ERR" 'sk-tpm:' "empty PIN: the library only asked for a PIN"
[ "$(wc -l <"$HELPER_LOG")" = 3 ] || fail "expected 3 helper runs, got $(wc -l <"$HELPER_LOG")"
helper_clean "enrollment with an empty PIN"
[ ! -e "$T/pin0" ] || fail "a key file was written"
tpm_clean "after the empty PIN"

say "5b. empty PIN at enrollment on stdin (no askpass)"
printf '\n\n\n' >"$T/empty-lines"
RUN_STDIN=$T/empty-lines enroll pin0s "${HELPER_ENV[@]}" -O verify-required
expect_fail "enrollment with an empty PIN on stdin"
assert_grep "$ERR" 'Too many incorrect PINs' "ssh-keygen gives up"
assert_no_grep "$ERR" 'sk-tpm:' "empty PIN: the library only asked for a PIN"
helper_clean "enrollment with an empty PIN on stdin"
[ ! -e "$T/pin0s" ] || fail "a key file was written"

pin1000=$(head -c 1000 /dev/zero | tr '\0' 7)
say "5c. a 1000-byte PIN through askpass: enrolls"
set_pin "$pin1000"
enroll_ok pin1000 "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}" -O verify-required
helper_clean "enrollment with a 1000-byte PIN"
tpm_clean "after the enrollment with a 1000-byte PIN"
authorize verify-required "$T/pin1000.pub"

say "5d. and logs in with it"
login_ok login-1000 "$T/pin1000.pub" 0x05 "$T/pin1000" "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "login with a 1000-byte PIN"
helper_clean "login with a 1000-byte PIN"
tpm_clean "after the login with a 1000-byte PIN"

say "5e. an empty PIN at login: refused, and no try of the TPM is spent"
before=$(da_counter)
[ -n "$before" ] || fail "cannot read TPM2_PT_LOCKOUT_COUNTER"
printf '\n' >"$PIN_FILE"
login_refused login-empty "$T/pin1000" "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}"
assert_grep "$ERR" 'incorrect passphrase supplied' "ssh reports the missing PIN"
assert_no_grep "$ERR" 'sk-tpm:' "empty PIN: the library only asked for a PIN"
helper_clean "login with an empty PIN"
[ "$(da_counter)" = "$before" ] ||
    fail "an empty PIN changed the lockout counter from $before to $(da_counter)"
tpm_clean "after the login with an empty PIN"

say "5f. the 1000-byte PIN plus one byte: a wrong PIN"
set_pin "${pin1000}7"
login_refused login-1001 "$T/pin1000" "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}"
assert_one_sk_line "$ERR" "1001-byte PIN" '^sk-tpm: wrong PIN'
helper_clean "login with a 1001-byte PIN"
tpm_clean "after the wrong PIN"

say "5g. an 1100-byte askpass answer: OpenSSH keeps its first 1023 bytes"
set_pin "$(head -c 1100 /dev/zero | tr '\0' 5)"
enroll_ok pin1100 "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}" -O verify-required
helper_clean "enrollment with an 1100-byte PIN"
say "  note: OpenSSH's askpass reader cut the PIN before the library saw it"
authorize verify-required "$T/pin1100.pub"
set_pin "$(head -c 1023 /dev/zero | tr '\0' 5)"
login_ok login-1023 "$T/pin1100.pub" 0x05 "$T/pin1100" "${HELPER_ENV[@]}" "${ASKPASS_ENV[@]}"
helper_clean "login with the first 1023 bytes"
tpm_clean "after the 1100-byte PIN"

# --- 6. invalid UTF-8 in the user id ----------------------------------------
say "6. -O user=\$'\\xff\\xfe' for a resident key"
enroll_ok utf8 "${HELPER_ENV[@]}" -O resident -O no-touch-required -O user=$'\xff\xfe'
helper_clean "enrollment with an invalid UTF-8 user id"
[ "$(nv_records)" = 1 ] || fail "expected 1 resident record, found $(nv_records)"
download dl "${HELPER_ENV[@]}"
expect_ok "ssh-keygen -K"
assert_no_grep "$ERR" 'sk-tpm:' "ssh-keygen -K (library silent)"
helper_clean "ssh-keygen -K"
got=$(dir_files "$DL")
[ "$got" = "id_ecdsa_sk_rk_fffe id_ecdsa_sk_rk_fffe.pub" ] ||
    fail "ssh-keygen -K wrote '$got', expected id_ecdsa_sk_rk_fffe (+ .pub)"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_fffe.pub")" = "$(pubkey "$T/utf8.pub")" ] ||
    fail "id_ecdsa_sk_rk_fffe.pub is not the enrolled key"
authorize "" "$T/utf8.pub"
login_ok login-utf8 "$T/utf8.pub" 0x01 "$DL/id_ecdsa_sk_rk_fffe" \
    "${HELPER_ENV[@]}" SK_TPM_PRESENCE=assume
helper_clean "login with the recovered key"
tpm_clean "after the invalid UTF-8 user id"

say PASS
