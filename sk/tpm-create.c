/*
 * The signing key: created under the SRK here; tpm-key.c loads it back
 * from the key handle and signs with it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

static void
key_template(TPM2B_PUBLIC *pub, bool with_da, const uint8_t *policy)
{
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_ECC;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	/* Keys without a PIN are noDA: an unrelated program's lockout must
	 * not disable them, and there is nothing to guess. Keys with a PIN
	 * are DA-protected: the TPM throttles guessing. */
	pub->publicArea.objectAttributes = KEY_ATTRIBUTES |
	    (with_da ? 0 : TPMA_OBJECT_NODA);
	pub->publicArea.parameters.eccDetail.symmetric.algorithm =
	    TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	pub->publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg =
	    TPM2_ALG_SHA256;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	if (policy != NULL) {
		pub->publicArea.objectAttributes ^= KEY_ATTRIBUTES ^
		    KEY_ATTRIBUTES_POLICY;
		pub->publicArea.authPolicy.size = 32;
		memcpy(pub->publicArea.authPolicy.buffer, policy, 32);
	}
}

/* Marshal into a malloc'ed buffer. */
static int
marshal_public(const TPM2B_PUBLIC *in, uint8_t **out, size_t *out_len)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	size_t off = 0;
	TSS2_RC rc;

	rc = Tss2_MU_TPM2B_PUBLIC_Marshal(in, buf, sizeof(buf), &off);
	if (rc != TSS2_RC_SUCCESS || (*out = malloc(off)) == NULL) {
		sk_error("cannot marshal a public area");
		return -1;
	}
	memcpy(*out, buf, off);
	*out_len = off;
	return 0;
}

static int
marshal_private(const TPM2B_PRIVATE *in, uint8_t **out, size_t *out_len)
{
	uint8_t buf[sizeof(TPM2B_PRIVATE)];
	size_t off = 0;
	TSS2_RC rc;
	int r = -1;

	rc = Tss2_MU_TPM2B_PRIVATE_Marshal(in, buf, sizeof(buf), &off);
	if (rc != TSS2_RC_SUCCESS || (*out = malloc(off)) == NULL) {
		sk_error("cannot marshal a private area");
		goto out;
	}
	memcpy(*out, buf, off);
	*out_len = off;
	r = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

/* Copy a TPM2B coordinate into 32 bytes, left-padded with zeros. */
static int
copy_scalar(const uint8_t *in, size_t len, uint8_t out[32])
{
	if (len > 32)
		return -1;
	memset(out, 0, 32 - len);
	memcpy(out + 32 - len, in, len);
	return 0;
}

void
tpm_new_key_reset(struct tpm_new_key *k)
{
	free(k->public);
	if (k->private != NULL)
		OPENSSL_clear_free(k->private, k->private_len);
	free(k->srk_public);
	memset(k, 0, sizeof(*k));
}

int
tpm_create_key(struct tpm *t, const uint8_t auth[TPM_AUTH_LEN],
    bool with_da, const uint8_t *policy, struct tpm_new_key *out)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE;
	TPM2B_SENSITIVE_CREATE sensitive;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_CREATION_DATA *creation_data = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *creation_ticket = NULL;
	const TPMS_ECC_POINT *q;
	TSS2_RC rc;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&sensitive, 0, sizeof(sensitive));
	key_template(&template, with_da, policy);
	sensitive.sensitive.userAuth.size = TPM_AUTH_LEN;
	memcpy(sensitive.sensitive.userAuth.buffer, auth, TPM_AUTH_LEN);

	if ((r = srk_open(t, &srk)) != 0 ||
	    (r = session_start(t, srk.handle, &session)) != 0 ||
	    (r = session_last_use(t, session)) != 0)
		goto out;
	/* DECRYPT on the session encrypts inSensitive, the first parameter,
	 * which carries the new auth value. */
	rc = Esys_Create(t->esys, srk.handle, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, &sensitive, &template, &outside, &pcrs, &priv, &pub,
	    &creation_data, &creation_hash, &creation_ticket);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("creating the key in the TPM", rc);
		goto out;
	}
	session_forget(t, &session);

	r = SSH_SK_ERR_GENERAL;
	q = &pub->publicArea.unique.ecc;
	out->point[0] = 0x04;
	if (copy_scalar(q->x.buffer, q->x.size, out->point + 1) != 0 ||
	    copy_scalar(q->y.buffer, q->y.size, out->point + 33) != 0) {
		sk_error("the TPM returned a malformed public key");
		goto out;
	}
	if (srk.name.size != KH_NAME_LEN) {
		sk_error("unexpected SRK name size %u", srk.name.size);
		goto out;
	}
	memcpy(out->srk_name, srk.name.name, KH_NAME_LEN);
	out->srk_persistent = srk.persistent;
	if (marshal_public(pub, &out->public, &out->public_len) != 0 ||
	    marshal_private(priv, &out->private, &out->private_len) != 0 ||
	    marshal_public(&srk.public, &out->srk_public,
	    &out->srk_public_len) != 0)
		goto out;
	r = 0;
out:
	OPENSSL_cleanse(&sensitive, sizeof(sensitive));
	if (r != 0)
		tpm_new_key_reset(out);
	session_flush(t, &session);
	srk_close(t, &srk);
	Esys_Free(pub);
	Esys_Free(priv);
	Esys_Free(creation_data);
	Esys_Free(creation_hash);
	Esys_Free(creation_ticket);
	return r;
}
