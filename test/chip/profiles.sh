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
#   profile_NAME_ekcerts	(variable, default 0) how many EK certificates
#			the chip keeps in NV after its state is prepared;
#			tests expect verify-attestation to chain them to
#			$SWTPM_EK_CA when there are any, and to report none
#			otherwise
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

# profile_ek_move DIR FROM [TO SIZE]: take the EK certificate out of
# platform index FROM; with TO, store it again there in an index of SIZE
# bytes padded with 0xff, as chips define indices of a fixed size.
profile_ek_move() {
	local dir=$1 from=$2 to=${3:-} size=${4:-}
	tpm2_nvread "$from" -C o -o "$dir/$from.der" >/dev/null 2>&1 ||
	    tpm2_nvread "$from" -C o >"$dir/$from.der" || return 1
	tpm2_nvundefine "$from" -C p >/dev/null || return 1
	[ -n "$to" ] || return 0
	profile_nv_put "$dir" "$to" "$size" "$dir/$from.der"
}

# profile_nv_put DIR INDEX SIZE FILE...: a platform index as manufacturers
# define EK certificate indices (readable by the owner and with an empty
# auth, no DA), SIZE bytes holding the FILEs one after the other, padded
# with 0xff.
profile_nv_put() {
	local dir=$1 index=$2 size=$3 len
	shift 3
	cat "$@" >"$dir/put"
	len=$(stat -c %s "$dir/put")
	[ "$len" -le "$size" ] || return 1
	head -c "$((size - len))" /dev/zero | tr '\0' '\377' >>"$dir/put"
	tpm2_nvdefine "$index" -C p -s "$size" \
	    -a 'ppwrite|ppread|ownerread|authread|no_da|platformcreate' \
	    >/dev/null || return 1
	tpm2_nvwrite "$index" -C p -i "$dir/put" || return 1
}

# profile_der PEM OUT: a PEM certificate as DER.
profile_der() {
	openssl x509 -in "$1" -outform DER -out "$2"
}

# profile_exists NAME: this file defines profile NAME.
profile_exists() {
	declare -F "profile_$1_state" >/dev/null
}

# profile_nv_fill FREE: define filler NV indices (owner hierarchy, at
# 0x01500000 and up, outside every range sk-tpm or the TCG use) until the
# TPM answers NV_SPACE, then remove fillers until at least FREE bytes of
# index data are free again (sk-tpm-testutil nv-fill: one connection).
profile_nv_fill() {
	SK_TPM_TCTI=$TPM2TOOLS_TCTI "$SK_TPM_TESTUTIL" nv-fill "$1"
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
profile_slb9670_ekcerts=2
profile_slb9670_tcti=absent=CreateLoaded,nv-buffer-max=768,nv-index-max=1664
profile_slb9670_state() {
	profile_nv_fill 7168
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

# --- ptt ----------------------------------------------------------------------
# Intel PTT (firmware TPM of the CSME): no EK certificate in NV's low
# range; Intel serves it online instead (tpm2_getekcertificate against
# ekop.intel.com; keylime issue 1027, tpm2-tss issue 2584). From 11th
# generation Core on, the certificates of the on-die CA chain are kept in
# NV at 0x01C00100 and up (tpm2-tss issue 2934, pull request 2943): here
# the private CA's intermediate and root, one per index, padded.
profile_ptt_fixture=ek-cert
profile_ptt_ekcerts=0
profile_ptt_tcti=
profile_ptt_state() {
	profile_ek_move "$1" 0x01c00002 &&
	profile_ek_move "$1" 0x01c00016 &&
	profile_der "$SWTPM_EK_CA_DIR/issuercert.pem" "$1/inter.der" &&
	profile_der "$SWTPM_EK_CA_DIR/swtpm-localca-rootca-cert.pem" \
	    "$1/root.der" &&
	profile_nv_put "$1" 0x01c00100 1536 "$1/inter.der" &&
	profile_nv_put "$1" 0x01c00101 1536 "$1/root.der"
}

# --- nuvoton ------------------------------------------------------------------
# Nuvoton NPCT75x: EK certificates for RSA-2048 at 0x01C00002 and for ECC
# P-384 in the high range at 0x01C00016 only, none for P-256 at
# 0x01C0000A (tpm2-tools issue 3464), each in an index larger than the
# certificate and padded (HIRS issue 23 reports padded EK indices).
profile_nuvoton_fixture=ek-cert
profile_nuvoton_ekcerts=2
profile_nuvoton_tcti=
profile_nuvoton_state() {
	profile_ek_move "$1" 0x01c00002 0x01c00002 1408 &&
	profile_ek_move "$1" 0x01c00016 0x01c00016 1152
}

# --- cloud --------------------------------------------------------------------
# A cloud vTPM without EK certificates in NV (Google's and Azure's often;
# the issue's survey), but with a certificate of an attestation key the
# cloud made, at 0x01C10000 as Google's Shielded VMs keep theirs (Azure
# uses 0x01C101D0): a certificate in NV that is no EK certificate and must
# not be taken for one.
profile_cloud_fixture=ek-cert
profile_cloud_ekcerts=0
profile_cloud_tcti=
profile_cloud_state() {
	profile_ek_move "$1" 0x01c00002 &&
	profile_ek_move "$1" 0x01c00016 &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$1/ak.key" -subj /CN=cloud-ak -days 1 \
	    -outform DER -out "$1/ak.der" 2>/dev/null &&
	profile_nv_put "$1" 0x01c10000 1024 "$1/ak.der"
}
