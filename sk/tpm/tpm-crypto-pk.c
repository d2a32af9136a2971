/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ESYS's cryptography that no auth value passes through unchanged: nonces,
 * the ephemeral ECDH of a salted session and AES-CFB parameter encryption,
 * all through OpenSSL (tpm-crypto.c has the hashes and HMACs, and why).
 * The AES key is derived from the session value, never the value itself,
 * and EVP_CIPHER_CTX_free wipes its key schedule; the ECDH's ephemeral key
 * is freed by OpenSSL, which cleanses private keys it frees. RSA salting
 * (OAEP) is for the EK of the attestation round trip.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "log.h"
#include "tpm-internal.h"

#ifdef SK_TPM_ESYS_CRYPTO_CALLBACKS

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

/* The OpenSSL digest of a TPM hash algorithm, NULL for others. */
const EVP_MD *
crypto_evp_md(TPM2_ALG_ID alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return EVP_sha1();
	case TPM2_ALG_SHA256:
		return EVP_sha256();
	case TPM2_ALG_SHA384:
		return EVP_sha384();
	case TPM2_ALG_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/*
 * A salt encrypted to an RSA key (the EK of the attestation round trip,
 * tpm-activate.c; our own sessions salt to the ECC SRK): RSA-OAEP with the
 * key's nameAlg, and the label with its terminating zero byte, as TPM 2.0
 * part 1 B.10.3 has it. ESYS sets the OAEP scheme whatever the key says.
 */
static TSS2_RC
rsa_encrypt(TPM2B_PUBLIC *pub, size_t in_len, BYTE *in, size_t max,
    BYTE *out, size_t *out_len, const char *label, void *ud)
{
	const TPMS_RSA_PARMS *p;
	const EVP_MD *md;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *kctx = NULL, *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *n = NULL;
	unsigned char *lab = NULL;
	size_t len;
	TSS2_RC rc = TSS2_ESYS_RC_GENERAL_FAILURE;

	(void)ud;
	if (pub == NULL || in == NULL || out == NULL || out_len == NULL ||
	    label == NULL)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	p = &pub->publicArea.parameters.rsaDetail;
	if (pub->publicArea.type != TPM2_ALG_RSA ||
	    p->scheme.scheme != TPM2_ALG_OAEP ||
	    (md = crypto_evp_md(pub->publicArea.nameAlg)) == NULL)
		return TSS2_ESYS_RC_NOT_IMPLEMENTED;
	if ((n = BN_bin2bn(pub->publicArea.unique.rsa.buffer,
	    pub->publicArea.unique.rsa.size, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_uint32(bld, OSSL_PKEY_PARAM_RSA_E,
	    p->exponent != 0 ? p->exponent : 65537) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(kctx) != 1 ||
	    EVP_PKEY_fromdata(kctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
	    (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_encrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
	    (lab = OPENSSL_memdup(label, strlen(label) + 1)) == NULL)
		goto out;
	if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, lab,
	    (int)strlen(label) + 1) != 1)
		goto out;
	lab = NULL;		/* the context's now */
	if (EVP_PKEY_encrypt(ctx, NULL, &len, in, in_len) != 1 || len > max ||
	    EVP_PKEY_encrypt(ctx, out, &len, in, in_len) != 1)
		goto out;
	*out_len = len;
	rc = TSS2_RC_SUCCESS;
out:
	OPENSSL_free(lab);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_free(key);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	return rc;
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
crypto_callbacks_pk(ESYS_CRYPTO_CALLBACKS *cb)
{
	cb->rsa_pk_encrypt = rsa_encrypt;
	cb->get_random2b = random2b;
	cb->get_ecdh_point = ecdh_point;
	cb->aes_encrypt = aes_encrypt;
	cb->aes_decrypt = aes_decrypt;
	/* SM4 left to ESYS: we never ask for it. */
}

#endif /* SK_TPM_ESYS_CRYPTO_CALLBACKS */
