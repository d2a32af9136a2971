#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The PCR-bound fixture (make-pcr-fixture.sh: key handles of format
# version 2, bound to PCR 8): with PCR 8 at its reset value the keys refuse
# to sign; extended as at enrollment, test_fixtures signs with each stored
# handle, verifies with OpenSSL and reads the resident record.
#
#   with-swtpm.sh --state-from FIXTURE/tpm -- pcr-sign.sh TEST_FIXTURES FIXTURE
set -euo pipefail
bin=${1:?usage: pcr-sign.sh TEST_FIXTURES FIXTURE}
fix=${2:?usage: pcr-sign.sh TEST_FIXTURES FIXTURE}
command -v tpm2_pcrextend >/dev/null || { echo "tpm2_pcrextend missing" >&2; exit 77; }

echo "PCR 8 not measured: the bound keys must refuse"
if "$bin" "$fix/keys.txt" >/dev/null 2>&1; then
	echo "FAIL: a key bound to PCR 8 signed with PCR 8 at its reset value"
	exit 1
fi
tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null
echo "PCR 8 as at enrollment"
exec "$bin" "$fix/keys.txt"
