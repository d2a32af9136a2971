#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm delete reads the record again right before removing it: when the
# index was swapped for another record while the question was open (here:
# alice's record removed and mallory's enrolled into the same slot), it
# removes nothing and says so; unchanged, it deletes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm

enroll alice ssh:test alice -O no-touch-required
fifo=$T/answer
mkfifo "$fifo"
exec 3<>"$fifo"

say "the record is swapped while the question is open"
setsid "$SK" delete --application ssh:test --user alice <"$fifo" \
    >"$T/swap.out" 2>"$T/swap.err" &
pid=$!
await grep -q 'Delete resident credential 0x01a5c500' "$T/swap.err" || true
grep -q 'Delete resident credential 0x01a5c500' "$T/swap.err" ||
    fail "sk-tpm delete did not ask"
tpm2_nvundefine 0x01a5c500 -C o
enroll mallory ssh:test mallory -O no-touch-required
echo y >&3
RC=0
wait "$pid" || RC=$?
OUT=$T/swap.out ERR=$T/swap.err
expect_rc "delete of a swapped record" 1
assert_grep "$ERR" '^sk-tpm: NV index 0x01a5c500 changed while you were asked; not deleted' \
    "delete says the record changed"
nv_defined 0x01a5c500 || fail "mallory's record was deleted in alice's place"
sk list list
assert_grep "$OUT" '^0x01a5c500  ssh:test  mallory  ' "mallory's record is still there"

say "unchanged, the same question deletes"
sk_input del-yes y delete --application ssh:test --user mallory
expect_rc "delete answered y" 0
nv_defined 0x01a5c500 && fail "mallory's record is still there"
tpm_clean "after delete"
exec 3>&-
say PASS
