#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Persist the TCG standard ECC P-256 storage root key at 0x81000001, the
# key libsk-tpm makes its keys under (without it, each signature derives the
# key again: two more TPM commands). Idempotent: does nothing if the handle
# is taken (by this key or another, which is left alone). Needs tpm2-tools,
# owner rights (TPM2TOOLS_TCTI names the TPM; an owner password goes in
# TPM2_OWNER_AUTH) and is what the NixOS module's
# security.tpm2.sk.provisionSrk runs at boot; on other systems run it once
# as root. `sk-tpm doctor` shows the result.
set -euo pipefail
handle=0x81000001
if tpm2_getcap handles-persistent | grep -qix -- "- $handle"; then
	echo "provision-srk: $handle is already in use; nothing to do"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The template's unique field: x and y of 32 zero bytes each. tpm2-tools
# reads the file as its in-memory TPMS_ECC_POINT: for each coordinate a
# little-endian size and a buffer of TPM2_MAX_ECC_KEY_BYTES (128) bytes.
# Without the padding y stays empty and the key is neither the standard
# SRK nor systemd's (sk-tpm doctor and setup compare Names).
{ printf '\040\000'; head -c 128 /dev/zero; printf '\040\000'; head -c 128 /dev/zero; } \
    >"$tmp/unique"
auth=()
[ -z "${TPM2_OWNER_AUTH:-}" ] || auth=(-P "env:TPM2_OWNER_AUTH")
tpm2_createprimary -Q -C o "${auth[@]}" -g sha256 -G ecc256:aes128cfb \
    -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt' \
    -u "$tmp/unique" -c "$tmp/srk.ctx"
tpm2_evictcontrol -Q -C o "${auth[@]}" -c "$tmp/srk.ctx" "$handle"
tpm2_flushcontext -t
echo "provision-srk: the standard SRK is persistent at $handle"
