/*
 * The resident record codec: round trips and every way the decoder must
 * say no. As in test_handle.c, broken records are written by hand with
 * the tests' own CBOR writer (cborgen.h), independent of sk/cbor-strict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "allocfail.h"
#include "cborgen.h"
#include "handle.h"
#include "record.h"

/* A key handle of the size a real P-256 key under the standard SRK has;
 * opaque to the record codec. */
#define KH_LEN		434
/* Where the magic ends: map head, key 0, text head, nine letters. */
#define MAGIC_END	12

struct fixture {
	char app[REC_APP_MAX + 2];
	uint8_t kh[KH_MAX_LEN + 1];
	struct rec rec;		/* borrows the arrays above */
};

static struct fixture fx;

static int
setup(void **state)
{
	size_t i;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	strcpy(fx.app, "ssh:test");
	for (i = 0; i < sizeof(fx.kh); i++)
		fx.kh[i] = (uint8_t)(i * 13 + 7);
	fx.rec.version = REC_VERSION;
	fx.rec.application = fx.app;
	memcpy(fx.rec.user_id, "alice", 5);
	fx.rec.user_id_len = 5;
	fx.rec.key_handle = fx.kh;
	fx.rec.key_handle_len = KH_LEN;
	return 0;
}

/* The value of field k as the fixture has it. */
static void
value(struct cb *c, int k)
{
	switch (k) {
	case 0:
		cb_text(c, REC_MAGIC);
		break;
	case 1:
		cb_head(c, M_UINT, fx.rec.version);
		break;
	case 2:
		cb_text(c, fx.rec.application);
		break;
	case 3:
		cb_bytes(c, fx.rec.user_id, fx.rec.user_id_len);
		break;
	default:
		cb_bytes(c, fx.rec.key_handle, fx.rec.key_handle_len);
		break;
	}
}

static void
field(struct cb *c, int k)
{
	cb_field(c, k, value);
}

/* The fixture as a record, fields from..to-1 only, in a map of npairs. */
static void
record_range(struct cb *c, uint64_t npairs, int from, int to)
{
	cb_map_range(c, npairs, from, to, value);
}

static void
record(struct cb *c)
{
	record_range(c, 5, 0, 5);
}

/* A record with field k's value replaced by whatever emit() writes. */
static void
record_with(struct cb *c, int k, void (*emit)(struct cb *))
{
	cb_map_with(c, 5, k, emit, value);
}

static void
assert_rec_equal(const struct rec *a, const struct rec *b)
{
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->application, b->application);
	assert_int_equal(a->user_id_len, b->user_id_len);
	assert_memory_equal(a->user_id, b->user_id, a->user_id_len);
	assert_int_equal(a->key_handle_len, b->key_handle_len);
	assert_memory_equal(a->key_handle, b->key_handle, a->key_handle_len);
}

/* Decode must return want; on failure leave *out NULL and leak nothing.
 * An accepted record must re-encode to exactly its bytes. */
static void
expect(const uint8_t *buf, size_t len, int want)
{
	struct rec *rec = (struct rec *)(uintptr_t)1;	/* must be reset */
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int r;

	r = rec_decode(buf, len, &rec);
	if (r != want)
		print_error("rec_decode of %zu bytes: %d (%s), wanted %d\n",
		    len, r, kh_strerror(r), want);
	assert_int_equal(r, want);
	if (want == KH_OK) {
		assert_non_null(rec);
		assert_int_equal(rec_encode(rec, &enc, &enc_len), KH_OK);
		assert_int_equal(enc_len, len);
		assert_memory_equal(enc, buf, len);
		free(enc);
		rec_free(&rec);
	}
	assert_null(rec);
}

static void
expect_cb(const struct cb *c, int want)
{
	expect(c->b, c->n, want);
}

/* Encode the fixture: exactly the bytes of record(), decoded back to the
 * same fields. */
static void
round_trip(void)
{
	struct cb c;
	struct rec *rec = NULL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len), KH_OK);
	record(&c);
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(rec_decode(enc, enc_len, &rec), KH_OK);
	assert_non_null(rec);
	assert_rec_equal(rec, &fx.rec);
	rec_free(&rec);
	assert_null(rec);
	free(enc);
}

static void
test_round_trip(void **state)
{
	(void)state;
	round_trip();
}

/* Field sizes at their bounds and at the CBOR head width steps. */
static void
test_round_trip_sizes(void **state)
{
	static const size_t app_lens[] = { 1, 23, 24, 255, 256 };
	static const size_t user_lens[] = { 0, 1, 23, 24, REC_USER_MAX };
	static const size_t kh_lens[] = { 1, 23, 24, 255, 256, KH_LEN, 1900 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(app_lens) / sizeof(app_lens[0]); i++) {
		memset(fx.app, 'a', app_lens[i]);
		fx.app[app_lens[i]] = '\0';
		round_trip();
	}
	setup(NULL);
	for (i = 0; i < sizeof(user_lens) / sizeof(user_lens[0]); i++) {
		memset(fx.rec.user_id, 'u', user_lens[i]);
		fx.rec.user_id_len = user_lens[i];
		round_trip();
	}
	setup(NULL);
	for (i = 0; i < sizeof(kh_lens) / sizeof(kh_lens[0]); i++) {
		fx.rec.key_handle_len = kh_lens[i];
		round_trip();
	}
}

/* The largest record: a key handle that brings it to REC_MAX_LEN. One
 * byte more and neither side accepts it. */
static void
test_max_len(void **state)
{
	struct cb c;
	uint8_t *enc = (uint8_t *)(uintptr_t)1;
	size_t enc_len = 1;

	(void)state;
	fx.rec.key_handle_len = 1;
	record(&c);
	/* Heads of 1 and 3 bytes: the 1-byte handle's head grows by 2. */
	fx.rec.key_handle_len = REC_MAX_LEN - c.n - 2 + 1;
	record(&c);
	assert_int_equal(c.n, REC_MAX_LEN);
	expect_cb(&c, KH_OK);
	round_trip();
	fx.rec.key_handle_len++;
	record(&c);
	assert_int_equal(c.n, REC_MAX_LEN + 1);
	expect_cb(&c, KH_ERR_MALFORMED);
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	assert_null(enc);
	assert_int_equal(enc_len, 0);
}

/* The user id is a byte string: any bytes but '/' and control characters
 * (zero padding at the end aside), invalid UTF-8 included. */
static void
test_user_id_any_bytes(void **state)
{
	static const uint8_t odd[] = {
		0xff, 0xfe, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00, 0x00
	};
	size_t i;

	(void)state;
	memcpy(fx.rec.user_id, odd, sizeof(odd));
	fx.rec.user_id_len = sizeof(odd);
	round_trip();
	for (i = 0; i < REC_USER_MAX; i++)
		fx.rec.user_id[i] = (uint8_t)(0xff - i);
	fx.rec.user_id_len = REC_USER_MAX;
	round_trip();
	memset(fx.rec.user_id, 0, REC_USER_MAX);
	round_trip();
}

/* The application: UTF-8 of 1 to 4 bytes a character is fine. */
static void
test_application_utf8(void **state)
{
	static const char *const good[] = {
		"ssh:", "ssh:\xc3\xa9t\xc3\xa9",	/* é */
		"ssh:\xe2\x82\xac",			/* € */
		"ssh:\xf0\x9f\x94\x91",			/* U+1F511 */
		"ssh:\xef\xbf\xbf\xf4\x8f\xbf\xbf",	/* U+FFFF, U+10FFFF */
		"\xc2\xa0",				/* U+00A0 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		strcpy(fx.app, good[i]);
		round_trip();
	}
}

/* Names that would turn into paths or terminal controls in ssh-keygen -K's
 * file names and messages: refused by the encoder and the decoder. */
static void
test_names_refused(void **state)
{
	static const char *const bad_app[] = {
		"ssh:../x", "ssh:a/b", "/", "ssh:\x1b[31mred", "ssh:\x7f",
		"ssh:\t", "ssh:\xc2\x9b" "31m",		/* CSI as U+009B */
	};
	static const char *const bad_user[] = {
		"../x", "a/b", "\x1b]0;title\x07", "a\nb", "\x7f",
	};
	static const uint8_t nul_inside[] = { 'a', 0x00, 'b' };
	uint8_t *enc = NULL;
	size_t i, enc_len = 0;
	struct cb c;

	(void)state;
	for (i = 0; i < sizeof(bad_app) / sizeof(bad_app[0]); i++) {
		strcpy(fx.app, bad_app[i]);
		assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
		    KH_ERR_MALFORMED);
		assert_null(enc);
		record(&c);
		expect_cb(&c, KH_ERR_MALFORMED);
		assert_non_null(rec_name_why((const uint8_t *)bad_app[i],
		    strlen(bad_app[i]), true));
	}
	strcpy(fx.app, "ssh:");
	for (i = 0; i < sizeof(bad_user) / sizeof(bad_user[0]); i++) {
		memcpy(fx.rec.user_id, bad_user[i], strlen(bad_user[i]));
		fx.rec.user_id_len = strlen(bad_user[i]);
		assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
		    KH_ERR_MALFORMED);
		record(&c);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	memcpy(fx.rec.user_id, nul_inside, sizeof(nul_inside));
	fx.rec.user_id_len = sizeof(nul_inside);
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len), KH_ERR_MALFORMED);
	fx.rec.user_id_len = 2;		/* "a", then padding */
	round_trip();
}

static void
test_new_free(void **state)
{
	static const struct rec zero;
	struct rec *rec;

	(void)state;
	assert_non_null(rec = rec_new());
	assert_memory_equal(rec, &zero, sizeof(zero));
	rec_free(&rec);
	assert_null(rec);
	rec_free(&rec);
	rec_free(NULL);
}

static void
test_empty_and_null(void **state)
{
	static const uint8_t one_map[] = { 0xa5 };
	struct cb c;

	(void)state;
	record(&c);
	expect(c.b, 0, KH_ERR_FOREIGN);
	expect(NULL, 0, KH_ERR_FOREIGN);
	expect(NULL, 10, KH_ERR_FOREIGN);
	expect(one_map, 1, KH_ERR_FOREIGN);
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
	record(&c);
	for (n = 1; n < c.n; n++)
		expect(c.b, n, n < MAGIC_END ? KH_ERR_FOREIGN :
		    KH_ERR_MALFORMED);
}

static void
test_trailing_and_oversized(void **state)
{
	struct cb c;
	size_t n;

	(void)state;
	record(&c);
	cb_byte(&c, 0x00);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Two records back to back. */
	record(&c);
	n = c.n;
	cb_raw(&c, c.b, n);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Padded past REC_MAX_LEN. */
	record(&c);
	while (c.n <= REC_MAX_LEN)
		cb_byte(&c, 0x00);
	expect_cb(&c, KH_ERR_MALFORMED);
}

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
		record_with(&c, 0, emit[i]);
		expect_cb(&c, KH_ERR_FOREIGN);
	}
	/* No key 0: the map starts at key 1. */
	record_range(&c, 4, 1, 5);
	expect_cb(&c, KH_ERR_FOREIGN);
	/* The magic under key 1. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 1);
	cb_text(&c, REC_MAGIC);
	expect_cb(&c, KH_ERR_FOREIGN);
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
	expect_cb(&c, KH_ERR_FOREIGN);
	record(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_ERR_FOREIGN);
	assert_null(kh);
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
		record_with(&c, 1, emit_version);
		expect_cb(&c, KH_ERR_VERSION);
	}
	record_with(&c, 1, emit_version_text);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Version 2 may look different in every other way. */
	c.n = 0;
	cb_head(&c, M_MAP, 2);
	field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_ARRAY, 3);
	expect_cb(&c, KH_ERR_VERSION);
	/* The encoder writes version 1 only. */
	{
		uint8_t *enc = NULL;
		size_t enc_len = 0;

		fx.rec.version = 2;
		assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
		    KH_ERR_VERSION);
		assert_null(enc);
	}
}

static void
test_pair_count(void **state)
{
	struct cb c;

	(void)state;
	/* 4 pairs: no key handle. */
	record_range(&c, 4, 0, 4);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* 6 pairs: an extra key 5. */
	record_range(&c, 6, 0, 5);
	cb_head(&c, M_UINT, 5);
	cb_head(&c, M_UINT, 0);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* The head says 6, 5 pairs follow. */
	record_range(&c, 6, 0, 5);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* The head says 4, 5 pairs follow. */
	record_range(&c, 4, 0, 5);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Only the header. */
	record_range(&c, 2, 0, 2);
	expect_cb(&c, KH_ERR_MALFORMED);
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
			field(&c, orders[i][k]);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* Keys as text, or negative. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	field(&c, 0);
	field(&c, 1);
	cb_text(&c, "2");
	value(&c, 2);
	field(&c, 3);
	field(&c, 4);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	for (k = 0; k < 4; k++)
		field(&c, k);
	cb_head(&c, M_NEG, 3);
	value(&c, 4);
	expect_cb(&c, KH_ERR_MALFORMED);
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
			record_with(&c, k, emit[i]);
			/* Any uint as the version is just another one. */
			want = k == 1 && emit[i] == cb_emit_uint ?
			    KH_ERR_VERSION : KH_ERR_MALFORMED;
			expect_cb(&c, want);
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
		record_with(&c, 2, emit_app);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* One byte over REC_APP_MAX. */
	memset(long_app, 'a', sizeof(long_app));
	app_value = long_app;
	app_value_len = REC_APP_MAX + 1;
	record_with(&c, 2, emit_app);
	expect_cb(&c, KH_ERR_MALFORMED);
	app_value_len = REC_APP_MAX;
	record_with(&c, 2, emit_app);
	expect_cb(&c, KH_OK);

	/* What the decoder refuses, the encoder does not write. */
	bad_rec = fx.rec;
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
	memset(fx.app, 'a', REC_APP_MAX + 1);
	fx.app[REC_APP_MAX + 1] = '\0';
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	fx.rec.application = NULL;
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	assert_null(enc);
}

static size_t blob_len;

static void
emit_blob(struct cb *c)
{
	cb_bytes(c, fx.kh, blob_len);
}

/* A user id of blob_len printable bytes. */
static void
emit_user(struct cb *c)
{
	uint8_t u[REC_USER_MAX + 1];

	memset(u, 'u', sizeof(u));
	cb_bytes(c, u, blob_len);
}

/* rec_handle_room is the arithmetic of the encoder: a handle of exactly
 * that many bytes encodes, one more does not, for application and user id
 * lengths on both sides of every CBOR head boundary. At the largest
 * application and user id, the decoder's KH_MAX_LEN does not fit. */
static void
test_handle_room(void **state)
{
	static const size_t app_lens[] = { 1, 23, 24, 255, REC_APP_MAX };
	static const size_t user_lens[] = { 0, 23, 24, REC_USER_MAX };
	static uint8_t kh[KH_MAX_LEN + 1];
	static char app[REC_APP_MAX + 1];
	struct rec rec;
	uint8_t *enc = NULL;
	size_t i, j, room, enc_len = 0;

	(void)state;
	memset(kh, 'k', sizeof(kh));
	for (i = 0; i < sizeof(app_lens) / sizeof(app_lens[0]); i++) {
		for (j = 0; j < sizeof(user_lens) / sizeof(user_lens[0]);
		    j++) {
			memset(&rec, 0, sizeof(rec));
			memset(app, 'a', app_lens[i]);
			app[app_lens[i]] = '\0';
			rec.version = REC_VERSION;
			rec.application = app;
			memset(rec.user_id, 'u', user_lens[j]);
			rec.user_id_len = user_lens[j];
			rec.key_handle = kh;
			room = rec_handle_room(app_lens[i], user_lens[j]);
			assert_true(room > 0 && room < KH_MAX_LEN);
			rec.key_handle_len = room;
			assert_int_equal(rec_encode(&rec, &enc, &enc_len),
			    KH_OK);
			assert_true(enc_len == REC_MAX_LEN ||
			    enc_len == REC_MAX_LEN - 1);
			free(enc);
			enc = NULL;
			rec.key_handle_len = room + 1;
			assert_int_equal(rec_encode(&rec, &enc, &enc_len),
			    KH_ERR_MALFORMED);
		}
	}
	assert_int_equal(rec_handle_room(REC_APP_MAX, REC_USER_MAX), 1703);
	assert_int_equal(rec_handle_room(0, 0), 0);
	assert_int_equal(rec_handle_room(REC_APP_MAX + 1, 0), 0);
	assert_int_equal(rec_handle_room(1, REC_USER_MAX + 1), 0);
}

/* kh_worst_len bounds every handle enrollment can make: a handle with
 * fields up to the bounds encodes to at most that many bytes, at every
 * PCR count and whatever PCRs. A key bound to no PCRs always fits a record
 * (so the check before the TPM can only refuse PCR-bound keys), at the
 * largest application and user id from 20 PCRs on, and with "ssh:" and no
 * user id never. */
static void
test_handle_worst(void **state)
{
	static uint8_t pub[KH_KEY_PUBLIC_BOUND], priv[KH_KEY_PRIVATE_BOUND],
	    srk[KH_PUBLIC_MAX];
	static const size_t pub_lens[] = { 90, KH_KEY_PUBLIC_BOUND };
	static const size_t priv_lens[] = { 126, KH_KEY_PRIVATE_BOUND };
	static const size_t srk_lens[] = { 90, 282, 536, KH_PUBLIC_MAX };
	size_t prev = 0, worst, len, a, b, c;
	uint8_t *enc;
	unsigned n, shift;
	struct kh kh;

	(void)state;
	for (n = 0; n <= 24; n++) {
		worst = kh_worst_len(n);
		assert_true(worst > prev && worst <= KH_MAX_LEN);
		prev = worst;
		for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
		for (c = 0; c < 4; c++)
		for (shift = 0; shift + n <= 24; shift += 24 - n + (n == 24)) {
			memset(&kh, 0, sizeof(kh));
			kh.version = n > 0 ? KH_VERSION_PCR : KH_VERSION;
			kh.flags = KH_FLAG_RESIDENT | (n > 0 ? KH_FLAG_PIN : 0);
			pub[0] = 0;
			pub[1] = (uint8_t)(pub_lens[a] - 2);
			priv[0] = (uint8_t)((priv_lens[b] - 2) >> 8);
			priv[1] = (uint8_t)(priv_lens[b] - 2);
			srk[0] = (uint8_t)((srk_lens[c] - 2) >> 8);
			srk[1] = (uint8_t)(srk_lens[c] - 2);
			kh.tpm_public = pub;
			kh.tpm_public_len = pub_lens[a];
			kh.tpm_private = priv;
			kh.tpm_private_len = priv_lens[b];
			kh.srk_public = srk;
			kh.srk_public_len = srk_lens[c];
			assert_int_equal(kh_srk_name(srk, srk_lens[c],
			    kh.srk_name), 0);
			if (n > 0) {
				kh.pcr_mask = ((1u << n) - 1) << shift;
				kh.pcr_values_len = 32 * (size_t)n;
				kh.policy = KH_POLICY_AUTH_VALUE;
			}
			enc = NULL;
			assert_int_equal(kh_encode(&kh, &enc, &len), KH_OK);
			assert_true(len <= worst);
			free(enc);
		}
	}
	assert_int_equal(kh_worst_len(25), 0);
	assert_int_equal(kh_worst_len(0), 1053);
	assert_true(kh_worst_len(0) <= rec_handle_room(REC_APP_MAX,
	    REC_USER_MAX));
	assert_true(kh_worst_len(19) <= rec_handle_room(REC_APP_MAX,
	    REC_USER_MAX));
	assert_true(kh_worst_len(20) > rec_handle_room(REC_APP_MAX,
	    REC_USER_MAX));
	assert_true(kh_worst_len(24) <= rec_handle_room(4, 0));
}

/* Under the TCG SRK (KH_SRK_TCG_PUBLIC_LEN), the bound enrollment checks
 * against the TPM's own NV index limit: it holds every handle made under
 * that SRK, is below the bound for any SRK, and on a chip with 1664-byte
 * indices (SLB9670) leaves room for every PCR count beside the largest
 * application and user id, while 640 bytes hold no such record. */
static void
test_handle_worst_tcg_srk(void **state)
{
	static uint8_t pub[KH_KEY_PUBLIC_BOUND], priv[KH_KEY_PRIVATE_BOUND],
	    srk[KH_SRK_TCG_PUBLIC_LEN];
	struct kh kh;
	uint8_t *enc;
	size_t len;
	unsigned n;

	(void)state;
	for (n = 0; n <= 24; n++) {
		assert_true(kh_worst_len_srk(n, KH_SRK_TCG_PUBLIC_LEN) <
		    kh_worst_len(n));
		memset(&kh, 0, sizeof(kh));
		kh.version = n > 0 ? KH_VERSION_PCR : KH_VERSION;
		kh.flags = KH_FLAG_RESIDENT | KH_FLAG_PIN;
		pub[1] = sizeof(pub) - 2;
		priv[0] = (uint8_t)((sizeof(priv) - 2) >> 8);
		priv[1] = (uint8_t)(sizeof(priv) - 2);
		srk[1] = sizeof(srk) - 2;
		kh.tpm_public = pub;
		kh.tpm_public_len = sizeof(pub);
		kh.tpm_private = priv;
		kh.tpm_private_len = sizeof(priv);
		kh.srk_public = srk;
		kh.srk_public_len = sizeof(srk);
		assert_int_equal(kh_srk_name(srk, sizeof(srk), kh.srk_name), 0);
		if (n > 0) {
			kh.pcr_mask = ((1u << n) - 1) << (24 - n);
			kh.pcr_values_len = 32 * (size_t)n;
			kh.policy = KH_POLICY_AUTH_VALUE;
		}
		enc = NULL;
		assert_int_equal(kh_encode(&kh, &enc, &len), KH_OK);
		assert_true(len <= kh_worst_len_srk(n, KH_SRK_TCG_PUBLIC_LEN));
		free(enc);
	}
	assert_int_equal(kh_worst_len_srk(0, KH_PUBLIC_MAX), kh_worst_len(0));
	assert_int_equal(kh_worst_len_srk(0, KH_PUBLIC_MAX + 1), 0);
	assert_true(kh_worst_len_srk(24, KH_SRK_TCG_PUBLIC_LEN) <=
	    rec_handle_room_in(REC_APP_MAX, REC_USER_MAX, 1664));
	assert_true(kh_worst_len_srk(0, KH_SRK_TCG_PUBLIC_LEN) >
	    rec_handle_room_in(REC_APP_MAX, REC_USER_MAX, 640));
	assert_int_equal(rec_handle_room_in(REC_APP_MAX, REC_USER_MAX, 4096),
	    rec_handle_room(REC_APP_MAX, REC_USER_MAX));
	assert_int_equal(rec_handle_room_in(4, 0, 20), 0);
}

static void
test_user_id_and_key_handle_length(void **state)
{
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	struct cb c;

	(void)state;
	blob_len = REC_USER_MAX + 1;
	record_with(&c, 3, emit_user);
	expect_cb(&c, KH_ERR_MALFORMED);
	blob_len = REC_USER_MAX;
	record_with(&c, 3, emit_user);
	expect_cb(&c, KH_OK);
	blob_len = 0;
	record_with(&c, 3, emit_user);
	expect_cb(&c, KH_OK);
	record_with(&c, 4, emit_blob);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A key handle over KH_MAX_LEN cannot fit in REC_MAX_LEN anyway. */
	blob_len = KH_MAX_LEN + 1;
	record_with(&c, 4, emit_blob);
	expect_cb(&c, KH_ERR_MALFORMED);

	fx.rec.user_id_len = REC_USER_MAX + 1;
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	setup(NULL);
	fx.rec.key_handle_len = 0;
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	fx.rec.key_handle_len = KH_MAX_LEN + 1;
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	fx.rec.key_handle_len = KH_LEN;
	fx.rec.key_handle = NULL;
	assert_int_equal(rec_encode(&fx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	assert_int_equal(rec_encode(NULL, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_null(enc);
	assert_int_equal(enc_len, 0);
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
			field(&c, k);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* Each key in turn. */
	for (k = 0; k < 5; k++) {
		int i;

		c.n = 0;
		cb_head(&c, M_MAP, 5);
		for (i = 0; i < 5; i++) {
			cb_head_w(&c, M_UINT, (uint64_t)i, i == k ? 1 : 0);
			value(&c, i);
		}
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* The magic's head, the version, each string head in turn. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 0);
	cb_head_w(&c, M_TEXT, sizeof(REC_MAGIC) - 1, 1);
	cb_raw(&c, REC_MAGIC, sizeof(REC_MAGIC) - 1);
	for (k = 1; k < 5; k++)
		field(&c, k);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head_w(&c, M_UINT, REC_VERSION, 1);
	for (k = 2; k < 5; k++)
		field(&c, k);
	expect_cb(&c, KH_ERR_MALFORMED);
	for (k = 2; k < 5; k++) {
		int i;

		record_range(&c, 5, 0, k);
		cb_head(&c, M_UINT, (uint64_t)k);
		if (k == 2) {
			cb_head_w(&c, M_TEXT, strlen(fx.app), 2);
			cb_raw(&c, fx.app, strlen(fx.app));
		} else if (k == 3) {
			cb_head_w(&c, M_BYTES, fx.rec.user_id_len, 1);
			cb_raw(&c, fx.rec.user_id, fx.rec.user_id_len);
		} else {
			cb_head_w(&c, M_BYTES, fx.rec.key_handle_len, 4);
			cb_raw(&c, fx.kh, fx.rec.key_handle_len);
		}
		for (i = k + 1; i < 5; i++)
			field(&c, i);
		expect_cb(&c, KH_ERR_MALFORMED);
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
	cb_bytes(c, fx.rec.user_id, 2);
	cb_bytes(c, fx.rec.user_id + 2, fx.rec.user_id_len - 2);
	cb_byte(c, 0xff);
}

static void
emit_indef_kh(struct cb *c)
{
	cb_byte(c, 0x5f);
	cb_bytes(c, fx.kh, 100);
	cb_bytes(c, fx.kh + 100, KH_LEN - 100);
	cb_byte(c, 0xff);
}

static void
test_indefinite(void **state)
{
	struct cb c;
	int k;

	(void)state;
	record_with(&c, 2, emit_indef_app);
	expect_cb(&c, KH_ERR_MALFORMED);
	record_with(&c, 3, emit_indef_user);
	expect_cb(&c, KH_ERR_MALFORMED);
	record_with(&c, 4, emit_indef_kh);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_byte(&c, 0xbf);
	for (k = 0; k < 5; k++)
		field(&c, k);
	cb_byte(&c, 0xff);
	expect_cb(&c, KH_ERR_MALFORMED);
}

static void
test_tags(void **state)
{
	struct cb c, inner;

	(void)state;
	/* Self-described CBOR around a valid record: ours, but not in the
	 * one encoding. */
	record(&inner);
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_raw(&c, inner.b, inner.n);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A tag on the magic. */
	c.n = 0;
	cb_head(&c, M_MAP, 5);
	cb_head(&c, M_UINT, 0);
	cb_head(&c, M_TAG, 32);
	value(&c, 0);
	cb_raw(&c, inner.b + MAGIC_END, inner.n - MAGIC_END);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A tag around something foreign stays foreign. */
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_head(&c, M_ARRAY, 0);
	expect_cb(&c, KH_ERR_FOREIGN);
}

/* Heads declaring huge sizes are refused without allocating for them. */
static void
test_huge_declarations(void **state)
{
	struct cb c;

	(void)state;
	c.n = 0;
	cb_head(&c, M_MAP, (uint64_t)1 << 28);
	field(&c, 0);
	field(&c, 1);
	expect_cb(&c, KH_ERR_MALFORMED);
	record_range(&c, 5, 0, 2);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_TEXT, (uint64_t)1 << 62);
	expect_cb(&c, KH_ERR_MALFORMED);
	record_range(&c, 5, 0, 4);
	cb_head(&c, M_UINT, 4);
	cb_head(&c, M_BYTES, (uint64_t)1 << 31);
	expect_cb(&c, KH_ERR_MALFORMED);
}

static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
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
	expect(buf, sizeof(buf), KH_ERR_FOREIGN);
	memset(buf, 0x00, sizeof(buf));
	expect(buf, sizeof(buf), KH_ERR_FOREIGN);
	for (i = 0; i < 2000; i++) {
		n = 1 + xorshift(&seed) % sizeof(buf);
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		expect(buf, n, KH_ERR_FOREIGN);
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
	fx.rec.key_handle_len = 40;
	record(&c);
	for (i = 0; i < c.n; i++) {
		for (bit = 0; bit < 8; bit++) {
			c.b[i] ^= (uint8_t)(1 << bit);
			rec = NULL;
			r = rec_decode(c.b, c.n, &rec);
			if (r == KH_OK) {
				assert_true(
				    strcmp(rec->application, fx.app) != 0 ||
				    rec->user_id_len != fx.rec.user_id_len ||
				    memcmp(rec->user_id, fx.rec.user_id,
				    rec->user_id_len) != 0 ||
				    rec->key_handle_len !=
				    fx.rec.key_handle_len ||
				    memcmp(rec->key_handle, fx.kh,
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

/* Fail each allocation of a decode and an encode in turn: reported as
 * such, nothing leaked (see the valgrind and ASan runs). */
static void
test_alloc_failures(void **state)
{
	struct cb c;
	struct rec *rec;
	uint8_t *enc;
	size_t enc_len;
	long n;
	int r, failures = 0;

	(void)state;
	record(&c);
	for (n = 0;; n++) {
		rec = NULL;
		alloc_fail_in = n;
		r = rec_decode(c.b, c.n, &rec);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(rec);
		failures++;
	}
	assert_rec_equal(rec, &fx.rec);
	rec_free(&rec);
	/* The struct, the application, the key handle. */
	assert_int_equal(failures, 3);
	for (n = 0;; n++) {
		enc = NULL;
		enc_len = 0;
		alloc_fail_in = n;
		r = rec_encode(&fx.rec, &enc, &enc_len);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(enc);
		assert_int_equal(enc_len, 0);
	}
	assert_int_equal(n, 1);
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	free(enc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, setup),
		cmocka_unit_test_setup(test_round_trip_sizes, setup),
		cmocka_unit_test_setup(test_max_len, setup),
		cmocka_unit_test(test_handle_room),
		cmocka_unit_test(test_handle_worst),
		cmocka_unit_test(test_handle_worst_tcg_srk),
		cmocka_unit_test_setup(test_user_id_any_bytes, setup),
		cmocka_unit_test_setup(test_application_utf8, setup),
		cmocka_unit_test_setup(test_names_refused, setup),
		cmocka_unit_test_setup(test_new_free, setup),
		cmocka_unit_test_setup(test_empty_and_null, setup),
		cmocka_unit_test_setup(test_truncated_everywhere, setup),
		cmocka_unit_test_setup(test_trailing_and_oversized, setup),
		cmocka_unit_test_setup(test_magic, setup),
		cmocka_unit_test_setup(test_other_format, setup),
		cmocka_unit_test_setup(test_version, setup),
		cmocka_unit_test_setup(test_pair_count, setup),
		cmocka_unit_test_setup(test_key_order, setup),
		cmocka_unit_test_setup(test_wrong_types, setup),
		cmocka_unit_test_setup(test_application, setup),
		cmocka_unit_test_setup(test_user_id_and_key_handle_length,
		    setup),
		cmocka_unit_test_setup(test_not_shortest, setup),
		cmocka_unit_test_setup(test_indefinite, setup),
		cmocka_unit_test_setup(test_tags, setup),
		cmocka_unit_test_setup(test_huge_declarations, setup),
		cmocka_unit_test_setup(test_foreign, setup),
		cmocka_unit_test_setup(test_bit_flips, setup),
		cmocka_unit_test_setup(test_alloc_failures, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
