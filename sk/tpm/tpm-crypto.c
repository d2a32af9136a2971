/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ESYS's cryptography, ours where a secret passes through it.
 *
 * Every HMAC ESYS computes is keyed with a secret: KDFa of the session key
 * is keyed with the salt, and command and response HMACs, parameter
 * encryption's KDFa and the XOR obfuscation are keyed with the session
 * value, which is the session key followed by the auth value of the object
 * the session authorises (a signing key's PIN-derived auth, the owner
 * password). tpm2-tss 4.x's OpenSSL backend makes a new library context
 * and an EVP_PKEY from the raw key for each HMAC and leaves freed copies of
 * that key behind, where no call of ours can reach them. So from tpm2-tss
 * 4.0 on (Esys_SetCryptoCallbacks) we take the crypto over:
 *  - SHA-256 and HMAC-SHA-256 are computed by sk/base/sha256.c in a context we
 *    allocate, and wipe before we free it, on every path;
 *  - HMAC with any other hash is refused: all our sessions use SHA-256,
 *    and so does everything the KDFs are built on here;
 *  - plain hashes with other algorithms go to OpenSSL: the names of
 *    objects we did not make, public, and the KDFe (SHA-384) of a salt
 *    encrypted to a P-384 EK by attest activate, whose digest context
 *    OpenSSL wipes as it frees it;
 *  - AES-CFB, the ephemeral ECDH and RSA-OAEP of a salted session and the
 *    nonces go to OpenSSL (tpm-crypto-pk.c).
 * Before tpm2-tss 4.0 there is no such hook; doc/security.md says what
 * holds there.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "sha256.h"
#include "tpm-internal.h"

#ifdef SK_TPM_ESYS_CRYPTO_CALLBACKS

enum ctx_kind { KIND_SHA256, KIND_HMAC_SHA256, KIND_EVP };

struct crypto_ctx {
	enum ctx_kind kind;
	size_t len;			/* digest length */
	union {
		struct sha256_ctx sha;
		struct hmac_sha256_ctx hmac;
		EVP_MD_CTX *md;
	} u;
};

static struct crypto_ctx *
ctx_new(enum ctx_kind kind, size_t len)
{
	struct crypto_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->kind = kind;
	c->len = len;
	return c;
}

/* Wipe and free, whatever kind: ESYS's error paths sometimes hand an HMAC
 * context to hash_abort and a hash context to hmac_abort. */
static void
ctx_free(ESYS_CRYPTO_CONTEXT_BLOB **blob)
{
	struct crypto_ctx *c;

	if (blob == NULL || (c = (struct crypto_ctx *)*blob) == NULL)
		return;
	if (c->kind == KIND_EVP)
		EVP_MD_CTX_free(c->u.md);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
	*blob = NULL;
}

static TSS2_RC
hash_start(ESYS_CRYPTO_CONTEXT_BLOB **blob, TPM2_ALG_ID alg, void *ud)
{
	struct crypto_ctx *c = NULL;
	const EVP_MD *md;
	TSS2_RC rc = TSS2_ESYS_RC_MEMORY;

	(void)ud;
	if (blob == NULL)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	*blob = NULL;
	if (alg == TPM2_ALG_SHA256) {
		if ((c = ctx_new(KIND_SHA256, SHA256_DIGEST_LEN)) == NULL)
			goto out;
		sha256_init(&c->u.sha);
	} else {
		if ((md = crypto_evp_md(alg)) == NULL) {
			sk_debug("%s: hash 0x%04x not supported", __func__,
			    alg);
			rc = TSS2_ESYS_RC_NOT_IMPLEMENTED;
			goto out;
		}
		if ((c = ctx_new(KIND_EVP, (size_t)EVP_MD_get_size(md))) ==
		    NULL || (c->u.md = EVP_MD_CTX_new()) == NULL)
			goto out;
		if (EVP_DigestInit_ex(c->u.md, md, NULL) != 1) {
			rc = TSS2_ESYS_RC_GENERAL_FAILURE;
			goto out;
		}
	}
	*blob = (ESYS_CRYPTO_CONTEXT_BLOB *)c;
	c = NULL;
	rc = TSS2_RC_SUCCESS;
out:
	ctx_free((ESYS_CRYPTO_CONTEXT_BLOB **)&c);
	return rc;
}

static TSS2_RC
update(ESYS_CRYPTO_CONTEXT_BLOB *blob, const uint8_t *buf, size_t len,
    void *ud)
{
	struct crypto_ctx *c = (struct crypto_ctx *)blob;

	(void)ud;
	if (c == NULL || (buf == NULL && len > 0))
		return TSS2_ESYS_RC_BAD_REFERENCE;
	switch (c->kind) {
	case KIND_SHA256:
		sha256_update(&c->u.sha, buf, len);
		break;
	case KIND_HMAC_SHA256:
		hmac_sha256_update(&c->u.hmac, buf, len);
		break;
	case KIND_EVP:
		if (EVP_DigestUpdate(c->u.md, buf, len) != 1)
			return TSS2_ESYS_RC_GENERAL_FAILURE;
		break;
	}
	return TSS2_RC_SUCCESS;
}

/* Hash or HMAC: the result, then the context wiped and freed whatever
 * happens, so that an error path of ESYS's has nothing left to abort. */
static TSS2_RC
finish(ESYS_CRYPTO_CONTEXT_BLOB **blob, uint8_t *out, size_t *len,
    void *ud)
{
	struct crypto_ctx *c;
	unsigned int n = 0;
	TSS2_RC rc = TSS2_ESYS_RC_GENERAL_FAILURE;

	(void)ud;
	if (blob == NULL || (c = (struct crypto_ctx *)*blob) == NULL ||
	    out == NULL || len == NULL)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	if (*len < c->len) {
		rc = TSS2_ESYS_RC_BAD_SIZE;
		goto out;
	}
	switch (c->kind) {
	case KIND_SHA256:
		sha256_final(&c->u.sha, out);
		break;
	case KIND_HMAC_SHA256:
		hmac_sha256_final(&c->u.hmac, out);
		break;
	case KIND_EVP:
		if (EVP_DigestFinal_ex(c->u.md, out, &n) != 1 || n != c->len)
			goto out;
		break;
	}
	*len = c->len;
	rc = TSS2_RC_SUCCESS;
out:
	ctx_free(blob);
	return rc;
}

static void
abort_ctx(ESYS_CRYPTO_CONTEXT_BLOB **blob, void *ud)
{
	(void)ud;
	ctx_free(blob);
}

static TSS2_RC
hmac_start(ESYS_CRYPTO_CONTEXT_BLOB **blob, TPM2_ALG_ID alg,
    const uint8_t *key, size_t len, void *ud)
{
	struct crypto_ctx *c;

	(void)ud;
	if (blob == NULL || (key == NULL && len > 0))
		return TSS2_ESYS_RC_BAD_REFERENCE;
	*blob = NULL;
	if (alg != TPM2_ALG_SHA256) {
		sk_debug("%s: HMAC with hash 0x%04x not supported", __func__,
		    alg);
		return TSS2_ESYS_RC_NOT_IMPLEMENTED;
	}
	if ((c = ctx_new(KIND_HMAC_SHA256, SHA256_DIGEST_LEN)) == NULL)
		return TSS2_ESYS_RC_MEMORY;
	hmac_sha256_init(&c->u.hmac, key, len);
	*blob = (ESYS_CRYPTO_CONTEXT_BLOB *)c;
	return TSS2_RC_SUCCESS;
}

void
crypto_callbacks(ESYS_CRYPTO_CALLBACKS *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->hash_start = hash_start;
	cb->hash_update = update;
	cb->hash_finish = finish;
	cb->hash_abort = abort_ctx;
	cb->hmac_start = hmac_start;
	cb->hmac_update = update;
	cb->hmac_finish = finish;
	cb->hmac_abort = abort_ctx;
	/* Nonces, the salt's ECDH and AES-CFB: tpm-crypto-pk.c. */
	crypto_callbacks_pk(cb);
}

int
crypto_install(struct tpm *t)
{
	ESYS_CRYPTO_CALLBACKS cb;
	TSS2_RC rc;

	/* ESYS copies the table. */
	crypto_callbacks(&cb);
	if ((rc = Esys_SetCryptoCallbacks(t->esys, &cb)) != TSS2_RC_SUCCESS)
		return rc_fail("setting ESYS's crypto callbacks", rc);
	return 0;
}

#else /* tpm2-tss before 4.0: no callbacks, ESYS's own OpenSSL code */

int
crypto_install(struct tpm *t)
{
	(void)t;
	return 0;
}

#endif
