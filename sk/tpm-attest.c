/*
 * The attestation key and TPM2_Certify of a new key by it. Costs, with a
 * persistent SRK: StartAuthSession (salted), Load, CreatePrimary of the AK,
 * Certify, two FlushContext; the session closes itself with the Certify.
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

static int
copy_scalar(const TPM2B_ECC_PARAMETER *in, uint8_t out[32])
{
	if (in->size > 32)
		return -1;
	memset(out, 0, 32 - in->size);
	memcpy(out + 32 - in->size, in->buffer, in->size);
	return 0;
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
tpm_attest_certify(struct tpm *t, const struct tpm_new_key *k,
    const uint8_t auth[TPM_AUTH_LEN], const uint8_t extra[32],
    struct tpm_certified *out)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE, key = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPM2B_AUTH key_auth;
	TPM2B_DATA qualifying = { .size = 32 };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_ATTEST *info = NULL;
	TPMT_SIGNATURE *sig = NULL;
	size_t off;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	memset(out, 0, sizeof(*out));
	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	memset(&key_auth, 0, sizeof(key_auth));
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(k->public, k->public_len, &off,
	    &pub) != TSS2_RC_SUCCESS) {
		sk_error("cannot read back the new key's public area");
		goto out;
	}
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(k->private, k->private_len, &off,
	    &priv) != TSS2_RC_SUCCESS) {
		sk_error("cannot read back the new key's private area");
		goto out;
	}
	if ((r = srk_open(t, &srk)) != 0 ||
	    (r = session_start(t, srk.handle, &session)) != 0)
		goto out;
	rc = Esys_Load(t->esys, srk.handle, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, &priv, &pub, &key);
	if (rc != TSS2_RC_SUCCESS) {
		key = ESYS_TR_NONE;
		r = rc_fail("loading the new key", rc);
		goto out;
	}
	/* A transient SRK would hold a slot the AK needs. */
	srk_close(t, &srk);
	if ((r = ak_create(t, &ak, &out->ak_pub, &out->ak_pub_len)) != 0)
		goto out;
	key_auth.size = TPM_AUTH_LEN;
	memcpy(key_auth.buffer, auth, TPM_AUTH_LEN);
	rc = Esys_TR_SetAuth(t->esys, key, &key_auth);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("setting the key's auth value", rc);
		goto out;
	}
	if ((r = session_last_use(t, session)) != 0)
		goto out;
	memcpy(qualifying.buffer, extra, 32);
	rc = Esys_Certify(t->esys, key, ak, session, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, &qualifying, &scheme, &info, &sig);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("certifying the key with the attestation key", rc);
		goto out;
	}
	session_forget(t, &session);
	r = SSH_SK_ERR_GENERAL;
	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    copy_scalar(&sig->signature.ecdsa.signatureR, out->r) != 0 ||
	    copy_scalar(&sig->signature.ecdsa.signatureS, out->s) != 0 ||
	    (out->cert_info = malloc(info->size)) == NULL) {
		sk_error("the TPM returned a malformed certification");
		goto out;
	}
	memcpy(out->cert_info, info->attestationData, info->size);
	out->cert_info_len = info->size;
	r = 0;
out:
	OPENSSL_cleanse(&key_auth, sizeof(key_auth));
	OPENSSL_cleanse(&priv, sizeof(priv));
	if (r != 0)
		tpm_certified_reset(out);
	object_flush(t, &ak);
	object_flush(t, &key);
	session_flush(t, &session);
	srk_close(t, &srk);
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
