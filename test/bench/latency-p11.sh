#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make a tpm2-pkcs11 token with one ECC P-256 key for the latency
# benchmark: latency-p11.sh STORE. Run through test/fault/abrmd.sh:
# tpm2_ptool drives tpm2-tools, which leave objects loaded and need a
# resource manager. Uses the persistent SRK at 0x81000001 when there is
# one, and otherwise a transient ECC primary made at each token use.
set -euo pipefail
store=$1
export TPM2TOOLS_TCTI=$SK_TPM_TCTI TSS2_LOG=all+NONE
if tpm2_getcap handles-persistent | grep -qi '0x81000001'; then
	parent=(--primary-handle 0x81000001)
else
	parent=(--transient-parent tss2-engine-key)
fi
echo "latency-p11.sh: tpm2_ptool init ${parent[*]}"
tpm2_ptool init --path "$store" "${parent[@]}"
tpm2_ptool addtoken --path "$store" --pid 1 --label bench \
    --sopin 654321 --userpin 123456
tpm2_ptool addkey --path "$store" --label bench --key-label ssh \
    --userpin 123456 --algorithm ecc256
