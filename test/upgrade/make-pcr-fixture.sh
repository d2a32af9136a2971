#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make the upgrade fixture of PCR-bound keys with key handles of format
# version 2 (issue 12), which later versions must keep signing with: every
# enrollment since issue 19 makes version 3. The same files as
# make-fixture.sh (nt, uv with PIN 2468, rk resident for ssh:fixture and
# user fixture), each bound to PCR 8 after PCR 8 was extended once with 32
# bytes of 0xa1 from its reset value, which is what the test extends it
# with again before signing (test/upgrade/CMakeLists.txt). Run with a
# build of the version to be preserved:
#
#   with-swtpm.sh -- make-pcr-fixture.sh LIB OUT-DIR
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$2
[ ! -e "$out" ] || { echo "make-pcr-fixture: $out exists" >&2; exit 2; }
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"
# shellcheck source=fixture-lib.sh
. "$here/fixture-lib.sh"
command -v tpm2_pcrextend >/dev/null || fail "tpm2_pcrextend missing"

tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
set_pin 2468
for k in nt uv rk; do
	case $k in
	nt) set -- -O no-touch-required ;;
	uv) set -- "${ASKPASS_ENV[@]}" -O verify-required ;;
	rk) set -- -O resident -O no-touch-required \
	    -O application=ssh:fixture -O user=fixture ;;
	esac
	enroll "$k" SK_TPM_PCRS=8 "$@"
	expect_ok "enroll $k bound to PCR 8"
	assert_one_sk_line "$ERR" "enroll $k" 'bound to PCR 8 \(sha256\)'
done
tpm_clean "after enrollment"
[ "$(nv_records)" = 1 ] || fail "expected one resident record"

# The handle's format version: key 1 after the magic.
version_2() {
	case $2 in
	ac0066736b2d74706d0102*) ;;
	*) fail "$1: not a version 2 handle" ;;
	esac
}
fixture_write "$out" "key handle version 2, bound to PCR 8" version_2
