/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM2_ActivateCredential with the AK and the EK (tpm-activate.h). The EK
 * is derived from a template of the TCG EK Credential Profile
 * (tpm-ek-template.c): the low range's L-1 RSA-2048 or L-2 ECC P-256,
 * authorised by PolicySecret(TPM_RH_ENDORSEMENT) in a policy session, or
 * the high range's H-6 RSA-3072 or H-3 ECC P-384, authorised by its empty
 * auth value in an HMAC session. The session is salted to the EK itself
 * and encrypts the recovered credential on its way back. Commands: two
 * CreatePrimary, StartAuthSession, PolicySecret (low range),
 * ActivateCredential (which closes the session), two FlushContext.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-activate.h"
#include "tpm-internal.h"

static int
ek_create(struct tpm *t, int kind, ESYS_TR *ek)
{
	TPM2B_SENSITIVE_CREATE sensitive;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template;
	char what[48];
	TSS2_RC rc;

	memset(&sensitive, 0, sizeof(sensitive));
	if (ek_template(kind, &template) != 0) {
		*ek = ESYS_TR_NONE;
		sk_error("no EK template of kind %d", kind);
		return SSH_SK_ERR_GENERAL;
	}
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
	    &template, &outside, &pcrs, ek, NULL, NULL, NULL, NULL);
	if (rc == TSS2_RC_SUCCESS)
		return 0;
	*ek = ESYS_TR_NONE;
	if (rc_base(rc) == TPM2_RC_BAD_AUTH ||
	    rc_base(rc) == TPM2_RC_AUTH_FAIL) {
		sk_error("cannot derive the EK: the endorsement hierarchy has "
		    "a password");
		return SSH_SK_ERR_GENERAL;
	}
	snprintf(what, sizeof(what), "deriving the %s EK", ek_kind_name(kind));
	return rc_fail(what, rc);
}

/* A refusal that means "not for this TPM", rather than a TPM fault.
 * libtpms (swtpm) answers TPM_RC_FAILURE, without entering failure mode,
 * when the seed does not decrypt with its RSA EK: a TPM that still gives
 * random bytes afterwards is not in failure mode. */
static bool
not_ours(struct tpm *t, TSS2_RC rc)
{
	TPM2B_DIGEST *random = NULL;
	bool alive;

	if (rc_base(rc) == TPM2_RC_FAILURE) {
		alive = Esys_GetRandom(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, 1, &random) == TSS2_RC_SUCCESS;
		Esys_Free(random);
		return alive;
	}
	switch (rc_base(rc)) {
	case TPM2_RC_INTEGRITY:
	case TPM2_RC_VALUE:
	case TPM2_RC_SIZE:
	case TPM2_RC_ECC_POINT:
	case TPM2_RC_NO_RESULT:
		return true;
	}
	return false;
}

/*
 * The session that authorises the EK, salted to it so that the credential
 * comes back encrypted (tpm-ek-template.c says why the ranges differ): the
 * low range's PolicySecret(endorsement) in a policy session, the high
 * range's empty auth value (userWithAuth) in an HMAC session.
 */
static int
ek_auth_start(struct tpm *t, int kind, ESYS_TR ek, ESYS_TR *session)
{
	TSS2_RC rc;
	int r;

	if (ek_high_range(kind))
		return session_start(t, ek, session);
	if ((r = policy_session_start(t, ek, session)) != 0)
		return r;
	rc = Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, *session,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, NULL, NULL, NULL, 0,
	    NULL, NULL);
	if (rc == TSS2_RC_SUCCESS)
		return 0;
	if (rc_base(rc) == TPM2_RC_BAD_AUTH ||
	    rc_base(rc) == TPM2_RC_AUTH_FAIL) {
		sk_error("cannot authorise the EK: the endorsement hierarchy "
		    "has a password");
		return SSH_SK_ERR_GENERAL;
	}
	return rc_fail("PolicySecret(endorsement) for the EK", rc);
}

int
tpm_activate(struct tpm *t, int ak_kind, int ek_kind, const uint8_t *id,
    size_t id_len, const uint8_t *secret, size_t secret_len,
    uint8_t out[TPM_CREDENTIAL_MAX], size_t *out_len)
{
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TPM2B_ID_OBJECT blob;
	TPM2B_ENCRYPTED_SECRET seed;
	TPM2B_PUBLIC known;	/* only to check the kind */
	TPM2B_DIGEST *cred = NULL;
	uint8_t *ak_pub = NULL;
	size_t ak_pub_len = 0;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	*out_len = 0;
	if (ek_template(ek_kind, &known) != 0 ||
	    id_len == 0 || id_len > sizeof(blob.credential) ||
	    secret_len == 0 || secret_len > sizeof(seed.secret)) {
		sk_error("the credential does not fit the TPM's structures");
		return SSH_SK_ERR_GENERAL;
	}
	blob.size = (UINT16)id_len;
	memcpy(blob.credential, id, id_len);
	seed.size = (UINT16)secret_len;
	memcpy(seed.secret, secret, secret_len);
	if ((r = ek_create(t, ek_kind, &ek)) != 0 ||
	    (r = ak_create(t, ak_kind, &ak, &ak_pub, &ak_pub_len)) != 0 ||
	    (r = ek_auth_start(t, ek_kind, ek, &session)) != 0 ||
	    (r = session_last_use(t, session)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	rc = Esys_ActivateCredential(t->esys, ak, ek, ESYS_TR_PASSWORD,
	    session, ESYS_TR_NONE, &blob, &seed, &cred);
	if (rc != TSS2_RC_SUCCESS) {
		if (not_ours(t, rc))
			sk_error("the TPM refused the credential: it was not "
			    "made for this TPM's EK and AK, or it was altered "
			    "(%s EK)", ek_kind_name(ek_kind));
		else
			r = rc_fail("activating the credential", rc);
		goto out;
	}
	session_forget(t, &session);
	if (cred->size > TPM_CREDENTIAL_MAX) {
		sk_error("the TPM returned a malformed credential");
		goto out;
	}
	memcpy(out, cred->buffer, cred->size);
	*out_len = cred->size;
	r = 0;
out:
	if (cred != NULL)
		OPENSSL_cleanse(cred, sizeof(*cred));
	Esys_Free(cred);
	OPENSSL_cleanse(&blob, sizeof(blob));
	OPENSSL_cleanse(&seed, sizeof(seed));
	free(ak_pub);
	session_flush(t, &session);
	object_flush(t, &ak);
	object_flush(t, &ek);
	return r;
}
