/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The strict CBOR reader and writer under both codecs: every head width,
 * the shortest-form rule, the position left unchanged on refusal, UTF-8,
 * the writer's sticky overflow, and crd_open's classification on a small
 * format of its own. Inputs come from the tests' own writer (cborgen.h).
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

/* The head width steps of RFC 8949, each side of each. */
static const uint64_t steps[] = {
	0, 1, 23, 24, 255, 256, 65535, 65536, 0xffffffff,
	(uint64_t)1 << 32, UINT64_MAX
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
test_uint_widths(void **state)
{
	struct cbor_rd rd;
	struct cb c;
	uint64_t v;
	size_t i;
	int w;

	(void)state;
	for (i = 0; i < NSTEPS; i++) {
		c.n = 0;
		cb_head(&c, M_UINT, steps[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_uint(&rd, &v), 0);
		assert_true(v == steps[i]);
		assert_true(crd_at_end(&rd));
		/* Every wider form is refused where it stands. */
		for (w = 1; w <= 8; w *= 2) {
			if (w <= width_of(steps[i]))
				continue;
			c.n = 0;
			cb_head_w(&c, M_UINT, steps[i], w);
			crd_init(&rd, c.b, c.n);
			assert_int_equal(crd_uint(&rd, &v), -1);
			assert_int_equal(rd.off, 0);
		}
		/* Cut short: refused. */
		c.n = 0;
		cb_head(&c, M_UINT, steps[i]);
		if (c.n > 1) {
			crd_init(&rd, c.b, c.n - 1);
			assert_int_equal(crd_uint(&rd, &v), -1);
			assert_int_equal(rd.off, 0);
		}
	}
}

static void
test_key(void **state)
{
	struct cbor_rd rd;
	struct cb c;

	(void)state;
	c.n = 0;
	cb_head(&c, M_UINT, 3);
	cb_head(&c, M_UINT, 4);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_key(&rd, 4), -1);
	assert_int_equal(rd.off, 0);
	assert_int_equal(crd_key(&rd, 3), 0);
	assert_int_equal(crd_key(&rd, 4), 0);
	assert_true(crd_at_end(&rd));
	assert_int_equal(crd_key(&rd, 5), -1);
	assert_int_equal(rd.off, c.n);
}

static void
test_strings(void **state)
{
	static const uint8_t data[300] = { 1, 2, 3 };
	static const size_t lens[] = { 0, 1, 23, 24, 255, 256, 300 };
	struct cbor_rd rd;
	struct cb c;
	const uint8_t *p;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		c.n = 0;
		cb_bytes(&c, data, lens[i]);
		crd_init(&rd, c.b, c.n);
		/* Not a text string, not a map: position kept. */
		assert_int_equal(crd_text(&rd, &p, &len), -1);
		assert_int_equal(rd.off, 0);
		assert_int_equal(crd_bytes(&rd, &p, &len), 0);
		assert_int_equal(len, lens[i]);
		assert_ptr_equal(p, c.b + c.n - lens[i]);
		assert_true(crd_at_end(&rd));
		/* One byte missing from the contents. */
		if (lens[i] > 0) {
			crd_init(&rd, c.b, c.n - 1);
			assert_int_equal(crd_bytes(&rd, &p, &len), -1);
			assert_int_equal(rd.off, 0);
		}
		/* A head one width wider. */
		c.n = 0;
		cb_head_w(&c, M_TEXT, lens[i], width_of(lens[i]) == 0 ? 1 :
		    2 * width_of(lens[i]));
		cb_raw(&c, data, lens[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_text(&rd, &p, &len), -1);
		assert_int_equal(rd.off, 0);
	}
	/* Indefinite strings, whatever their chunks. */
	c.n = 0;
	cb_byte(&c, 0x5f);
	cb_bytes(&c, data, 3);
	cb_byte(&c, 0xff);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_bytes(&rd, &p, &len), -1);
	c.b[0] = 0x7f;
	c.b[1] = 0x63;
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_text(&rd, &p, &len), -1);
	assert_int_equal(rd.off, 0);
}

/* Text must be UTF-8; byte strings may be anything. */
static void
test_text_utf8(void **state)
{
	static const char *const good[] = {
		"", "a", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "ssh:\xc3\xa9"
	};
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41",
		"\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xe1\x80", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
		"\xfe", "\xff", "a\xff", "\xc3\xa9\xa9"
	};
	struct cbor_rd rd;
	struct cb c;
	const uint8_t *p;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(crd_utf8_valid((const uint8_t *)good[i],
		    strlen(good[i])));
		c.n = 0;
		cb_text(&c, good[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_text(&rd, &p, &len), 0);
		assert_int_equal(len, strlen(good[i]));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (crd_utf8_valid((const uint8_t *)bad[i], strlen(bad[i])))
			print_error("bad[%zu] passed as UTF-8\n", i);
		assert_false(crd_utf8_valid((const uint8_t *)bad[i],
		    strlen(bad[i])));
		c.n = 0;
		cb_text(&c, bad[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_text(&rd, &p, &len), -1);
		assert_int_equal(rd.off, 0);
		c.n = 0;
		cb_bytes(&c, (const uint8_t *)bad[i], strlen(bad[i]));
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_bytes(&rd, &p, &len), 0);
	}
	/* A NUL is valid UTF-8; the record refuses it on its own. */
	assert_true(crd_utf8_valid((const uint8_t *)"a\0b", 3));
}

static void
test_map(void **state)
{
	/* An array, -1, null, a half float, a break, a reserved byte, a
	 * tagged 0. */
	static const uint8_t other[][3] = {
		{ 0x80 }, { 0x20 }, { 0xf6 }, { 0xf9, 0x3c, 0x00 }, { 0xff },
		{ 0x1c }, { 0xc1, 0x00 }
	};
	struct cbor_rd rd;
	struct cb c;
	uint64_t n;
	size_t i;

	(void)state;
	for (i = 0; i < NSTEPS; i++) {
		c.n = 0;
		cb_head(&c, M_MAP, steps[i]);
		crd_init(&rd, c.b, c.n);
		assert_int_equal(crd_map(&rd, &n), 0);
		assert_true(n == steps[i]);
	}
	c.n = 0;
	cb_head_w(&c, M_MAP, 5, 1);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_map(&rd, &n), -1);
	c.n = 0;
	cb_byte(&c, 0xbf);
	crd_init(&rd, c.b, c.n);
	assert_int_equal(crd_map(&rd, &n), -1);
	/* None reads as anything. */
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		const uint8_t *p;
		size_t len;
		uint64_t v;

		crd_init(&rd, other[i], sizeof(other[i]));
		assert_int_equal(crd_map(&rd, &n), -1);
		assert_int_equal(crd_uint(&rd, &v), -1);
		assert_int_equal(crd_text(&rd, &p, &len), -1);
		assert_int_equal(crd_bytes(&rd, &p, &len), -1);
		assert_int_equal(rd.off, 0);
	}
	crd_init(&rd, c.b, 0);
	assert_int_equal(crd_map(&rd, &n), -1);
	assert_true(crd_at_end(&rd));
}

/* The writer: the reader's exact inverse, and full sticks at any size. */
static void
write_all(struct cbor_wr *w)
{
	static const uint8_t blob[300] = { 9 };

	cwr_map(w, 3);
	cwr_uint(w, 0);
	cwr_text(w, "t\xc3\xa9xt", 5);
	cwr_uint(w, 65536);
	cwr_bytes(w, blob, sizeof(blob));
	cwr_uint(w, UINT64_MAX);
	cwr_bytes(w, blob, 0);
}

static void
test_writer(void **state)
{
	uint8_t buf[512], small[512];
	struct cbor_wr w;
	struct cbor_rd rd;
	const uint8_t *p;
	uint64_t v;
	size_t len, n;

	(void)state;
	cwr_init(&w, buf, sizeof(buf));
	write_all(&w);
	assert_false(w.full);
	crd_init(&rd, buf, w.off);
	assert_int_equal(crd_map(&rd, &v), 0);
	assert_true(v == 3);
	assert_int_equal(crd_key(&rd, 0), 0);
	assert_int_equal(crd_text(&rd, &p, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "t\xc3\xa9xt", 5);
	assert_int_equal(crd_key(&rd, 65536), 0);
	assert_int_equal(crd_bytes(&rd, &p, &len), 0);
	assert_int_equal(len, 300);
	assert_int_equal(crd_uint(&rd, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(crd_bytes(&rd, &p, &len), 0);
	assert_int_equal(len, 0);
	assert_true(crd_at_end(&rd));
	/* Every smaller buffer: full, never written past. */
	for (n = 0; n < w.off; n++) {
		struct cbor_wr s;

		memset(small, 0xee, sizeof(small));
		cwr_init(&s, small, n);
		write_all(&s);
		assert_true(s.full);
		assert_true(s.off <= n);
		assert_int_equal(small[n], 0xee);
		assert_memory_equal(small, buf, s.off);
	}
}

/* cwr_finish: a copy of what fits, nothing of what does not; the buffer
 * wiped either way. */
static void
test_finish(void **state)
{
	static const uint8_t zero[512];
	uint8_t buf[512], *out = (uint8_t *)(uintptr_t)1, *copy;
	struct cbor_wr w;
	size_t out_len = 1, len;

	(void)state;
	cwr_init(&w, buf, 10);
	write_all(&w);
	assert_true(w.full);
	assert_int_equal(cwr_finish(&w, &out, &out_len), KH_ERR_MALFORMED);
	assert_null(out);
	assert_int_equal(out_len, 0);
	assert_memory_equal(buf, zero, 10);
	cwr_init(&w, buf, sizeof(buf));
	write_all(&w);
	len = w.off;
	assert_non_null(copy = malloc(len));
	memcpy(copy, buf, len);
	assert_int_equal(cwr_finish(&w, &out, &out_len), KH_OK);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, copy, len);
	assert_memory_equal(buf, zero, sizeof(buf));
	free(out);
	free(copy);
}

/* crd_open on a format of its own, so the rules are seen apart from the
 * codecs: map of 3 pairs, magic "fmt", version 4, at most 64 bytes. */
static const struct crd_format fmt = {
	.magic = "fmt", .version = 4, .npairs = 3, .max_len = 64,
};

static int
open_cb(const struct cb *c)
{
	struct cbor_rd rd;
	const char *why = NULL;
	int r;

	r = crd_open(&rd, c->b, c->n, &fmt, &why);
	if (r != KH_OK)
		assert_non_null(why);
	return r;
}

static void
header(struct cb *c, uint64_t npairs, uint64_t version)
{
	c->n = 0;
	cb_head(c, M_MAP, npairs);
	cb_head(c, M_UINT, 0);
	cb_text(c, "fmt");
	cb_head(c, M_UINT, 1);
	cb_head(c, M_UINT, version);
}

static void
test_open(void **state)
{
	struct cbor_rd rd;
	struct cb c;
	const char *why;
	size_t n;

	(void)state;
	header(&c, 3, 4);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_UINT, 7);
	assert_int_equal(crd_open(&rd, c.b, c.n, &fmt, &why), KH_OK);
	assert_int_equal(crd_key(&rd, 2), 0);
	/* Cut before the magic is complete: foreign; after: malformed. */
	for (n = 0; n < c.n - 2; n++) {
		struct cb cut = c;

		cut.n = n;
		assert_int_equal(open_cb(&cut), n < 6 ? KH_ERR_FOREIGN :
		    KH_ERR_MALFORMED);
	}
	header(&c, 3, 5);
	assert_int_equal(open_cb(&c), KH_ERR_VERSION);
	header(&c, 2, 4);
	assert_int_equal(open_cb(&c), KH_ERR_MALFORMED);
	header(&c, 3, 4);
	while (c.n <= fmt.max_len)
		cb_byte(&c, 0);
	assert_int_equal(open_cb(&c), KH_ERR_MALFORMED);
	/* Looks no further than max_len for the magic: with room for five
	 * bytes, the magic is cut short. */
	{
		struct crd_format tiny = fmt;

		tiny.max_len = 5;
		header(&c, 3, 4);
		assert_int_equal(crd_open(&rd, c.b, c.n, &tiny, &why),
		    KH_ERR_FOREIGN);
		tiny.max_len = 6;
		assert_int_equal(crd_open(&rd, c.b, c.n, &tiny, &why),
		    KH_ERR_MALFORMED);
	}
	/* Tags and wide heads around the magic: ours, but malformed. */
	c.n = 0;
	cb_head(&c, M_TAG, 55799);
	cb_head(&c, M_MAP, 3);
	cb_head(&c, M_UINT, 0);
	cb_text(&c, "fmt");
	assert_int_equal(open_cb(&c), KH_ERR_MALFORMED);
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	cb_head_w(&c, M_UINT, 0, 8);
	cb_text(&c, "fmt");
	assert_int_equal(open_cb(&c), KH_ERR_MALFORMED);
	c.n = 0;
	cb_byte(&c, 0xbf);
	cb_head(&c, M_UINT, 0);
	cb_text(&c, "fmt");
	assert_int_equal(open_cb(&c), KH_ERR_MALFORMED);
	/* A version of the right value in a wide head is malformed; of
	 * another value, another version whatever its head. */
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	cb_head(&c, M_UINT, 0);
	cb_text(&c, "fmt");
	cb_head(&c, M_UINT, 1);
	cb_head_w(&c, M_UINT, 4, 2);
	assert_int_equal(open_cb(&c), KH_ERR_MALFORMED);
	c.b[c.n - 1] = 5;
	assert_int_equal(open_cb(&c), KH_ERR_VERSION);
	/* Others' shapes. */
	c.n = 0;
	cb_head(&c, M_ARRAY, 2);
	cb_head(&c, M_UINT, 0);
	cb_text(&c, "fmt");
	assert_int_equal(open_cb(&c), KH_ERR_FOREIGN);
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	cb_text(&c, "fmt");
	assert_int_equal(open_cb(&c), KH_ERR_FOREIGN);
	c.n = 0;
	cb_head(&c, M_MAP, 3);
	cb_head(&c, M_UINT, 0);
	cb_text(&c, "fmu");
	assert_int_equal(open_cb(&c), KH_ERR_FOREIGN);
	assert_int_equal(crd_open(&rd, NULL, 5, &fmt, &why), KH_ERR_FOREIGN);
}

/* The writer's header is what crd_open reads. */
static void
test_header_round_trip(void **state)
{
	uint8_t buf[64];
	struct cbor_wr w;
	struct cbor_rd rd;
	struct cb c;
	const char *why;

	(void)state;
	cwr_init(&w, buf, sizeof(buf));
	cwr_header(&w, &fmt);
	cwr_uint(&w, 2);
	cwr_uint(&w, 0);
	assert_false(w.full);
	header(&c, 3, 4);
	cb_head(&c, M_UINT, 2);
	cb_head(&c, M_UINT, 0);
	assert_int_equal(w.off, c.n);
	assert_memory_equal(buf, c.b, c.n);
	assert_int_equal(crd_open(&rd, buf, w.off, &fmt, &why), KH_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uint_widths),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_text_utf8),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_header_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
