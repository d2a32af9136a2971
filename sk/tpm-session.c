/*
 * Sessions and flushing. Every auth value we present goes through a salted
 * HMAC session: the salt is encrypted to the SRK, so somebody recording the
 * bus (or a TCP link to a simulator) can neither read the auth value nor
 * test guesses of it offline against the recorded HMACs.
 */
#include <string.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define SESSION_ATTRS	(TPMA_SESSION_CONTINUESESSION | \
			 TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT)

TSS2_RC
session_open(struct tpm *t, ESYS_TR salt_key, ESYS_TR *session)
{
	TPMT_SYM_DEF symmetric = {
		.algorithm = TPM2_ALG_AES,
		.keyBits = { .aes = 128 },
		.mode = { .aes = TPM2_ALG_CFB },
	};
	TSS2_RC rc;

	rc = Esys_StartAuthSession(t->esys, salt_key, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_HMAC,
	    &symmetric, TPM2_ALG_SHA256, session);
	if (rc != TSS2_RC_SUCCESS) {
		*session = ESYS_TR_NONE;
		return rc;
	}
	rc = Esys_TRSess_SetAttributes(t->esys, *session, SESSION_ATTRS, 0xff);
	if (rc != TSS2_RC_SUCCESS)
		session_flush(t, session);
	return rc;
}

int
session_start(struct tpm *t, ESYS_TR salt_key, ESYS_TR *session)
{
	TSS2_RC rc;

	if ((rc = session_open(t, salt_key, session)) != TSS2_RC_SUCCESS)
		return rc_fail("starting an encrypted session", rc);
	return 0;
}

int
session_last_use(struct tpm *t, ESYS_TR session)
{
	TSS2_RC rc;

	rc = Esys_TRSess_SetAttributes(t->esys, session, 0,
	    TPMA_SESSION_CONTINUESESSION);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("setting session attributes", rc);
	return 0;
}

void
session_forget(struct tpm *t, ESYS_TR *session)
{
	if (*session == ESYS_TR_NONE)
		return;
	/* Local bookkeeping only: the TPM already closed it. */
	(void)Esys_TR_Close(t->esys, session);
	*session = ESYS_TR_NONE;
}

void
session_flush(struct tpm *t, ESYS_TR *session)
{
	TSS2_RC rc;

	if (*session == ESYS_TR_NONE)
		return;
	rc = Esys_FlushContext(t->esys, *session);
	if (rc != TSS2_RC_SUCCESS) {
		sk_debug("%s: %s", __func__, Tss2_RC_Decode(rc));
		(void)Esys_TR_Close(t->esys, session);
	}
	*session = ESYS_TR_NONE;
}

void
object_flush(struct tpm *t, ESYS_TR *object)
{
	TPM2B_AUTH zero;
	TSS2_RC rc;

	if (*object == ESYS_TR_NONE)
		return;
	/*
	 * ESYS frees its copy of the auth value without wiping it. Setting
	 * an all-zero TPM2B_AUTH overwrites the whole stored buffer (ESYS
	 * copies the structure), where passing NULL would only clear the
	 * size.
	 */
	memset(&zero, 0, sizeof(zero));
	(void)Esys_TR_SetAuth(t->esys, *object, &zero);
	rc = Esys_FlushContext(t->esys, *object);
	if (rc != TSS2_RC_SUCCESS) {
		sk_debug("%s: %s", __func__, Tss2_RC_Decode(rc));
		(void)Esys_TR_Close(t->esys, object);
	}
	*object = ESYS_TR_NONE;
}
