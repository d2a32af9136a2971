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
 *  - SHA-256 and HMAC-SHA-256 are computed by sk/sha256.c in a context we
 *    allocate, and wipe before we free it, on every path;
 *  - HMAC with any other hash is refused: all our sessions use SHA-256,
 *    and so does everything the KDFs are built on here;
 *  - plain hashes with other algorithms (the names of objects we did not
 *    make) go to OpenSSL: they hash only public data;
 *  - AES-CFB goes to OpenSSL: EVP_CIPHER_CTX_free wipes the key schedule
 *    (the key is derived from the session value, never the value itself);
 *  - the ephemeral ECDH of a salted session and the nonces use OpenSSL;
 *  - RSA salting is refused: the only salt key we use is the ECC SRK.
 * Before tpm2-tss 4.0 there is no such hook; see the README for what
 * holds there.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

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

static const EVP_MD *
other_md(TPM2_ALG_ID alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return EVP_sha1();
	case TPM2_ALG_SHA384:
		return EVP_sha384();
	case TPM2_ALG_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
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
		if ((md = other_md(alg)) == NULL) {
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

static TSS2_RC
random2b(TPM2B_NONCE *nonce, size_t len, void *ud)
{
	(void)ud;
	if (nonce == NULL)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	if (len == 0)
		len = sizeof(nonce->buffer);
	if (len > sizeof(nonce->buffer))
		return TSS2_ESYS_RC_BAD_SIZE;
	nonce->size = (UINT16)len;
	if (RAND_bytes(nonce->buffer, (int)len) != 1)
		return TSS2_ESYS_RC_GENERAL_FAILURE;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC
rsa_encrypt(TPM2B_PUBLIC *pub, size_t in_len, BYTE *in, size_t max,
    BYTE *out, size_t *out_len, const char *label, void *ud)
{
	(void)pub; (void)in_len; (void)in; (void)max; (void)out;
	(void)out_len; (void)label; (void)ud;
	sk_debug("%s: sessions are salted with the ECC SRK only", __func__);
	return TSS2_ESYS_RC_NOT_IMPLEMENTED;
}

/* The TPM's public point as an OpenSSL key on the named curve. */
static EVP_PKEY *
peer_key(const char *group, const TPMS_ECC_POINT *q, size_t coord)
{
	uint8_t point[1 + 2 * 66];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (q->x.size > coord || q->y.size > coord)
		return NULL;
	/* Uncompressed SEC1 point, each coordinate left-padded. */
	memset(point, 0, sizeof(point));
	point[0] = 0x04;
	memcpy(point + 1 + coord - q->x.size, q->x.buffer, q->x.size);
	memcpy(point + 1 + 2 * coord - q->y.size, q->y.buffer, q->y.size);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * coord);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * Salted session, TPM 2.0 part 1 C.6.1: an ephemeral key pair on the salt
 * key's curve; Z is the x coordinate of our private scalar times the TPM's
 * point, Q our public point, also handed back marshalled.
 */
static TSS2_RC
ecdh_point(TPM2B_PUBLIC *key, size_t max, TPM2B_ECC_PARAMETER *z,
    TPMS_ECC_POINT *q, BYTE *out, size_t *out_len, void *ud)
{
	uint8_t point[1 + 2 * 66];
	EVP_PKEY *eph = NULL, *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	const char *group;
	size_t coord, n, off = 0;
	TSS2_RC rc = TSS2_ESYS_RC_GENERAL_FAILURE;

	(void)ud;
	if (key == NULL || z == NULL || q == NULL || out == NULL ||
	    out_len == NULL)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	switch (key->publicArea.parameters.eccDetail.curveID) {
	case TPM2_ECC_NIST_P256:
		group = "P-256";
		coord = 32;
		break;
	case TPM2_ECC_NIST_P384:
		group = "P-384";
		coord = 48;
		break;
	case TPM2_ECC_NIST_P521:
		group = "P-521";
		coord = 66;
		break;
	default:
		return TSS2_ESYS_RC_NOT_IMPLEMENTED;
	}
	if ((peer = peer_key(group, &key->publicArea.unique.ecc, coord)) ==
	    NULL || (eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group)) ==
	    NULL)
		goto out;
	if (EVP_PKEY_get_octet_string_param(eph,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point), &n) !=
	    1 || n != 1 + 2 * coord || point[0] != 0x04)
		goto out;
	memcpy(q->x.buffer, point + 1, coord);
	memcpy(q->y.buffer, point + 1 + coord, coord);
	q->x.size = q->y.size = (UINT16)coord;
	n = sizeof(z->buffer);
	if ((dctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 ||
	    EVP_PKEY_derive(dctx, z->buffer, &n) != 1 || n != coord)
		goto out;
	z->size = (UINT16)coord;
	if ((rc = Tss2_MU_TPMS_ECC_POINT_Marshal(q, out, max, &off)) !=
	    TSS2_RC_SUCCESS)
		goto out;
	*out_len = off;
	rc = TSS2_RC_SUCCESS;
out:
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(peer);
	return rc;
}

/* AES-CFB, the only parameter encryption TPM 2.0 has besides XOR. */
static TSS2_RC
aes_cfb(int enc, uint8_t *key, TPM2_ALG_ID alg, TPMI_AES_KEY_BITS bits,
    TPM2_ALG_ID mode, uint8_t *buf, size_t len, uint8_t *iv)
{
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx = NULL;
	int n;
	TSS2_RC rc = TSS2_ESYS_RC_GENERAL_FAILURE;

	if (key == NULL || buf == NULL || iv == NULL)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	if (alg != TPM2_ALG_AES || mode != TPM2_ALG_CFB || len > INT32_MAX)
		return TSS2_ESYS_RC_BAD_VALUE;
	switch (bits) {
	case 128:
		cipher = EVP_aes_128_cfb128();
		break;
	case 192:
		cipher = EVP_aes_192_cfb128();
		break;
	case 256:
		cipher = EVP_aes_256_cfb128();
		break;
	default:
		return TSS2_ESYS_RC_BAD_VALUE;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) != 1 ||
	    EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, buf + n, &n) != 1)
		goto out;
	rc = TSS2_RC_SUCCESS;
out:
	/* Frees the provider's context with its key schedule cleansed. */
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

static TSS2_RC
aes_encrypt(uint8_t *key, TPM2_ALG_ID alg, TPMI_AES_KEY_BITS bits,
    TPM2_ALG_ID mode, uint8_t *buf, size_t len, uint8_t *iv, void *ud)
{
	(void)ud;
	return aes_cfb(1, key, alg, bits, mode, buf, len, iv);
}

static TSS2_RC
aes_decrypt(uint8_t *key, TPM2_ALG_ID alg, TPMI_AES_KEY_BITS bits,
    TPM2_ALG_ID mode, uint8_t *buf, size_t len, uint8_t *iv, void *ud)
{
	(void)ud;
	return aes_cfb(0, key, alg, bits, mode, buf, len, iv);
}

void
crypto_callbacks(ESYS_CRYPTO_CALLBACKS *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->rsa_pk_encrypt = rsa_encrypt;
	cb->hash_start = hash_start;
	cb->hash_update = update;
	cb->hash_finish = finish;
	cb->hash_abort = abort_ctx;
	cb->hmac_start = hmac_start;
	cb->hmac_update = update;
	cb->hmac_finish = finish;
	cb->hmac_abort = abort_ctx;
	cb->get_random2b = random2b;
	cb->get_ecdh_point = ecdh_point;
	cb->aes_encrypt = aes_encrypt;
	cb->aes_decrypt = aes_decrypt;
	/* SM4 left to ESYS: we never ask for it. */
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
