#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ssh-keygen -t ed25519-sk is refused (TPM 2.0 has no Ed25519) with one
# clear line from the library, and no key file is written.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"

say "enroll: ssh-keygen -t ed25519-sk"
run enroll-ed ssh-keygen -t ed25519-sk -w "$LIB" -N '' -f "$T/ed"
expect_fail "ed25519-sk enrollment"
assert_one_sk_line "$ERR" "ed25519-sk refused" \
    '^sk-tpm: ed25519-sk is not supported: TPM 2\.0 chips have no Ed25519; use -t ecdsa-sk$'
assert_grep "$ERR" 'requested feature not supported' "ssh-keygen reports UNSUPPORTED"
[ ! -e "$T/ed" ] && [ ! -e "$T/ed.pub" ] || fail "a key file was written"
tpm_clean "after the refused enrollment"

say PASS
