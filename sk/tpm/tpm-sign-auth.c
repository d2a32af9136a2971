/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which session authorises a signature, and what its refusal means.
 *
 * A key's auth value is SHA-256 over the application and the PIN
 * (pin.h). Without a PIN it is a function of the application alone, which
 * anybody can compute from the public key file, so it protects nothing on
 * the bus and needs no protection there; with a PIN it is the secret that
 * the TPM's dictionary-attack lockout guards. Hence:
 *
 *   key                 session at Sign
 *   no PIN              password session (TPM_RS_PW) with the public auth
 *   no PIN, PCR-bound   policy session, unsalted (PolicyPCR, then
 *                       PolicyOR for a handle of version 3)
 *   PIN                 HMAC session salted to the SRK, the digest
 *                       encrypted (AES-128-CFB)
 *   PIN, PCR-bound      policy session salted to the SRK, the digest
 *                       encrypted (PolicyPCR, PolicyAuthValue, then
 *                       PolicyOR for a handle of version 3)
 *
 * The salt is encrypted to the SRK public area of the key handle, whose
 * Name the decoder checked and under which the key was just loaded
 * (tpm-load.c): only that TPM learns the session key, so a recording of
 * the bus holds nothing to test PIN guesses against. Load itself never
 * carries a secret: a password session with the SRK's empty auth. A salted
 * session costs an ECDH in the TPM (about 80 ms on a discrete chip) and an
 * HMAC on every command that uses it; a key without a PIN pays neither.
 */
#include <stdio.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

int
sign_auth_start(struct tpm *t, const struct kh *kh, ESYS_TR srk,
    ESYS_TR *session)
{
	bool with_pin = (kh->flags & KH_FLAG_PIN) != 0;

	*session = ESYS_TR_NONE;
	if (kh->pcr_mask != 0)
		return policy_session_start(t, with_pin ? srk : ESYS_TR_NONE,
		    session);
	if (with_pin)
		return session_start(t, srk, session);
	return 0;
}

int
sign_auth_explain(struct tpm *t, const struct kh *kh, TSS2_RC rc)
{
	struct tpm_da_state da;
	char wait[96];
	uint32_t left;

	if (rc_base(rc) == TPM2_RC_LOCKOUT) {
		if (tpm_read_da_state(t, &da) != 0) {
			sk_error("the TPM is locked out after too many wrong "
			    "PINs");
			return SSH_SK_ERR_GENERAL;
		}
		if (da.interval > 0)
			snprintf(wait, sizeof(wait), "it forgives one wrong "
			    "PIN every %u s, so try again in %u s",
			    da.interval, da.interval);
		else
			snprintf(wait, sizeof(wait), "it forgives none by "
			    "time");
		if (da.lockout_auth_set)
			sk_error("the TPM is locked out after too many wrong "
			    "PINs; %s; the lockout password is set (on a "
			    "dual-boot machine Windows keeps it), so only its "
			    "holder can reset it sooner: from Windows, or with "
			    "tpm2_dictionarylockout -c -p PASSWORD; do not "
			    "guess it, a wrong one locks that out for %u s",
			    wait, da.recovery);
		else
			sk_error("the TPM is locked out after too many wrong "
			    "PINs; %s (the lockout password is empty: an "
			    "administrator can reset it now with "
			    "tpm2_dictionarylockout -c)", wait);
		return SSH_SK_ERR_GENERAL;
	}
	if (!(kh->flags & KH_FLAG_PIN)) {
		/* A key without a PIN has an auth value derived from the
		 * application alone: a refusal means the handle is not
		 * for this application or was altered. */
		sk_error("the TPM refused the key: the key handle does not "
		    "belong to application this key file names, or was "
		    "altered");
		return SSH_SK_ERR_GENERAL;
	}
	if (tpm_read_da_state(t, &da) == 0 && da.max_tries > 0) {
		left = da.counter < da.max_tries ? da.max_tries - da.counter :
		    0;
		if (left == 0)
			sk_error("wrong PIN; the TPM is now locked out for "
			    "%u s", da.interval);
		else
			sk_error("wrong PIN; %u %s left before the TPM locks "
			    "out", left, left == 1 ? "try" : "tries");
	} else
		sk_error("wrong PIN");
	return SSH_SK_ERR_PIN_REQUIRED;
}
