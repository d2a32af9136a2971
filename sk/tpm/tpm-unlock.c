/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PIN object P of an unlockable key (tpm-unlock.h): a keyed-hash data
 * object under the SRK holding nothing but its auth value, the
 * PIN-derived one (pin.h). It is DA-protected, so every PolicySecret with
 * a wrong PIN counts toward the lockout, and it authorises nothing but the
 * PolicySecret of the key whose policy names it. Its auth value goes only
 * inside the salted session's parameter encryption.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"
#include "tpm-unlock.h"

void
tpm_secret_reset(struct tpm_secret *s)
{
	free(s->public);
	if (s->private != NULL)
		OPENSSL_clear_free(s->private, s->private_len);
	memset(s, 0, sizeof(*s));
}

void
secret_template(TPM2B_PUBLIC *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_KEYEDHASH;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.objectAttributes = SECRET_ATTRIBUTES;
	pub->publicArea.parameters.keyedHashDetail.scheme.scheme =
	    TPM2_ALG_NULL;
}

static int
marshal(const void *in, bool is_public, uint8_t **out, size_t *out_len)
{
	uint8_t buf[sizeof(TPM2B_PRIVATE) > sizeof(TPM2B_PUBLIC) ?
	    sizeof(TPM2B_PRIVATE) : sizeof(TPM2B_PUBLIC)];
	size_t off = 0;
	TSS2_RC rc;
	int r = -1;

	rc = is_public ? Tss2_MU_TPM2B_PUBLIC_Marshal(in, buf, sizeof(buf),
	    &off) : Tss2_MU_TPM2B_PRIVATE_Marshal(in, buf, sizeof(buf), &off);
	if (rc != TSS2_RC_SUCCESS || (*out = malloc(off)) == NULL) {
		sk_error("cannot marshal the PIN object");
		goto out;
	}
	memcpy(*out, buf, off);
	*out_len = off;
	r = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

int
tpm_create_secret(struct tpm *t, const uint8_t auth[TPM_AUTH_LEN],
    struct tpm_secret *out)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE;
	TPM2B_SENSITIVE_CREATE sensitive;
	TPM2B_PUBLIC template;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_CREATION_DATA *creation_data = NULL;
	TPM2B_DIGEST *creation_hash = NULL;
	TPMT_TK_CREATION *creation_ticket = NULL;
	TPM2B_NAME name;
	TSS2_RC rc;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&sensitive, 0, sizeof(sensitive));
	secret_template(&template);
	sensitive.sensitive.userAuth.size = TPM_AUTH_LEN;
	memcpy(sensitive.sensitive.userAuth.buffer, auth, TPM_AUTH_LEN);
	/* A data object must hold data: one zero byte, which is no secret
	 * (the object is never unsealed). */
	sensitive.sensitive.data.size = 1;
	if ((r = hold_srk(t, &srk)) != 0 ||
	    (r = session_start(t, srk.handle, &session)) != 0)
		goto out;
	/* DECRYPT on the session encrypts inSensitive, the auth value. */
	rc = Esys_Create(t->esys, srk.handle, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, &sensitive, &template, &outside, &pcrs, &priv, &pub,
	    &creation_data, &creation_hash, &creation_ticket);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("creating the PIN object in the TPM", rc);
		goto out;
	}
	r = SSH_SK_ERR_GENERAL;
	if (srk_name_of(pub, &name) != 0 || name.size != KH_NAME_LEN) {
		sk_error("cannot compute the PIN object's Name");
		goto out;
	}
	memcpy(out->name, name.name, KH_NAME_LEN);
	if (marshal(pub, true, &out->public, &out->public_len) != 0 ||
	    marshal(priv, false, &out->private, &out->private_len) != 0)
		goto out;
	r = 0;
out:
	OPENSSL_cleanse(&sensitive, sizeof(sensitive));
	if (r != 0)
		tpm_secret_reset(out);
	session_flush(t, &session);
	srk_close(t, &srk);
	if (priv != NULL)
		OPENSSL_cleanse(priv, sizeof(*priv));
	Esys_Free(pub);
	Esys_Free(priv);
	Esys_Free(creation_data);
	Esys_Free(creation_hash);
	Esys_Free(creation_ticket);
	return r;
}
