#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make the upgrade fixture of unlockable keys, key handle format version 4
# (issue 21), which later versions must keep signing with: uv, enrolled
# with SK_TPM_UNLOCK=15m and -O verify-required (PIN 2468), beside the
# files test_fixtures wants from every fixture: nt (no PIN) and rk, resident
# for ssh:fixture and user fixture (no PIN). Run with a build of the
# version to be preserved:
#
#   with-swtpm.sh -- make-unlock-fixture.sh LIB OUT-DIR
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$2
[ ! -e "$out" ] || { echo "make-unlock-fixture: $out exists" >&2; exit 2; }
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"
# shellcheck source=fixture-lib.sh
. "$here/fixture-lib.sh"

set_pin 2468
for k in nt uv rk; do
	case $k in
	nt) set -- -O no-touch-required ;;
	uv) set -- "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=15m -O verify-required ;;
	rk) set -- -O resident -O no-touch-required \
	    -O application=ssh:fixture -O user=fixture ;;
	esac
	enroll_ok "$k" "$@"
done
tpm_clean "after enrollment"
[ "$(nv_records)" = 1 ] || fail "expected one resident record"

# The handle's format version: key 1 after the magic.
version_4_uv() {
	case $1:$2 in
	uv:ae0066736b2d74706d0104*) ;;
	uv:*) fail "uv: not a version 4 handle" ;;
	esac
}
fixture_write "$out" "key handle version 4 for uv, unlockable" version_4_uv
