#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Upgrade promise through the real OpenSSH: the key files of a fixture made
# by an earlier version (make-fixture.sh) log in with this library, and
# ssh-keygen -K reads that version's resident record back. Run with the
# fixture's TPM:
#
#   with-swtpm.sh --state-from FIXTURE/tpm -- login.sh LIB FIXTURE
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixture=$2
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"

say "fixture $(head -n 1 "$fixture/VERSION") in $fixture"
for k in nt uv rk; do
	install -m 600 "$fixture/$k" "$T/$k"
	install -m 644 "$fixture/$k.pub" "$T/$k.pub"
done
sshd_start

say "no-touch-required key of the fixture"
authorize no-touch-required "$T/nt.pub"
login_ok nt "$T/nt.pub" 0x00 "$T/nt"
assert_quiet "$ERR" "login nt"

say "verify-required key of the fixture (PIN 2468)"
authorize verify-required "$T/uv.pub"
set_pin 2468
login_ok uv "$T/uv.pub" 0x05 "$T/uv" "${ASKPASS_ENV[@]}"

say "the fixture's resident record through ssh-keygen -K"
[ "$(nv_records)" = 1 ] || fail "the fixture TPM should hold one record"
download dl
expect_ok "ssh-keygen -K"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_fixture_fixture.pub")" = "$(pubkey "$T/rk.pub")" ] ||
    fail "ssh-keygen -K returned another key than the fixture's"
authorize no-touch-required "$T/rk.pub"
login_ok rk-original "$T/rk.pub" 0x00 "$T/rk"
# ssh-keygen -K marks downloaded keys as needing presence whatever the
# record says (OpenSSH keeps only verify-required): presence is assumed.
login_ok rk-downloaded "$T/rk.pub" 0x01 "$DL/id_ecdsa_sk_rk_fixture_fixture" \
    SK_TPM_PRESENCE=assume
tpm_clean "at the end"
say PASS
