/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key-handle decoder (sk/codec/handle.h) on bytes that are no well-formed
 * version 1 handle, whatever their fields hold: nothing at all, every
 * truncation, trailing bytes and oversized input, bytes that are not CBOR
 * or someone else's CBOR (random FIDO-style handles, a COSE key, a CTAP
 * descriptor), an array instead of the map, the wrong number of pairs,
 * keys out of order, repeated or of the wrong type, indefinite lengths,
 * tags, heads longer than needed, heads declaring huge sizes, and every
 * single-bit flip of a valid handle. Foreign bytes must be called foreign,
 * our own damaged ones malformed; nothing may leak (see the valgrind run).
 *
 * The handle is the shared fixture (codec-fixture.h) written with the
 * tests' own CBOR writer; round trips are in test_handle.c, bad field
 * values in test_handle_fields.c.
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
#include "kh-sample.h"

static void
test_empty_and_null(void **state)
{
	static const uint8_t one_map[] = { 0xa8 };
	static const uint8_t one_uint[] = { 0x00 };
	struct cb c;

	(void)state;
	khfx_map(&c);
	khfx_expect_bytes(c.b, 0, KH_ERR_FOREIGN);
	khfx_expect_bytes(NULL, 0, KH_ERR_FOREIGN);
	khfx_expect_bytes(NULL, 10, KH_ERR_FOREIGN);
	khfx_expect_bytes(one_map, 1, KH_ERR_FOREIGN);
	khfx_expect_bytes(one_uint, 1, KH_ERR_FOREIGN);
	assert_int_not_equal(kh_decode(c.b, c.n, NULL), KH_OK);
}

/*
 * Cut a valid handle at every length. Until the magic is complete
 * (map head, key 0, text head, six letters: 9 bytes) nothing says it is
 * ours; after that it is a damaged sk-tpm handle.
 */
static void
test_truncated_everywhere(void **state)
{
	struct cb c;
	size_t n;

	(void)state;
	khfx_map(&c);
	for (n = 1; n < c.n; n++)
		khfx_expect_bytes(c.b, n, n < 9 ? KH_ERR_FOREIGN :
		    KH_ERR_MALFORMED);
}

static void
test_trailing_and_oversized(void **state)
{
	struct cb c;
	size_t n;

	(void)state;
	khfx_map(&c);
	cb_byte(&c, 0x00);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A second complete handle after the first. */
	khfx_map(&c);
	n = c.n;
	cb_raw(&c, c.b, n);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* Over KH_MAX_LEN: refused on length before anything else. */
	khfx_map(&c);
	while (c.n <= KH_MAX_LEN)
		cb_byte(&c, 0x00);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A well-formed map that is just too long, with every field at
	 * its own bound: the encoder refuses to write it too. */
	assert_int_equal(khs_fill(&khfx, KH_PUBLIC_MAX, KH_PRIVATE_MAX,
	    KH_PUBLIC_MAX, 1), 0);
	khfx_map(&c);
	assert_true(c.n > KH_MAX_LEN);
	khfx_expect(&c, KH_ERR_MALFORMED);
	{
		uint8_t *enc = (uint8_t *)(uintptr_t)1;
		size_t enc_len = 1;

		assert_int_equal(kh_encode(&khfx.kh, &enc, &enc_len),
		    KH_ERR_MALFORMED);
		assert_null(enc);
		assert_int_equal(enc_len, 0);
	}
}

static void
test_not_cbor(void **state)
{
	static const uint8_t brk[] = { 0xff };
	static const uint8_t reserved[] = { 0x1c, 0x00, 0x00 };
	static const uint8_t text_only[] = {
		0x66, 's', 'k', '-', 't', 'p', 'm'
	};
	static const uint8_t ascii[] = "-----BEGIN OPENSSH PRIVATE KEY-----";

	(void)state;
	khfx_expect_bytes(brk, sizeof(brk), KH_ERR_FOREIGN);
	khfx_expect_bytes(reserved, sizeof(reserved), KH_ERR_FOREIGN);
	khfx_expect_bytes(text_only, sizeof(text_only), KH_ERR_FOREIGN);
	khfx_expect_bytes(ascii, sizeof(ascii) - 1, KH_ERR_FOREIGN);
}

static void
test_array_instead_of_map(void **state)
{
	struct cb c;
	int k;

	(void)state;
	c.n = 0;
	cb_head(&c, M_ARRAY, 16);
	for (k = 0; k < 8; k++)
		khfx_field(&c, k);
	khfx_expect(&c, KH_ERR_FOREIGN);
	c.n = 0;
	cb_head(&c, M_ARRAY, 8);
	for (k = 0; k < 8; k++)
		khfx_value(&c, k);
	khfx_expect(&c, KH_ERR_FOREIGN);
}

static void
test_pair_count(void **state)
{
	struct cb c;

	(void)state;
	/* 7 pairs: app hash missing. */
	khfx_range(&c, 7, 0, 7);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* 9 pairs: an extra key 8 after a complete handle. */
	khfx_range(&c, 9, 0, 8);
	cb_head(&c, M_UINT, 8);
	cb_head(&c, M_UINT, 0);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* The head says 9 but only 8 pairs follow. */
	khfx_range(&c, 9, 0, 8);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* The head says 7 but 8 pairs follow (the 8th is trailing). */
	khfx_range(&c, 7, 0, 8);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* Empty map. */
	khfx_range(&c, 0, 0, 0);
	khfx_expect(&c, KH_ERR_FOREIGN);
}

static void
test_key_order(void **state)
{
	static const int orders[][8] = {
		{ 0, 1, 2, 4, 3, 5, 6, 7 },	/* 3 and 4 swapped */
		{ 0, 1, 2, 3, 4, 5, 7, 6 },	/* last two swapped */
		{ 0, 2, 1, 3, 4, 5, 6, 7 },	/* version after flags */
		{ 0, 1, 2, 3, 3, 5, 6, 7 },	/* 3 twice, no 4 */
		{ 0, 1, 2, 3, 4, 5, 6, 6 },	/* 6 twice, no 7 */
		{ 0, 1, 1, 3, 4, 5, 6, 7 },	/* version twice */
		{ 0, 0, 1, 2, 3, 4, 5, 6 },	/* magic twice */
	};
	struct cb c;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		c.n = 0;
		cb_head(&c, M_MAP, 8);
		for (k = 0; k < 8; k++)
			khfx_field(&c, orders[i][k]);
		khfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* Keys as text rather than uints. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	khfx_field(&c, 0);
	khfx_field(&c, 1);
	cb_text(&c, "2");
	khfx_value(&c, 2);
	for (k = 3; k < 8; k++)
		khfx_field(&c, k);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A negative key. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	for (k = 0; k < 7; k++)
		khfx_field(&c, k);
	cb_head(&c, M_NEG, 6);
	khfx_value(&c, 7);
	khfx_expect(&c, KH_ERR_MALFORMED);
}

static void
emit_indef_public(struct cb *c)
{
	/* The same bytes in two chunks. */
	cb_byte(c, 0x5f);
	cb_bytes(c, khfx.kh.tpm_public, 10);
	cb_bytes(c, khfx.kh.tpm_public + 10, khfx.kh.tpm_public_len - 10);
	cb_byte(c, 0xff);
}

static void
test_indefinite(void **state)
{
	struct cb c;
	int k;

	(void)state;
	khfx_with(&c, 3, emit_indef_public);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* An indefinite-length map with the eight pairs and a break. */
	c.n = 0;
	cb_byte(&c, 0xbf);
	for (k = 0; k < 8; k++)
		khfx_field(&c, k);
	cb_byte(&c, 0xff);
	khfx_expect(&c, KH_ERR_MALFORMED);
}

static void
test_tags(void **state)
{
	struct cb c, inner;

	(void)state;
	/* Self-described CBOR (tag 55799) around a valid handle. */
	khfx_map(&inner);
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_raw(&c, inner.b, inner.n);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* Two tags. */
	c.n = 0;
	cb_head(&c, M_TAG, 24);
	cb_head(&c, M_TAG, 55799);
	cb_raw(&c, inner.b, inner.n);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A tag on key 0 or on the magic. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_TAG, 1);
	khfx_field(&c, 0);
	cb_raw(&c, inner.b + 9, inner.n - 9);
	khfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 0);
	cb_head(&c, M_TAG, 1);
	khfx_value(&c, 0);
	cb_raw(&c, inner.b + 9, inner.n - 9);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A tag on a key later on. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	khfx_field(&c, 0);
	khfx_field(&c, 1);
	cb_head(&c, M_TAG, 1);
	khfx_field(&c, 2);
	khfx_field(&c, 3);
	khfx_field(&c, 4);
	khfx_field(&c, 5);
	khfx_field(&c, 6);
	khfx_field(&c, 7);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A tag around something foreign stays foreign. */
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_head(&c, M_ARRAY, 0);
	khfx_expect(&c, KH_ERR_FOREIGN);
}

/* Longer-than-needed heads: the encoding would no longer be unique. */
static void
test_not_shortest(void **state)
{
	struct cb c;
	int k, w;

	(void)state;
	/* The map head, in every wider form. */
	for (w = 1; w <= 8; w *= 2) {
		c.n = 0;
		cb_head_w(&c, M_MAP, 8, w);
		for (k = 0; k < 8; k++)
			khfx_field(&c, k);
		khfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* Each key in turn, one byte wider. */
	for (k = 0; k < 8; k++) {
		int i;

		c.n = 0;
		cb_head(&c, M_MAP, 8);
		for (i = 0; i < 8; i++) {
			cb_head_w(&c, M_UINT, (uint64_t)i, i == k ? 1 : 0);
			khfx_value(&c, i);
		}
		khfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* The magic's text head, version, flags, a byte string head. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 0);
	cb_head_w(&c, M_TEXT, 6, 1);
	cb_raw(&c, KH_MAGIC, 6);
	for (k = 1; k < 8; k++)
		khfx_field(&c, k);
	khfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	khfx_field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head_w(&c, M_UINT, KH_VERSION, 4);
	for (k = 2; k < 8; k++)
		khfx_field(&c, k);
	khfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	khfx_field(&c, 0);
	khfx_field(&c, 1);
	cb_head(&c, M_UINT, 2);
	cb_head_w(&c, M_UINT, khfx.kh.flags, 2);
	for (k = 3; k < 8; k++)
		khfx_field(&c, k);
	khfx_expect(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	for (k = 0; k < 7; k++)
		khfx_field(&c, k);
	cb_head(&c, M_UINT, 7);
	cb_head_w(&c, M_BYTES, KH_APP_HASH_LEN, 2);
	cb_raw(&c, khfx.kh.app_hash, KH_APP_HASH_LEN);
	khfx_expect(&c, KH_ERR_MALFORMED);
}

/*
 * Heads that declare huge sizes. libcbor 0.8's cbor_load() allocates a
 * container's declared size up front, so these must be refused before
 * it is called: quickly, and as malformed rather than out of memory.
 */
static void
test_huge_declarations(void **state)
{
	struct cb c;
	int i;

	(void)state;
	/* Our magic and version, in a map claiming 2^28 pairs. */
	c.n = 0;
	cb_head(&c, M_MAP, (uint64_t)1 << 28);
	khfx_field(&c, 0);
	khfx_field(&c, 1);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* ... and 2^60 pairs. */
	c.n = 0;
	cb_head(&c, M_MAP, (uint64_t)1 << 60);
	khfx_field(&c, 0);
	khfx_field(&c, 1);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A valid start, then arrays of 2^24 nested as deep as 2 KiB allows. */
	khfx_range(&c, 8, 0, 3);
	cb_head(&c, M_UINT, 3);
	while (c.n + 5 <= KH_MAX_LEN)
		cb_head(&c, M_ARRAY, (uint64_t)1 << 24);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A byte string declaring 2^62 bytes. */
	khfx_range(&c, 8, 0, 3);
	cb_head(&c, M_UINT, 3);
	cb_head(&c, M_BYTES, (uint64_t)1 << 62);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* 2 KiB of nested one-element arrays: foreign, no recursion. */
	c.n = 0;
	for (i = 0; i < KH_MAX_LEN - 1; i++)
		cb_head(&c, M_ARRAY, 1);
	cb_head(&c, M_UINT, 0);
	khfx_expect(&c, KH_ERR_FOREIGN);
}

/*
 * OpenSSH's sk-dummy provider stores the raw private key as the handle
 * (32 bytes for ECDSA, 64 for Ed25519); U2F and many FIDO2 tokens use 64
 * or more opaque, random-looking bytes. None of it is ours.
 */
static void
test_foreign_random(void **state)
{
	static const size_t lens[] = { 16, 32, 48, 64, 70, 96, 128, 255 };
	uint8_t buf[256];
	uint32_t seed = 0x12345678;
	size_t i, j, n;

	(void)state;
	for (i = 0; i < 4000; i++) {
		n = lens[i % (sizeof(lens) / sizeof(lens[0]))];
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)fixture_xorshift(&seed);
		khfx_expect_bytes(buf, n, KH_ERR_FOREIGN);
	}
}

/*
 * CBOR that is simply someone else's: a COSE EC2 public key map
 * {1: 2, 3: -7, -1: 1, -2: x, -3: y} and a CTAP2-style credential
 * descriptor {"type": "public-key", "id": h'..'}.
 */
static void
test_foreign_cbor(void **state)
{
	uint8_t coord[32];
	struct cb c;

	(void)state;
	memset(coord, 0x42, sizeof(coord));
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_UINT, 3);
	cb_head(&c, M_NEG, 6);
	cb_head(&c, M_NEG, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_NEG, 1);
	cb_bytes(&c, coord, sizeof(coord));
	cb_head(&c, M_NEG, 2);
	cb_bytes(&c, coord, sizeof(coord));
	khfx_expect(&c, KH_ERR_FOREIGN);
	c.n = 0;
	cb_head(&c, M_MAP, 2);
	cb_text(&c, "type");
	cb_text(&c, "public-key");
	cb_text(&c, "id");
	cb_bytes(&c, coord, sizeof(coord));
	khfx_expect(&c, KH_ERR_FOREIGN);
	/* A map whose key 0 holds something other than the magic. */
	c.n = 0;
	cb_head(&c, M_MAP, 2);
	cb_head(&c, M_UINT, 0);
	cb_bytes(&c, coord, sizeof(coord));
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 1);
	khfx_expect(&c, KH_ERR_FOREIGN);
}

/* Flip every bit of a valid handle: never accepted with a different
 * meaning unnoticed, never a crash, never a leak. */
static void
test_bit_flips(void **state)
{
	struct cb c;
	struct kh *kh;
	size_t i;
	int bit, r;

	(void)state;
	khfx_map(&c);
	for (i = 0; i < c.n; i++) {
		for (bit = 0; bit < 8; bit++) {
			c.b[i] ^= (uint8_t)(1 << bit);
			kh = NULL;
			r = kh_decode(c.b, c.n, &kh);
			if (r == KH_OK) {
				/* Only payload bytes (not heads, not size
				 * prefixes) may change without notice; the
				 * field they land in must show it. */
				assert_non_null(kh);
				assert_true(memcmp(kh->tpm_public,
				    khfx.kh.tpm_public, kh->tpm_public_len) ||
				    memcmp(kh->tpm_private, khfx.kh.tpm_private,
				    kh->tpm_private_len) ||
				    memcmp(kh->srk_name, khfx.kh.srk_name,
				    KH_NAME_LEN) ||
				    memcmp(kh->srk_public, khfx.kh.srk_public,
				    kh->srk_public_len) ||
				    memcmp(kh->app_hash, khfx.kh.app_hash,
				    KH_APP_HASH_LEN) ||
				    kh->flags != khfx.kh.flags);
				kh_free(&kh);
			} else
				assert_null(kh);
			c.b[i] ^= (uint8_t)(1 << bit);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_and_null, khfx_setup),
		cmocka_unit_test_setup(test_truncated_everywhere, khfx_setup),
		cmocka_unit_test_setup(test_trailing_and_oversized, khfx_setup),
		cmocka_unit_test_setup(test_not_cbor, khfx_setup),
		cmocka_unit_test_setup(test_array_instead_of_map, khfx_setup),
		cmocka_unit_test_setup(test_pair_count, khfx_setup),
		cmocka_unit_test_setup(test_key_order, khfx_setup),
		cmocka_unit_test_setup(test_indefinite, khfx_setup),
		cmocka_unit_test_setup(test_tags, khfx_setup),
		cmocka_unit_test_setup(test_not_shortest, khfx_setup),
		cmocka_unit_test_setup(test_huge_declarations, khfx_setup),
		cmocka_unit_test_setup(test_foreign_random, khfx_setup),
		cmocka_unit_test_setup(test_foreign_cbor, khfx_setup),
		cmocka_unit_test_setup(test_bit_flips, khfx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
