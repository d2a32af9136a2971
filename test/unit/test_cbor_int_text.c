/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the strict CBOR reader and writer gained for WebAuthn's
 * attestation statement: negative integers (crd_int, cwr_int), text keys
 * (crd_text_key, cwr_text_key) and definite arrays (crd_array,
 * cwr_array), at every head width, in shortest form only, the position
 * left unchanged on refusal. Inputs come from the tests' own writer
 * (cborgen.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cbor-strict.h"
#include "cborgen.h"
#include "handle.h"

/* Arguments at each side of each head width of RFC 8949. */
static const uint64_t steps[] = {
	0, 1, 6, 23, 24, 255, 256, 65535, 65536, 0xffffffff,
	(uint64_t)1 << 32, (uint64_t)INT64_MAX
};
#define NSTEPS	(sizeof(steps) / sizeof(steps[0]))

static int
width_of(uint64_t v)
{
	if (v < 24)
		return 0;
	if (v <= 0xff)
		return 1;
	if (v <= 0xffff)
		return 2;
	if (v <= 0xffffffff)
		return 4;
	return 8;
}

static void
test_negint(void **state)
{
	struct cbor_rd rd;
	struct cb c;
	uint64_t u;
	int64_t v;
	size_t i;
	int w;

	(void)state;
	for (i = 0; i < NSTEPS; i++) {
		c.n = 0;
		cb_head(&c, M_NEG, steps[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_int(&rd, &v), 0);
		assert_true(v == -1 - (int64_t)steps[i]);
		assert_true(crd_at_end(&rd));
		/* not a uint */
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_uint(&rd, &u), -1);
		assert_int_equal(rd.off, 0);
		/* wider forms refused where they stand */
		for (w = 1; w <= 8; w *= 2) {
			if (w <= width_of(steps[i]))
				continue;
			c.n = 0;
			cb_head_w(&c, M_NEG, steps[i], w);
			crd_init(&rd, c.b, c.n);
			assert_int_equal(crd_int(&rd, &v), -1);
			assert_int_equal(rd.off, 0);
		}
		/* the unsigned one of the same argument */
		c.n = 0;
		cb_head(&c, M_UINT, steps[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_int(&rd, &v), 0);
		assert_true(v == (int64_t)steps[i]);
	}
	/* beyond int64_t both ways: refused */
	c.n = 0;
	cb_head(&c, M_NEG, (uint64_t)INT64_MAX + 1);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_int(&rd, &v), -1);
	assert_int_equal(rd.off, 0);
	c.n = 0;
	cb_head(&c, M_UINT, UINT64_MAX);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_int(&rd, &v), -1);
	/* anything else: refused */
	c.n = 0;
	cb_text(&c, "-7");
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_int(&rd, &v), -1);
	assert_int_equal(rd.off, 0);
}

static void
test_write_int(void **state)
{
	static const int64_t vals[] = { -7, -1, 0, 7, -24, -25, -256, -257,
	    -65537, INT64_MIN, INT64_MAX };
	uint8_t buf[16];
	struct cbor_wr w;
	struct cbor_rd rd;
	struct cb c;
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		cwr_init(&w, buf, sizeof(buf));
		cwr_int(&w, vals[i]);
		assert_false(w.full);
		c.n = 0;
		if (vals[i] < 0)
			cb_head(&c, M_NEG, (uint64_t)(-1 - vals[i]));
		else
			cb_head(&c, M_UINT, (uint64_t)vals[i]);
		assert_int_equal(w.off, c.n);
		assert_memory_equal(buf, c.b, c.n);
		crd_init(&rd, buf, w.off);
		assert_int_equal(crd_int(&rd, &v), 0);
		assert_true(v == vals[i]);
	}
	/* COSE ES256, as WebAuthn writes it */
	cwr_init(&w, buf, sizeof(buf));
	cwr_int(&w, -7);
	assert_int_equal(w.off, 1);
	assert_int_equal(buf[0], 0x26);
	/* no room: full, nothing half written */
	cwr_init(&w, buf, 4);
	cwr_int(&w, INT64_MIN);
	assert_true(w.full);
	assert_int_equal(w.off, 0);
}

static void
test_text_key(void **state)
{
	uint8_t buf[32];
	struct cbor_wr w;
	struct cbor_rd rd;
	struct cb c;

	(void)state;
	c.n = 0;
	cb_text(&c, "alg");
	cwr_init(&w, buf, sizeof(buf));
	cwr_text_key(&w, "alg");
	assert_int_equal(w.off, c.n);
	assert_memory_equal(buf, c.b, c.n);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_text_key(&rd, "al"), -1);
	assert_int_equal(rd.off, 0);
	assert_int_equal(crd_text_key(&rd, "algo"), -1);
	assert_int_equal(crd_text_key(&rd, "sig"), -1);
	assert_int_equal(rd.off, 0);
	assert_int_equal(crd_text_key(&rd, "alg"), 0);
	assert_true(crd_at_end(&rd));
	/* the same bytes as a byte string, or a uint key: not a text key */
	c.n = 0;
	cb_bytes(&c, (const uint8_t *)"alg", 3);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_text_key(&rd, "alg"), -1);
	c.n = 0;
	cb_head(&c, M_UINT, 3);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_text_key(&rd, "alg"), -1);
	/* a long head for a short key */
	c.n = 0;
	cb_head_w(&c, M_TEXT, 3, 1);
	cb_raw(&c, "alg", 3);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_text_key(&rd, "alg"), -1);
	assert_int_equal(rd.off, 0);
}

static void
test_array(void **state)
{
	uint8_t buf[16];
	struct cbor_wr w;
	struct cbor_rd rd;
	struct cb c;
	uint64_t n;
	size_t i;
	int wd;

	(void)state;
	for (i = 0; i < NSTEPS; i++) {
		c.n = 0;
		cb_head(&c, M_ARRAY, steps[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_array(&rd, &n), 0);
		assert_true(n == steps[i]);
		for (wd = 1; wd <= 8; wd *= 2) {
			if (wd <= width_of(steps[i]))
				continue;
			c.n = 0;
			cb_head_w(&c, M_ARRAY, steps[i], wd);
			crd_init(&rd, c.b, c.n);
			assert_int_equal(crd_array(&rd, &n), -1);
			assert_int_equal(rd.off, 0);
		}
		if (steps[i] > SIZE_MAX)
			continue;
		c.n = 0;
		cb_head(&c, M_ARRAY, steps[i]);
		cwr_init(&w, buf, sizeof(buf));
		cwr_array(&w, (size_t)steps[i]);
		assert_int_equal(w.off, c.n);
		assert_memory_equal(buf, c.b, c.n);
	}
	/* an indefinite array, a map: not an array */
	c.n = 0;
	cb_byte(&c, 0x9f);
	cb_head(&c, M_UINT, 1);
	cb_byte(&c, 0xff);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_array(&rd, &n), -1);
	assert_int_equal(rd.off, 0);
	c.n = 0;
	cb_head(&c, M_MAP, 1);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_array(&rd, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negint),
		cmocka_unit_test(test_write_int),
		cmocka_unit_test(test_text_key),
		cmocka_unit_test(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
