# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: BSD-2-Clause
# Chip profiles of what another operating system or program leaves in the
# TPM, in the form test/chip/profiles.sh defines (profile_NAME_fixture,
# profile_NAME_tcti, profile_NAME_state); with-swtpm.sh sources this file
# with that one. The chip answers as swtpm does (no TCTI rules): what
# differs is the state, prepared here with tpm2-tools through
# $TPM2TOOLS_TCTI. Each state function may also be called by a test in
# the middle of a run, to have the other system arrive after sk-tpm.

# The SRK attributes of the TCG TPM v2.0 Provisioning Guidance (7.5.1),
# which Windows and systemd use as well.
PROFILE_SRK_ATTRIBUTES='restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda'

# profile_persist_srk DIR ALG: a primary of algorithm ALG (tpm2-tools
# syntax) with the SRK attributes, persistent at 0x81000001 in place of
# whatever was there (with-swtpm.sh --srk may have put ours).
profile_persist_srk() {
	local dir=$1 alg=$2
	if tpm2_readpublic -c 0x81000001 >/dev/null 2>&1; then
		tpm2_evictcontrol -C o -c 0x81000001 >/dev/null || return 1
	fi
	# No unique data (-u): tpm2-tools leaves the field empty, as
	# systemd's template does.
	tpm2_createprimary -C o -g sha256 -G "$alg" \
	    -a "$PROFILE_SRK_ATTRIBUTES" -c "$dir/srk.ctx" >/dev/null || return 1
	tpm2_evictcontrol -C o -c "$dir/srk.ctx" 0x81000001 >/dev/null || return 1
	tpm2_flushcontext -t >/dev/null
}

# --- windows ------------------------------------------------------------------
# A dual-boot machine after Windows provisioned the TPM:
# - lockoutAuth set to a random value that Windows keeps and the user
#   does not know (MS Docs issues 5429 and 10210: clearing the TPM and the
#   lockout from Linux fail with an authorization error). Here it is
#   PROFILE_LOCKOUT_AUTH, exported for tests that act as Windows.
# - dictionary-attack parameters 32 tries, 600 s interval, 86400 s
#   lockout recovery (the same sources): one wrong lockoutAuth locks the
#   lockout hierarchy for a day.
# - an RSA-2048 SRK persistent at 0x81000001, with the Provisioning
#   Guidance's attributes.
profile_windows_fixture=
profile_windows_tcti=
profile_windows_state() {
	local dir=$1
	profile_persist_srk "$dir" rsa2048:aes128cfb || return 1
	PROFILE_LOCKOUT_AUTH=windows-lockout-$RANDOM$RANDOM
	export PROFILE_LOCKOUT_AUTH
	tpm2_dictionarylockout -s -n 32 -t 600 -l 86400 >/dev/null || return 1
	tpm2_changeauth -c lockout "$PROFILE_LOCKOUT_AUTH" >/dev/null
}

# --- systemd ------------------------------------------------------------------
# A Linux distribution with systemd 255 or later: systemd-tpm2-setup.service
# persists an SRK at 0x81000001 at boot when the handle is free. It is an
# ECC P-256 key with the Provisioning Guidance's attributes and symmetric
# scheme, but systemd's template leaves the unique field empty where the
# guidance fills it with zeros of the key size, so the TPM derives another
# key with another Name than the standard SRK (systemd issue 28655;
# tpm2_get_srk_template in systemd's src/shared/tpm2-util.c).
profile_systemd_fixture=
profile_systemd_tcti=
profile_systemd_state() {
	profile_persist_srk "$1" ecc256:aes128cfb
}
