/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Making the standard SRK persistent (tpm-setup.h).
 *
 * The SRK is derived from the TCG template in the owner hierarchy
 * (CreatePrimary) and made persistent at 0x81000001 (EvictControl); both
 * commands need the owner authorization. When the owner hierarchy has a
 * password it travels only inside a salted HMAC session, and there is no
 * SRK yet to salt it to: the salt goes to a primary of the same template
 * in the null hierarchy, whose authorization is always empty, made for
 * this and flushed again. The password is taken out of ESYS's owner
 * object again on every path.
 *
 * 0x81000001 is only ever written when nothing is there. A key there is
 * left alone and told by what it is: the standard SRK only when its
 * public area has the template's shape and its Name is the Name of the
 * SRK derived here (the same seed and template give the same key);
 * systemd's SRK when its Name is that of the primary of systemd's
 * template (an empty unique field); an RSA storage key, as Windows
 * persists one; or another program's key.
 */
#include <string.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"
#include "tpm-setup.h"

#define OWNER_AUTH_HELP	"the TPM owner hierarchy has a password: set " \
			"SK_TPM_OWNER_AUTH to it"

static bool
rc_is_auth_failure(TSS2_RC rc)
{
	return rc_base(rc) == TPM2_RC_AUTH_FAIL ||
	    rc_base(rc) == TPM2_RC_BAD_AUTH;
}

/* A primary of an SRK template in hierarchy, authorised by session. */
static TSS2_RC
primary(struct tpm *t, ESYS_TR hierarchy, ESYS_TR session,
    enum srk_template which, ESYS_TR *out)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template;
	TSS2_RC rc;

	srk_template_of(which, &template);
	rc = Esys_CreatePrimary(t->esys, hierarchy, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, &sensitive, &template, &outside, &pcrs, out, NULL,
	    NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
		*out = ESYS_TR_NONE;
	return rc;
}

/*
 * The SRK derived in the owner hierarchy. With an owner password, *session
 * is left as the salted session that carried it (for EvictControl);
 * without one it is ESYS_TR_PASSWORD. An owner hierarchy with a password
 * that was not given gives 1 (nothing recorded).
 */
static int
derive(struct tpm *t, ESYS_TR *srk, ESYS_TR *session)
{
	ESYS_TR salt = ESYS_TR_NONE;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	*session = ESYS_TR_PASSWORD;
	if (t->owner_auth.size > 0) {
		rc = primary(t, ESYS_TR_RH_NULL, ESYS_TR_PASSWORD,
		    SRK_TEMPLATE_TCG, &salt);
		if (rc != TSS2_RC_SUCCESS) {
			r = rc_fail("making a key to salt the session to", rc);
			goto out;
		}
		*session = ESYS_TR_NONE;
		if ((r = session_start(t, salt, session)) != 0)
			goto out;
		r = SSH_SK_ERR_GENERAL;
		rc = Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER,
		    &t->owner_auth);
		if (rc != TSS2_RC_SUCCESS) {
			r = rc_fail("setting the owner authorization", rc);
			goto out;
		}
	}
	rc = primary(t, ESYS_TR_RH_OWNER, *session, SRK_TEMPLATE_TCG, srk);
	if (rc != TSS2_RC_SUCCESS) {
		if (!rc_is_auth_failure(rc))
			r = rc_fail("deriving the storage root key", rc);
		else if (t->owner_auth.size > 0) {
			sk_error("SK_TPM_OWNER_AUTH is not the TPM owner "
			    "password");
		} else
			r = 1;
		goto out;
	}
	r = 0;
out:
	object_flush(t, &salt);
	return r;
}

static int
name_of(struct tpm *t, ESYS_TR tr, uint8_t out[KH_NAME_LEN])
{
	TPM2B_NAME *name = NULL;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	rc = Esys_TR_GetName(t->esys, tr, &name);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("reading the SRK name", rc);
	if (name->size != KH_NAME_LEN)
		sk_error("unexpected SRK name size %u", name->size);
	else {
		memcpy(out, name->name, KH_NAME_LEN);
		r = 0;
	}
	Esys_Free(name);
	return r;
}

/* What 0x81000001 holds: 0 with *tr (ESYS_TR_NONE when nothing) and what
 * its public area looks like (srk_state_of_public). */
static int
look(struct tpm *t, ESYS_TR *tr, enum tpm_srk_state *shape)
{
	TPM2B_PUBLIC pub;
	bool present;
	TSS2_RC rc;
	int r;

	*tr = ESYS_TR_NONE;
	*shape = TPM_SRK_ABSENT;
	if ((r = srk_persistent_present(t, &present)) != 0 || !present)
		return r;
	rc = Esys_TR_FromTPMPublic(t->esys, TPM_SRK_HANDLE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, tr);
	if (rc != TSS2_RC_SUCCESS) {
		*tr = ESYS_TR_NONE;
		return rc_fail("reading the key at 0x81000001", rc);
	}
	if ((r = serial_key_public(t, *tr, &pub)) != 0)
		return r;
	*shape = srk_state_of_public(&pub);
	return 0;
}

/* Whether the key at 0x81000001 (Name there) is systemd's SRK: the
 * primary of its template, derived with the session that carries the
 * owner authorization, and flushed again. */
static int
is_systemds(struct tpm *t, ESYS_TR session, const uint8_t there[KH_NAME_LEN],
    bool *yes)
{
	ESYS_TR other = ESYS_TR_NONE;
	uint8_t name[KH_NAME_LEN];
	TSS2_RC rc;
	int r;

	*yes = false;
	rc = primary(t, ESYS_TR_RH_OWNER, session, SRK_TEMPLATE_SYSTEMD,
	    &other);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("deriving systemd's SRK to compare Names", rc);
	if ((r = name_of(t, other, name)) == 0)
		*yes = memcmp(name, there, KH_NAME_LEN) == 0;
	object_flush(t, &other);
	return r;
}

int
tpm_setup_srk(struct tpm *t, enum tpm_setup_result *result,
    uint8_t name[KH_NAME_LEN])
{
	ESYS_TR there = ESYS_TR_NONE, srk = ESYS_TR_NONE, made = ESYS_TR_NONE;
	ESYS_TR session = ESYS_TR_PASSWORD;
	enum tpm_srk_state shape;
	uint8_t derived[KH_NAME_LEN];
	bool systemd;
	TSS2_RC rc;
	int r;

	memset(name, 0, KH_NAME_LEN);
	if ((r = look(t, &there, &shape)) != 0)
		goto out;
	if (shape == TPM_SRK_RSA || shape == TPM_SRK_OTHER) {
		/* Not the SRK's shape: nothing to derive to compare. */
		*result = shape == TPM_SRK_RSA ? TPM_SETUP_RSA :
		    TPM_SETUP_FOREIGN;
		r = name_of(t, there, name);
		goto out;
	}
	r = derive(t, &srk, &session);
	if (r == 1 && there != ESYS_TR_NONE) {
		*result = TPM_SETUP_PRESENT_UNCHECKED;
		r = name_of(t, there, name);
		goto out;
	}
	if (r == 1)
		sk_error(OWNER_AUTH_HELP);
	if (r != 0) {
		r = SSH_SK_ERR_GENERAL;
		goto out;
	}
	if ((r = name_of(t, srk, derived)) != 0)
		goto out;
	if (there != ESYS_TR_NONE) {
		if ((r = name_of(t, there, name)) != 0)
			goto out;
		if (memcmp(name, derived, KH_NAME_LEN) == 0) {
			*result = TPM_SETUP_PRESENT;
			goto out;
		}
		if ((r = is_systemds(t, session, name, &systemd)) != 0)
			goto out;
		*result = systemd ? TPM_SETUP_SYSTEMD : TPM_SETUP_ECC_OTHER;
		goto out;
	}
	/* EvictControl has no parameter to encrypt. */
	if (session != ESYS_TR_PASSWORD && (rc = Esys_TRSess_SetAttributes(
	    t->esys, session, 0, TPMA_SESSION_DECRYPT |
	    TPMA_SESSION_ENCRYPT)) != TSS2_RC_SUCCESS) {
		r = rc_fail("setting session attributes", rc);
		goto out;
	}
	rc = Esys_EvictControl(t->esys, ESYS_TR_RH_OWNER, srk, session,
	    ESYS_TR_NONE, ESYS_TR_NONE, TPM_SRK_HANDLE, &made);
	if (rc != TSS2_RC_SUCCESS) {
		made = ESYS_TR_NONE;
		r = SSH_SK_ERR_GENERAL;
		if (rc_base(rc) == TPM2_RC_NV_DEFINED)
			sk_error("0x81000001 was taken by another program "
			    "meanwhile; run sk-tpm setup again to look at it");
		else if (rc_base(rc) == TPM2_RC_NV_SPACE)
			sk_error("the TPM has no room for another persistent "
			    "key");
		else if (rc_is_auth_failure(rc))
			sk_error(OWNER_AUTH_HELP);
		else
			r = rc_fail("making the SRK persistent", rc);
		goto out;
	}
	if ((r = name_of(t, made, name)) != 0)
		goto out;
	if (memcmp(name, derived, KH_NAME_LEN) != 0) {
		sk_error("the key made persistent has an unexpected Name");
		r = SSH_SK_ERR_GENERAL;
		goto out;
	}
	*result = TPM_SETUP_MADE;
	r = 0;
out:
	owner_auth_forget(t);
	if (session != ESYS_TR_PASSWORD)
		session_flush(t, &session);
	object_flush(t, &srk);
	if (there != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &there);
	if (made != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &made);
	return r;
}
