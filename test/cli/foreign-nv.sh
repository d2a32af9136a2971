#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Other programs' NV indices in the sk-tpm range (0x01a5c500..0x01a5c5ff)
# never block resident keys and never cost a try of the TPM's
# dictionary-attack counter: an index with an auth value and without
# no_da (reading it with the empty password would count a failure), one
# with a policy, one of our shape never written, and one of a size no
# record has. sk-tpm list names the foreign ones, ssh-keygen -K, ssh-add
# -K, a resident enrollment and the doctor all work, TPM2_PT_LOCKOUT_COUNTER
# does not move, and sk-tpm delete --index removes a foreign index after a
# question that says it is not an sk-tpm record.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm
for tool in ssh-agent ssh-add; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 77; }
done

da_counter() {
	timeout "$CLI_TIMEOUT" tpm2_getcap properties-variable |
	    awk '$1 == "TPM2_PT_LOCKOUT_COUNTER:" {print $2}'
}

OURS='ownerwrite|ownerread|authread|no_da'
head -c 64 /dev/urandom >"$T/data64"
head -c 8 /dev/urandom >"$T/data8"
head -c 32 /dev/urandom >"$T/policy"

say "four foreign indices in the sk-tpm range"
tpm2_nvdefine 0x01a5c5f0 -C o -s 64 \
    -a 'ownerwrite|ownerread|authread|authwrite' -p x >/dev/null
tpm2_nvwrite 0x01a5c5f0 -C 0x01a5c5f0 -P x -i "$T/data64"
tpm2_nvdefine 0x01a5c5f1 -C o -s 64 -a "$OURS" -L "$T/policy" >/dev/null
tpm2_nvwrite 0x01a5c5f1 -C o -i "$T/data64"
tpm2_nvdefine 0x01a5c5f2 -C o -s 400 -a "$OURS" >/dev/null
tpm2_nvdefine 0x01a5c5f3 -C o -s 8 -a "$OURS" >/dev/null
tpm2_nvwrite 0x01a5c5f3 -C o -i "$T/data8"
tpm2_dictionarylockout -c >/dev/null
da_before=$(da_counter)
[ -n "$da_before" ] || fail "cannot read TPM2_PT_LOCKOUT_COUNTER"

say "a resident enrollment next to them"
enroll alice ssh:test alice -O no-touch-required
fp=$(fingerprint "$T/alice.pub")
tpm_clean "after enrollment"

say "sk-tpm list names the foreign indices and lists alice"
sk list list
expect_rc list 0
assert_empty "$ERR" list
assert_grep "$OUT" "^0x01a5c500  ssh:test  alice  no-pin  $(re_quote "$fp")\$" "list shows alice"
assert_grep "$OUT" '^foreign: 0x01a5c5f0 0x01a5c5f1 0x01a5c5f3 \(not sk-tpm records' "list names the foreign indices"
assert_grep "$OUT" '^unwritten: 1 ' "list counts the unwritten index"
sk list-json list --json
expect_rc "list --json" 0
assert_grep "$OUT" '"foreign":\["0x01a5c5f0","0x01a5c5f1","0x01a5c5f3"\]\}$' "list --json names the foreign indices"
run list-debug env SK_TPM_DEBUG=1 "$SK" list
assert_grep "$ERR" '0x01a5c5f0: foreign \(other attributes\)' "SK_TPM_DEBUG says why 0x01a5c5f0 is foreign"
assert_grep "$ERR" '0x01a5c5f1: foreign \(a policy\)' "SK_TPM_DEBUG says why 0x01a5c5f1 is foreign"
assert_grep "$ERR" '0x01a5c5f3: foreign \(a size no record has\)' "SK_TPM_DEBUG says why 0x01a5c5f3 is foreign"

say "ssh-keygen -K downloads alice"
mkdir "$T/dl"
run download-k sh -c "cd '$T/dl' && ssh-keygen -K -w '$LIB' -N ''"
expect_rc "ssh-keygen -K" 0
[ "$(fingerprint "$T/dl/id_ecdsa_sk_rk_test_alice.pub")" = "$fp" ] ||
    fail "ssh-keygen -K did not write alice's key"

say "ssh-add -K loads alice into an agent"
agent_sock=$T/agent.sock
# The agent loads providers only from the directories -P allows, after
# realpath().
ssh-agent -a "$agent_sock" -D -P "$(dirname "$(realpath "$LIB")")/*" \
    >"$T/agent.log" 2>&1 &
agent_pid=$!
await socket_or_dead "$agent_sock" "$agent_pid" || true
run add-k env SSH_AUTH_SOCK="$agent_sock" ssh-add -K -S "$LIB"
add_rc=$RC
run add-l env SSH_AUTH_SOCK="$agent_sock" ssh-add -l
kill "$agent_pid" 2>/dev/null || true
wait "$agent_pid" 2>/dev/null || true
[ "$add_rc" = 0 ] || { cat "$T/add-k.err" "$T/agent.log" >&2
	fail "ssh-add -K: exit status $add_rc"; }
assert_grep "$OUT" "$(re_quote "$fp")" "the agent holds alice"

say "a second resident enrollment takes a free slot"
enroll bob ssh:test bob -O no-touch-required
sk list2 list
assert_grep "$OUT" "^0x01a5c501  ssh:test  bob  no-pin " "bob is at 0x01a5c501"

say "the doctor reads the credentials"
sk doctor doctor
assert_grep "$OUT" 'resident credentials: 2 usable, 0 skipped .*, 1 unwritten, 3 foreign' "doctor counts them"
assert_no_grep "$OUT" '^\[FAIL\] resident' "doctor: no failure on resident credentials"
tpm_clean "after list, -K, ssh-add -K and doctor"

da_after=$(da_counter)
[ "$da_after" = "$da_before" ] ||
    fail "TPM2_PT_LOCKOUT_COUNTER went from $da_before to $da_after"
say "  TPM2_PT_LOCKOUT_COUNTER stayed at $da_after"

say "sk-tpm delete --index of a foreign index asks, saying it is not ours"
sk_input del-no n delete --index 0x01a5c5f0
expect_rc "delete answered n" 1
assert_grep "$ERR" 'Delete NV index 0x01a5c5f0 \(NOT an sk-tpm record' "the question says it is not an sk-tpm record"
nv_defined 0x01a5c5f0 || fail "0x01a5c5f0 is gone although the answer was n"
sk_input del-yes y delete --index 0x01a5c5f0
expect_rc "delete answered y" 0
nv_defined 0x01a5c5f0 && fail "0x01a5c5f0 is still there"
sk_input del-yes2 y delete --index 0x01a5c5f1
expect_rc "delete of the policy index" 0
nv_defined 0x01a5c5f1 && fail "0x01a5c5f1 is still there"
tpm_clean "after delete"

say PASS
