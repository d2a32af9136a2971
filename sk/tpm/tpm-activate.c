/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM2_ActivateCredential with the AK and the EK (tpm-activate.h). The EK
 * is derived from the TCG EK Credential Profile's low-range template
 * (L-1 RSA-2048 or L-2 ECC P-256), whose authPolicy is PolicySecret
 * (TPM_RH_ENDORSEMENT); the policy session is salted to the EK itself and
 * encrypts the recovered credential on its way back. Commands: two
 * CreatePrimary, StartAuthSession, PolicySecret, ActivateCredential (which
 * closes the session), two FlushContext.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-activate.h"
#include "tpm-internal.h"

/* PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the EK's authPolicy. */
static const uint8_t ek_policy[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8,
	0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
	0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64,
	0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

static void
ek_template(int kind, TPM2B_PUBLIC *pub)
{
	TPMT_PUBLIC *p = &pub->publicArea;
	TPMT_SYM_DEF_OBJECT aes = {
		.algorithm = TPM2_ALG_AES,
		.keyBits = { .aes = 128 },
		.mode = { .aes = TPM2_ALG_CFB },
	};

	memset(pub, 0, sizeof(*pub));
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	p->authPolicy.size = sizeof(ek_policy);
	memcpy(p->authPolicy.buffer, ek_policy, sizeof(ek_policy));
	if (kind == TPM_EK_RSA2048) {
		p->type = TPM2_ALG_RSA;
		p->parameters.rsaDetail.symmetric = aes;
		p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
		p->parameters.rsaDetail.keyBits = 2048;
		p->parameters.rsaDetail.exponent = 0;
		p->unique.rsa.size = 256;
	} else {
		p->type = TPM2_ALG_ECC;
		p->parameters.eccDetail.symmetric = aes;
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
		p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
		p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		p->unique.ecc.x.size = 32;
		p->unique.ecc.y.size = 32;
	}
}

static int
ek_create(struct tpm *t, int kind, ESYS_TR *ek)
{
	TPM2B_SENSITIVE_CREATE sensitive;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template;
	TSS2_RC rc;

	memset(&sensitive, 0, sizeof(sensitive));
	ek_template(kind, &template);
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
	return rc_fail(kind == TPM_EK_RSA2048 ? "deriving the RSA-2048 EK" :
	    "deriving the ECC P-256 EK", rc);
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

int
tpm_activate(struct tpm *t, int ek_kind, const uint8_t *id, size_t id_len,
    const uint8_t *secret, size_t secret_len,
    uint8_t out[TPM_CREDENTIAL_MAX], size_t *out_len)
{
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TPM2B_ID_OBJECT blob;
	TPM2B_ENCRYPTED_SECRET seed;
	TPM2B_DIGEST *cred = NULL;
	uint8_t *ak_pub = NULL;
	size_t ak_pub_len = 0;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	*out_len = 0;
	if ((ek_kind != TPM_EK_RSA2048 && ek_kind != TPM_EK_P256) ||
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
	    (r = ak_create(t, &ak, &ak_pub, &ak_pub_len)) != 0 ||
	    (r = policy_session_start(t, ek, &session)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	rc = Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, session,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, NULL, NULL, NULL, 0,
	    NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_base(rc) == TPM2_RC_BAD_AUTH ||
		    rc_base(rc) == TPM2_RC_AUTH_FAIL)
			sk_error("cannot authorise the EK: the endorsement "
			    "hierarchy has a password");
		else
			r = rc_fail("PolicySecret(endorsement) for the EK", rc);
		goto out;
	}
	if ((r = session_last_use(t, session)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	rc = Esys_ActivateCredential(t->esys, ak, ek, ESYS_TR_PASSWORD,
	    session, ESYS_TR_NONE, &blob, &seed, &cred);
	if (rc != TSS2_RC_SUCCESS) {
		if (not_ours(t, rc))
			sk_error("the TPM refused the credential: it was not "
			    "made for this TPM's EK and AK, or it was altered "
			    "(%s EK)", ek_kind == TPM_EK_RSA2048 ? "RSA-2048" :
			    "ECC P-256");
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
