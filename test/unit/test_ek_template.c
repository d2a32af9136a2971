/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The EK templates activation derives (sk/tpm/tpm-ek-template.c), checked
 * against the policy digests computed here from their definitions (TPM 2.0
 * Part 3: PolicySecret, PolicyAuthorizeNV and PolicyOR extend the policy
 * digest; TCG EK Credential Profile: PolicyA, PolicyC, PolicyB and the
 * policy index I-2), so that a wrong byte in a constant shows here and not
 * only as a credential a real chip refuses. The Name of index I-2 is also
 * compared with the one the profile's "Computing Policy Index Names"
 * publishes (as in go-tpm's PolicyIndexName).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "tpm-activate.h"
#include "tpm-internal.h"

/* out = H(in), H = SHA-384 or SHA-256 by len. */
static void
hash(size_t len, const uint8_t *in, size_t in_len, uint8_t *out)
{
	size_t n = 0;

	assert_int_equal(EVP_Q_digest(NULL, len == 48 ? "SHA384" : "SHA256",
	    NULL, in, in_len, out, &n), 1);
	assert_int_equal(n, len);
}

static size_t
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static size_t
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
	return 4;
}

/* digest = H(digest || cc || name), PolicyUpdate's first step. */
static void
extend(size_t len, uint8_t *digest, uint32_t cc, const uint8_t *name,
    size_t name_len)
{
	uint8_t buf[64 + 4 + 2 * 64 + 2];
	size_t n = len;

	memcpy(buf, digest, len);
	n += put32(buf + n, cc);
	memcpy(buf + n, name, name_len);
	hash(len, buf, n + name_len, digest);
}

/* PolicyA = PolicySecret(TPM_RH_ENDORSEMENT) from an empty digest: the
 * handle's Name, then the (empty) policyRef. */
static void
policy_a(size_t len, uint8_t *out)
{
	uint8_t name[4];

	memset(out, 0, len);
	put32(name, TPM2_RH_ENDORSEMENT);
	extend(len, out, TPM2_CC_PolicySecret, name, sizeof(name));
	hash(len, out, len, out);
}

static void
test_high_range_policy(void **state)
{
	static const uint8_t i2_name[50] = {
		0x00, 0x0c, 0xdb, 0x62, 0xfc, 0xa3, 0x46, 0x61, 0x2c, 0x97,
		0x67, 0x32, 0xff, 0x4e, 0x86, 0x21, 0xfb, 0x4e, 0x85, 0x8b,
		0xe8, 0x25, 0x86, 0x48, 0x65, 0x04, 0xf7, 0xd0, 0x2e, 0x62,
		0x1f, 0x8d, 0x7d, 0x61, 0xae, 0x32, 0xcf, 0xc6, 0x0c, 0x4d,
		0x12, 0x06, 0x09, 0xed, 0x67, 0x68, 0xaf, 0xcf, 0x09, 0x0c,
	};
	uint8_t a[48], c[48], b[48], nv[4 + 2 + 4 + 2 + 48 + 2], name[50];
	uint8_t pair[96];
	TPM2B_PUBLIC pub;
	size_t n = 0;
	int kind;

	(void)state;
	policy_a(48, a);
	/* The policy index I-2: TPMS_NV_PUBLIC with PolicyA as its
	 * authPolicy; attributes POLICYWRITE, WRITEALL, PPREAD, OWNERREAD,
	 * AUTHREAD, POLICYREAD, NO_DA, WRITTEN; 50 bytes of data. */
	n += put32(nv + n, 0x01c07f02);
	n += put16(nv + n, TPM2_ALG_SHA384);
	n += put32(nv + n, TPMA_NV_POLICYWRITE | TPMA_NV_WRITEALL |
	    TPMA_NV_PPREAD | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD |
	    TPMA_NV_POLICYREAD | TPMA_NV_NO_DA | TPMA_NV_WRITTEN);
	n += put16(nv + n, 48);
	memcpy(nv + n, a, 48);
	n += 48;
	n += put16(nv + n, 50);
	put16(name, TPM2_ALG_SHA384);
	hash(48, nv, n, name + 2);
	assert_memory_equal(name, i2_name, sizeof(name));
	/* PolicyC = PolicyAuthorizeNV(I-2) */
	memset(c, 0, sizeof(c));
	extend(48, c, TPM2_CC_PolicyAuthorizeNV, name, sizeof(name));
	/* PolicyB = PolicyOR(PolicyA, PolicyC) */
	memset(b, 0, sizeof(b));
	memcpy(pair, a, 48);
	memcpy(pair + 48, c, 48);
	extend(48, b, TPM2_CC_PolicyOR, pair, sizeof(pair));

	for (kind = TPM_EK_RSA3072; kind <= TPM_EK_P384; kind++) {
		assert_true(ek_high_range(kind));
		assert_int_equal(ek_template(kind, &pub), 0);
		assert_int_equal(pub.publicArea.nameAlg, TPM2_ALG_SHA384);
		assert_int_equal(pub.publicArea.authPolicy.size, 48);
		assert_memory_equal(pub.publicArea.authPolicy.buffer, b, 48);
	}
}

static void
test_low_range_policy(void **state)
{
	uint8_t a[32];
	TPM2B_PUBLIC pub;
	int kind;

	(void)state;
	policy_a(32, a);
	for (kind = TPM_EK_RSA2048; kind <= TPM_EK_P256; kind++) {
		assert_false(ek_high_range(kind));
		assert_int_equal(ek_template(kind, &pub), 0);
		assert_int_equal(pub.publicArea.nameAlg, TPM2_ALG_SHA256);
		assert_int_equal(pub.publicArea.authPolicy.size, 32);
		assert_memory_equal(pub.publicArea.authPolicy.buffer, a, 32);
	}
}

/* The rest of each template: what makes the key the manufacturer's. */
static void
test_templates(void **state)
{
	const TPMA_OBJECT low = TPMA_OBJECT_FIXEDTPM |
	    TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
	    TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED |
	    TPMA_OBJECT_DECRYPT;
	TPM2B_PUBLIC pub;
	TPMT_PUBLIC *p = &pub.publicArea;

	(void)state;
	/* L-1: RSA-2048, AES-128, unique 256 zero bytes */
	assert_int_equal(ek_template(TPM_EK_RSA2048, &pub), 0);
	assert_int_equal(p->type, TPM2_ALG_RSA);
	assert_int_equal(p->objectAttributes, low);
	assert_int_equal(p->parameters.rsaDetail.keyBits, 2048);
	assert_int_equal(p->parameters.rsaDetail.symmetric.keyBits.aes, 128);
	assert_int_equal(p->unique.rsa.size, 256);
	/* L-2: P-256, AES-128, unique two 32-byte zero coordinates */
	assert_int_equal(ek_template(TPM_EK_P256, &pub), 0);
	assert_int_equal(p->type, TPM2_ALG_ECC);
	assert_int_equal(p->parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
	assert_int_equal(p->unique.ecc.x.size, 32);
	assert_int_equal(p->unique.ecc.y.size, 32);
	/* H-6: RSA-3072, AES-256-CFB, userWithAuth, unique empty */
	assert_int_equal(ek_template(TPM_EK_RSA3072, &pub), 0);
	assert_int_equal(p->type, TPM2_ALG_RSA);
	assert_int_equal(p->nameAlg, TPM2_ALG_SHA384);
	assert_int_equal(p->objectAttributes,
	    low | TPMA_OBJECT_USERWITHAUTH);
	assert_int_equal(p->parameters.rsaDetail.keyBits, 3072);
	assert_int_equal(p->parameters.rsaDetail.exponent, 0);
	assert_int_equal(p->parameters.rsaDetail.symmetric.algorithm,
	    TPM2_ALG_AES);
	assert_int_equal(p->parameters.rsaDetail.symmetric.keyBits.aes, 256);
	assert_int_equal(p->parameters.rsaDetail.symmetric.mode.aes,
	    TPM2_ALG_CFB);
	assert_int_equal(p->parameters.rsaDetail.scheme.scheme, TPM2_ALG_NULL);
	assert_int_equal(p->unique.rsa.size, 0);
	/* H-3: P-384, AES-256-CFB, userWithAuth, unique empty */
	assert_int_equal(ek_template(TPM_EK_P384, &pub), 0);
	assert_int_equal(p->type, TPM2_ALG_ECC);
	assert_int_equal(p->nameAlg, TPM2_ALG_SHA384);
	assert_int_equal(p->objectAttributes,
	    low | TPMA_OBJECT_USERWITHAUTH);
	assert_int_equal(p->parameters.eccDetail.curveID, TPM2_ECC_NIST_P384);
	assert_int_equal(p->parameters.eccDetail.symmetric.keyBits.aes, 256);
	assert_int_equal(p->parameters.eccDetail.scheme.scheme, TPM2_ALG_NULL);
	assert_int_equal(p->parameters.eccDetail.kdf.scheme, TPM2_ALG_NULL);
	assert_int_equal(p->unique.ecc.x.size, 0);
	assert_int_equal(p->unique.ecc.y.size, 0);
	/* no other kind */
	assert_int_equal(ek_template(0, &pub), -1);
	assert_int_equal(ek_template(5, &pub), -1);
	assert_string_equal(ek_kind_name(TPM_EK_P384), "ECC P-384");
	assert_string_equal(ek_kind_name(TPM_EK_RSA3072), "RSA-3072");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_high_range_policy),
		cmocka_unit_test(test_low_range_policy),
		cmocka_unit_test(test_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
