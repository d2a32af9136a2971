/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attestation key and TPM2_Certify of the new key by it: the key is
 * still loaded from its creation (tpm-hold.c), in the session that created
 * it, so this costs CreatePrimary of the AK, Certify and two FlushContext;
 * a PIN key's session closes itself with the Certify. A key that only a
 * policy session may use (PCR-bound, version 3) is certified through its
 * policy's Certify branch instead (key-policy.h): an unsalted policy
 * session, PolicyCommandCode(TPM2_Certify), PolicyOR, which needs neither
 * the PIN nor the PCRs and admits nothing but the Certify; that adds
 * StartAuthSession, PolicyCommandCode and PolicyOR.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-attest.h"
#include "tpm-internal.h"

/* The AK template: fixed, so the AK and its Name are stable. */
static void
ak_template(TPM2B_PUBLIC *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_ECC;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM |
	    TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
	    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
	    TPMA_OBJECT_SIGN_ENCRYPT;
	pub->publicArea.parameters.eccDetail.symmetric.algorithm =
	    TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	pub->publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg =
	    TPM2_ALG_SHA256;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
}

void
tpm_certified_reset(struct tpm_certified *c)
{
	free(c->cert_info);
	free(c->ak_pub);
	memset(c, 0, sizeof(*c));
}

/* The AK, a transient primary (tpm-internal.h). */
int
ak_create(struct tpm *t, ESYS_TR *ak, uint8_t **pub_out, size_t *len)
{
	TPM2B_SENSITIVE_CREATE sensitive;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template, *pub = NULL;
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t off = 0;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	memset(&sensitive, 0, sizeof(sensitive));
	ak_template(&template);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
	    &template, &outside, &pcrs, ak, &pub, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		*ak = ESYS_TR_NONE;
		if (rc_base(rc) == TPM2_RC_BAD_AUTH ||
		    rc_base(rc) == TPM2_RC_AUTH_FAIL)
			sk_error("cannot derive the attestation key: the "
			    "endorsement hierarchy has a password");
		else
			r = rc_fail("deriving the attestation key", rc);
		goto out;
	}
	if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, buf, sizeof(buf),
	    &off) != TSS2_RC_SUCCESS || (*pub_out = malloc(off)) == NULL) {
		sk_error("cannot marshal the attestation key");
		goto out;
	}
	memcpy(*pub_out, buf, off);
	*len = off;
	r = 0;
out:
	Esys_Free(pub);
	return r;
}

int
tpm_attest_certify(struct tpm *t, const uint8_t extra[32],
    struct tpm_certified *out)
{
	struct tpm_hold *h = t->hold;
	ESYS_TR ak = ESYS_TR_NONE, key_session;
	TPM2B_DATA qualifying = { .size = 32 };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_ATTEST *info = NULL;
	TPMT_SIGNATURE *sig = NULL;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	memset(out, 0, sizeof(*out));
	if (h == NULL || h->key == ESYS_TR_NONE) {
		sk_error("the new key is no longer loaded");
		goto out;
	}
	if ((r = ak_create(t, &ak, &out->ak_pub, &out->ak_pub_len)) != 0)
		goto out;
	/* The key's auth value (set at its creation) in the session that
	 * created it: a PIN key's only in the salted, encrypted one; or the
	 * Certify branch of the key's policy. */
	key_session = ESYS_TR_PASSWORD;
	if (h->policy.policy_only) {
		session_flush(t, &h->session);
		if ((r = policy_session_start(t, ESYS_TR_NONE,
		    &h->session)) != 0 ||
		    (r = policy_certify_run(t, h->session, &h->policy)) != 0)
			goto out;
	}
	if (h->session != ESYS_TR_NONE) {
		if ((r = session_last_use(t, h->session)) != 0)
			goto out;
		key_session = h->session;
	}
	memcpy(qualifying.buffer, extra, 32);
	rc = Esys_Certify(t->esys, h->key, ak, key_session, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, &qualifying, &scheme, &info, &sig);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("certifying the key with the attestation key", rc);
		goto out;
	}
	session_forget(t, &h->session);
	r = SSH_SK_ERR_GENERAL;
	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureR, out->r) != 0 ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureS, out->s) != 0 ||
	    (out->cert_info = malloc(info->size)) == NULL) {
		sk_error("the TPM returned a malformed certification");
		goto out;
	}
	memcpy(out->cert_info, info->attestationData, info->size);
	out->cert_info_len = info->size;
	r = 0;
out:
	if (r != 0)
		tpm_certified_reset(out);
	object_flush(t, &ak);
	/* Done with the key and its session, whatever happened. */
	if (h != NULL) {
		object_flush(t, &h->key);
		session_flush(t, &h->session);
	}
	Esys_Free(info);
	Esys_Free(sig);
	return r;
}

int
tpm_ak_public(struct tpm *t, uint8_t **pub, size_t *len)
{
	ESYS_TR ak = ESYS_TR_NONE;
	int r;

	*pub = NULL;
	*len = 0;
	r = ak_create(t, &ak, pub, len);
	object_flush(t, &ak);
	return r;
}
