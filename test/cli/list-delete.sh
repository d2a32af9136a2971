#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm list and sk-tpm delete against swtpm, with resident credentials
# made by the real ssh-keygen through libsk-tpm.so: each line shows the NV
# index, application, user, pin/no-pin and the fingerprint ssh-keygen -l
# prints; delete asks (and keeps the credential on "n" or end of input),
# refuses ambiguous and missing targets, and removes by application/user
# or by index, including corrupt and never-written indices of our range
# but nothing outside it.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm

IDX='0x01a5c5[0-9a-f]{2}'

say "an empty TPM lists nothing"
sk list-empty list
expect_rc "list (empty)" 0
assert_empty "$OUT" "list (empty)"
assert_empty "$ERR" "list (empty)"

say "four resident credentials through ssh-keygen"
enroll alice ssh:test alice -O no-touch-required
echo 4711 >"$T/pin"
enroll bob ssh:test bob "${ASKPASS_ENV[@]}" -O verify-required -O no-touch-required
enroll carol ssh:other "" -O no-touch-required
enroll erin ssh:erin erin
tpm_clean "after enrollment"

# line_of NAME: the list line of key NAME, by its fingerprint.
line_of() {
	grep -F -- " $(fingerprint "$T/$1.pub")" "$T/list.out" || true
}

sk list list
expect_rc list 0
assert_empty "$ERR" list
[ "$(wc -l <"$OUT")" = 4 ] || fail "list: expected 4 lines"
for spec in "alice ssh:test alice no-pin" "bob ssh:test bob pin" \
    "carol ssh:other - no-pin" "erin ssh:erin erin no-pin"; do
	read -r name app user pin <<<"$spec"
	fp=$(fingerprint "$T/$name.pub")
	assert_grep "$OUT" "^$IDX  $app  $user  $pin  $(re_quote "$fp")\$" \
	    "list shows $name with the fingerprint of ssh-keygen -l ($fp)"
done
alice_index=$(line_of alice | awk '{print $1}')
bob_index=$(line_of bob | awk '{print $1}')
carol_index=$(line_of carol | awk '{print $1}')
erin_index=$(line_of erin | awk '{print $1}')
say "  alice $alice_index, bob $bob_index, carol $carol_index, erin $erin_index"

say "list --json"
sk list-json list --json
expect_rc "list --json" 0
assert_grep "$OUT" "\"index\":\"$alice_index\",\"application\":\"ssh:test\",\"user\":\"alice\",\"user_hex\":\"616c696365\",\"pin\":false,\"touch\":false,\"fingerprint\":\"$(re_quote "$(fingerprint "$T/alice.pub")")\"" \
    "list --json describes alice"
assert_grep "$OUT" '"user":"bob","user_hex":"626f62","pin":true,"touch":false' "list --json: bob has a PIN"
assert_grep "$OUT" '"user":"erin","user_hex":"6572696e","pin":false,"touch":true' "list --json: erin needs a touch"
assert_grep "$OUT" '"skipped":0,"unwritten":0,"unusable":\[\],"foreign":\[\]\}$' "list --json counts"
if command -v jq >/dev/null; then
	[ "$(jq '.credentials | length' "$OUT")" = 4 ] ||
	    fail "list --json: jq does not see 4 credentials"
fi

say "delete: an application with two credentials is ambiguous without --user"
sk del-ambiguous delete --application ssh:test --yes
expect_rc "delete ambiguous" 1
assert_one_error "$ERR" "delete ambiguous" '2 resident credentials match application ssh:test' \
    '--user or --index'
assert_empty "$OUT" "delete ambiguous"

say "delete: nothing matches"
sk del-none delete --application ssh:nope --yes
expect_rc "delete missing application" 1
assert_one_error "$ERR" "delete missing application" \
    'no resident credential for application ssh:nope$'
sk del-none-user delete --application ssh:test --user mallory --yes
expect_rc "delete missing user" 1
assert_one_error "$ERR" "delete missing user" \
    'no resident credential for application ssh:test and user "mallory"'
sk del-no-prefix delete --application test --user alice --yes
expect_rc "delete without ssh: prefix" 1
assert_one_error "$ERR" "delete without ssh: prefix" 'start with ssh:'
sk del-undefined delete --index 0x01a5c5aa --yes
expect_rc "delete undefined index" 1
assert_one_error "$ERR" "delete undefined index" 'NV index 0x01a5c5aa is not defined'

say "delete asks on stdin without a terminal: \"n\" and end of input keep it"
sk_input del-no n delete --application ssh:test --user alice
expect_rc "delete answered n" 1
assert_grep "$ERR" "Delete resident credential $alice_index \(application ssh:test, user alice, SHA256:" \
    "delete asks"
assert_grep "$ERR" '\[y/N\]' "delete asks y/N"
assert_grep "$ERR" '^sk-tpm: not deleted$' "delete answered n"
assert_empty "$OUT" "delete answered n"
sk del-eof delete --application ssh:test --user alice
expect_rc "delete at end of input" 1
assert_grep "$ERR" '^sk-tpm: not deleted$' "delete at end of input"
sk list-kept list
assert_grep "$OUT" "^$alice_index  ssh:test  alice  no-pin " "alice is still listed"
nv_defined "$alice_index" || fail "alice's NV index is gone after \"n\""

say "with a terminal, delete reads the answer there, not from stdin"
command -v script >/dev/null || fail "script(1) (bsdutils) is not installed"
# script(1) gives the command a pseudo-terminal fed from our stdin; the
# command's own stdin is /dev/null, which would answer "no".
printf 'y\n' | CLI_SK="$SK" timeout "$CLI_TIMEOUT" script -qec \
    '"$CLI_SK" delete --application ssh:test --user alice </dev/null' \
    /dev/null >"$T/del-tty.out" 2>&1 || true
OUT=$T/del-tty.out ERR=
assert_grep "$OUT" "Delete resident credential $alice_index .*\[y/N\]" "delete asks on the terminal"
assert_grep "$OUT" "deleted resident credential $alice_index \(application ssh:test, user alice, $(re_quote "$(fingerprint "$T/alice.pub")")\)" \
    "the terminal answered y"
nv_defined "$alice_index" && fail "alice's NV index is still defined"
sk list-after list
expect_rc "list after delete" 0
assert_no_grep "$OUT" ' alice ' "alice is not listed any more"
[ "$(wc -l <"$OUT")" = 3 ] || fail "list after delete: expected 3 lines"
tpm_clean "after delete"

say "delete --application ssh:test --user bob --yes"
sk del-bob delete --application ssh:test --user bob --yes
expect_rc "delete bob" 0
assert_empty "$ERR" "delete bob"
assert_grep "$OUT" "^deleted resident credential $bob_index \(application ssh:test, user bob, $(re_quote "$(fingerprint "$T/bob.pub")")\)\$" \
    "delete bob says what it removed"
nv_defined "$bob_index" && fail "bob's NV index is still defined"
sk list-after-bob list
assert_no_grep "$OUT" 'ssh:test' "no ssh:test credential is left"

say "\"y\" on stdin deletes; no --user needed for the only credential of ssh:erin"
sk_input del-yes y delete --application ssh:erin
expect_rc "delete answered y" 0
assert_grep "$OUT" "^deleted resident credential $erin_index \(application ssh:erin, user erin, " \
    "delete answered y"
nv_defined "$erin_index" && fail "erin's NV index is still defined"
tpm_clean "after deletes"

say "corrupt and never-written indices of our range"
tpm2_nvdefine 0x01a5c5f0 -C o -s 64 -a "ownerwrite|ownerread|authread|no_da" >/dev/null
echo garbage | tpm2_nvwrite 0x01a5c5f0 -C o -i - >/dev/null
tpm2_nvdefine 0x01a5c5f1 -C o -s 64 -a "ownerwrite|ownerread|authread|no_da" >/dev/null
# And one just outside the range, which sk-tpm must never touch.
tpm2_nvdefine 0x01a5c600 -C o -s 8 -a "ownerwrite|ownerread|authread|no_da" >/dev/null
sk list-bad list
expect_rc "list with bad indices" 0
assert_empty "$ERR" "list with bad indices"
assert_grep "$OUT" "^$carol_index  ssh:other  -  no-pin  SHA256:" "carol is still listed"
assert_grep "$OUT" '^skipped: 1 ' "list counts the corrupt index"
assert_grep "$OUT" '^unwritten: 1 ' "list counts the unwritten index"
assert_grep "$OUT" '^unusable indices: 0x01a5c5f0 0x01a5c5f1 ' "list names the unusable indices"
assert_no_grep "$OUT" '0x01a5c600' "list ignores indices outside the range"
sk list-bad-json list --json
assert_grep "$OUT" '"skipped":1,"unwritten":1,"unusable":\["0x01a5c5f0","0x01a5c5f1"\]' \
    "list --json counts the bad indices"
sk del-bad-app delete --application garbage --yes
expect_rc "a corrupt record cannot be named by application" 1

say "delete --index removes the corrupt and the unwritten index"
sk_input del-corrupt-no n delete --index 0x01a5c5f0
expect_rc "delete corrupt, answered n" 1
assert_grep "$ERR" 'Delete NV index 0x01a5c5f0 \(no usable sk-tpm record' "delete --index asks"
nv_defined 0x01a5c5f0 || fail "the corrupt index is gone after \"n\""
sk del-corrupt delete --index 0x01a5c5f0 --yes
expect_rc "delete corrupt" 0
assert_grep "$OUT" '^deleted NV index 0x01a5c5f0 ' "delete corrupt"
nv_defined 0x01a5c5f0 && fail "the corrupt index is still defined"
sk del-unwritten delete --index 0x1A5C5F1 --yes
expect_rc "delete unwritten (index without 0 padding, upper case)" 0
nv_defined 0x01a5c5f1 && fail "the unwritten index is still defined"
sk del-outside delete --index 0x01a5c600 --yes
expect_rc "delete outside the range" 2
assert_one_error "$ERR" "delete outside the range" 'outside the sk-tpm range'
nv_defined 0x01a5c600 || fail "the index outside our range was removed"
tpm_clean "after deleting by index"

say "delete --index of a usable credential, then the list is empty"
sk del-carol delete --index "$carol_index" --yes
expect_rc "delete carol by index" 0
assert_grep "$OUT" "^deleted resident credential $carol_index \(application ssh:other, user -, SHA256:" \
    "delete carol by index"
sk list-final list
expect_rc "final list" 0
assert_empty "$OUT" "final list"
nv_defined 0x01a5c600 || fail "the index outside our range was removed"

say "--tcti overrides SK_TPM_TCTI"
enroll dave ssh:dave dave -O no-touch-required
good=$SK_TPM_TCTI
sk tcti-global SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)" --tcti "$good" list
expect_rc "sk-tpm --tcti GOOD list" 0
assert_grep "$OUT" ' ssh:dave  dave  no-pin ' "--tcti before the command"
sk tcti-cmd SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)" list --tcti "$good"
expect_rc "sk-tpm list --tcti GOOD" 0
assert_grep "$OUT" ' ssh:dave  dave  no-pin ' "--tcti after the command"

say "an unreachable TPM: one clear line, status 1"
sk list-closed SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)" list
expect_rc "list (closed port)" 1
assert_empty "$OUT" "list (closed port)"
assert_one_error "$ERR" "list (closed port)" 'cannot reach the TPM at "swtpm:host=127\.0\.0\.1,port=[0-9]+"'
sk del-closed SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)" delete --application ssh:dave --yes
expect_rc "delete (closed port)" 1
assert_one_error "$ERR" "delete (closed port)" 'cannot reach the TPM'

say "SK_TPM_DEBUG=1 tells why an index is skipped"
tpm2_nvdefine 0x01a5c5f2 -C o -s 64 -a "ownerwrite|ownerread|authread|no_da" >/dev/null
echo garbage | tpm2_nvwrite 0x01a5c5f2 -C o -i - >/dev/null
sk list-debug SK_TPM_DEBUG=1 list
expect_rc "list with SK_TPM_DEBUG" 0
assert_grep "$ERR" 'NV 0x01a5c5f2: skipped' "the debug output names the skipped index"
assert_grep "$OUT" '^skipped: 1 ' "list with SK_TPM_DEBUG"

say PASS
