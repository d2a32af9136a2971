#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Key files whose flags were rewritten after enrollment, as OpenSSH 10.5's
# `ssh-keygen -p -O [no-]verify-required|[no-]touch-required` does. The key
# handle decides what the TPM checks; the file's flags can add a touch but
# never remove the PIN or the touch of enrollment, nor add a PIN:
#  1. a PIN key rewritten with no-verify-required still signs: the library
#     answers PIN_REQUIRED, ssh asks for the PIN, the signature carries UV
#     and a verify-required server accepts it;
#  2. a key without a PIN rewritten with verify-required signs without UV: a
#     verify-required server refuses it, and one sk-tpm line says why (also
#     when a server without the requirement accepts it);
#  3. a touch key rewritten with no-touch-required still asks for presence
#     (the handle), and a no-touch key rewritten with touch-required asks
#     for it too (the file).
# With OpenSSH 10.5 or later the rewrite is ssh-keygen's own; before, the
# flags byte is set with skkey.pl, which is all that rewrite changes.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

# Whether this ssh-keygen rewrites flags itself (OpenSSH 10.5 or later).
ssh_version=$(ssh -V 2>&1 | sed -n 's/^OpenSSH_\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r major minor <<<"$ssh_version"
[ -n "$major" ] || fail "cannot read OpenSSH's version: $(ssh -V 2>&1)"
if [ "$major" -gt 10 ] || { [ "$major" = 10 ] && [ "$minor" -ge 5 ]; }; then
	REWRITE=ssh-keygen
else
	REWRITE=skkey
fi
say "OpenSSH $major.$minor: flags rewritten by $REWRITE"

# rewrite KEY OPTION: the key file's flags as ssh-keygen -p -O OPTION
# leaves them.
rewrite() {
	local key=$1 opt=$2 old new
	old=$(skkey "$key" info | awk '$1 == "flags" {print $2}')
	if [ "$REWRITE" = ssh-keygen ]; then
		run "rewrite-$(basename "$key")" ssh-keygen -p -O "$opt" -P '' -N '' -f "$key"
		expect_ok "ssh-keygen -p -O $opt"
	else
		case "$opt" in
		verify-required) new=$((old | 0x04)) ;;
		no-verify-required) new=$((old & ~0x04)) ;;
		touch-required) new=$((old | 0x01)) ;;
		no-touch-required) new=$((old & ~0x01)) ;;
		*) fail "rewrite: unknown option $opt" ;;
		esac
		skkey "$key" flags "$(printf '0x%02x' "$new")" >"$key.new" &&
		    mv "$key.new" "$key" || fail "skkey could not set the flags"
		chmod 600 "$key"
	fi
	say "  $(basename "$key"): -O $opt: flags $old -> $(skkey "$key" info | awk '$1 == "flags" {print $2}')"
}

flags_of() {
	skkey "$1" info | awk '$1 == "flags" {print $2}'
}

say "enroll: a PIN key, a key without PIN or touch, a touch key"
set_pin 2468
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required
enroll_ok nt -O no-touch-required
enroll_ok up SK_TPM_PRESENCE=assume
tpm_clean "after enrollment"
sshd_start

say "1. a PIN key rewritten with no-verify-required: ssh is asked for the PIN"
rewrite "$T/uv" no-verify-required
[ "$(flags_of "$T/uv")" = 0x01 ] || fail "the PIN key's flags are not 0x01"
authorize verify-required "$T/uv.pub"
: >"$ASKPASS_LOG"
login_ok uv-rewritten "$T/uv.pub" 0x05 "$T/uv" "${ASKPASS_ENV[@]}"
assert_grep "$ASKPASS_LOG" '^secret	Enter PIN' "ssh asked for the PIN"
assert_quiet "$ERR" "the PIN key's login"
say "   a wrong PIN is still refused by the TPM"
set_pin 1111
login_refused uv-wrong-pin "$T/uv" "${ASKPASS_ENV[@]}"
set_pin 2468
tpm_clean "after the PIN key"

say "2. a key without PIN rewritten with verify-required: no UV, one line says why"
rewrite "$T/nt" verify-required
[ "$(flags_of "$T/nt")" = 0x04 ] || fail "the no-PIN key's flags are not 0x04"
authorize no-touch-required,verify-required "$T/nt.pub"
login_refused nt-verify-server "$T/nt" "${ASKPASS_ENV[@]}"
assert_grep "$T/nt-verify-server.sshd" 'user verification requirement not met' \
    "sshd refuses for lack of user verification"
assert_one_sk_line "$ERR" "the no-PIN key against verify-required" \
    "has no PIN" "asks for user verification" "verify-required"
authorize no-touch-required "$T/nt.pub"
login_ok nt-plain-server "$T/nt.pub" 0x00 "$T/nt" "${ASKPASS_ENV[@]}"
assert_one_sk_line "$ERR" "the no-PIN key against a server without the requirement" \
    "has no PIN" "signature carries none"
tpm_clean "after the no-PIN key"

say "3a. a touch key rewritten with no-touch-required: presence is still asked"
rewrite "$T/up" no-touch-required
[ "$(flags_of "$T/up")" = 0x00 ] || fail "the touch key's flags are not 0x00"
authorize "" "$T/up.pub"
: >"$ASKPASS_LOG"
login_ok up-rewritten "$T/up.pub" 0x01 "$T/up" "${ASKPASS_ENV[@]}"
assert_grep "$ASKPASS_LOG" '^confirm	' "the library asked for presence"
assert_quiet "$ERR" "the touch key's login"
login_refused up-no-presence "$T/up"
assert_one_sk_line "$ERR" "the rewritten touch key without any way to confirm" \
    "presence"

say "3b. a no-touch key rewritten with touch-required: presence is asked"
enroll_ok nt2 -O no-touch-required
rewrite "$T/nt2" touch-required
[ "$(flags_of "$T/nt2")" = 0x01 ] || fail "the no-touch key's flags are not 0x01"
authorize "" "$T/nt2.pub"
: >"$ASKPASS_LOG"
login_ok nt2-rewritten "$T/nt2.pub" 0x01 "$T/nt2" "${ASKPASS_ENV[@]}"
assert_grep "$ASKPASS_LOG" '^confirm	' "the library asked for presence"
tpm_clean "at the end"

say PASS
