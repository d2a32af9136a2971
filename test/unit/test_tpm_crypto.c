/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The crypto callbacks sk/tpm/tpm-crypto.c gives ESYS (tpm2-tss >= 4.0),
 * called the way ESYS calls them, against OpenSSL: hashes, HMACs (in
 * pieces, as KDFa and the session HMACs feed them), AES-128-CFB both ways,
 * and a salted session's ECDH and RSA-OAEP, checked from the TPM's side
 * with the "TPM" private key. That the TPM accepts what ESYS builds from them
 * (KDFa, KDFe, session HMACs, parameter encryption) is shown by every
 * integration test, which runs with these callbacks on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "tpm-internal.h"

static ESYS_CRYPTO_CALLBACKS cb;

static void
test_hash(void **state)
{
	static const TPM2_ALG_ID algs[] = { TPM2_ALG_SHA256, TPM2_ALG_SHA1,
	    TPM2_ALG_SHA384, TPM2_ALG_SHA512 };
	static const char *names[] = { "SHA256", "SHA1", "SHA384", "SHA512" };
	ESYS_CRYPTO_CONTEXT_BLOB *ctx;
	uint8_t msg[200], got[64], want[64];
	unsigned int want_len;
	size_t len, i;

	(void)state;
	assert_int_equal(RAND_bytes(msg, sizeof(msg)), 1);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		assert_int_equal(cb.hash_start(&ctx, algs[i], NULL), 0);
		assert_int_equal(cb.hash_update(ctx, msg, 70, NULL), 0);
		assert_int_equal(cb.hash_update(ctx, msg + 70, 130, NULL), 0);
		len = sizeof(got);
		assert_int_equal(cb.hash_finish(&ctx, got, &len, NULL), 0);
		assert_null(ctx);
		assert_int_equal(EVP_Digest(msg, sizeof(msg), want, &want_len,
		    EVP_get_digestbyname(names[i]), NULL), 1);
		assert_int_equal(len, want_len);
		assert_memory_equal(got, want, len);
	}
	/* A buffer too small: refused, and the context is gone anyway. */
	assert_int_equal(cb.hash_start(&ctx, TPM2_ALG_SHA256, NULL), 0);
	len = 31;
	assert_int_equal(cb.hash_finish(&ctx, got, &len, NULL),
	    TSS2_ESYS_RC_BAD_SIZE);
	assert_null(ctx);
	/* Unknown algorithms are refused cleanly. */
	assert_int_equal(cb.hash_start(&ctx, TPM2_ALG_SM3_256, NULL),
	    TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_null(ctx);
	/* Abort of a live context of either kind, and of none. */
	assert_int_equal(cb.hash_start(&ctx, TPM2_ALG_SHA384, NULL), 0);
	cb.hmac_abort(&ctx, NULL);
	assert_null(ctx);
	cb.hash_abort(&ctx, NULL);
}

static void
test_hmac(void **state)
{
	ESYS_CRYPTO_CONTEXT_BLOB *ctx;
	uint8_t key[96], msg[150], got[32], want[32];
	unsigned int want_len;
	size_t len, key_len;

	(void)state;
	/* Session key || auth value (64), and longer than a block. */
	for (key_len = 0; key_len <= sizeof(key); key_len += 32) {
		assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
		assert_int_equal(RAND_bytes(msg, sizeof(msg)), 1);
		assert_int_equal(cb.hmac_start(&ctx, TPM2_ALG_SHA256, key,
		    key_len, NULL), 0);
		assert_int_equal(cb.hmac_update(ctx, msg, 4, NULL), 0);
		assert_int_equal(cb.hmac_update(ctx, msg + 4, 146, NULL), 0);
		len = sizeof(got);
		assert_int_equal(cb.hmac_finish(&ctx, got, &len, NULL), 0);
		assert_null(ctx);
		assert_int_equal(len, 32);
		assert_non_null(HMAC(EVP_sha256(), key, (int)key_len, msg,
		    sizeof(msg), want, &want_len));
		assert_memory_equal(got, want, 32);
	}
	assert_int_equal(cb.hmac_start(&ctx, TPM2_ALG_SHA1, key, 20, NULL),
	    TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_null(ctx);
	assert_int_equal(cb.hmac_start(&ctx, TPM2_ALG_SHA256, key, 20, NULL),
	    0);
	cb.hash_abort(&ctx, NULL);
	assert_null(ctx);
}

static void
test_aes(void **state)
{
	uint8_t key[16], iv[16], iv2[16], plain[77], buf[77], want[77];
	EVP_CIPHER_CTX *ctx;
	int n, m;

	(void)state;
	assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
	assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
	assert_int_equal(RAND_bytes(plain, sizeof(plain)), 1);
	memcpy(buf, plain, sizeof(buf));
	memcpy(iv2, iv, sizeof(iv));
	assert_int_equal(cb.aes_encrypt(key, TPM2_ALG_AES, 128, TPM2_ALG_CFB,
	    buf, sizeof(buf), iv2, NULL), 0);
	assert_non_null(ctx = EVP_CIPHER_CTX_new());
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_cfb128(), NULL,
	    key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, want, &n, plain,
	    sizeof(plain)), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, want + n, &m), 1);
	EVP_CIPHER_CTX_free(ctx);
	assert_memory_equal(buf, want, sizeof(buf));
	memcpy(iv2, iv, sizeof(iv));
	assert_int_equal(cb.aes_decrypt(key, TPM2_ALG_AES, 128, TPM2_ALG_CFB,
	    buf, sizeof(buf), iv2, NULL), 0);
	assert_memory_equal(buf, plain, sizeof(buf));
	assert_int_equal(cb.aes_encrypt(key, TPM2_ALG_AES, 128, TPM2_ALG_CBC,
	    buf, sizeof(buf), iv2, NULL), TSS2_ESYS_RC_BAD_VALUE);
}

static void
test_ecdh(void **state)
{
	EVP_PKEY *tpm_key, *eph;
	EVP_PKEY_CTX *dctx;
	OSSL_PARAM params[3];
	TPM2B_PUBLIC pub;
	TPM2B_ECC_PARAMETER z;
	TPMS_ECC_POINT q, q2;
	uint8_t point[65], out[200], want[32];
	size_t n, out_len = 0, off = 0;
	char group[] = "P-256";

	(void)state;
	/* The "TPM" key, and its public point in a TPM2B_PUBLIC. */
	assert_non_null(tpm_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	assert_int_equal(EVP_PKEY_get_octet_string_param(tpm_key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point), &n), 1);
	assert_int_equal(n, 65);
	memset(&pub, 0, sizeof(pub));
	pub.publicArea.type = TPM2_ALG_ECC;
	pub.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub.publicArea.unique.ecc.x.size = 32;
	pub.publicArea.unique.ecc.y.size = 32;
	memcpy(pub.publicArea.unique.ecc.x.buffer, point + 1, 32);
	memcpy(pub.publicArea.unique.ecc.y.buffer, point + 33, 32);

	assert_int_equal(cb.get_ecdh_point(&pub, sizeof(out), &z, &q, out,
	    &out_len, NULL), 0);
	assert_int_equal(z.size, 32);
	/* The marshalled point is Q. */
	assert_int_equal(Tss2_MU_TPMS_ECC_POINT_Unmarshal(out, out_len, &off,
	    &q2), 0);
	assert_int_equal(off, out_len);
	assert_int_equal(q.x.size, 32);
	assert_int_equal(q.y.size, 32);
	assert_int_equal(q2.x.size, 32);
	assert_int_equal(q2.y.size, 32);
	assert_memory_equal(q2.x.buffer, q.x.buffer, 32);
	assert_memory_equal(q2.y.buffer, q.y.buffer, 32);

	/* The TPM's side: its private key times Q gives the same Z. */
	point[0] = 0x04;
	memcpy(point + 1, q.x.buffer, 32);
	memcpy(point + 33, q.y.buffer, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, point, 65);
	params[2] = OSSL_PARAM_construct_end();
	eph = NULL;
	assert_non_null(dctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL));
	assert_int_equal(EVP_PKEY_fromdata_init(dctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(dctx, &eph, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	EVP_PKEY_CTX_free(dctx);
	assert_non_null(dctx = EVP_PKEY_CTX_new_from_pkey(NULL, tpm_key,
	    NULL));
	assert_int_equal(EVP_PKEY_derive_init(dctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(dctx, eph), 1);
	n = sizeof(want);
	assert_int_equal(EVP_PKEY_derive(dctx, want, &n), 1);
	assert_int_equal(n, 32);
	assert_memory_equal(z.buffer, want, 32);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(eph);

	/* A point off the curve is refused. */
	pub.publicArea.unique.ecc.y.buffer[31] ^= 1;
	assert_int_not_equal(cb.get_ecdh_point(&pub, sizeof(out), &z, &q, out,
	    &out_len, NULL), 0);
	EVP_PKEY_free(tpm_key);
}

static void
test_random(void **state)
{
	TPM2B_NONCE nonce;

	(void)state;
	assert_int_equal(cb.get_random2b(&nonce, 32, NULL), 0);
	assert_int_equal(nonce.size, 32);
	assert_int_equal(cb.get_random2b(&nonce, 0, NULL), 0);
	assert_int_equal(nonce.size, sizeof(nonce.buffer));
	assert_int_equal(cb.get_random2b(&nonce, sizeof(nonce.buffer) + 1,
	    NULL), TSS2_ESYS_RC_BAD_SIZE);
}

/* A salt for an RSA key (the EK in tpm-activate.c): OpenSSL decrypts it
 * with OAEP, SHA-256 and the label "SECRET" with its zero byte. */
static void
test_rsa_oaep(void **state)
{
	TPM2B_PUBLIC pub;
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx;
	BIGNUM *n = NULL;
	unsigned char *label;
	uint8_t in[32], out[512], back[512];
	size_t out_len = 0, back_len = sizeof(back);

	(void)state;
	assert_non_null(key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)2048));
	assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N,
	    &n), 1);
	memset(&pub, 0, sizeof(pub));
	pub.publicArea.type = TPM2_ALG_RSA;
	pub.publicArea.nameAlg = TPM2_ALG_SHA256;
	pub.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_OAEP;
	pub.publicArea.parameters.rsaDetail.keyBits = 2048;
	pub.publicArea.unique.rsa.size = 256;
	assert_int_equal(BN_bn2binpad(n, pub.publicArea.unique.rsa.buffer,
	    256), 256);
	BN_free(n);
	RAND_bytes(in, sizeof(in));
	assert_int_equal(cb.rsa_pk_encrypt(&pub, sizeof(in), in, sizeof(out),
	    out, &out_len, "SECRET", NULL), 0);
	assert_int_equal(out_len, 256);

	assert_non_null(ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL));
	assert_non_null(label = OPENSSL_memdup("SECRET", 7));
	assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx,
	    RSA_PKCS1_OAEP_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, 7), 1);
	assert_int_equal(EVP_PKEY_decrypt(ctx, back, &back_len, out,
	    out_len), 1);
	assert_int_equal(back_len, sizeof(in));
	assert_memory_equal(back, in, sizeof(in));
	EVP_PKEY_CTX_free(ctx);

	/* Too small an output buffer, another scheme, no key. */
	assert_int_not_equal(cb.rsa_pk_encrypt(&pub, sizeof(in), in, 100,
	    out, &out_len, "SECRET", NULL), 0);
	pub.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSAES;
	assert_int_equal(cb.rsa_pk_encrypt(&pub, sizeof(in), in, sizeof(out),
	    out, &out_len, "SECRET", NULL), TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_int_equal(cb.rsa_pk_encrypt(NULL, sizeof(in), in, sizeof(out),
	    out, &out_len, "SECRET", NULL), TSS2_ESYS_RC_BAD_REFERENCE);
	EVP_PKEY_free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_aes),
		cmocka_unit_test(test_ecdh),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_rsa_oaep),
	};

	crypto_callbacks(&cb);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
