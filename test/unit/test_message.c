/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The digest an sk-ecdsa signature covers, against vectors computed
 * outside this code base. The expected values were computed once with
 * Python's hashlib:
 *
 *   H = lambda b: hashlib.sha256(b).digest()
 *   H(H(app) + bytes([flags]) + struct.pack('>I', counter) + H(data))
 *
 * and the first one cross-checked with openssl(1) alone:
 *
 *   printf 'ssh:' | openssl dgst -sha256 -binary > m
 *   printf '\x05\x01\x02\x03\x04' >> m
 *   python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(64)))' |
 *       openssl dgst -sha256 -binary >> m
 *   openssl dgst -sha256 -r m
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "message.h"
#include "hexvec.h"

static void
test_sha256(void **state)
{
	uint8_t got[32], want[32];

	(void)state;
	/* FIPS 180-2, appendix B.1. */
	unhex("ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", want, sizeof(want));
	assert_int_equal(sha256("abc", 3, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	unhex("e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855", want, sizeof(want));
	assert_int_equal(sha256("", 0, got), 0);
	assert_memory_equal(got, want, sizeof(want));
}

/* app "ssh:", flags 0x05 (UP|UV), counter 0x01020304, data 00..3f. */
static void
test_vector_1(void **state)
{
	uint8_t data[64], got[MESSAGE_DIGEST_LEN], want[MESSAGE_DIGEST_LEN];
	uint8_t le[MESSAGE_DIGEST_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	unhex("96fec59f46e9b83684c6c5c54b2cc9b6"
	    "2b86e0a33fff776b0241215ff2f39f54", want, sizeof(want));
	assert_int_equal(message_digest("ssh:", 0x05, 0x01020304, data,
	    sizeof(data), got), 0);
	assert_memory_equal(got, want, sizeof(want));
	/* The same with the counter little-endian, which would be wrong:
	 * the vector above tells the two apart. */
	unhex("fa8f1fb3b922a8bf25e8eeebc9b55c5f"
	    "897d5fe1f637432e229c844355edf1cf", le, sizeof(le));
	assert_memory_not_equal(got, le, sizeof(le));
}

/* app "ssh:sk-tpm-test", flags 0x01, counter 0xfffffffe, empty data. */
static void
test_vector_2(void **state)
{
	uint8_t got[MESSAGE_DIGEST_LEN], want[MESSAGE_DIGEST_LEN];

	(void)state;
	unhex("b3e27dc6b77c45a7918e76e6bcd730a9"
	    "29753de6692248cd20ad3f28bac3ec1b", want, sizeof(want));
	assert_int_equal(message_digest("ssh:sk-tpm-test", 0x01, 0xfffffffe,
	    (const uint8_t *)"", 0, got), 0);
	assert_memory_equal(got, want, sizeof(want));
}

/* Every input must reach the digest. */
static void
test_inputs_matter(void **state)
{
	static const uint8_t data[] = "signed data";
	uint8_t base[MESSAGE_DIGEST_LEN], other[MESSAGE_DIGEST_LEN];

	(void)state;
	assert_int_equal(message_digest("ssh:", 0x01, 7, data, sizeof(data),
	    base), 0);
	assert_int_equal(message_digest("ssh:", 0x05, 7, data, sizeof(data),
	    other), 0);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(message_digest("ssh:", 0x01, 8, data, sizeof(data),
	    other), 0);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(message_digest("ssh:x", 0x01, 7, data, sizeof(data),
	    other), 0);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(message_digest("ssh:", 0x01, 7, data,
	    sizeof(data) - 1, other), 0);
	assert_memory_not_equal(base, other, sizeof(base));
	/* And the same inputs give the same digest. */
	assert_int_equal(message_digest("ssh:", 0x01, 7, data, sizeof(data),
	    other), 0);
	assert_memory_equal(base, other, sizeof(base));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_vector_1),
		cmocka_unit_test(test_vector_2),
		cmocka_unit_test(test_inputs_matter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
