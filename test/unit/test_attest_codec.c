/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attestation codecs (sk/codec/attest-codec.c and attest-parse.c) on
 * bytes made here: the statement round trip and its strictness,
 * authenticator data, OpenSSH's attestation envelope and the TPM
 * structures, each with the inputs that must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest-codec.h"
#include "handle.h"

static const uint8_t sig[70] = { 0x30, 0x44 };
static const uint8_t info[100] = { 0xff, 0x54, 0x43, 0x47 };
static const uint8_t pub[88] = { 0x00, 0x23 };
static const uint8_t ek[10] = { 0x30, 0x08 };

static void
stmt(struct att_stmt *s)
{
	memset(s, 0, sizeof(*s));
	s->sig = sig;
	s->sig_len = sizeof(sig);
	s->cert_info = info;
	s->cert_info_len = sizeof(info);
	s->pub_area = pub;
	s->pub_area_len = sizeof(pub);
	s->ak_pub = pub;
	s->ak_pub_len = sizeof(pub);
	s->ek_certs = ek;
	s->ek_certs_len = sizeof(ek);
	s->manufacturer = 0x49424d00;
	s->firmware = 0x2019102300163636ull;
	s->version = ATT_VERSION;
}

static void
test_stmt_round_trip(void **state)
{
	struct att_stmt a, b;
	uint8_t *enc = NULL;
	size_t len = 0;

	(void)state;
	stmt(&a);
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
	assert_memory_equal(b.sig, sig, sizeof(sig));
	assert_int_equal(b.cert_info_len, sizeof(info));
	assert_int_equal(b.ek_certs_len, sizeof(ek));
	assert_int_equal(b.manufacturer, a.manufacturer);
	assert_true(b.firmware == a.firmware);
	/* every truncation and one trailing byte are refused */
	for (size_t n = 0; n < len; n++)
		assert_int_not_equal(att_stmt_decode(enc, n, &b), KH_OK);
	enc = realloc(enc, len + 1);
	enc[len] = 0;
	assert_int_not_equal(att_stmt_decode(enc, len + 1, &b), KH_OK);
	assert_null(b.ek_unread);
	/* version 2 has one more key; another version is unknown */
	enc[len] = 0;
	enc[17] = 2;
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_ERR_MALFORMED);
	enc[17] = 3;
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_ERR_VERSION);
	free(enc);
	/* someone else's CBOR */
	assert_int_equal(att_stmt_decode((const uint8_t *)"\xa1\x01\x02", 3,
	    &b), KH_ERR_FOREIGN);
}

/* Version 2: why EK indices could not be read, as UTF-8 text. */
static void
test_stmt_ek_unread(void **state)
{
	static const char why[] = "1: 0x01c00002: tpm:parameter(1):value";
	struct att_stmt a, b;
	uint8_t *enc = NULL, *v1 = NULL;
	size_t len = 0, v1_len = 0;

	(void)state;
	stmt(&a);
	assert_int_equal(att_stmt_encode(&a, &v1, &v1_len), KH_OK);
	a.ek_unread = why;
	a.ek_unread_len = strlen(why);
	/* the version must say so */
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
	a.version = ATT_VERSION_EK_UNREAD;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
	/* key 11, a two-byte text head, the text */
	assert_int_equal(len, v1_len + 1 + 2 + strlen(why));
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
	assert_int_equal(b.ek_unread_len, strlen(why));
	assert_memory_equal(b.ek_unread, why, strlen(why));
	assert_int_equal(b.ek_certs_len, sizeof(ek));
	for (size_t n = 0; n < len; n++)
		assert_int_not_equal(att_stmt_decode(enc, n, &b), KH_OK);
	/* not UTF-8 */
	enc[len - 1] = 0xff;
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_ERR_MALFORMED);
	free(enc);
	/* too long a reason */
	enc = NULL;
	a.ek_unread_len = ATT_EK_UNREAD_MAX + 1;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
	free(v1);
}

static void
test_authdata(void **state)
{
	uint8_t rp[32], point[65], *ad = NULL;
	uint8_t cred[5] = { 1, 2, 3, 4, 5 };
	struct att_authdata a;
	size_t len = 0;

	(void)state;
	memset(rp, 0xaa, sizeof(rp));
	point[0] = 0x04;
	for (int i = 1; i < 65; i++)
		point[i] = (uint8_t)i;
	assert_int_equal(att_authdata_build(rp, ATT_FLAG_UP | ATT_FLAG_UV,
	    cred, sizeof(cred), point, &ad, &len), 0);
	assert_int_equal(len, 55 + sizeof(cred) + ATT_COSE_KEY_LEN);
	assert_int_equal(att_authdata_parse(ad, len, &a), 0);
	assert_int_equal(a.flags, ATT_FLAG_UP | ATT_FLAG_UV | ATT_FLAG_AT);
	assert_memory_equal(a.rp_id_hash, rp, 32);
	assert_memory_equal(a.aaguid, att_aaguid, 16);
	assert_int_equal(a.cred_id_len, sizeof(cred));
	assert_memory_equal(a.point, point, 65);
	assert_int_not_equal(att_authdata_parse(ad, len - 1, &a), 0);
	ad[55 + sizeof(cred)] = 0xa4;	/* a COSE map of 4 */
	assert_int_not_equal(att_authdata_parse(ad, len, &a), 0);
	ad[55 + sizeof(cred)] = 0xa5;
	ad[32] |= 0x80;		/* extension data flag */
	assert_int_not_equal(att_authdata_parse(ad, len, &a), 0);
	free(ad);
}

static void
test_file(void **state)
{
	static const uint8_t good[] =
	    "\x00\x00\x00\x11" "ssh-sk-attest-v01"
	    "\x00\x00\x00\x00" "\x00\x00\x00\x01" "S" "\x00\x00\x00\x02" "AD"
	    "\x00\x00\x00\x00" "\x00\x00\x00\x00";
	struct att_file f;
	const char *why;
	uint8_t bad[sizeof(good)];

	(void)state;
	assert_int_equal(att_file_parse(good, sizeof(good) - 1, &f, &why), 0);
	assert_int_equal(f.cert_len, 0);
	assert_int_equal(f.sig_len, 1);
	assert_memory_equal(f.authdata, "AD", 2);
	for (size_t n = 0; n < sizeof(good) - 1; n++)
		assert_int_not_equal(att_file_parse(good, n, &f, &why), 0);
	assert_int_not_equal(att_file_parse(good, sizeof(good), &f, &why), 0);
	memcpy(bad, good, sizeof(good));
	bad[4 + 16] = '2';	/* ssh-sk-attest-v02 */
	assert_int_not_equal(att_file_parse(bad, sizeof(good) - 1, &f, &why),
	    0);
	memcpy(bad, good, sizeof(good));
	bad[sizeof(good) - 6] = 1;	/* reserved flags */
	assert_int_not_equal(att_file_parse(bad, sizeof(good) - 1, &f, &why),
	    0);
}

/* RSA-2048 RSASSA-SHA-1 restricted signing key (the RS1 AK's shape):
 * every field read, and every truncation, a trailing byte, an empty or
 * over-long modulus refused. */
static void
test_rsa_public(void)
{
	uint8_t k[24 + 256 + 1] = { 0x00, 0x01, 0x00, 0x0b, 0x00, 0x05, 0x00,
	    0x72, 0x00, 0x00, 0x00, 0x10, 0x00, 0x14, 0x00, 0x04, 0x08, 0x00,
	    0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0xc5, [279] = 0x17 };
	uint8_t big[24 + 513];
	struct att_public p;
	size_t i;

	assert_int_equal(att_public_parse(k, 24 + 256, &p), 0);
	assert_int_equal(p.type, 0x0001);
	assert_int_equal(p.attributes, 0x00050072);
	assert_int_equal(p.sym_alg, 0x0010);
	assert_int_equal(p.scheme, 0x0014);
	assert_int_equal(p.scheme_hash, 0x0004);
	assert_int_equal(p.key_bits, 2048);
	assert_int_equal(p.exponent, 65537);
	assert_int_equal(p.modulus_len, 256);
	assert_ptr_equal(p.modulus, k + 24);
	assert_int_equal(p.curve, 0);
	for (i = 0; i < 24 + 256; i++)
		assert_int_not_equal(att_public_parse(k, i, &p), 0);
	assert_int_not_equal(att_public_parse(k, sizeof(k), &p), 0);
	k[22] = k[23] = 0;	/* empty modulus */
	assert_int_not_equal(att_public_parse(k, 24, &p), 0);
	memset(big, 0, sizeof(big));
	memcpy(big, k, 22);
	big[22] = 0x02;		/* 513 bytes */
	big[23] = 0x01;
	assert_int_not_equal(att_public_parse(big, sizeof(big), &p), 0);
}

static void
test_tpm_structures(void **state)
{
	/* ECC P-256 ECDSA-SHA256 signing key, 32-byte coordinates */
	uint8_t k[88] = { 0x00, 0x23, 0x00, 0x0b, 0x00, 0x04, 0x04, 0x72,
	    0x00, 0x00, 0x00, 0x10, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x03, 0x00,
	    0x10, 0x00, 0x20 };
	uint8_t c[4 + 2 + 36 + 34 + 17 + 8 + 36 + 2] = { 0xff, 0x54, 0x43,
	    0x47, 0x80, 0x17, 0x00, 0x22 };
	struct att_public p;
	struct att_certify ci;

	(void)state;
	k[22 + 32] = 0x00;
	k[22 + 33] = 0x20;
	assert_int_equal(att_public_parse(k, sizeof(k), &p), 0);
	assert_int_equal(p.curve, 0x0003);
	assert_int_equal(p.scheme, 0x0018);
	assert_int_equal(p.attributes, 0x00040472);
	assert_int_not_equal(att_public_parse(k, sizeof(k) - 1, &p), 0);
	k[1] = 0x01;	/* RSA, but these bytes are no RSA public area */
	assert_int_not_equal(att_public_parse(k, sizeof(k), &p), 0);
	k[1] = 0x25;	/* a type that is neither */
	assert_int_not_equal(att_public_parse(k, sizeof(k), &p), 0);

	test_rsa_public();

	c[42] = 0x00;	/* extraData: 32 bytes */
	c[43] = 0x20;
	c[76 + 17 + 8] = 0x00;	/* name: 34 bytes */
	c[76 + 17 + 9] = 0x22;
	assert_int_equal(att_certify_parse(c, sizeof(c), &ci), 0);
	assert_int_equal(ci.type, 0x8017);
	assert_int_equal(ci.name_len, 34);
	assert_int_equal(ci.qname_len, 0);
	assert_int_not_equal(att_certify_parse(c, sizeof(c) - 1, &ci), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stmt_round_trip),
		cmocka_unit_test(test_stmt_ek_unread),
		cmocka_unit_test(test_authdata),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_tpm_structures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
