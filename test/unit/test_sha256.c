/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk/base/sha256.c against published vectors: FIPS 180-2 appendix B (SHA-256)
 * and RFC 4231 section 4 (HMAC-SHA-256), then against OpenSSL on random
 * inputs fed in random pieces, so that every path through the block
 * buffering is compared with an independent implementation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "sha256.h"
#include "hexvec.h"

static void
check_sha(const void *msg, size_t len, const char *hex)
{
	struct sha256_ctx c;
	uint8_t got[SHA256_DIGEST_LEN], want[SHA256_DIGEST_LEN];
	static const uint8_t zero[sizeof(c)];

	unhex(hex, want, sizeof(want));
	sha256_init(&c);
	sha256_update(&c, msg, len);
	sha256_final(&c, got);
	assert_memory_equal(got, want, sizeof(want));
	/* final wipes the context */
	assert_memory_equal(&c, zero, sizeof(c));
}

static void
test_fips180(void **state)
{
	static const char two_block[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct sha256_ctx c;
	uint8_t got[SHA256_DIGEST_LEN], want[SHA256_DIGEST_LEN];
	uint8_t a[1000];
	int i;

	(void)state;
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	    "a495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad");
	check_sha(two_block, strlen(two_block), "248d6a61d20638b8e5c026930c3e"
	    "6039a33ce45964ff2167f6ecedd419db06c1");
	/* One million times 'a', in 1000 updates. */
	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, a, sizeof(a));
	sha256_final(&c, got);
	unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    want, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
}

static void
check_hmac(const uint8_t *key, size_t key_len, const void *msg,
    size_t len, const char *hex)
{
	struct hmac_sha256_ctx c;
	uint8_t got[SHA256_DIGEST_LEN], want[SHA256_DIGEST_LEN];
	static const uint8_t zero[sizeof(c)];
	size_t n = strlen(hex) / 2;

	unhex(hex, want, n);
	hmac_sha256_init(&c, key, key_len);
	hmac_sha256_update(&c, msg, len);
	hmac_sha256_final(&c, got);
	assert_memory_equal(got, want, n);
	assert_memory_equal(&c, zero, sizeof(c));
}

static void
test_rfc4231(void **state)
{
	static const char tc6[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char tc7[] =
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.";
	uint8_t key[131], data[50];
	size_t i;

	(void)state;
	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	check_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?",
	    28, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964"
	    "ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, data, 50, "773ea91e36800e46854db8ebd09181a729590"
	    "98b3ef8c122d9635514ced565fe");
	for (i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, data, 50, "82558a389a443c0ea4cc819899f2083a85f0f"
	    "aa3e578f8077a2e3ff46729665b");
	/* Test case 5: output truncated to 128 bits. */
	memset(key, 0x0c, 20);
	check_hmac(key, 20, "Test With Truncation", 20,
	    "a3b6167473100ee06e0c796c2955552b");
	memset(key, 0xaa, 131);
	check_hmac(key, 131, tc6, strlen(tc6), "60e431591ee0b67f0d8a26aacbf5b"
	    "77f8e0bc6213728c5140546040f0ee37f54");
	check_hmac(key, 131, tc7, strlen(tc7), "9b09ffa71b942fcb27635fbcd5b0e"
	    "944bfdc63644f0713938a7f51535c3a35e2");
}

/* Random lengths around the block boundaries, fed in random pieces. */
static void
test_against_openssl(void **state)
{
	uint8_t msg[300], key[140], r[4];
	uint8_t got[SHA256_DIGEST_LEN], want[EVP_MAX_MD_SIZE];
	struct sha256_ctx c;
	struct hmac_sha256_ctx h;
	unsigned int want_len;
	size_t len, key_len, off, piece;
	int round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		assert_int_equal(RAND_bytes(r, sizeof(r)), 1);
		len = (size_t)(r[0] | r[1] << 8) % (sizeof(msg) + 1);
		key_len = (size_t)r[2] % (sizeof(key) + 1);
		assert_int_equal(RAND_bytes(msg, sizeof(msg)), 1);
		assert_int_equal(RAND_bytes(key, sizeof(key)), 1);

		sha256_init(&c);
		hmac_sha256_init(&h, key, key_len);
		for (off = 0; off < len; off += piece) {
			assert_int_equal(RAND_bytes(r, 1), 1);
			piece = (size_t)r[0] % 80;
			if (piece > len - off)
				piece = len - off;
			sha256_update(&c, msg + off, piece);
			hmac_sha256_update(&h, msg + off, piece);
		}
		sha256_final(&c, got);
		assert_int_equal(EVP_Digest(msg, len, want, &want_len,
		    EVP_sha256(), NULL), 1);
		assert_int_equal(want_len, SHA256_DIGEST_LEN);
		assert_memory_equal(got, want, SHA256_DIGEST_LEN);

		hmac_sha256_final(&h, got);
		assert_non_null(HMAC(EVP_sha256(), key, (int)key_len, msg, len,
		    want, &want_len));
		assert_memory_equal(got, want, SHA256_DIGEST_LEN);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips180),
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_against_openssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
