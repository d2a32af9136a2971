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
 * StartAuthSession, PolicyCommandCode and PolicyOR. Either AK of
 * tpm-attest.h: the ES256 one, or the RS1 one whose CreatePrimary is an
 * RSA-2048 key generation.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-attest.h"
#include "tpm-internal.h"

/* The AK templates (tpm-attest.h): fixed, so each AK and its Name are
 * stable. Same attributes, nameAlg, empty auth policy and empty unique
 * for both; the RS1 AK is what tpm2_createprimary -G rsa2048:rsassa-sha1
 * :null with these attributes makes (exponent 0: 65537). */
static void
ak_template(int kind, TPM2B_PUBLIC *pub)
{
	TPMT_PUBLIC *a = &pub->publicArea;

	memset(pub, 0, sizeof(*pub));
	a->nameAlg = TPM2_ALG_SHA256;
	a->objectAttributes = TPMA_OBJECT_FIXEDTPM |
	    TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
	    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
	    TPMA_OBJECT_SIGN_ENCRYPT;
	if (kind == TPM_AK_RS1) {
		a->type = TPM2_ALG_RSA;
		a->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
		a->parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
		a->parameters.rsaDetail.scheme.details.rsassa.hashAlg =
		    TPM2_ALG_SHA1;
		a->parameters.rsaDetail.keyBits = 2048;
		a->parameters.rsaDetail.exponent = 0;
		return;
	}
	a->type = TPM2_ALG_ECC;
	a->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	a->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	a->parameters.eccDetail.scheme.details.ecdsa.hashAlg =
	    TPM2_ALG_SHA256;
	a->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	a->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
}

const char *
tpm_ak_kind_name(int kind)
{
	return kind == TPM_AK_RS1 ? "RS1 (RSA-2048, RSASSA-SHA-1)" :
	    "ES256 (ECC P-256, ECDSA-SHA-256)";
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
ak_create(struct tpm *t, int kind, ESYS_TR *ak, uint8_t **pub_out,
    size_t *len)
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
	if (kind != TPM_AK_ES256 && kind != TPM_AK_RS1) {
		sk_error("unknown attestation key kind %d", kind);
		*ak = ESYS_TR_NONE;
		return SSH_SK_ERR_GENERAL;
	}
	ak_template(kind, &template);
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

/* The AK's signature as tpm_certified holds it: r || s for ES256, the
 * 256-byte PKCS#1 v1.5 signature with SHA-1 for RS1. */
static int
signature_out(int kind, const TPMT_SIGNATURE *sig, struct tpm_certified *out)
{
	const TPMS_SIGNATURE_RSA *rsa = &sig->signature.rsassa;

	if (kind == TPM_AK_RS1) {
		if (sig->sigAlg != TPM2_ALG_RSASSA ||
		    rsa->hash != TPM2_ALG_SHA1 || rsa->sig.size != 256)
			return -1;
		memcpy(out->sig, rsa->sig.buffer, 256);
		out->sig_len = 256;
		return 0;
	}
	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureR, out->sig) != 0 ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureS, out->sig + 32) != 0)
		return -1;
	out->sig_len = 64;
	return 0;
}

int
tpm_attest_certify(struct tpm *t, int kind, const uint8_t *extra,
    size_t extra_len, struct tpm_certified *out)
{
	struct tpm_hold *h = t->hold;
	ESYS_TR ak = ESYS_TR_NONE, key_session;
	TPM2B_DATA qualifying = { 0 };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_ATTEST *info = NULL;
	TPMT_SIGNATURE *sig = NULL;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	memset(out, 0, sizeof(*out));
	if (extra_len == 0 || extra_len > 32) {
		sk_error("qualifying data of %zu bytes", extra_len);
		goto out;
	}
	if (h == NULL || h->key == ESYS_TR_NONE) {
		sk_error("the new key is no longer loaded");
		goto out;
	}
	if ((r = ak_create(t, kind, &ak, &out->ak_pub,
	    &out->ak_pub_len)) != 0)
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
	qualifying.size = (UINT16)extra_len;
	memcpy(qualifying.buffer, extra, extra_len);
	rc = Esys_Certify(t->esys, h->key, ak, key_session, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, &qualifying, &scheme, &info, &sig);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("certifying the key with the attestation key", rc);
		goto out;
	}
	session_forget(t, &h->session);
	r = SSH_SK_ERR_GENERAL;
	if (signature_out(kind, sig, out) != 0 ||
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
tpm_ak_public(struct tpm *t, int kind, uint8_t **pub, size_t *len)
{
	ESYS_TR ak = ESYS_TR_NONE;
	int r;

	*pub = NULL;
	*len = 0;
	r = ak_create(t, kind, &ak, pub, len);
	object_flush(t, &ak);
	return r;
}
