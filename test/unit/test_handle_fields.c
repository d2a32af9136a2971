/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key-handle decoder (sk/codec/handle.h) on a well-formed version 1 map with
 * one bad field: the magic misspelt, cut, of the wrong type or in chunks;
 * versions it does not know (or a version 1 layout under version 2);
 * unknown flag bits; every field given a value of every wrong CBOR type;
 * TPM2Bs whose size prefix disagrees with their length or that exceed
 * their bound; an SRK name or application hash of the wrong length or
 * algorithm.
 *
 * The handle is the shared fixture (codec-fixture.h), each field replaced
 * in turn through khfx_with(); the shape of the map itself is
 * test_handle_shape.c's, round trips are test_handle.c's.
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
		khfx_with(&c, 0, emit[i]);
		khfx_expect(&c, KH_ERR_FOREIGN);
	}
	/* Missing magic: the map starts at key 1. */
	khfx_range(&c, 7, 1, 8);
	khfx_expect(&c, KH_ERR_FOREIGN);
	/* The magic under another key. */
	c.n = 0;
	cb_head(&c, M_MAP, 8);
	cb_head(&c, M_UINT, 1);
	cb_text(&c, KH_MAGIC);
	khfx_expect(&c, KH_ERR_FOREIGN);
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
emit_version_4(struct cb *c)
{
	cb_head(c, M_UINT, 4);
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
	/* Versions 2 and 3 are known (the PCR binding and the Certify
	 * branch, test_handle_pcr.c, test_handle_v3.c): a version 1 layout
	 * under them is malformed; 4 is not known. */
	khfx_with(&c, 1, emit_version_2);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 1, emit_version_3);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 1, emit_version_4);
	khfx_expect(&c, KH_ERR_VERSION);
	khfx_with(&c, 1, emit_version_0);
	khfx_expect(&c, KH_ERR_VERSION);
	khfx_with(&c, 1, emit_version_big);
	khfx_expect(&c, KH_ERR_VERSION);
	khfx_with(&c, 1, emit_version_max);
	khfx_expect(&c, KH_ERR_VERSION);
	khfx_with(&c, 1, emit_text_1);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* A later format may differ in every other way: still "version". */
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	khfx_field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 4);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_ARRAY, 1);
	cb_head(&c, M_NEG, 6);
	khfx_expect(&c, KH_ERR_VERSION);
	/* And so is a longer one. */
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	khfx_field(&c, 0);
	cb_head(&c, M_UINT, 1);
	cb_head(&c, M_UINT, 4);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_BYTES, 3000);
	while (c.n < 3100)
		cb_byte(&c, 0xee);
	khfx_expect(&c, KH_ERR_VERSION);
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
		khfx_with(&c, 2, emit_bad_flags);
		khfx_expect(&c, KH_ERR_MALFORMED);
	}
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
			khfx_with(&c, k, emit[i]);
			/* A well-formed uint in the version slot is just an
			 * unknown version. */
			want = KH_ERR_MALFORMED;
			if (k == 1 && emit[i] == cb_emit_uint)
				want = KH_ERR_VERSION;
			khfx_expect(&c, want);
		}
	}
	/* Field 7 as a 32-byte text string rather than bytes. */
	c.n = 0;
	khfx_range(&c, 8, 0, 7);
	cb_head(&c, M_UINT, 7);
	cb_head(&c, M_TEXT, 32);
	cb_raw(&c, khfx.kh.app_hash, 32);
	khfx_expect(&c, KH_ERR_MALFORMED);
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
		khfx_with(&c, fields[i], emit_tpm2b);
		khfx_expect(&c, KH_ERR_MALFORMED);
		tpm2b_delta = -1;
		khfx_with(&c, fields[i], emit_tpm2b);
		khfx_expect(&c, KH_ERR_MALFORMED);
		tpm2b_delta = 256;
		khfx_with(&c, fields[i], emit_tpm2b);
		khfx_expect(&c, KH_ERR_MALFORMED);
		/* Too short to hold a size prefix. */
		tpm2b_delta = 0;
		tpm2b_len = 0;
		khfx_with(&c, fields[i], emit_tpm2b);
		khfx_expect(&c, KH_ERR_MALFORMED);
		tpm2b_len = 1;
		khfx_with(&c, fields[i], emit_tpm2b);
		khfx_expect(&c, KH_ERR_MALFORMED);
		/* One over the bound, prefix consistent. */
		tpm2b_len = max + 1;
		khfx_with(&c, fields[i], emit_tpm2b);
		assert_true(c.n <= KH_MAX_LEN);
		khfx_expect(&c, KH_ERR_MALFORMED);
		/* At the bound and consistent: fine (an SRK public area
		 * with its own name). */
		tpm2b_len = max;
		if (fields[i] == 6) {
			uint8_t buf[KH_PUBLIC_MAX];

			memset(buf, 0x5a, sizeof(buf));
			buf[0] = (uint8_t)((max - 2) >> 8);
			buf[1] = (uint8_t)(max - 2);
			assert_int_equal(kh_srk_name(buf, max,
			    khfx.kh.srk_name), 0);
		}
		khfx_with(&c, fields[i], emit_tpm2b);
		khfx_expect(&c, KH_OK);
	}
}

static void
emit_name_33(struct cb *c)
{
	cb_bytes(c, khfx.kh.srk_name, KH_NAME_LEN - 1);
}

static void
emit_name_35(struct cb *c)
{
	uint8_t n[KH_NAME_LEN + 1];

	memcpy(n, khfx.kh.srk_name, KH_NAME_LEN);
	n[KH_NAME_LEN] = 0;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_name_sha384(struct cb *c)
{
	uint8_t n[KH_NAME_LEN];

	memcpy(n, khfx.kh.srk_name, KH_NAME_LEN);
	n[1] = 0x0c;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_name_sha1(struct cb *c)
{
	uint8_t n[KH_NAME_LEN];

	memcpy(n, khfx.kh.srk_name, KH_NAME_LEN);
	n[1] = 0x04;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_name_hi(struct cb *c)
{
	uint8_t n[KH_NAME_LEN];

	memcpy(n, khfx.kh.srk_name, KH_NAME_LEN);
	n[0] = 0x01;
	cb_bytes(c, n, sizeof(n));
}

static void
emit_hash_31(struct cb *c)
{
	cb_bytes(c, khfx.kh.app_hash, KH_APP_HASH_LEN - 1);
}

static void
emit_hash_33(struct cb *c)
{
	uint8_t h[KH_APP_HASH_LEN + 1];

	memcpy(h, khfx.kh.app_hash, KH_APP_HASH_LEN);
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
	khfx_with(&c, 5, emit_name_33);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 5, emit_name_35);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 5, emit_name_sha384);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 5, emit_name_sha1);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 5, emit_name_hi);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 5, emit_empty_bytes);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 7, emit_hash_31);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 7, emit_hash_33);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_with(&c, 7, emit_empty_bytes);
	khfx_expect(&c, KH_ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_magic, khfx_setup),
		cmocka_unit_test_setup(test_version, khfx_setup),
		cmocka_unit_test_setup(test_flags, khfx_setup),
		cmocka_unit_test_setup(test_wrong_types, khfx_setup),
		cmocka_unit_test_setup(test_tpm2b, khfx_setup),
		cmocka_unit_test_setup(test_fixed_lengths, khfx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
