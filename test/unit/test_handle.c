/*
 * The key-handle codec: round trips and every way the decoder must say no.
 *
 * Malformed handles are written here by hand with the tests' own CBOR
 * writer (cborgen.h) rather than with kh_encode(), so that the encoder's
 * output is checked against an independent rendering of the format in
 * handle.h and the decoder sees shapes the encoder can never produce.
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

/* Sizes like those of a real P-256 key under the standard SRK. */
#define PUB_LEN		90
#define PRIV_LEN	128
#define SRKPUB_LEN	122

struct fixture {
	uint8_t pub[KH_PUBLIC_MAX];
	uint8_t priv[KH_PRIVATE_MAX];
	uint8_t srkpub[KH_PUBLIC_MAX];
	struct kh kh;		/* borrows the arrays above */
};

static struct fixture fx;

/* The value of field k as the fixture has it. */
static void
value(struct cb *c, int k)
{
	switch (k) {
	case 0:
		cb_text(c, KH_MAGIC);
		break;
	case 1:
		cb_head(c, M_UINT, fx.kh.version);
		break;
	case 2:
		cb_head(c, M_UINT, fx.kh.flags);
		break;
	case 3:
		cb_bytes(c, fx.kh.tpm_public, fx.kh.tpm_public_len);
		break;
	case 4:
		cb_bytes(c, fx.kh.tpm_private, fx.kh.tpm_private_len);
		break;
	case 5:
		cb_bytes(c, fx.kh.srk_name, KH_NAME_LEN);
		break;
	case 6:
		cb_bytes(c, fx.kh.srk_public, fx.kh.srk_public_len);
		break;
	default:
		cb_bytes(c, fx.kh.app_hash, KH_APP_HASH_LEN);
		break;
	}
}

static void
field(struct cb *c, int k)
{
	cb_field(c, k, value);
}

/* The fixture as a handle, fields from..to-1 only, in a map of npairs. */
static void
handle_range(struct cb *c, uint64_t npairs, int from, int to)
{
	cb_map_range(c, npairs, from, to, value);
}

static void
handle(struct cb *c)
{
	handle_range(c, 8, 0, 8);
}

/* A handle with field k's value replaced by whatever emit() writes. */
static void
handle_with(struct cb *c, int k, void (*emit)(struct cb *))
{
	cb_map_with(c, 8, k, emit, value);
}

/* A TPM2B of total length len with its size prefix and a filler. */
static void
fill_tpm2b(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	p[0] = (uint8_t)((len - 2) >> 8);
	p[1] = (uint8_t)(len - 2);
	for (i = 2; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* The SRK name the decoder insists on: the one of fx.srkpub. */
static void
name_srkpub(void)
{
	assert_int_equal(kh_srk_name(fx.kh.srk_public, fx.kh.srk_public_len,
	    fx.kh.srk_name), 0);
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fill_tpm2b(fx.pub, PUB_LEN, 0x11);
	fill_tpm2b(fx.priv, PRIV_LEN, 0x22);
	fill_tpm2b(fx.srkpub, SRKPUB_LEN, 0x33);
	fx.kh.version = KH_VERSION;
	fx.kh.flags = KH_FLAG_PRESENCE | KH_FLAG_PIN;
	fx.kh.tpm_public = fx.pub;
	fx.kh.tpm_public_len = PUB_LEN;
	fx.kh.tpm_private = fx.priv;
	fx.kh.tpm_private_len = PRIV_LEN;
	fx.kh.srk_public = fx.srkpub;
	fx.kh.srk_public_len = SRKPUB_LEN;
	name_srkpub();
	for (i = 0; i < KH_APP_HASH_LEN; i++)
		fx.kh.app_hash[i] = (uint8_t)(0x50 + i);
	return 0;
}

static void
assert_kh_equal(const struct kh *a, const struct kh *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->tpm_public_len, b->tpm_public_len);
	assert_memory_equal(a->tpm_public, b->tpm_public, a->tpm_public_len);
	assert_int_equal(a->tpm_private_len, b->tpm_private_len);
	assert_memory_equal(a->tpm_private, b->tpm_private,
	    a->tpm_private_len);
	assert_memory_equal(a->srk_name, b->srk_name, KH_NAME_LEN);
	assert_int_equal(a->srk_public_len, b->srk_public_len);
	assert_memory_equal(a->srk_public, b->srk_public, a->srk_public_len);
	assert_memory_equal(a->app_hash, b->app_hash, KH_APP_HASH_LEN);
}

/* Decode must return want; on failure leave *out NULL and leak nothing. */
static void
expect(const uint8_t *buf, size_t len, int want)
{
	struct kh *kh = (struct kh *)(uintptr_t)1;	/* must be reset */
	int r;

	r = kh_decode(buf, len, &kh);
	if (r != want)
		print_error("kh_decode of %zu bytes: %d (%s), wanted %d\n",
		    len, r, kh_strerror(r), want);
	assert_int_equal(r, want);
	if (want == KH_OK) {
		assert_non_null(kh);
		kh_free(&kh);
	}
	assert_null(kh);
}

static void
expect_cb(const struct cb *c, int want)
{
	expect(c->b, c->n, want);
}

static void
test_round_trip(void **state)
{
	struct cb c;
	struct kh *kh = NULL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	(void)state;
	assert_int_equal(kh_encode(&fx.kh, &enc, &enc_len), KH_OK);
	/* Exactly the bytes the format in handle.h describes. */
	handle(&c);
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(kh_decode(enc, enc_len, &kh), KH_OK);
	assert_non_null(kh);
	assert_kh_equal(kh, &fx.kh);
	kh_free(&kh);
	assert_null(kh);
	free(enc);
}

static void
test_round_trip_flags_and_sizes(void **state)
{
	static const uint32_t flags[] = {
		0, KH_FLAG_PRESENCE, KH_FLAG_PIN, KH_FLAG_RESIDENT,
		KH_FLAG_SRK_PERSISTENT, KH_FLAGS_KNOWN
	};
	/* Public and private lengths at their bounds; together they stay
	 * under KH_MAX_LEN. */
	static const size_t sizes[][3] = {
		{ 2, 2, 2 },
		{ KH_PUBLIC_MAX, 2, 2 },
		{ 2, KH_PRIVATE_MAX, 2 },
		{ 2, 2, KH_PUBLIC_MAX },
		{ 23 + 2, 24 + 2, 255 + 2 },	/* CBOR head width steps */
		{ KH_PUBLIC_MAX, KH_PRIVATE_MAX, 200 },
	};
	struct kh *kh;
	uint8_t *enc;
	size_t i, enc_len;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		fx.kh.flags = flags[i];
		enc = NULL;
		kh = NULL;
		assert_int_equal(kh_encode(&fx.kh, &enc, &enc_len), KH_OK);
		assert_int_equal(kh_decode(enc, enc_len, &kh), KH_OK);
		assert_kh_equal(kh, &fx.kh);
		kh_free(&kh);
		free(enc);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill_tpm2b(fx.pub, sizes[i][0], 1);
		fill_tpm2b(fx.priv, sizes[i][1], 2);
		fill_tpm2b(fx.srkpub, sizes[i][2], 3);
		fx.kh.tpm_public_len = sizes[i][0];
		fx.kh.tpm_private_len = sizes[i][1];
		fx.kh.srk_public_len = sizes[i][2];
		name_srkpub();
		enc = NULL;
		kh = NULL;
		assert_int_equal(kh_encode(&fx.kh, &enc, &enc_len), KH_OK);
		assert_true(enc_len <= KH_MAX_LEN);
		assert_int_equal(kh_decode(enc, enc_len, &kh), KH_OK);
		assert_kh_equal(kh, &fx.kh);
		kh_free(&kh);
		free(enc);
	}
}

static void
test_new_free_strerror(void **state)
{
	static const struct kh zero;
	struct kh *kh;

	(void)state;
	assert_non_null(kh = kh_new());
	assert_memory_equal(kh, &zero, sizeof(zero));
	kh_free(&kh);
	assert_null(kh);
	kh_free(&kh);
	kh_free(NULL);
	assert_string_equal(kh_strerror(KH_ERR_FOREIGN),
	    "not an sk-tpm key handle");
	assert_string_equal(kh_strerror(KH_ERR_VERSION),
	    "sk-tpm key handle of an unsupported format version");
	assert_string_equal(kh_strerror(KH_ERR_MALFORMED),
	    "malformed sk-tpm key handle");
	assert_string_equal(kh_strerror(KH_ERR_NOMEM), "out of memory");
	assert_non_null(kh_strerror(12345));
	assert_non_null(kh_strerror(KH_OK));
}

static void
test_empty_and_null(void **state)
{
	static const uint8_t one_map[] = { 0xa8 };
	static const uint8_t one_uint[] = { 0x00 };
	struct cb c;

	(void)state;
	handle(&c);
	expect(c.b, 0, KH_ERR_FOREIGN);
	expect(NULL, 0, KH_ERR_FOREIGN);
	expect(NULL, 10, KH_ERR_FOREIGN);
	expect(one_map, 1, KH_ERR_FOREIGN);
	expect(one_uint, 1, KH_ERR_FOREIGN);
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
	handle(&c);
	for (n = 1; n < c.n; n++)
		expect(c.b, n, n < 9 ? KH_ERR_FOREIGN : KH_ERR_MALFORMED);
}

static void
test_trailing_and_oversized(void **state)
{
	struct cb c;
	size_t n;

	(void)state;
	handle(&c);
	cb_byte(&c, 0x00);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A second complete handle after the first. */
	handle(&c);
	n = c.n;
	cb_raw(&c, c.b, n);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Over KH_MAX_LEN: refused on length before anything else. */
	handle(&c);
	while (c.n <= KH_MAX_LEN)
		cb_byte(&c, 0x00);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A well-formed map that is just too long, with every field at
	 * its own bound: the encoder refuses to write it too. */
	fill_tpm2b(fx.pub, KH_PUBLIC_MAX, 1);
	fill_tpm2b(fx.priv, KH_PRIVATE_MAX, 2);
	fill_tpm2b(fx.srkpub, KH_PUBLIC_MAX, 3);
	fx.kh.tpm_public_len = KH_PUBLIC_MAX;
	fx.kh.tpm_private_len = KH_PRIVATE_MAX;
	fx.kh.srk_public_len = KH_PUBLIC_MAX;
	name_srkpub();
	handle(&c);
	assert_true(c.n > KH_MAX_LEN);
	expect_cb(&c, KH_ERR_MALFORMED);
	{
		uint8_t *enc = (uint8_t *)(uintptr_t)1;
		size_t enc_len = 1;

		assert_int_equal(kh_encode(&fx.kh, &enc, &enc_len),
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
	expect(brk, sizeof(brk), KH_ERR_FOREIGN);
	expect(reserved, sizeof(reserved), KH_ERR_FOREIGN);
	expect(text_only, sizeof(text_only), KH_ERR_FOREIGN);
	expect(ascii, sizeof(ascii) - 1, KH_ERR_FOREIGN);
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
		field(&c, k);
	expect_cb(&c, KH_ERR_FOREIGN);
	c.n = 0;
	cb_head(&c, M_ARRAY, 8);
	for (k = 0; k < 8; k++)
		value(&c, k);
	expect_cb(&c, KH_ERR_FOREIGN);
}

static void
test_pair_count(void **state)
{
	struct cb c;

	(void)state;
	/* 7 pairs: app hash missing. */
	handle_range(&c, 7, 0, 7);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* 9 pairs: an extra key 8 after a complete handle. */
	handle_range(&c, 9, 0, 8);
	cb_head(&c, M_UINT, 8);
	cb_head(&c, M_UINT, 0);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* The head says 9 but only 8 pairs follow. */
	handle_range(&c, 9, 0, 8);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* The head says 7 but 8 pairs follow (the 8th is trailing). */
	handle_range(&c, 7, 0, 8);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Empty map. */
	handle_range(&c, 0, 0, 0);
	expect_cb(&c, KH_ERR_FOREIGN);
}

static void
emit_magic_typo(struct cb *c)
{
	cb_text(c, "sk-tpn");
}

static void
emit_magic_upper(struct cb *c)
{
	cb_text(c, "SK-TPM");
}

static void
emit_magic_nul(struct cb *c)
{
	cb_head(c, M_TEXT, 7);
	cb_raw(c, "sk-tpm", 7);
}

static void
emit_magic_prefix(struct cb *c)
{
	cb_text(c, "sk-tp");
}

static void
emit_magic_bytes(struct cb *c)
{
	cb_bytes(c, (const uint8_t *)"sk-tpm", 6);
}

static void
emit_magic_indef(struct cb *c)
{
	cb_byte(c, 0x7f);
	cb_text(c, "sk-tpm");
	cb_byte(c, 0xff);
}

static void
test_magic(void **state)
{
	void (*emit[])(struct cb *) = {
		emit_magic_typo, emit_magic_upper, emit_magic_nul,
		emit_magic_prefix, emit_magic_bytes, emit_magic_indef
	};
	struct cb c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(emit) / sizeof(emit[0]); i++) {
		handle_with(&c, 0, emit[i]);
		expect_cb(&c, KH_ERR_FOREIGN);
	}
	/* Missing magic: the map starts at key 1. */
	handle_range(&c, 7, 1, 8);
	expect_cb(&c, KH_ERR_FOREIGN);
	/* The magic under another key. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 1);
	cb_text(&c, KH_MAGIC);
	expect_cb(&c, KH_ERR_FOREIGN);
}

static void
emit_version_2(struct cb *c)
{
	cb_head(c, M_UINT, 2);
}

static void
emit_version_3(struct cb *c)
{
	cb_head(c, M_UINT, 3);
}

static void
emit_version_0(struct cb *c)
{
	cb_head(c, M_UINT, 0);
}

static void
emit_version_big(struct cb *c)
{
	cb_head(c, M_UINT, (uint64_t)1 << 32 | KH_VERSION);
}

static void
emit_version_max(struct cb *c)
{
	cb_head(c, M_UINT, UINT64_MAX);
}

static void
emit_text_1(struct cb *c)
{
	cb_text(c, "1");
}

static void
test_version(void **state)
{
	struct cb c;

	(void)state;
	/* Version 2 is known (the PCR binding, test_handle_pcr.c): a
	 * version 1 layout under it is malformed. */
	handle_with(&c, 1, emit_version_2);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 1, emit_version_3);
	expect_cb(&c, KH_ERR_VERSION);
	handle_with(&c, 1, emit_version_0);
	expect_cb(&c, KH_ERR_VERSION);
	handle_with(&c, 1, emit_version_big);
	expect_cb(&c, KH_ERR_VERSION);
	handle_with(&c, 1, emit_version_max);
	expect_cb(&c, KH_ERR_VERSION);
	handle_with(&c, 1, emit_text_1);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A later format may differ in every other way: still "version". */
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 3);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_ARRAY, 1);
	cb_head(&c, M_NEG, 6);
	expect_cb(&c, KH_ERR_VERSION);
	/* And so is a longer one. */
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 3);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_BYTES, 3000);
	while (c.n < 3100)
		cb_byte(&c, 0xee);
	expect_cb(&c, KH_ERR_VERSION);
}

static uint64_t bad_flags;

static void
emit_bad_flags(struct cb *c)
{
	cb_head(c, M_UINT, bad_flags);
}

static void
test_flags(void **state)
{
	static const uint64_t bad[] = {
		0x02, 0x08, 0x10, 0x40, 0x80, 0x200, 0x80000000,
		KH_FLAGS_KNOWN | 0x02, (uint64_t)1 << 32,
		(uint64_t)1 << 32 | KH_FLAG_PIN, UINT64_MAX
	};
	struct cb c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bad_flags = bad[i];
		handle_with(&c, 2, emit_bad_flags);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
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
			field(&c, orders[i][k]);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* Keys as text rather than uints. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	field(&c, 0);
	field(&c, 1);
	cb_text(&c, "2");
	value(&c, 2);
	for (k = 3; k < 8; k++)
		field(&c, k);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A negative key. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	for (k = 0; k < 7; k++)
		field(&c, k);
	cb_head(&c, M_NEG, 6);
	value(&c, 7);
	expect_cb(&c, KH_ERR_MALFORMED);
}

static void
test_wrong_types(void **state)
{
	void (*emit[])(struct cb *) = {
		cb_emit_uint, cb_emit_negint, cb_emit_text, cb_emit_bytes32,
		cb_emit_array, cb_emit_map, cb_emit_float, cb_emit_double,
		cb_emit_null, cb_emit_true, cb_emit_break, cb_emit_tagged_uint
	};
	struct cb c;
	size_t i;
	int k, want;

	(void)state;
	for (k = 1; k < 8; k++) {
		for (i = 0; i < sizeof(emit) / sizeof(emit[0]); i++) {
			/* The right type in the right place is no error. */
			if (k <= 2 && emit[i] == cb_emit_uint)
				continue;
			if (k == 7 && emit[i] == cb_emit_bytes32)
				continue;
			handle_with(&c, k, emit[i]);
			/* A well-formed uint in the version slot is just an
			 * unknown version. */
			want = KH_ERR_MALFORMED;
			if (k == 1 && emit[i] == cb_emit_uint)
				want = KH_ERR_VERSION;
			expect_cb(&c, want);
		}
	}
	/* Field 7 as a 32-byte text string rather than bytes. */
	c.n = 0;
	handle_range(&c, 8, 0, 7);
	cb_head(&c, M_UINT, 7);
	cb_head(&c, M_TEXT, 32);
	cb_raw(&c, fx.kh.app_hash, 32);
	expect_cb(&c, KH_ERR_MALFORMED);
}

static void
emit_indef_public(struct cb *c)
{
	/* The same bytes in two chunks. */
	cb_byte(c, 0x5f);
	cb_bytes(c, fx.kh.tpm_public, 10);
	cb_bytes(c, fx.kh.tpm_public + 10, fx.kh.tpm_public_len - 10);
	cb_byte(c, 0xff);
}

static void
test_indefinite(void **state)
{
	struct cb c;
	int k;

	(void)state;
	handle_with(&c, 3, emit_indef_public);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* An indefinite-length map with the eight pairs and a break. */
	c.n = 0;
	cb_byte(&c, 0xbf);
	for (k = 0; k < 8; k++)
		field(&c, k);
	cb_byte(&c, 0xff);
	expect_cb(&c, KH_ERR_MALFORMED);
}

static size_t tpm2b_len;
static int tpm2b_delta;

static void
emit_tpm2b(struct cb *c)
{
	uint8_t buf[KH_PRIVATE_MAX + 16];

	memset(buf, 0x5a, sizeof(buf));
	if (tpm2b_len >= 2) {
		buf[0] = (uint8_t)((tpm2b_len - 2 + tpm2b_delta) >> 8);
		buf[1] = (uint8_t)(tpm2b_len - 2 + tpm2b_delta);
	}
	cb_bytes(c, buf, tpm2b_len);
}

static void
test_tpm2b(void **state)
{
	static const int fields[] = { 3, 4, 6 };
	struct cb c;
	size_t i, max;

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		max = fields[i] == 4 ? KH_PRIVATE_MAX : KH_PUBLIC_MAX;
		/* Size prefix off by one either way, or 256 (other byte). */
		tpm2b_len = 60;
		tpm2b_delta = 1;
		handle_with(&c, fields[i], emit_tpm2b);
		expect_cb(&c, KH_ERR_MALFORMED);
		tpm2b_delta = -1;
		handle_with(&c, fields[i], emit_tpm2b);
		expect_cb(&c, KH_ERR_MALFORMED);
		tpm2b_delta = 256;
		handle_with(&c, fields[i], emit_tpm2b);
		expect_cb(&c, KH_ERR_MALFORMED);
		/* Too short to hold a size prefix. */
		tpm2b_delta = 0;
		tpm2b_len = 0;
		handle_with(&c, fields[i], emit_tpm2b);
		expect_cb(&c, KH_ERR_MALFORMED);
		tpm2b_len = 1;
		handle_with(&c, fields[i], emit_tpm2b);
		expect_cb(&c, KH_ERR_MALFORMED);
		/* One over the bound, prefix consistent. */
		tpm2b_len = max + 1;
		handle_with(&c, fields[i], emit_tpm2b);
		assert_true(c.n <= KH_MAX_LEN);
		expect_cb(&c, KH_ERR_MALFORMED);
		/* At the bound and consistent: fine (an SRK public area
		 * with its own name). */
		tpm2b_len = max;
		if (fields[i] == 6) {
			uint8_t buf[KH_PUBLIC_MAX];

			memset(buf, 0x5a, sizeof(buf));
			buf[0] = (uint8_t)((max - 2) >> 8);
			buf[1] = (uint8_t)(max - 2);
			assert_int_equal(kh_srk_name(buf, max,
			    fx.kh.srk_name), 0);
		}
		handle_with(&c, fields[i], emit_tpm2b);
		expect_cb(&c, KH_OK);
	}
}

static void
emit_name_33(struct cb *c)
{
	cb_bytes(c, fx.kh.srk_name, KH_NAME_LEN - 1);
}

static void
emit_name_35(struct cb *c)
{
	uint8_t n[KH_NAME_LEN + 1];

	memcpy(n, fx.kh.srk_name, KH_NAME_LEN);
	n[KH_NAME_LEN] = 0;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_name_sha384(struct cb *c)
{
	uint8_t n[KH_NAME_LEN];

	memcpy(n, fx.kh.srk_name, KH_NAME_LEN);
	n[1] = 0x0c;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_name_sha1(struct cb *c)
{
	uint8_t n[KH_NAME_LEN];

	memcpy(n, fx.kh.srk_name, KH_NAME_LEN);
	n[1] = 0x04;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_name_hi(struct cb *c)
{
	uint8_t n[KH_NAME_LEN];

	memcpy(n, fx.kh.srk_name, KH_NAME_LEN);
	n[0] = 0x01;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_hash_31(struct cb *c)
{
	cb_bytes(c, fx.kh.app_hash, KH_APP_HASH_LEN - 1);
}

static void
emit_hash_33(struct cb *c)
{
	uint8_t h[KH_APP_HASH_LEN + 1];

	memcpy(h, fx.kh.app_hash, KH_APP_HASH_LEN);
	h[KH_APP_HASH_LEN] = 0;
	cb_bytes(c, h, sizeof(h));
}

static void
emit_empty_bytes(struct cb *c)
{
	cb_bytes(c, NULL, 0);
}

static void
test_fixed_lengths(void **state)
{
	struct cb c;

	(void)state;
	handle_with(&c, 5, emit_name_33);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 5, emit_name_35);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 5, emit_name_sha384);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 5, emit_name_sha1);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 5, emit_name_hi);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 5, emit_empty_bytes);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 7, emit_hash_31);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 7, emit_hash_33);
	expect_cb(&c, KH_ERR_MALFORMED);
	handle_with(&c, 7, emit_empty_bytes);
	expect_cb(&c, KH_ERR_MALFORMED);
}

static void
test_tags(void **state)
{
	struct cb c, inner;

	(void)state;
	/* Self-described CBOR (tag 55799) around a valid handle. */
	handle(&inner);
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_raw(&c, inner.b, inner.n);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* Two tags. */
	c.n = 0;
	cb_head(&c, M_TAG, 24);
	cb_head(&c, M_TAG, 55799);
	cb_raw(&c, inner.b, inner.n);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A tag on key 0 or on the magic. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_TAG, 1);
	field(&c, 0);
	cb_raw(&c, inner.b + 9, inner.n - 9);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 0);
	cb_head(&c, M_TAG, 1);
	value(&c, 0);
	cb_raw(&c, inner.b + 9, inner.n - 9);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A tag on a key later on. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	field(&c, 0);
	field(&c, 1);
	cb_head(&c, M_TAG, 1);
	field(&c, 2);
	field(&c, 3);
	field(&c, 4);
	field(&c, 5);
	field(&c, 6);
	field(&c, 7);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A tag around something foreign stays foreign. */
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_head(&c, M_ARRAY, 0);
	expect_cb(&c, KH_ERR_FOREIGN);
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
			field(&c, k);
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* Each key in turn, one byte wider. */
	for (k = 0; k < 8; k++) {
		int i;

		c.n = 0;
		cb_head(&c, M_MAP, 8);
		for (i = 0; i < 8; i++) {
			cb_head_w(&c, M_UINT, (uint64_t)i, i == k ? 1 : 0);
			value(&c, i);
		}
		expect_cb(&c, KH_ERR_MALFORMED);
	}
	/* The magic's text head, version, flags, a byte string head. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 0);
	cb_head_w(&c, M_TEXT, 6, 1);
	cb_raw(&c, KH_MAGIC, 6);
	for (k = 1; k < 8; k++)
		field(&c, k);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head_w(&c, M_UINT, KH_VERSION, 4);
	for (k = 2; k < 8; k++)
		field(&c, k);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	field(&c, 0);
	field(&c, 1);
	cb_head(&c, M_UINT, 2);
	cb_head_w(&c, M_UINT, fx.kh.flags, 2);
	for (k = 3; k < 8; k++)
		field(&c, k);
	expect_cb(&c, KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	for (k = 0; k < 7; k++)
		field(&c, k);
	cb_head(&c, M_UINT, 7);
	cb_head_w(&c, M_BYTES, KH_APP_HASH_LEN, 2);
	cb_raw(&c, fx.kh.app_hash, KH_APP_HASH_LEN);
	expect_cb(&c, KH_ERR_MALFORMED);
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
	field(&c, 0);
	field(&c, 1);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* ... and 2^60 pairs. */
	c.n = 0;
	cb_head(&c, M_MAP, (uint64_t)1 << 60);
	field(&c, 0);
	field(&c, 1);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A valid start, then arrays of 2^24 nested as deep as 2 KiB allows. */
	handle_range(&c, 8, 0, 3);
	cb_head(&c, M_UINT, 3);
	while (c.n + 5 <= KH_MAX_LEN)
		cb_head(&c, M_ARRAY, (uint64_t)1 << 24);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* A byte string declaring 2^62 bytes. */
	handle_range(&c, 8, 0, 3);
	cb_head(&c, M_UINT, 3);
	cb_head(&c, M_BYTES, (uint64_t)1 << 62);
	expect_cb(&c, KH_ERR_MALFORMED);
	/* 2 KiB of nested one-element arrays: foreign, no recursion. */
	c.n = 0;
	for (i = 0; i < KH_MAX_LEN - 1; i++)
		cb_head(&c, M_ARRAY, 1);
	cb_head(&c, M_UINT, 0);
	expect_cb(&c, KH_ERR_FOREIGN);
}

/* A small deterministic generator, so failures reproduce. */
static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
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
			buf[j] = (uint8_t)xorshift(&seed);
		expect(buf, n, KH_ERR_FOREIGN);
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
	expect_cb(&c, KH_ERR_FOREIGN);
	c.n = 0;
	cb_head(&c, M_MAP, 2);
	cb_text(&c, "type");
	cb_text(&c, "public-key");
	cb_text(&c, "id");
	cb_bytes(&c, coord, sizeof(coord));
	expect_cb(&c, KH_ERR_FOREIGN);
	/* A map whose key 0 holds something other than the magic. */
	c.n = 0;
	cb_head(&c, M_MAP, 2);
	cb_head(&c, M_UINT, 0);
	cb_bytes(&c, coord, sizeof(coord));
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 1);
	expect_cb(&c, KH_ERR_FOREIGN);
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
	handle(&c);
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
				    fx.kh.tpm_public, kh->tpm_public_len) ||
				    memcmp(kh->tpm_private, fx.kh.tpm_private,
				    kh->tpm_private_len) ||
				    memcmp(kh->srk_name, fx.kh.srk_name,
				    KH_NAME_LEN) ||
				    memcmp(kh->srk_public, fx.kh.srk_public,
				    kh->srk_public_len) ||
				    memcmp(kh->app_hash, fx.kh.app_hash,
				    KH_APP_HASH_LEN) ||
				    kh->flags != fx.kh.flags);
				kh_free(&kh);
			} else
				assert_null(kh);
			c.b[i] ^= (uint8_t)(1 << bit);
		}
	}
}

/* A handle that kept its SRK name but carries another SRK public area (an
 * attacker's point) is refused as altered, by the decoder and the encoder;
 * so is one whose name changed under an unchanged public area. */
static void
test_srk_name_binding(void **state)
{
	struct cb c;
	struct kh *kh = (struct kh *)(uintptr_t)1, bad;
	uint8_t *enc = NULL, other[SRKPUB_LEN];
	size_t enc_len = 0;

	(void)state;
	memcpy(other, fx.srkpub, SRKPUB_LEN);
	other[SRKPUB_LEN - 1] ^= 0x01;		/* the last byte of Y */
	bad = fx.kh;
	bad.srk_public = other;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_ALTERED);
	assert_null(enc);
	fx.kh.srk_public = other;
	handle(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_ERR_ALTERED);
	assert_null(kh);
	fx.kh.srk_public = fx.srkpub;
	fx.kh.srk_name[KH_NAME_LEN - 1] ^= 0x80;
	handle(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_ERR_ALTERED);
	assert_null(kh);
	assert_non_null(strstr(kh_strerror(KH_ERR_ALTERED), "altered"));
	fx.kh.srk_name[KH_NAME_LEN - 1] ^= 0x80;
	handle(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_OK);
	kh_free(&kh);
}

static void
test_encode_refuses(void **state)
{
	struct kh bad;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	(void)state;
	bad = fx.kh;
	bad.version = 3;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_VERSION);
	assert_null(enc);
	/* Version 2 without a binding, or version 1 with one. */
	bad = fx.kh;
	bad.version = KH_VERSION_PCR;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = fx.kh;
	bad.pcr_mask = 1u << 7;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_null(enc);
	bad = fx.kh;
	bad.flags |= 0x02;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = fx.kh;
	bad.tpm_public = NULL;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = fx.kh;
	bad.tpm_private_len--;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = fx.kh;
	bad.srk_public_len = KH_PUBLIC_MAX + 1;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = fx.kh;
	bad.srk_name[1] = 0x0c;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_int_equal(kh_encode(NULL, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_null(enc);
	assert_int_equal(enc_len, 0);
}

/* Fail the first, second, ... allocation of a decode and an encode until
 * one succeeds: each failure is reported as such, nothing leaks. */
static void
test_alloc_failures(void **state)
{
	struct cb c;
	struct kh *kh;
	uint8_t *enc;
	size_t enc_len;
	long n;
	int r, failures = 0;

	(void)state;
	handle(&c);
	for (n = 0;; n++) {
		kh = NULL;
		alloc_fail_in = n;
		r = kh_decode(c.b, c.n, &kh);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(kh);
		failures++;
	}
	assert_kh_equal(kh, &fx.kh);
	kh_free(&kh);
	/* kh_new and three byte strings at least. */
	assert_true(failures >= 4);
	for (n = 0;; n++) {
		enc = NULL;
		enc_len = 0;
		alloc_fail_in = n;
		r = kh_encode(&fx.kh, &enc, &enc_len);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(enc);
		assert_int_equal(enc_len, 0);
	}
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	free(enc);
	assert_true(n >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, setup),
		cmocka_unit_test_setup(test_round_trip_flags_and_sizes, setup),
		cmocka_unit_test_setup(test_new_free_strerror, setup),
		cmocka_unit_test_setup(test_empty_and_null, setup),
		cmocka_unit_test_setup(test_truncated_everywhere, setup),
		cmocka_unit_test_setup(test_trailing_and_oversized, setup),
		cmocka_unit_test_setup(test_not_cbor, setup),
		cmocka_unit_test_setup(test_array_instead_of_map, setup),
		cmocka_unit_test_setup(test_pair_count, setup),
		cmocka_unit_test_setup(test_magic, setup),
		cmocka_unit_test_setup(test_version, setup),
		cmocka_unit_test_setup(test_flags, setup),
		cmocka_unit_test_setup(test_key_order, setup),
		cmocka_unit_test_setup(test_wrong_types, setup),
		cmocka_unit_test_setup(test_indefinite, setup),
		cmocka_unit_test_setup(test_tpm2b, setup),
		cmocka_unit_test_setup(test_fixed_lengths, setup),
		cmocka_unit_test_setup(test_tags, setup),
		cmocka_unit_test_setup(test_not_shortest, setup),
		cmocka_unit_test_setup(test_huge_declarations, setup),
		cmocka_unit_test_setup(test_foreign_random, setup),
		cmocka_unit_test_setup(test_foreign_cbor, setup),
		cmocka_unit_test_setup(test_bit_flips, setup),
		cmocka_unit_test_setup(test_srk_name_binding, setup),
		cmocka_unit_test_setup(test_encode_refuses, setup),
		cmocka_unit_test_setup(test_alloc_failures, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
