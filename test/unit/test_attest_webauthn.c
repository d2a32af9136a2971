/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attestation statement of version 3 (sk/codec/attest-webauthn.c):
 * WebAuthn's "tpm" attStmt with text keys, checked against bytes written
 * here by the tests' own CBOR writer (cborgen.h) in CTAP2's canonical
 * order; its optional pairs; every truncation, a trailing byte, keys out
 * of order, a positive alg and another version refused; the RS1 statement
 * (alg -65535, a 256-byte signature) and what it must not be mistaken
 * for; versions 1 and 2 still read beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest-codec.h"
#include "cborgen.h"
#include "handle.h"

static const uint8_t sig[70] = { 0x30, 0x44 };
static const uint8_t info[100] = { 0xff, 0x54, 0x43, 0x47 };
static const uint8_t pub[88] = { 0x00, 0x23 };
static const uint8_t akp[88] = { 0x00, 0x23, 0x00, 0x0b };
static const uint8_t ek[10] = { 0x30, 0x08 };
static const uint8_t crt[300] = { 0x30, 0x82, 0x01, 0x28 };
static const char why[] = "1: 0x01c0000a: tpm:session(1):authorization";

static void
stmt(struct att_stmt *s, bool x5c, bool ekc, bool unread)
{
	memset(s, 0, sizeof(*s));
	s->version = ATT_VERSION_WEBAUTHN;
	s->sig = sig;
	s->sig_len = sizeof(sig);
	s->cert_info = info;
	s->cert_info_len = sizeof(info);
	s->pub_area = pub;
	s->pub_area_len = sizeof(pub);
	s->ak_pub = akp;
	s->ak_pub_len = sizeof(akp);
	if (ekc) {
		s->ek_certs = ek;
		s->ek_certs_len = sizeof(ek);
	}
	if (unread) {
		s->ek_unread = why;
		s->ek_unread_len = strlen(why);
	}
	if (x5c) {
		s->x5c[0] = crt;
		s->x5c_len[0] = sizeof(crt);
		s->x5c_n = 1;
	}
	s->manufacturer = 0x49424d00;
	s->firmware = 0x2019102300163636ull;
}

/* The statement as WebAuthn and CTAP2 spell it, written apart. */
static void
expected(struct cb *c, bool x5c, bool ekc, bool unread)
{
	c->n = 0;
	cb_head(c, M_MAP, 9 + x5c + ekc + unread);
	cb_text(c, "alg");
	cb_head(c, M_NEG, 6);			/* -7 */
	cb_text(c, "sig");
	cb_bytes(c, sig, sizeof(sig));
	cb_text(c, "ver");
	cb_text(c, "2.0");
	if (x5c) {
		cb_text(c, "x5c");
		cb_head(c, M_ARRAY, 1);
		cb_bytes(c, crt, sizeof(crt));
	}
	cb_text(c, "akPub");
	cb_bytes(c, akp, sizeof(akp));
	cb_text(c, "sk-tpm");
	cb_head(c, M_UINT, 3);
	if (ekc) {
		cb_text(c, "ekCerts");
		cb_bytes(c, ek, sizeof(ek));
	}
	cb_text(c, "pubArea");
	cb_bytes(c, pub, sizeof(pub));
	cb_text(c, "certInfo");
	cb_bytes(c, info, sizeof(info));
	if (unread) {
		cb_text(c, "ekUnread");
		cb_text(c, why);
	}
	cb_text(c, "firmware");
	cb_head(c, M_UINT, 0x2019102300163636ull);
	cb_text(c, "manufacturer");
	cb_head(c, M_UINT, 0x49424d00);
}

static void
test_shapes(void **state)
{
	struct att_stmt a, b;
	struct cb c;
	uint8_t *enc;
	size_t len, n;
	int m;

	(void)state;
	for (m = 0; m < 8; m++) {
		bool x5c = m & 1, ekc = m & 2, unread = m & 4;

		stmt(&a, x5c, ekc, unread);
		assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
		expected(&c, x5c, ekc, unread);
		assert_int_equal(len, c.n);
		assert_memory_equal(enc, c.b, c.n);
		assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
		assert_int_equal(b.version, ATT_VERSION_WEBAUTHN);
		assert_memory_equal(b.sig, sig, sizeof(sig));
		assert_int_equal(b.cert_info_len, sizeof(info));
		assert_memory_equal(b.ak_pub, akp, sizeof(akp));
		assert_int_equal(b.x5c_n, x5c ? 1 : 0);
		if (x5c)
			assert_memory_equal(b.x5c[0], crt, sizeof(crt));
		assert_int_equal(b.ek_certs_len, ekc ? sizeof(ek) : 0);
		assert_int_equal(b.ek_unread_len, unread ? strlen(why) : 0);
		assert_int_equal(b.manufacturer, 0x49424d00);
		assert_true(b.firmware == 0x2019102300163636ull);
		for (n = 0; n < len; n++)
			assert_int_not_equal(att_stmt_decode(enc, n, &b),
			    KH_OK);
		enc = realloc(enc, len + 1);
		enc[len] = 0;
		assert_int_equal(att_stmt_decode(enc, len + 1, &b),
		    KH_ERR_MALFORMED);
		free(enc);
	}
}

static void
test_refused(void **state)
{
	struct att_stmt a, b;
	struct cb c;
	uint8_t *enc;
	size_t len;

	(void)state;
	/* alg as WebAuthn has it, -7; not 7 as versions 1 and 2 stored it */
	expected(&c, true, false, false);
	assert_int_equal(c.b[5], 0x26);
	c.b[5] = 0x07;
	assert_int_equal(att_stmt_decode(c.b, c.n, &b), KH_ERR_MALFORMED);
	/* another version of ours */
	expected(&c, false, false, false);
	for (size_t i = 0; i + 7 < c.n; i++)
		if (memcmp(c.b + i, "\x66sk-tpm\x03", 8) == 0)
			c.b[i + 7] = 4;
	assert_int_equal(att_stmt_decode(c.b, c.n, &b), KH_ERR_VERSION);
	/* one pair too many declared */
	expected(&c, false, false, false);
	c.b[0]++;
	assert_int_equal(att_stmt_decode(c.b, c.n, &b), KH_ERR_MALFORMED);
	/* "sig" before "alg": not canonical, and not ours */
	c.n = 0;
	cb_head(&c, M_MAP, 1);
	cb_text(&c, "sig");
	cb_bytes(&c, sig, sizeof(sig));
	assert_int_equal(att_stmt_decode(c.b, c.n, &b), KH_ERR_FOREIGN);
	/* an empty x5c, a certificate too long to be an AK certificate */
	stmt(&a, true, false, false);
	a.x5c_len[0] = ATT_X5C_CERT_MAX + 1;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
	a.x5c_n = ATT_X5C_MAX + 1;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
	expected(&c, true, false, false);
	for (size_t i = 0; i + 4 < c.n; i++)
		if (memcmp(c.b + i, "\x63x5c\x81", 5) == 0)
			c.b[i + 4] = 0x80;
	assert_int_equal(att_stmt_decode(c.b, c.n, &b), KH_ERR_MALFORMED);
}

/* The opt-in RS1 statement: alg -65535 (CBOR 0x39 0xfffe) and the
 * RSA-2048 AK's 256-byte PKCS#1 signature; everything else as ES256's. */
static void
test_rs1(void **state)
{
	static const uint8_t rsig[256] = { 0x5a, [255] = 0xa5 };
	static const uint8_t head[] = { 0xa9, 0x63, 'a', 'l', 'g', 0x39, 0xff,
	    0xfe, 0x63, 's', 'i', 'g', 0x59, 0x01, 0x00 };
	struct att_stmt a, b;
	struct cb c;
	uint8_t *enc;
	size_t len, i;

	(void)state;
	stmt(&a, false, false, false);
	a.alg = ATT_COSE_RS1;
	a.sig = rsig;
	a.sig_len = sizeof(rsig);
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
	assert_memory_equal(enc, head, sizeof(head));
	assert_memory_equal(enc + sizeof(head), rsig, sizeof(rsig));
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
	assert_int_equal(b.alg, ATT_COSE_RS1);
	assert_int_equal(b.sig_len, sizeof(rsig));
	assert_memory_equal(b.sig, rsig, sizeof(rsig));
	for (i = 0; i < len; i++)
		assert_int_not_equal(att_stmt_decode(enc, i, &b), KH_OK);
	/* the same 256 bytes under alg -7: no ECDSA signature is that long */
	enc[6] = 0x00;
	enc[7] = 0x06;
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_ERR_MALFORMED);
	/* another COSE algorithm (-65534, -257: RS256) */
	enc[6] = 0xff;
	enc[7] = 0xfd;
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_ERR_MALFORMED);
	enc[5] = 0x39;
	enc[6] = 0x01;
	enc[7] = 0x00;
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_ERR_MALFORMED);
	free(enc);
	/* ES256 is what an unset alg writes, and what is read back */
	stmt(&a, false, false, false);
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
	expected(&c, false, false, false);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
	assert_int_equal(b.alg, ATT_COSE_ES256);
	free(enc);
	/* an unknown alg, a signature beyond any AK's, RS1 in version 1 */
	a.alg = -8;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
	a.alg = ATT_COSE_RS1;
	a.sig_len = ATT_SIG_MAX + 1;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
	a.sig_len = sizeof(sig);
	a.version = ATT_VERSION;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
}

/* Versions 1 and 2 are written as they were, and read beside 3. */
static void
test_older(void **state)
{
	struct att_stmt a, b;
	uint8_t *enc;
	size_t len;

	(void)state;
	stmt(&a, false, true, false);
	a.version = ATT_VERSION;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
	assert_int_equal(b.version, ATT_VERSION);
	assert_int_equal(b.alg, ATT_COSE_ES256);
	assert_int_equal(b.x5c_n, 0);
	free(enc);
	stmt(&a, false, true, true);
	a.version = ATT_VERSION_EK_UNREAD;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_OK);
	assert_int_equal(att_stmt_decode(enc, len, &b), KH_OK);
	assert_int_equal(b.version, ATT_VERSION_EK_UNREAD);
	assert_int_equal(b.ek_unread_len, strlen(why));
	free(enc);
	/* x5c has no place in them */
	stmt(&a, true, true, false);
	a.version = ATT_VERSION;
	assert_int_equal(att_stmt_encode(&a, &enc, &len), KH_ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rs1),
		cmocka_unit_test(test_older),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
