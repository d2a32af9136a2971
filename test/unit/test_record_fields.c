/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident record decoder (sk/codec/record.h) on a well-formed map with one
 * bad field: the magic (a key handle's, misspelt, too long, as bytes, in
 * chunks); versions it does not know; every field given a value of every
 * wrong CBOR type; applications that are empty, hold a NUL, are not UTF-8
 * (overlong forms, surrogates, beyond U+10FFFF) or are one byte too long;
 * user ids and key handles over their bounds. What the decoder refuses,
 * the encoder does not write.
 *
 * The record is the shared fixture (codec-fixture.h), each field replaced
 * in turn through recfx_with(); the shape of the map itself is
 * test_record_shape.c's, round trips are test_record.c's.
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
emit_magic_handle(struct cb *c)
{
	cb_text(c, KH_MAGIC);
}

static void
emit_magic_typo(struct cb *c)
{
	cb_text(c, "sk-tpm-rK");
}

static void
emit_magic_long(struct cb *c)
{
	cb_text(c, "sk-tpm-rk2");
}

static void
emit_magic_bytes(struct cb *c)
{
	cb_bytes(c, (const uint8_t *)REC_MAGIC, sizeof(REC_MAGIC) - 1);
}

static void
emit_magic_indef(struct cb *c)
{
	cb_byte(c, 0x7f);
	cb_text(c, "sk-tpm");
	cb_text(c, "-rk");
	cb_byte(c, 0xff);
}

static void
test_magic(void **state)
{
	void (*emit[])(struct cb *) = {
		emit_magic_handle, emit_magic_typo, emit_magic_long,
		emit_magic_bytes, emit_magic_indef
	};
	struct cb c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(emit) / sizeof(emit[0]); i++) {
		recfx_with(&c, 0, emit[i]);
		recfx_expect(&c, KH_ERR_FOREIGN);
	}
	/* No key 0: the map starts at key 1. */
	recfx_range(&c, 4, 1, 5);
	recfx_expect(&c, KH_ERR_FOREIGN);
	/* The magic under key 1. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 1);
	cb_text(&c, REC_MAGIC);
	recfx_expect(&c, KH_ERR_FOREIGN);
}

static uint64_t version;

static void
emit_version(struct cb *c)
{
	cb_head(c, M_UINT, version);
}

static void
emit_version_text(struct cb *c)
{
	cb_text(c, "1");
}

static void
test_version(void **state)
{
	static const uint64_t other[] = {
		0, 2, 3, 255, (uint64_t)1 << 32 | REC_VERSION, UINT64_MAX
	};
	struct cb c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		version = other[i];
		recfx_with(&c, 1, emit_version);
		recfx_expect(&c, KH_ERR_VERSION);
	}
	recfx_with(&c, 1, emit_version_text);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* Version 2 may look different in every other way. */
	c.n = 0;
	cb_head(&c, M_MAP, 2);
	recfx_field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_ARRAY, 3);
	recfx_expect(&c, KH_ERR_VERSION);
	/* The encoder writes version 1 only. */
	{
		uint8_t *enc = NULL;
		size_t enc_len = 0;

		recfx.rec.version = 2;
		assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
		    KH_ERR_VERSION);
		assert_null(enc);
	}
}

/* Tags around the right kinds. */
static void
emit_tagged_text(struct cb *c)
{
	cb_head(c, M_TAG, 32);
	cb_text(c, "abc");
}

static void
emit_tagged_bytes(struct cb *c)
{
	cb_head(c, M_TAG, 24);
	cb_bytes(c, (const uint8_t *)"abc", 3);
}

static void
test_wrong_types(void **state)
{
	void (*emit[])(struct cb *) = {
		cb_emit_uint, cb_emit_negint, cb_emit_text, cb_emit_bytes32,
		cb_emit_array, cb_emit_map, cb_emit_float, cb_emit_double,
		cb_emit_null, cb_emit_true, cb_emit_break, cb_emit_tagged_uint,
		emit_tagged_text, emit_tagged_bytes
	};
	struct cb c;
	size_t i;
	int k, want;

	(void)state;
	for (k = 1; k < 5; k++) {
		for (i = 0; i < sizeof(emit) / sizeof(emit[0]); i++) {
			/* The right type in the right place is no error. */
			if ((k == 2 && emit[i] == cb_emit_text) ||
			    (k >= 3 && emit[i] == cb_emit_bytes32))
				continue;
			recfx_with(&c, k, emit[i]);
			/* Any uint as the version is just another one. */
			want = k == 1 && emit[i] == cb_emit_uint ?
			    KH_ERR_VERSION : KH_ERR_MALFORMED;
			recfx_expect(&c, want);
		}
	}
}

static const char *app_value;
static size_t app_value_len;

static void
emit_app(struct cb *c)
{
	cb_head(c, M_TEXT, app_value_len);
	cb_raw(c, app_value, app_value_len);
}

static void
test_application(void **state)
{
	/* Each with its length, as some hold NULs. */
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
		{ "", 0 },
		{ "\0ssh:x", 6 },		/* NUL first */
		{ "ssh:\0x", 6 },		/* NUL inside */
		{ "ssh:x\0", 6 },		/* NUL last */
		{ "ssh:\xff", 5 },		/* never in UTF-8 */
		{ "ssh:\x80", 5 },		/* lone continuation byte */
		{ "ssh:\xc3", 5 },		/* cut sequence */
		{ "ssh:\xe2\x82", 6 },		/* cut sequence */
		{ "ssh:\xc3x", 6 },		/* no continuation */
		{ "ssh:\xc0\xaf", 6 },		/* over-long '/' */
		{ "ssh:\xe0\x80\xaf", 7 },	/* over-long '/' */
		{ "ssh:\xf0\x80\x80\xaf", 8 },	/* over-long '/' */
		{ "ssh:\xed\xa0\x80", 7 },	/* surrogate U+D800 */
		{ "ssh:\xed\xbf\xbf", 7 },	/* surrogate U+DFFF */
		{ "ssh:\xf4\x90\x80\x80", 8 },	/* U+110000 */
		{ "ssh:\xf8\x88\x80\x80\x80", 9 },	/* 5-byte form */
	};
	static char long_app[REC_APP_MAX + 1];
	struct rec bad_rec;
	uint8_t *enc = NULL;
	size_t enc_len = 0, i;
	struct cb c;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		app_value = bad[i].s;
		app_value_len = bad[i].len;
		recfx_with(&c, 2, emit_app);
		recfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* One byte over REC_APP_MAX. */
	memset(long_app, 'a', sizeof(long_app));
	app_value = long_app;
	app_value_len = REC_APP_MAX + 1;
	recfx_with(&c, 2, emit_app);
	recfx_expect(&c, KH_ERR_MALFORMED);
	app_value_len = REC_APP_MAX;
	recfx_with(&c, 2, emit_app);
	recfx_expect(&c, KH_OK);

	/* What the decoder refuses, the encoder does not write. */
	bad_rec = recfx.rec;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A C string ends at its first NUL: skip those cut short
		 * into something valid. */
		if (memchr(bad[i].s, '\0', bad[i].len) != NULL)
			continue;
		bad_rec.application = (char *)(uintptr_t)bad[i].s;
		assert_int_equal(rec_encode(&bad_rec, &enc, &enc_len),
		    KH_ERR_MALFORMED);
		assert_null(enc);
		assert_int_equal(enc_len, 0);
	}
	memset(recfx.app, 'a', REC_APP_MAX + 1);
	recfx.app[REC_APP_MAX + 1] = '\0';
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	recfx.rec.application = NULL;
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	assert_null(enc);
}

static size_t blob_len;

static void
emit_blob(struct cb *c)
{
	cb_bytes(c, recfx.kh, blob_len);
}

/* A user id of blob_len printable bytes. */
static void
emit_user(struct cb *c)
{
	uint8_t u[REC_USER_MAX + 1];

	memset(u, 'u', sizeof(u));
	cb_bytes(c, u, blob_len);
}

static void
test_user_id_and_key_handle_length(void **state)
{
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	struct cb c;

	(void)state;
	blob_len = REC_USER_MAX + 1;
	recfx_with(&c, 3, emit_user);
	recfx_expect(&c, KH_ERR_MALFORMED);
	blob_len = REC_USER_MAX;
	recfx_with(&c, 3, emit_user);
	recfx_expect(&c, KH_OK);
	blob_len = 0;
	recfx_with(&c, 3, emit_user);
	recfx_expect(&c, KH_OK);
	recfx_with(&c, 4, emit_blob);
	recfx_expect(&c, KH_ERR_MALFORMED);
	/* A key handle over KH_MAX_LEN cannot fit in REC_MAX_LEN anyway. */
	blob_len = KH_MAX_LEN + 1;
	recfx_with(&c, 4, emit_blob);
	recfx_expect(&c, KH_ERR_MALFORMED);

	recfx.rec.user_id_len = REC_USER_MAX + 1;
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	recfx_setup(NULL);
	recfx.rec.key_handle_len = 0;
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	recfx.rec.key_handle_len = KH_MAX_LEN + 1;
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	recfx.rec.key_handle_len = RECFX_KH_LEN;
	recfx.rec.key_handle = NULL;
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	assert_int_equal(rec_encode(NULL, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_null(enc);
	assert_int_equal(enc_len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_magic, recfx_setup),
		cmocka_unit_test_setup(test_version, recfx_setup),
		cmocka_unit_test_setup(test_wrong_types, recfx_setup),
		cmocka_unit_test_setup(test_application, recfx_setup),
		cmocka_unit_test_setup(test_user_id_and_key_handle_length,
		    recfx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
