/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident record decoder (sk/codec/record.h) on bytes that are no
 * well-formed record, whatever its fields hold: nothing at all, every
 * truncation, trailing bytes and oversized input, a key handle where a
 * record should be (and the other way round), the wrong number of pairs,
 * keys out of order, repeated or of the wrong type, heads longer than
 * needed, indefinite lengths, tags, heads declaring huge sizes, erased NV
 * and random bytes, and every single-bit flip of a valid record. Foreign
 * bytes must be called foreign, our own damaged ones malformed; whatever
 * is accepted must re-encode to exactly its bytes.
 *
 * The record is the shared fixture (codec-fixture.h) written with the
 * tests' own CBOR writer; round trips are in test_record.c, bad field
 * values in test_record_fields.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cborgen.h"
#include "codec-fixture.h"
#include "handle.h"
#include "record.h"

static void
test_empty_and_null(void **state)
{
	static const uint8_t one_map[] = { 0xa5 };
	struct cb c;

	(void)state;
	recfx_map(&c);
	recfx_expect_bytes(c.b, 0, KH_ERR_FOREIGN);
	recfx_expect_bytes(NULL, 0, KH_ERR_FOREIGN);
	recfx_expect_bytes(NULL, 10, KH_ERR_FOREIGN);
	recfx_expect_bytes(one_map, 1, KH_ERR_FOREIGN);
	assert_int_not_equal(rec_decode(c.b, c.n, NULL), KH_OK);
}

/* Cut a valid record at every length: foreign until the magic is
 * complete, malformed after. */
static void
test_truncated_everywhere(void **state)
{
	struct cb c;
	size_t n;

	(void)state;
	recfx_map(&c);
	for (n = 1; n < c.n; n++)
		recfx_expect_bytes(c.b, n, n < RECFX_MAGIC_END ?
		    KH_ERR_FOREIGN : KH_ERR_MALFORMED);
}

static void
test_trailing_and_oversized(void **state)
{
	struct cb c;
	size_t n;

	(void)state;
	recfx_map(&c);
	cb_byte(&c, 0x00);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* Two records back to back. */
	recfx_map(&c);
	n = c.n;
	cb_raw(&c, c.b, n);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* Padded past REC_MAX_LEN. */
	recfx_map(&c);
	while (c.n <= REC_MAX_LEN)
		cb_byte(&c, 0x00);
	recfx_expect(&c, KH_ERR_MALFORMED);
}

/* A key handle is not a record, nor a record a key handle. */
static void
test_other_format(void **state)
{
	struct cb c;
	struct kh *kh = (struct kh *)(uintptr_t)1;

	(void)state;
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 0);
	cb_text(&c, KH_MAGIC);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, KH_VERSION);
	recfx_expect(&c, KH_ERR_FOREIGN);
	recfx_map(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_ERR_FOREIGN);
	assert_null(kh);
}

static void
test_pair_count(void **state)
{
	struct cb c;

	(void)state;
	/* 4 pairs: no key handle. */
	recfx_range(&c, 4, 0, 4);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* 6 pairs: an extra key 5. */
	recfx_range(&c, 6, 0, 5);
	cb_head(&c, M_UINT, 5);
	cb_head(&c, M_UINT, 0);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* The head says 6, 5 pairs follow. */
	recfx_range(&c, 6, 0, 5);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* The head says 4, 5 pairs follow. */
	recfx_range(&c, 4, 0, 5);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* Only the header. */
	recfx_range(&c, 2, 0, 2);
	recfx_expect(&c, KH_ERR_MALFORMED);
}

static void
test_key_order(void **state)
{
	static const int orders[][5] = {
		{ 0, 1, 3, 2, 4 },	/* user id before application */
		{ 0, 1, 2, 4, 3 },	/* key handle before user id */
		{ 0, 2, 1, 3, 4 },	/* version after application */
		{ 0, 1, 2, 2, 4 },	/* application twice, no user id */
		{ 0, 1, 2, 3, 3 },	/* user id twice, no key handle */
		{ 0, 1, 1, 3, 4 },	/* version twice */
		{ 0, 0, 2, 3, 4 },	/* magic twice */
	};
	struct cb c;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		c.n = 0;
		cb_head(&c, M_MAP, 5);
		for (k = 0; k < 5; k++)
			recfx_field(&c, orders[i][k]);
		recfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* Keys as text, or negative. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	recfx_field(&c, 0);
	recfx_field(&c, 1);
	cb_text(&c, "2");
	recfx_value(&c, 2);
	recfx_field(&c, 3);
	recfx_field(&c, 4);
	recfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	for (k = 0; k < 4; k++)
		recfx_field(&c, k);
	cb_head(&c, M_NEG, 3);
	recfx_value(&c, 4);
	recfx_expect(&c, KH_ERR_MALFORMED);
}

/* Longer-than-needed heads: the encoding would no longer be unique. */
static void
test_not_shortest(void **state)
{
	struct cb c;
	int k, w;

	(void)state;
	for (w = 1; w <= 8; w *= 2) {
		c.n = 0;
		cb_head_w(&c, M_MAP, 5, w);
		for (k = 0; k < 5; k++)
			recfx_field(&c, k);
		recfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* Each key in turn. */
	for (k = 0; k < 5; k++) {
		int i;

		c.n = 0;
		cb_head(&c, M_MAP, 5);
		for (i = 0; i < 5; i++) {
			cb_head_w(&c, M_UINT, (uint64_t)i, i == k ? 1 : 0);
			recfx_value(&c, i);
		}
		recfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* The magic's head, the version, each string head in turn. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 0);
	cb_head_w(&c, M_TEXT, sizeof(REC_MAGIC) - 1, 1);
	cb_raw(&c, REC_MAGIC, sizeof(REC_MAGIC) - 1);
	for (k = 1; k < 5; k++)
		recfx_field(&c, k);
	recfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	recfx_field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head_w(&c, M_UINT, REC_VERSION, 1);
	for (k = 2; k < 5; k++)
		recfx_field(&c, k);
	recfx_expect(&c, KH_ERR_MALFORMED);
	for (k = 2; k < 5; k++) {
		int i;

		recfx_range(&c, 5, 0, k);
		cb_head(&c, M_UINT, (uint64_t)k);
		if (k == 2) {
			cb_head_w(&c, M_TEXT, strlen(recfx.app), 2);
			cb_raw(&c, recfx.app, strlen(recfx.app));
		} else if (k == 3) {
			cb_head_w(&c, M_BYTES, recfx.rec.user_id_len, 1);
			cb_raw(&c, recfx.rec.user_id, recfx.rec.user_id_len);
		} else {
			cb_head_w(&c, M_BYTES, recfx.rec.key_handle_len, 4);
			cb_raw(&c, recfx.kh, recfx.rec.key_handle_len);
		}
		for (i = k + 1; i < 5; i++)
			recfx_field(&c, i);
		recfx_expect(&c, KH_ERR_MALFORMED);
	}
}

/* Indefinite-length strings and maps: the same bytes in chunks. */
static void
emit_indef_app(struct cb *c)
{
	cb_byte(c, 0x7f);
	cb_text(c, "ssh:");
	cb_text(c, "test");
	cb_byte(c, 0xff);
}

static void
emit_indef_user(struct cb *c)
{
	cb_byte(c, 0x5f);
	cb_bytes(c, recfx.rec.user_id, 2);
	cb_bytes(c, recfx.rec.user_id + 2, recfx.rec.user_id_len - 2);
	cb_byte(c, 0xff);
}

static void
emit_indef_kh(struct cb *c)
{
	cb_byte(c, 0x5f);
	cb_bytes(c, recfx.kh, 100);
	cb_bytes(c, recfx.kh + 100, RECFX_KH_LEN - 100);
	cb_byte(c, 0xff);
}

static void
test_indefinite(void **state)
{
	struct cb c;
	int k;

	(void)state;
	recfx_with(&c, 2, emit_indef_app);
	recfx_expect(&c, KH_ERR_MALFORMED);
	recfx_with(&c, 3, emit_indef_user);
	recfx_expect(&c, KH_ERR_MALFORMED);
	recfx_with(&c, 4, emit_indef_kh);
	recfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_byte(&c, 0xbf);
	for (k = 0; k < 5; k++)
		recfx_field(&c, k);
	cb_byte(&c, 0xff);
	recfx_expect(&c, KH_ERR_MALFORMED);
}

static void
test_tags(void **state)
{
	struct cb c, inner;

	(void)state;
	/* Self-described CBOR around a valid record: ours, but not in the
	 * one encoding. */
	recfx_map(&inner);
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_raw(&c, inner.b, inner.n);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* A tag on the magic. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 0);
	cb_head(&c, M_TAG, 32);
	recfx_value(&c, 0);
	cb_raw(&c, inner.b + RECFX_MAGIC_END, inner.n - RECFX_MAGIC_END);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* A tag around something foreign stays foreign. */
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_head(&c, M_ARRAY, 0);
	recfx_expect(&c, KH_ERR_FOREIGN);
}

/* Heads declaring huge sizes are refused without allocating for them. */
static void
test_huge_declarations(void **state)
{
	struct cb c;

	(void)state;
	c.n = 0;
	cb_head(&c, M_MAP, (uint64_t)1 << 28);
	recfx_field(&c, 0);
	recfx_field(&c, 1);
	recfx_expect(&c, KH_ERR_MALFORMED);
	recfx_range(&c, 5, 0, 2);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_TEXT, (uint64_t)1 << 62);
	recfx_expect(&c, KH_ERR_MALFORMED);
	recfx_range(&c, 5, 0, 4);
	cb_head(&c, M_UINT, 4);
	cb_head(&c, M_BYTES, (uint64_t)1 << 31);
	recfx_expect(&c, KH_ERR_MALFORMED);
}

/* Erased or never written NV (0xff or 0x00), and random bytes. */
static void
test_foreign(void **state)
{
	uint8_t buf[512];
	uint32_t seed = 0x9e3779b9;
	size_t i, j, n;

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	recfx_expect_bytes(buf, sizeof(buf), KH_ERR_FOREIGN);
	memset(buf, 0x00, sizeof(buf));
	recfx_expect_bytes(buf, sizeof(buf), KH_ERR_FOREIGN);
	for (i = 0; i < 2000; i++) {
		n = 1 + fixture_xorshift(&seed) % sizeof(buf);
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)fixture_xorshift(&seed);
		recfx_expect_bytes(buf, n, KH_ERR_FOREIGN);
	}
}

/* Flip every bit: refused, or accepted as a record that differs from the
 * original and re-encodes to exactly the flipped bytes. */
static void
test_bit_flips(void **state)
{
	struct cb c;
	struct rec *rec;
	uint8_t *enc;
	size_t i, enc_len;
	int bit, r;

	(void)state;
	recfx.rec.key_handle_len = 40;
	recfx_map(&c);
	for (i = 0; i < c.n; i++) {
		for (bit = 0; bit < 8; bit++) {
			c.b[i] ^= (uint8_t)(1 << bit);
			rec = NULL;
			r = rec_decode(c.b, c.n, &rec);
			if (r == KH_OK) {
				assert_true(
				    strcmp(rec->application, recfx.app) != 0 ||
				    rec->user_id_len != recfx.rec.user_id_len ||
				    memcmp(rec->user_id, recfx.rec.user_id,
				    rec->user_id_len) != 0 ||
				    rec->key_handle_len !=
				    recfx.rec.key_handle_len ||
				    memcmp(rec->key_handle, recfx.kh,
				    rec->key_handle_len) != 0);
				enc = NULL;
				assert_int_equal(rec_encode(rec, &enc,
				    &enc_len), KH_OK);
				assert_int_equal(enc_len, c.n);
				assert_memory_equal(enc, c.b, c.n);
				free(enc);
				rec_free(&rec);
			} else
				assert_null(rec);
			c.b[i] ^= (uint8_t)(1 << bit);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_and_null, recfx_setup),
		cmocka_unit_test_setup(test_truncated_everywhere, recfx_setup),
		cmocka_unit_test_setup(test_trailing_and_oversized,
		    recfx_setup),
		cmocka_unit_test_setup(test_other_format, recfx_setup),
		cmocka_unit_test_setup(test_pair_count, recfx_setup),
		cmocka_unit_test_setup(test_key_order, recfx_setup),
		cmocka_unit_test_setup(test_not_shortest, recfx_setup),
		cmocka_unit_test_setup(test_indefinite, recfx_setup),
		cmocka_unit_test_setup(test_tags, recfx_setup),
		cmocka_unit_test_setup(test_huge_declarations, recfx_setup),
		cmocka_unit_test_setup(test_foreign, recfx_setup),
		cmocka_unit_test_setup(test_bit_flips, recfx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
