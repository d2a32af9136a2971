/* SPDX-License-Identifier: BSD-2-Clause */
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
key_template(TPM2B_PUBLIC *pub, bool with_da, const struct key_policy *policy)
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
	/* No scheme in the key: tpm_sign names ECDSA-SHA-256 at each
	 * signature. WebAuthn "tpm" verifiers (python-fido2) parse only
	 * TPMS_ECC_PARMS with a NULL scheme, so a key with one fails their
	 * check of the attestation. Keys made before keep theirs. */
	pub->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	/* A version 3 key always has an authPolicy, which admits
	 * TPM2_Certify alone besides whatever else it allows
	 * (key-policy.h); only a PCR-bound key is for policy sessions
	 * alone. */
	if (policy != NULL && policy->present) {
		if (policy->policy_only)
			pub->publicArea.objectAttributes ^= KEY_ATTRIBUTES ^
			    KEY_ATTRIBUTES_POLICY;
		pub->publicArea.authPolicy.size = POLICY_DIGEST_LEN;
		memcpy(pub->publicArea.authPolicy.buffer, policy->digest,
		    POLICY_DIGEST_LEN);
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

void
tpm_new_key_reset(struct tpm_new_key *k)
{
	free(k->public);
	if (k->private != NULL)
		OPENSSL_clear_free(k->private, k->private_len);
	free(k->srk_public);
	memset(k, 0, sizeof(*k));
}

/* TPM2_Create, then TPM2_Load in the same session: for a TPM without
 * TPM2_CreateLoaded (older than part 3 revision 1.38). */
static TSS2_RC
create_then_load(struct tpm *t, ESYS_TR parent, ESYS_TR session,
    const TPM2B_SENSITIVE_CREATE *sensitive, const TPM2B_PUBLIC *template,
    ESYS_TR *key, TPM2B_PRIVATE **priv, TPM2B_PUBLIC **pub)
{
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_CREATION_DATA *creation_data = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *creation_ticket = NULL;
	TSS2_RC rc;

	/* DECRYPT on the session encrypts inSensitive, the first parameter,
	 * which carries the new auth value. */
	rc = Esys_Create(t->esys, parent, session, ESYS_TR_NONE, ESYS_TR_NONE,
	    sensitive, template, &outside, &pcrs, priv, pub, &creation_data,
	    &creation_hash, &creation_ticket);
	Esys_Free(creation_data);
	Esys_Free(creation_hash);
	Esys_Free(creation_ticket);
	if (rc != TSS2_RC_SUCCESS)
		return rc;
	rc = Esys_Load(t->esys, parent, session, ESYS_TR_NONE, ESYS_TR_NONE,
	    *priv, *pub, key);
	if (rc != TSS2_RC_SUCCESS)
		*key = ESYS_TR_NONE;
	return rc;
}

/*
 * The key, created and loaded by one TPM2_CreateLoaded: it stays loaded
 * for the attestation, which certifies it, and a TPM2_Load is saved.
 */
static TSS2_RC
create_loaded(struct tpm *t, ESYS_TR parent, ESYS_TR session,
    const TPM2B_SENSITIVE_CREATE *sensitive, const TPM2B_PUBLIC *template,
    ESYS_TR *key, TPM2B_PRIVATE **priv, TPM2B_PUBLIC **pub)
{
	TPM2B_TEMPLATE packed = { .size = 0 };
	size_t off = 0;
	TSS2_RC rc;

	rc = Tss2_MU_TPMT_PUBLIC_Marshal(&template->publicArea, packed.buffer,
	    sizeof(packed.buffer), &off);
	if (rc != TSS2_RC_SUCCESS)
		return rc;
	packed.size = (UINT16)off;
	rc = Esys_CreateLoaded(t->esys, parent, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, sensitive, &packed, key, priv, pub);
	if (rc == TSS2_RC_SUCCESS)
		return rc;
	*key = ESYS_TR_NONE;
	if (rc_base(rc) != TPM2_RC_COMMAND_CODE)
		return rc;
	sk_debug("this TPM has no TPM2_CreateLoaded; Create and Load");
	return create_then_load(t, parent, session, sensitive, template, key,
	    priv, pub);
}

int
tpm_create_key(struct tpm *t, const uint8_t auth[TPM_AUTH_LEN],
    bool with_da, const struct key_policy *policy, struct tpm_new_key *out)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE, auth_session, key = ESYS_TR_NONE;
	TPM2B_SENSITIVE_CREATE sensitive;
	TPM2B_PUBLIC template;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_AUTH key_auth;
	const TPMS_ECC_POINT *q;
	TSS2_RC rc;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&sensitive, 0, sizeof(sensitive));
	memset(&key_auth, 0, sizeof(key_auth));
	key_template(&template, with_da, policy);
	sensitive.sensitive.userAuth.size = TPM_AUTH_LEN;
	memcpy(sensitive.sensitive.userAuth.buffer, auth, TPM_AUTH_LEN);

	if ((r = hold_srk(t, &srk)) != 0)
		goto out;
	/*
	 * A PIN key's auth value is a secret: it goes only inside the salted
	 * session's parameter encryption. A key without a PIN has an auth
	 * value that follows from the application alone (pin.h), which any
	 * reader of the key file knows: a password session hides nothing
	 * less, and saves the session's ECDH and the HMACs.
	 */
	auth_session = ESYS_TR_PASSWORD;
	if (with_da) {
		if ((r = session_start(t, srk.handle, &session)) != 0)
			goto out;
		auth_session = session;
	}
	rc = create_loaded(t, srk.handle, auth_session, &sensitive, &template,
	    &key, &priv, &pub);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("creating the key in the TPM", rc);
		goto out;
	}
	r = SSH_SK_ERR_GENERAL;
	key_auth.size = TPM_AUTH_LEN;
	memcpy(key_auth.buffer, auth, TPM_AUTH_LEN);
	rc = Esys_TR_SetAuth(t->esys, key, &key_auth);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("setting the key's auth value", rc);
		goto out;
	}
	q = &pub->publicArea.unique.ecc;
	out->point[0] = 0x04;
	if (ecc_scalar32(&q->x, out->point + 1) != 0 ||
	    ecc_scalar32(&q->y, out->point + 33) != 0) {
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
	if (t->hold != NULL) {
		/* Loaded, with its session, for the attestation. */
		t->hold->key = key;
		t->hold->session = session;
		if (policy != NULL)
			t->hold->policy = *policy;
		key = session = ESYS_TR_NONE;
	}
	r = 0;
out:
	OPENSSL_cleanse(&sensitive, sizeof(sensitive));
	OPENSSL_cleanse(&key_auth, sizeof(key_auth));
	if (r != 0)
		tpm_new_key_reset(out);
	object_flush(t, &key);
	session_flush(t, &session);
	srk_close(t, &srk);
	/* The key exists: a transient SRK has served. */
	hold_srk_drop_transient(t);
	if (priv != NULL)
		OPENSSL_cleanse(priv, sizeof(*priv));
	Esys_Free(pub);
	Esys_Free(priv);
	return r;
}
