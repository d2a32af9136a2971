#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make the upgrade fixture of this version: a TPM (swtpm state directory)
# holding a resident record, and key files made in it by the real
# ssh-keygen through this build's libsk-tpm.so. Run once per release and
# commit the result; test/upgrade/ then proves that every later version
# still signs with these handles and reads this record.
#
#   with-swtpm.sh -- make-fixture.sh LIB OUT-DIR
#
# OUT-DIR (must not exist) receives:
#   tpm/tpm2-00.permall   the simulator's state after an orderly shutdown
#   nt, nt.pub            ecdsa-sk key, -O no-touch-required
#   uv, uv.pub            ecdsa-sk key, -O verify-required, PIN 2468
#   rk, rk.pub            resident: -O resident -O no-touch-required
#                         -O application=ssh:fixture -O user=fixture
#   keys.txt              one line per key: name flags application handle
#                         point (hex): what the C test feeds to sk_sign and
#                         checks with OpenSSL
#   VERSION               the sk-tpm version, swtpm and OpenSSH that made it
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$2
[ ! -e "$out" ] || { echo "make-fixture: $out exists" >&2; exit 2; }
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"
# shellcheck source=fixture-lib.sh
. "$here/fixture-lib.sh"

enroll_ok nt -O no-touch-required
set_pin 2468
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required
enroll_ok rk -O resident -O no-touch-required -O application=ssh:fixture \
    -O user=fixture
tpm_clean "after enrollment"
[ "$(nv_records)" = 1 ] || fail "expected one resident record"

fixture_write "$out" ""
