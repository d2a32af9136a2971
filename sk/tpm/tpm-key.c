/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The signing key, made by tpm-create.c: load it back from the key handle
 * and sign with it. A signature with a persistent SRK costs four
 * TPM commands for a key without a PIN: ReadClock (the counter, sign.c),
 * Load and Sign in password sessions, FlushContext of the key (left to the
 * resource manager when there is one); a PIN key adds a salted
 * StartAuthSession for its Sign (tpm-sign-auth.c), which closes itself
 * with the Sign.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

int
ecc_scalar32(const TPM2B_ECC_PARAMETER *in, uint8_t out[32])
{
	if (in->size > 32)
		return -1;
	memset(out, 0, 32 - in->size);
	memcpy(out + 32 - in->size, in->buffer, in->size);
	return 0;
}

int
tpm_read_counter(struct tpm *t, uint32_t *counter)
{
	TPMS_TIME_INFO *now = NULL;
	TSS2_RC rc;

	rc = Esys_ReadClock(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    &now);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("reading the TPM clock", rc);
	/*
	 * Clock counts milliseconds the TPM has been powered since it was
	 * manufactured (or last cleared) and never runs backwards in normal
	 * operation; in seconds it fits 32 bits for 136 years.
	 */
	*counter = (uint32_t)(now->clockInfo.clock / 1000);
	if (!now->clockInfo.safe)
		sk_debug("TPM clock not marked safe (unorderly shutdown)");
	Esys_Free(now);
	return 0;
}

int
tpm_handle_point(const struct kh *kh, uint8_t point[TPM_EC_POINT_LEN])
{
	TPM2B_PUBLIC pub;
	size_t off = 0;

	/* tpm2-tss refuses to unmarshal a TPM2B into a non-zero size. */
	memset(&pub, 0, sizeof(pub));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kh->tpm_public, kh->tpm_public_len,
	    &off, &pub) != TSS2_RC_SUCCESS || off != kh->tpm_public_len ||
	    pub.publicArea.type != TPM2_ALG_ECC) {
		sk_debug("%s: not an ECC public area", __func__);
		return -1;
	}
	point[0] = 0x04;
	if (ecc_scalar32(&pub.publicArea.unique.ecc.x, point + 1) != 0 ||
	    ecc_scalar32(&pub.publicArea.unique.ecc.y, point + 33) != 0)
		return -1;
	return 0;
}

/* Unmarshal a whole buffer; trailing bytes are an error. */
static int
unmarshal_blobs(const struct kh *kh, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
    TPM2B_PUBLIC *srk_pub)
{
	size_t off;

	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kh->tpm_public, kh->tpm_public_len,
	    &off, pub) != TSS2_RC_SUCCESS || off != kh->tpm_public_len)
		return -1;
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(kh->tpm_private,
	    kh->tpm_private_len, &off, priv) != TSS2_RC_SUCCESS ||
	    off != kh->tpm_private_len)
		return -1;
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kh->srk_public, kh->srk_public_len,
	    &off, srk_pub) != TSS2_RC_SUCCESS || off != kh->srk_public_len)
		return -1;
	/* The key must be what we create: an unrestricted ECDSA P-256
	 * signing key bound to this TPM, with the attributes and the
	 * authPolicy its handle's version and binding give (key-policy.h). */
	if (pub->publicArea.type != TPM2_ALG_ECC ||
	    pub->publicArea.nameAlg != TPM2_ALG_SHA256 ||
	    !policy_public_ok(kh, &pub->publicArea) ||
	    pub->publicArea.parameters.eccDetail.curveID !=
	    TPM2_ECC_NIST_P256 ||
	    !srk_public_matches_template(&srk_pub->publicArea))
		return -1;
	/* A PIN key must be DA-protected and a key without one must not:
	 * the flag that decides whether we ask for a PIN has to agree with
	 * what the TPM enforces. */
	if (((kh->flags & KH_FLAG_PIN) != 0) ==
	    ((pub->publicArea.objectAttributes & TPMA_OBJECT_NODA) != 0))
		return -1;
	return 0;
}

/* srk_close, but a transient SRK is left to a resource manager that
 * flushes it when the connection closes. */
static void
srk_release(struct tpm *t, struct srk *srk)
{
	if (!srk->persistent)
		object_release(t, &srk->handle);
	srk_close(t, srk);
}

int
tpm_sign(struct tpm *t, const struct kh *kh, const uint8_t auth[TPM_AUTH_LEN],
    const uint8_t digest_in[32], uint8_t r_out[32], uint8_t s_out[32])
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE, key = ESYS_TR_NONE;
	TPM2B_PUBLIC pub, srk_pub;
	TPM2B_PRIVATE priv;
	TPM2B_AUTH key_auth;
	TPM2B_DIGEST digest = { .size = 32 };
	TPMT_SIG_SCHEME scheme = {
		.scheme = TPM2_ALG_ECDSA,
		.details = { .ecdsa = { .hashAlg = TPM2_ALG_SHA256 } },
	};
	/* The null hash-check ticket: accepted because the key is not
	 * restricted. */
	TPMT_TK_HASHCHECK ticket = {
		.tag = TPM2_ST_HASHCHECK,
		.hierarchy = TPM2_RH_NULL,
	};
	TPMT_SIGNATURE *sig = NULL;
	TSS2_RC rc;
	int tries, r = SSH_SK_ERR_GENERAL;

	memset(&key_auth, 0, sizeof(key_auth));
	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	memset(&srk_pub, 0, sizeof(srk_pub));
	if (unmarshal_blobs(kh, &pub, &priv, &srk_pub) != 0) {
		sk_error("the key handle holds malformed TPM structures");
		goto out;
	}
	if ((r = key_load(t, kh, &pub, &priv, &srk_pub, &srk, &key)) != 0 ||
	    (r = sign_auth_start(t, kh, srk.handle, &session)) != 0)
		goto out;
	/* The key is loaded and a PIN key's session salted to the SRK; the
	 * SRK is no longer needed, and a transient one would hold a slot the
	 * TPM may need for Sign. */
	srk_release(t, &srk);

	key_auth.size = TPM_AUTH_LEN;
	memcpy(key_auth.buffer, auth, TPM_AUTH_LEN);
	r = SSH_SK_ERR_GENERAL;
	rc = Esys_TR_SetAuth(t->esys, key, &key_auth);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("setting the key's auth value", rc);
		goto out;
	}
	if (session != ESYS_TR_NONE &&
	    (r = session_last_use(t, session)) != 0)
		goto out;
	memcpy(digest.buffer, digest_in, 32);
	for (tries = 0;; tries++) {
		if (kh->pcr_mask != 0 && (r = policy_session_run(t, kh,
		    session, tries > 0)) != 0)
			goto out;
		rc = Esys_Sign(t->esys, key, session != ESYS_TR_NONE ?
		    session : ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
		    &digest, &scheme, &ticket, &sig);
		/* A bound PCR was extended between PolicyPCR and Sign. */
		if (kh->pcr_mask == 0 || rc_base(rc) != TPM2_RC_PCR_CHANGED ||
		    tries >= POLICY_PCR_TRIES)
			break;
		sk_debug("PCRs changed during the signature; again");
	}
	r = SSH_SK_ERR_GENERAL;
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_base(rc) == TPM2_RC_AUTH_FAIL ||
		    rc_base(rc) == TPM2_RC_BAD_AUTH ||
		    rc_base(rc) == TPM2_RC_LOCKOUT)
			r = sign_auth_explain(t, kh, rc);
		else
			r = rc_fail("signing in the TPM", rc);
		goto out;
	}
	session_forget(t, &session);
	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureR, r_out) != 0 ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureS, s_out) != 0) {
		sk_error("the TPM returned a malformed signature");
		r = SSH_SK_ERR_GENERAL;
		goto out;
	}
	r = 0;
out:
	OPENSSL_cleanse(&key_auth, sizeof(key_auth));
	OPENSSL_cleanse(&priv, sizeof(priv));
	/* sign_run closes the connection next. */
	object_release(t, &key);
	session_release(t, &session);
	srk_release(t, &srk);
	Esys_Free(sig);
	return r;
}
