/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm's two AKs as a verifier sees them (sk/attest/ak-key.c), with keys
 * OpenSSL makes here: the RS1 AK's TPMT_PUBLIC (RSA-2048, RSASSA-SHA-1) and
 * the ES256 one's are recognised and nothing near them is (another hash,
 * size, attribute or a policy); the public key built from each is the key;
 * a signature verifies only with the hash its COSE alg names and only
 * untouched; a certificate matches only its own AK.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ak-key.h"
#include "attest-codec.h"
#include "tpm-attest.h"

/* The RS1 AK's TPMT_PUBLIC as tpm-attest.c's template makes it. */
static const uint8_t rs1_head[] = { 0x00, 0x01, 0x00, 0x0b, 0x00, 0x05, 0x00,
	0x72, 0x00, 0x00, 0x00, 0x10, 0x00, 0x14, 0x00, 0x04, 0x08, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00 };
/* The ES256 AK's, up to its point. */
static const uint8_t es_head[] = { 0x00, 0x23, 0x00, 0x0b, 0x00, 0x05, 0x00,
	0x72, 0x00, 0x00, 0x00, 0x10, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x03,
	0x00, 0x10 };

static const uint8_t msg[161] = { 0xff, 0x54, 0x43, 0x47, 0x80, 0x17 };

static size_t
rs1_public(EVP_PKEY *k, uint8_t out[sizeof(rs1_head) + 256])
{
	BIGNUM *n = NULL;

	memcpy(out, rs1_head, sizeof(rs1_head));
	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n),
	    1);
	assert_int_equal(BN_bn2binpad(n, out + sizeof(rs1_head), 256), 256);
	BN_free(n);
	return sizeof(rs1_head) + 256;
}

static size_t
es_public(EVP_PKEY *k, uint8_t out[sizeof(es_head) + 68])
{
	uint8_t pt[65];
	size_t len = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len), 1);
	assert_int_equal(len, 65);
	memcpy(out, es_head, sizeof(es_head));
	out[sizeof(es_head)] = 0x00;
	out[sizeof(es_head) + 1] = 0x20;
	memcpy(out + sizeof(es_head) + 2, pt + 1, 32);
	out[sizeof(es_head) + 34] = 0x00;
	out[sizeof(es_head) + 35] = 0x20;
	memcpy(out + sizeof(es_head) + 36, pt + 33, 32);
	return sizeof(es_head) + 68;
}

static size_t
sign(EVP_PKEY *k, const EVP_MD *md, uint8_t *sig, size_t max)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = max;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, k), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &len, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(ctx);
	return len;
}

/* A self-signed certificate for k, DER. */
static int
cert_of(EVP_PKEY *k, uint8_t **der)
{
	X509 *x = X509_new();
	int len;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(X509_set_pubkey(x, k), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 60));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	*der = NULL;
	len = i2d_X509(x, der);
	assert_true(len > 0);
	X509_free(x);
	return len;
}

static void
test_rs1(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048), *built, *other = EVP_EC_gen("P-256");
	uint8_t pub[sizeof(rs1_head) + 256], bad[sizeof(pub)], sig[256];
	uint8_t *der, *der_other;
	struct att_public p;
	size_t len, sig_len;
	int der_len, other_len;

	(void)state;
	assert_non_null(k);
	assert_non_null(other);
	len = rs1_public(k, pub);
	assert_int_equal(att_public_parse(pub, len, &p), 0);
	assert_int_equal(p.type, ATT_TPM_ALG_RSA);
	assert_int_equal(p.key_bits, 2048);
	assert_int_equal(p.exponent, 0);
	assert_int_equal(p.modulus_len, 256);
	assert_int_equal(ak_kind_of(&p, false), TPM_AK_RS1);
	assert_int_equal(ak_cose_alg(TPM_AK_RS1), ATT_COSE_RS1);
	assert_non_null(built = ak_public_key(&p));
	assert_int_equal(EVP_PKEY_eq(built, k), 1);
	EVP_PKEY_free(built);

	sig_len = sign(k, EVP_sha1(), sig, sizeof(sig));
	assert_int_equal(sig_len, 256);
	assert_int_equal(ak_verify(&p, ATT_COSE_RS1, msg, sizeof(msg), sig,
	    sig_len), 0);
	/* the hash is alg's: ES256's name for it does not verify */
	assert_int_equal(ak_verify(&p, ATT_COSE_ES256, msg, sizeof(msg), sig,
	    sig_len), -1);
	sig[100] ^= 1;
	assert_int_equal(ak_verify(&p, ATT_COSE_RS1, msg, sizeof(msg), sig,
	    sig_len), -1);
	sig[100] ^= 1;
	/* a PKCS#1 signature with SHA-256 is not RS1's */
	sig_len = sign(k, EVP_sha256(), sig, sizeof(sig));
	assert_int_equal(ak_verify(&p, ATT_COSE_RS1, msg, sizeof(msg), sig,
	    sig_len), -1);

	der_len = cert_of(k, &der);
	other_len = cert_of(other, &der_other);
	assert_true(ak_key_certified(der, (size_t)der_len, &p));
	assert_false(ak_key_certified(der_other, (size_t)other_len, &p));
	assert_false(ak_key_certified(der, (size_t)der_len - 1, &p));
	OPENSSL_free(der);
	OPENSSL_free(der_other);

	/* near misses: SHA-256 in the scheme, no restricted, noDA (allowed
	 * only where said), another size, a policy */
	memcpy(bad, pub, len);
	bad[15] = 0x0b;
	assert_int_equal(att_public_parse(bad, len, &p), 0);
	assert_int_equal(ak_kind_of(&p, true), -1);
	memcpy(bad, pub, len);
	bad[5] = 0x04;
	assert_int_equal(att_public_parse(bad, len, &p), 0);
	assert_int_equal(ak_kind_of(&p, true), -1);
	memcpy(bad, pub, len);
	bad[6] = 0x04;
	assert_int_equal(att_public_parse(bad, len, &p), 0);
	assert_int_equal(ak_kind_of(&p, false), -1);
	assert_int_equal(ak_kind_of(&p, true), TPM_AK_RS1);
	memcpy(bad, pub, len);
	bad[16] = 0x0c;
	assert_int_equal(att_public_parse(bad, len, &p), 0);
	assert_int_equal(ak_kind_of(&p, true), -1);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

static void
test_es256(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *built;
	uint8_t pub[sizeof(es_head) + 68], sig[80];
	struct att_public p;
	size_t len, sig_len;

	(void)state;
	assert_non_null(k);
	len = es_public(k, pub);
	assert_int_equal(att_public_parse(pub, len, &p), 0);
	assert_int_equal(ak_kind_of(&p, false), TPM_AK_ES256);
	assert_int_equal(ak_cose_alg(TPM_AK_ES256), ATT_COSE_ES256);
	assert_non_null(built = ak_public_key(&p));
	assert_int_equal(EVP_PKEY_eq(built, k), 1);
	EVP_PKEY_free(built);
	sig_len = sign(k, EVP_sha256(), sig, sizeof(sig));
	assert_int_equal(ak_verify(&p, ATT_COSE_ES256, msg, sizeof(msg), sig,
	    sig_len), 0);
	assert_int_equal(ak_verify(&p, ATT_COSE_RS1, msg, sizeof(msg), sig,
	    sig_len), -1);
	sig[sig_len - 1] ^= 1;
	assert_int_equal(ak_verify(&p, ATT_COSE_ES256, msg, sizeof(msg), sig,
	    sig_len), -1);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rs1),
		cmocka_unit_test(test_es256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
