/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm's AKs as OpenSSL keys (ak-key.h): the shape of each, checked
 * field by field against the templates of tpm-attest.c; the key built
 * from the public area; the signature over certInfo checked with the
 * hash its COSE algorithm names.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ak-key.h"
#include "attest-codec.h"
#include "tpm-attest.h"

/* TPM 2.0 Part 2 */
#define TPM_ALG_SHA1		0x0004
#define TPM_ALG_SHA256		0x000b
#define TPM_ALG_NULL		0x0010
#define TPM_ALG_RSASSA		0x0014
#define TPM_ALG_ECDSA		0x0018
#define TPM_ECC_NIST_P256	0x0003

int
ak_kind_of(const struct att_public *k, bool with_noda)
{
	uint32_t attrs = k->attributes;

	if (with_noda)
		attrs &= ~AK_KEY_NODA;
	if (attrs != AK_KEY_ATTRS || k->name_alg != TPM_ALG_SHA256 ||
	    k->auth_policy_len != 0 || k->sym_alg != TPM_ALG_NULL)
		return -1;
	if (k->type == ATT_TPM_ALG_ECC && k->curve == TPM_ECC_NIST_P256 &&
	    k->scheme == TPM_ALG_ECDSA && k->scheme_hash == TPM_ALG_SHA256 &&
	    k->kdf == TPM_ALG_NULL)
		return TPM_AK_ES256;
	if (k->type == ATT_TPM_ALG_RSA && k->key_bits == 2048 &&
	    k->modulus_len == 256 && (k->exponent == 0 ||
	    k->exponent == 65537) && k->scheme == TPM_ALG_RSASSA &&
	    k->scheme_hash == TPM_ALG_SHA1)
		return TPM_AK_RS1;
	return -1;
}

int
ak_cose_alg(int ak_kind)
{
	return ak_kind == TPM_AK_RS1 ? ATT_COSE_RS1 : ATT_COSE_ES256;
}

static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

EVP_PKEY *
ak_public_key(const struct att_public *k)
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pkey = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (k->type == ATT_TPM_ALG_ECC && k->curve == TPM_ECC_NIST_P256) {
		if (OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
		    OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, k->point, 65) == 1)
			pkey = from_params("EC", bld);
	} else if (k->type == ATT_TPM_ALG_RSA && k->modulus != NULL) {
		if ((n = BN_bin2bn(k->modulus, (int)k->modulus_len,
		    NULL)) != NULL && (e = BN_new()) != NULL &&
		    BN_set_word(e, k->exponent == 0 ? 65537 :
		    k->exponent) == 1 &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N,
		    n) == 1 &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E,
		    e) == 1)
			pkey = from_params("RSA", bld);
	}
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

bool
ak_key_certified(const uint8_t *der, size_t der_len,
    const struct att_public *k)
{
	const unsigned char *p = der;
	EVP_PKEY *ak;
	X509 *x;
	bool ok = false;

	if ((ak = ak_public_key(k)) == NULL)
		return false;
	if ((x = d2i_X509(NULL, &p, (long)der_len)) != NULL &&
	    p == der + der_len && X509_get0_pubkey(x) != NULL &&
	    EVP_PKEY_eq(X509_get0_pubkey(x), ak) == 1)
		ok = true;
	X509_free(x);
	EVP_PKEY_free(ak);
	return ok;
}

int
ak_verify(const struct att_public *k, int cose_alg, const uint8_t *msg,
    size_t len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *hash;
	int ok = 0;

	if (cose_alg == ATT_COSE_RS1 && k->type == ATT_TPM_ALG_RSA)
		hash = EVP_sha1();
	else if (cose_alg == ATT_COSE_ES256 && k->type == ATT_TPM_ALG_ECC)
		hash = EVP_sha256();
	else
		return -1;
	if ((pkey = ak_public_key(k)) == NULL)
		return -1;
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, &pctx, hash, NULL, pkey) == 1 &&
	    (k->type != ATT_TPM_ALG_RSA ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
	    EVP_DigestVerify(md, sig, sig_len, msg, len) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok ? 0 : -1;
}
