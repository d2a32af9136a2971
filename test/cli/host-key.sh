#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm host-key against a simulator without a persistent SRK, and a
# second, unrelated one:
#  - what would make a key sshd cannot use is refused with one line and
#    the reason, before the TPM is touched: a PIN, a touch, a resident key,
#    SK_TPM_PCRS, a relative or missing provider, an unknown -O;
#  - the key is made (mode 0600, application ssh:host, no PIN, no touch),
#    the SRK made persistent first, and exactly the two sshd_config lines
#    are printed; an existing key stays unless --force, which replaces it;
#  - a TPM out of reach fails with nothing written;
#  - list and doctor show it: this TPM's key signs a test message; one of
#    the other TPM is "not this TPM" (a FAIL for the doctor), as are a key
#    with a PIN and a key file encrypted with a passphrase; no key is
#    [info].
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
need_tools tpm2_readpublic
[ -n "${SK_TPM_TCTI_2:-}" ] || { echo "$0: needs with-swtpm.sh --second" >&2; exit 2; }

srk_absent() {
	! tpm2_readpublic -c 0x81000001 >/dev/null 2>&1
}

# nothing_at PATH: neither the key, its .pub nor a leftover new file.
nothing_at() {
	local left
	left=$(find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1")*")
	[ -z "$left" ] || fail "files left behind: $left"
}

HK=$T/hk

say "refusals, each before the TPM is asked anything"
srk_absent || fail "the fixture already has a persistent SRK"
sk pin host-key --file "$HK" --provider "$LIB" -O verify-required
expect_rc "-O verify-required" 2
assert_one_error "$ERR" "-O verify-required" "cannot have a PIN" "nobody there"
sk touch host-key --file "$HK" --provider "$LIB" -O touch-required
expect_rc "-O touch-required" 2
assert_one_error "$ERR" "-O touch-required" "cannot require a touch" "nobody there"
sk resident host-key --file "$HK" --provider "$LIB" -O resident
expect_rc "-O resident" 2
assert_one_error "$ERR" "-O resident" "not resident"
sk unknown-opt host-key --file "$HK" --provider "$LIB" -O application=ssh:x
expect_rc "-O application=" 2
assert_one_error "$ERR" "an unknown -O" "not an option of host keys"
sk pcrs SK_TPM_PCRS=7 host-key --file "$HK" --provider "$LIB"
expect_rc "SK_TPM_PCRS" 1
assert_one_error "$ERR" "SK_TPM_PCRS" "SK_TPM_PCRS is set" "firmware or boot change"
sk relative host-key --file "$HK" --provider libsk-tpm.so
expect_rc "a relative provider" 2
assert_one_error "$ERR" "a relative provider" "absolute path"
sk missing host-key --file "$HK" --provider "$T/no-such.so"
expect_rc "a missing provider" 1
assert_one_error "$ERR" "a missing provider" "no-such\.so: No such file"
sk bad-app host-key --file "$HK" --provider "$LIB" --application host
expect_rc "an application without ssh:" 2
assert_one_error "$ERR" "an application without ssh:" 'start with "ssh:"'
nothing_at "$HK"
srk_absent || fail "a refused run made the SRK persistent"

say "a TPM out of reach: one failure, nothing written"
sk unreachable host-key --file "$HK" --provider "$LIB" \
    --tcti "swtpm:host=127.0.0.1,port=$(closed_port)"
expect_rc "an unreachable TPM" 1
assert_one_error "$ERR" "an unreachable TPM" "cannot reach the TPM"
nothing_at "$HK"

say "host-key makes the key and prints the two sshd_config lines"
sk make host-key --file "$HK" --provider "$LIB" --comment cli-host
expect_rc "host-key" 0
[ "$(cat "$OUT")" = "HostKey $HK
SecurityKeyProvider $LIB" ] || fail "host-key printed other lines than HostKey and SecurityKeyProvider"
assert_grep "$ERR" '^sk-tpm: made the standard SRK persistent at 0x81000001$' \
    "host-key says it made the SRK persistent"
srk_absent && fail "host-key did not make the SRK persistent"
[ "$(stat -c %a "$HK")" = 600 ] || fail "the private key file is not mode 0600"
grep -q '^sk-ecdsa-sha2-nistp256@openssh.com .* cli-host$' "$HK.pub" ||
    fail "$HK.pub is not the sk-ecdsa key with the comment given"
FP=$(fingerprint "$HK.pub")
ls "$T" | grep -q '\.new-' && fail "a new-key file was left behind"

say "list and doctor show it"
sk list list --host-key "$HK"
expect_rc "list" 0
assert_grep "$OUT" "^host key: $(re_quote "$HK")  ssh:host  no-pin  no-touch  $(re_quote "$FP")  this TPM\$" \
    "list shows the host key as this TPM's"
sk doctor doctor --host-key "$HK"
expect_rc "doctor" 0
assert_grep "$OUT" "^\[ok\]   host key: $(re_quote "$HK") \(ssh:host $(re_quote "$FP"), no-pin, no-touch\) signed a test message" \
    "the doctor had the TPM sign with it"
tpm_clean "after the doctor's signature"

say "an existing key stays without --force, goes with it"
sk again host-key --file "$HK" --provider "$LIB"
expect_rc "host-key over a key" 1
assert_one_error "$ERR" "host-key over a key" "exists" "--force replaces it"
[ "$(fingerprint "$HK.pub")" = "$FP" ] || fail "the key changed without --force"
sk force host-key --file "$HK" --provider "$LIB" --force
expect_rc "host-key --force" 0
[ "$(fingerprint "$HK.pub")" != "$FP" ] || fail "--force kept the old key"
assert_no_grep "$ERR" 'made the standard SRK' "the SRK was made only once"

say "a key of another TPM is shown as such; the doctor fails on it"
sk other host-key --tcti "$SK_TPM_TCTI_2" --no-setup --file "$T/other" \
    --provider "$LIB"
expect_rc "host-key on the second TPM" 0
sk list-other list --host-key "$T/other"
expect_rc "list" 0
assert_grep "$OUT" "  no-pin  no-touch  .*  not this TPM: it was made under another TPM's storage key" \
    "list says the key is another TPM's"
sk doctor-other doctor --host-key "$T/other"
expect_rc "doctor on another TPM's key" 1
assert_grep "$OUT" "^\[FAIL\] host key: .*other cannot sign: it was made under another TPM's storage key" \
    "the doctor fails on another TPM's key"

say "keys sshd cannot use: a PIN, a passphrase"
printf '2468\n' >"$T/pin"
run_input pinkey 2468 env "${ASKPASS_ENV[@]}" ssh-keygen -t ecdsa-sk -w "$LIB" \
    -O verify-required -O no-touch-required -N '' -f "$T/pinkey"
expect_rc "a key with a PIN" 0
sk doctor-pin doctor --host-key "$T/pinkey"
expect_rc "doctor on a PIN key" 1
assert_grep "$OUT" "^\[FAIL\] host key: .*pinkey needs a PIN, which sshd cannot type" \
    "the doctor fails on a PIN key"
run passkey ssh-keygen -t ecdsa-sk -w "$LIB" -O no-touch-required \
    -N 'file passphrase' -f "$T/passkey"
expect_rc "a key with a passphrase" 0
sk doctor-pass doctor --host-key "$T/passkey"
expect_rc "doctor on an encrypted key" 1
assert_grep "$OUT" "^\[FAIL\] host key: .*passkey: encrypted with a passphrase, which sshd cannot type" \
    "the doctor fails on an encrypted key"

say "only the .pub: list and doctor say what it is, from the .pub"
cp "$HK.pub" "$T/pubonly.pub"
sk list-pub list --host-key "$T/pubonly"
expect_rc "list with only a .pub" 0
assert_grep "$OUT" "^host key: $(re_quote "$T/pubonly")  ssh:host  \?  \?  $(re_quote "$(fingerprint "$HK.pub")")  \(from the \.pub: the private file is missing or not readable here\)\$" \
    "list describes the key from its .pub"
sk doctor-pub doctor --host-key "$T/pubonly"
expect_rc "doctor with only a .pub" 0
assert_grep "$OUT" "^\[info\] host key: .*pubonly .*from the \.pub\): the private file is missing or not readable" \
    "the doctor says it could not check the key"

say "no key: the doctor says so, list says nothing"
sk doctor-none doctor --host-key "$T/none"
expect_rc "doctor without a host key" 0
assert_grep "$OUT" "^\[info\] host key: none at $(re_quote "$T/none")" \
    "the doctor says there is no host key"
sk list-none list --host-key "$T/none"
assert_no_grep "$OUT" "host key" "list without a host key"
tpm_clean "at the end"

say PASS
