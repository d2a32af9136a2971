/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The certificates of one EK NV index (sk/codec/ek-der.c): padding after
 * the certificate, several certificates, the TCG 0x1001 header, and bytes
 * that hold none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ek-der.h"

/* A SEQUENCE of n content bytes at p, short or long form; its length. */
static size_t
seq(uint8_t *p, size_t n)
{
	size_t h;

	p[0] = 0x30;
	if (n < 0x80) {
		p[1] = (uint8_t)n;
		h = 2;
	} else {
		p[1] = 0x82;
		p[2] = (uint8_t)(n >> 8);
		p[3] = (uint8_t)n;
		h = 4;
	}
	memset(p + h, 0x5a, n);
	return h + n;
}

static void
test_padding(void **state)
{
	uint8_t buf[1200];
	struct ek_der d;
	size_t a;

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	a = seq(buf, 1012);		/* swtpm's RSA EK: 1016 bytes */
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.off[0], 0);
	assert_int_equal(d.len[0], a);
	assert_false(d.wrapped);
	memset(buf + a, 0x00, sizeof(buf) - a);
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.n, 1);
	/* exactly the certificate */
	assert_int_equal(ek_der_split(buf, a, &d), 0);
	assert_int_equal(d.len[0], a);
}

static void
test_several(void **state)
{
	uint8_t buf[2000];
	struct ek_der d;
	size_t a, b, c;

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	a = seq(buf, 900);
	b = seq(buf + a, 20);
	c = seq(buf + a + b, 600);
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.off[1], a);
	assert_int_equal(d.len[1], b);
	assert_int_equal(d.off[2], a + b);
	assert_int_equal(d.len[2], c);
	/* the third cut short: two */
	assert_int_equal(ek_der_split(buf, a + b + c - 1, &d), 0);
	assert_int_equal(d.n, 2);
}

static void
test_wrapped(void **state)
{
	uint8_t buf[1100];
	struct ek_der d;
	size_t a;

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	a = seq(buf + 5, 800);
	buf[0] = 0x10;
	buf[1] = 0x01;
	buf[2] = 0x00;
	buf[3] = (uint8_t)(a >> 8);
	buf[4] = (uint8_t)a;
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.n, 1);
	assert_true(d.wrapped);
	assert_int_equal(d.off[0], 5);
	assert_int_equal(d.len[0], a);
	/* the header's size beyond the bytes */
	buf[3] = 0x10;
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), -1);
	/* a header size that cuts the certificate */
	buf[3] = (uint8_t)((a - 1) >> 8);
	buf[4] = (uint8_t)(a - 1);
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), -1);
}

static void
test_none(void **state)
{
	static const uint8_t junk[] = { 0x31, 0x03, 1, 2, 3 };
	static const uint8_t long_len[] = { 0x30, 0x84, 0, 0, 0, 1, 0 };
	static const uint8_t indef[] = { 0x30, 0x80, 0, 0 };
	static const uint8_t cut[] = { 0x30, 0x82, 0x01 };
	uint8_t ff[64];
	struct ek_der d;

	(void)state;
	memset(ff, 0xff, sizeof(ff));
	assert_int_equal(ek_der_split(ff, sizeof(ff), &d), -1);
	assert_int_equal(ek_der_split(junk, sizeof(junk), &d), -1);
	assert_int_equal(ek_der_split(long_len, sizeof(long_len), &d), -1);
	assert_int_equal(ek_der_split(indef, sizeof(indef), &d), -1);
	assert_int_equal(ek_der_split(cut, sizeof(cut), &d), -1);
	assert_int_equal(ek_der_split(ff, 0, &d), -1);
	assert_int_equal(ek_der_split(ff, 1, &d), -1);
}

static void
test_many(void **state)
{
	uint8_t buf[4 * (EK_DER_MAX + 2)];
	struct ek_der d;
	size_t i;

	(void)state;
	for (i = 0; i < EK_DER_MAX + 2; i++)
		seq(buf + 4 * i, 2);
	assert_int_equal(ek_der_split(buf, sizeof(buf), &d), 0);
	assert_int_equal(d.n, EK_DER_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
