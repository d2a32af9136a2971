# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: BSD-2-Clause
# Chip profiles: swtpm made to answer as a class of real TPM does behind the
# kernel's resource manager (/dev/tpmrm0). Any test that runs under
# test/with-swtpm.sh gets one with SK_TPM_TEST_PROFILE=NAME; with-swtpm.sh
# sources this file after it started and prepared the simulator.
#
# The interface. For a profile NAME this file defines:
#
#   profile_NAME_fixture	(variable, may be empty) what the simulator
#			needs before the state is prepared, words of:
#			  ek-cert  manufactured with EK certificates from a
#			           private CA (as with-swtpm.sh --ek-cert;
#			           SWTPM_EK_CA, SWTPM_EK_CA_DIR are set)
#   profile_NAME_tcti	(variable, may be empty) the chip TCTI's rules
#			(test/chip/tcti-chip.c), comma-separated:
#			  absent=CC        the chip lacks command CC (a name
#			                   as in tcti-chip.c, or hex): the
#			                   kernel RM answers it 0x000B0143 and
#			                   TPM2_CAP_COMMANDS leaves it out
#			  prop=PT:VALUE    TPM property PT (hex) reads VALUE
#			  nv-buffer-max=N  TPM_PT_NV_BUFFER_MAX is N, and an
#			                   NV_Read or NV_Write of more is refused
#			  nv-index-max=N   TPM_PT_NV_INDEX_MAX is N, and an
#			                   NV_DefineSpace of more is refused
#			  warn-once        each command code's first command of
#			                   a connection is answered with a
#			                   warning (RETRY, YIELDED, TESTING in
#			                   turn; NV_RATE for NV writes)
#   profile_NAME_state	(function) prepares the TPM's state before the
#			test: through $TPM2TOOLS_TCTI (the simulator
#			itself, never rewritten) with tpm2-tools, or
#			$SK_TPM_TESTUTIL; working files under $1 (a
#			directory of its own, removed afterwards). It runs
#			after with-swtpm.sh's own preparation (DA tuning,
#			--srk), so it may undo or override that. Non-zero
#			status fails the test run.
#
# Afterwards with-swtpm.sh exports
#   SK_TPM_TCTI		$SK_TPM_CHIP_TCTI (the built libtss2-tcti-chip.so)
#			wrapping the simulator with the profile's rules:
#			"/path/libtss2-tcti-chip.so:RULES;swtpm:host=...";
#			TPM2TOOLS_TCTI stays the simulator itself
#   SK_TPM_PROFILE	NAME
# Every profile cites, in a comment above it, where its facts come from.
# Profiles below: slb9670, retry, ptt, nuvoton, cloud (and more as added).

# profile_exists NAME: this file defines profile NAME.
profile_exists() {
	declare -F "profile_$1_state" >/dev/null
}

# profile_nv_fill DIR FREE: define filler NV indices (owner hierarchy, at
# 0x01500000 and up, outside every range sk-tpm or the TCG use) until the
# TPM answers NV_SPACE, then remove fillers until about FREE bytes of index
# data are free again.
profile_nv_fill() {
	local dir=$1 free=$2 idx=$((0x01500000)) size freed=0 out
	for size in 2048 1024 256 64 16; do
		while :; do
			out=$(tpm2_nvdefine "$(printf '0x%08x' "$idx")" -C o \
			    -s "$size" -a 'ownerread|ownerwrite' 2>&1) || break
			printf '%d %d\n' "$idx" "$size" >>"$dir/fillers"
			idx=$((idx + 1))
		done
		grep -q '0x000002cb\|NV_SPACE\|insufficient space' <<<"$out" || {
			echo "profile: filling NV: $out" >&2
			return 1
		}
	done
	while [ "$freed" -lt "$free" ] && read -r idx size; do
		tpm2_nvundefine "$(printf '0x%08x' "$idx")" -C o >/dev/null ||
		    return 1
		freed=$((freed + size))
	done < <(sort -k2,2nr "$dir/fillers")
}

# --- slb9670 ------------------------------------------------------------------
# Infineon OPTIGA SLB9670 / SLB9665 with firmware before spec revision 1.38
# (7.6x, 5.x): many laptops, servers and Raspberry Pi TPM boards.
# - No TPM2_CreateLoaded (added in part 3 revision 1.38): Infineon's OPTIGA
#   TPM cheat sheet for FW 7.61; SLB9665 FW 5.x (systemd issue 30679). The
#   kernel's resource manager answers a command the chip does not list
#   itself, with TPM_RC_COMMAND_CODE in its own layer, 0x000B0143
#   (TSS2_RESMGR_TPM_RC_LAYER = 11 << 16; drivers/char/tpm/tpm-dev-common.c,
#   tpm2-space.c).
# - TPM_PT_NV_BUFFER_MAX 768 (SLB9670 datasheet; tpm2-tools issue 2875).
# - TPM_PT_NV_INDEX_MAX 1664 (tpm2-tools issues 2171, 2288).
# - About 7 KB of NV left for indices (datasheet; tpm2-tools issue 3382).
profile_slb9670_fixture=ek-cert
profile_slb9670_tcti=absent=CreateLoaded,nv-buffer-max=768,nv-index-max=1664
profile_slb9670_state() {
	profile_nv_fill "$1" 7168
}

# --- retry --------------------------------------------------------------------
# A TPM that is busy now and then: TPM_RC_RETRY (0x922), TPM_RC_YIELDED
# (0x908), TPM_RC_TESTING (0x90A) and, for NV writes, TPM_RC_NV_RATE
# (0x920), each answered once before the command succeeds (part 2,
# 6.6.3 "TPM_RC" warnings; part 1, 37.5 NV rate limiting). ESYS sends
# RETRY, YIELDED and TESTING again itself; NV_RATE is the caller's to wait
# out.
profile_retry_fixture=
profile_retry_tcti=warn-once
profile_retry_state() {
	:
}
