/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The credential file of the EK round trip (sk/codec/cred-file.c): a round trip
 * of what tpm2_makecredential writes, and every malformed file refused
 * with its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cred-file.h"

/* A file like tpm2_makecredential's for an RSA-2048 EK: a 68-byte id
 * object, a 256-byte secret. */
static size_t
sample(uint8_t *out, size_t id_len, size_t secret_len)
{
	static uint8_t id[CRED_ID_MAX], secret[CRED_SECRET_MAX];
	struct cred_file c = { id, secret, id_len, secret_len };

	memset(id, 0x11, sizeof(id));
	memset(secret, 0x22, sizeof(secret));
	return cred_file_build(&c, out);
}

static void
round_trip(void **state)
{
	uint8_t buf[CRED_FILE_MAX];
	struct cred_file c;
	const char *why = NULL;
	size_t len;

	(void)state;
	len = sample(buf, 68, 256);
	assert_int_equal(len, 8 + 2 + 68 + 2 + 256);
	assert_memory_equal(buf,
	    "\xba\xdc\xc0\xde\x00\x00\x00\x01\x00\x44", 10);
	assert_int_equal(buf[78], 0x01);
	assert_int_equal(buf[79], 0x00);
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_ptr_equal(c.id, buf + 10);
	assert_int_equal(c.id_len, 68);
	assert_ptr_equal(c.secret, buf + 80);
	assert_int_equal(c.secret_len, 256);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_RSA2048);
}

static void
ek_kinds(void **state)
{
	uint8_t buf[CRED_FILE_MAX];
	struct cred_file c;
	const char *why;
	size_t len;

	(void)state;
	/* an ECC P-256 point: two TPM2B of 32 bytes */
	len = sample(buf, 68, 68);
	buf[80] = 0x00;
	buf[81] = 0x20;
	buf[114] = 0x00;
	buf[115] = 0x20;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P256);
	/* 68 bytes that are not such a point */
	buf[115] = 0x21;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* tpm2_makecredential's point with a leading zero byte of x dropped:
	 * a 31-byte x, then a 32-byte y (e2e.attest-ca failed on one) */
	len = sample(buf, 68, 67);
	buf[80] = 0x00;
	buf[81] = 0x1f;
	buf[113] = 0x00;
	buf[114] = 0x20;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P256);
	/* both short */
	len = sample(buf, 68, 66);
	buf[80] = 0x00;
	buf[81] = 0x1f;
	buf[113] = 0x00;
	buf[114] = 0x1f;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P256);
	/* a 33-byte coordinate is no P-256 point */
	len = sample(buf, 68, 68);
	buf[80] = 0x00;
	buf[81] = 0x21;
	buf[115] = 0x00;
	buf[116] = 0x1f;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* lengths that do not add up to the seed */
	len = sample(buf, 68, 67);
	buf[80] = 0x00;
	buf[81] = 0x20;
	buf[114] = 0x00;
	buf[115] = 0x20;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* an RSA-3072 ciphertext (a high-range EK, template H-6) */
	len = sample(buf, 68, 384);
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_RSA3072);
}

/* A secret of len bytes that is a TPMS_ECC_POINT with coordinates of xl
 * and yl bytes, parsed into c. */
static void
point(uint8_t *buf, struct cred_file *c, size_t xl, size_t yl)
{
	const char *why;
	size_t len;

	len = sample(buf, 84, 2 + xl + 2 + yl);
	buf[8 + 2 + 84 + 2] = (uint8_t)(xl >> 8);
	buf[8 + 2 + 84 + 3] = (uint8_t)xl;
	buf[8 + 2 + 84 + 4 + xl] = (uint8_t)(yl >> 8);
	buf[8 + 2 + 84 + 5 + xl] = (uint8_t)yl;
	assert_int_equal(cred_file_parse(buf, len, c, &why), 0);
}

static void
ek_kinds_high(void **state)
{
	uint8_t buf[CRED_FILE_MAX];
	struct cred_file c;
	const char *why;
	size_t len;

	(void)state;
	/* an ECC P-384 point (template H-3): two TPM2B of 48 bytes, after
	 * an id object with a 48-byte HMAC (SHA-384) */
	point(buf, &c, 48, 48);
	assert_int_equal(c.secret_len, 100);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P384);
	/* leading zero bytes dropped from x, from y, from both */
	point(buf, &c, 47, 48);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P384);
	point(buf, &c, 48, 46);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P384);
	point(buf, &c, 33, 33);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P384);
	/* P-256 stays P-256 */
	point(buf, &c, 32, 32);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_P256);
	/* a coordinate of either curve with one of the other */
	point(buf, &c, 48, 32);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	point(buf, &c, 31, 48);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* longer than P-384's coordinates (P-521 is not taken) */
	point(buf, &c, 49, 48);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	point(buf, &c, 66, 66);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* lengths that do not add up: y claims one byte more than there is */
	point(buf, &c, 48, 48);
	buf[8 + 2 + 84 + 5 + 48] = 49;
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* an empty y */
	point(buf, &c, 48, 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
	/* RSA-4096 (template H-7) is not taken */
	len = sample(buf, 84, 512);
	assert_int_equal(cred_file_parse(buf, len, &c, &why), 0);
	assert_int_equal(cred_ek_kind(&c), CRED_EK_UNKNOWN);
}

static void
refused(void **state)
{
	uint8_t buf[CRED_FILE_MAX + 1];
	struct cred_file c;
	const char *why;
	size_t len, i;

	(void)state;
	len = sample(buf, 68, 256);
	buf[0] ^= 1;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), -1);
	assert_non_null(strstr(why, "magic"));
	buf[0] ^= 1;
	buf[7] = 2;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), -1);
	assert_non_null(strstr(why, "version"));
	buf[7] = 1;
	/* every truncation */
	for (i = 0; i < len; i++)
		assert_int_equal(cred_file_parse(buf, i, &c, &why), -1);
	/* a byte after the secret */
	buf[len] = 0;
	assert_int_equal(cred_file_parse(buf, len + 1, &c, &why), -1);
	assert_non_null(strstr(why, "bytes after"));
	/* an empty or oversized id object */
	buf[8] = 0x00;
	buf[9] = 0x00;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), -1);
	assert_non_null(strstr(why, "credential blob"));
	len = sample(buf, CRED_ID_MAX, 256);
	buf[9]++;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), -1);
	/* an empty secret */
	len = sample(buf, 68, 256);
	buf[78] = buf[79] = 0;
	assert_int_equal(cred_file_parse(buf, len, &c, &why), -1);
	assert_non_null(strstr(why, "encrypted secret"));
}

static void
build_limits(void **state)
{
	uint8_t buf[CRED_FILE_MAX];

	(void)state;
	assert_int_equal(sample(buf, 0, 256), 0);
	assert_int_equal(sample(buf, 68, 0), 0);
	assert_int_equal(sample(buf, CRED_ID_MAX + 1, 256), 0);
	assert_int_equal(sample(buf, 68, CRED_SECRET_MAX + 1), 0);
	assert_int_equal(sample(buf, CRED_ID_MAX, CRED_SECRET_MAX),
	    CRED_FILE_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(ek_kinds),
		cmocka_unit_test(ek_kinds_high),
		cmocka_unit_test(refused),
		cmocka_unit_test(build_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
