/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tests' own CBOR writer (see cborgen.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cborgen.h"

void
cb_raw(struct cb *c, const void *p, size_t n)
{
	assert_true(c->n + n <= sizeof(c->b));
	if (n > 0)
		memcpy(c->b + c->n, p, n);
	c->n += n;
}

void
cb_byte(struct cb *c, uint8_t v)
{
	cb_raw(c, &v, 1);
}

void
cb_head_w(struct cb *c, int major, uint64_t v, int width)
{
	int ai, i;

	switch (width) {
	case 0:
		ai = (int)v;
		break;
	case 1:
		ai = 24;
		break;
	case 2:
		ai = 25;
		break;
	case 4:
		ai = 26;
		break;
	default:
		ai = 27;
		break;
	}
	cb_byte(c, (uint8_t)(major << 5 | ai));
	for (i = width - 1; i >= 0; i--)
		cb_byte(c, (uint8_t)(v >> (8 * i)));
}

void
cb_head(struct cb *c, int major, uint64_t v)
{
	if (v < 24)
		cb_head_w(c, major, v, 0);
	else if (v <= 0xff)
		cb_head_w(c, major, v, 1);
	else if (v <= 0xffff)
		cb_head_w(c, major, v, 2);
	else if (v <= 0xffffffff)
		cb_head_w(c, major, v, 4);
	else
		cb_head_w(c, major, v, 8);
}

void
cb_text(struct cb *c, const char *s)
{
	cb_head(c, M_TEXT, strlen(s));
	cb_raw(c, s, strlen(s));
}

void
cb_bytes(struct cb *c, const uint8_t *p, size_t n)
{
	cb_head(c, M_BYTES, n);
	cb_raw(c, p, n);
}

void
cb_field(struct cb *c, int k, cb_value_fn *value)
{
	cb_head(c, M_UINT, (uint64_t)k);
	value(c, k);
}

void
cb_map_range(struct cb *c, uint64_t npairs, int from, int to,
    cb_value_fn *value)
{
	int k;

	c->n = 0;
	cb_head(c, M_MAP, npairs);
	for (k = from; k < to; k++)
		cb_field(c, k, value);
}

void
cb_map_with(struct cb *c, int nkeys, int k, void (*emit)(struct cb *),
    cb_value_fn *value)
{
	int i;

	c->n = 0;
	cb_head(c, M_MAP, (uint64_t)nkeys);
	for (i = 0; i < nkeys; i++) {
		cb_head(c, M_UINT, (uint64_t)i);
		if (i == k)
			emit(c);
		else
			value(c, i);
	}
}

void
cb_emit_uint(struct cb *c)
{
	cb_head(c, M_UINT, 5);
}

void
cb_emit_negint(struct cb *c)
{
	cb_head(c, M_NEG, 0);
}

void
cb_emit_text(struct cb *c)
{
	cb_text(c, "abc");
}

void
cb_emit_bytes32(struct cb *c)
{
	static const uint8_t z[32];

	cb_bytes(c, z, sizeof(z));
}

void
cb_emit_array(struct cb *c)
{
	cb_head(c, M_ARRAY, 1);
	cb_head(c, M_UINT, 1);
}

void
cb_emit_map(struct cb *c)
{
	cb_head(c, M_MAP, 1);
	cb_head(c, M_UINT, 1);
	cb_head(c, M_UINT, 1);
}

void
cb_emit_float(struct cb *c)
{
	static const uint8_t f16_one[] = { 0xf9, 0x3c, 0x00 };

	cb_raw(c, f16_one, sizeof(f16_one));
}

void
cb_emit_double(struct cb *c)
{
	static const uint8_t f64_one[] = {
		0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0
	};

	cb_raw(c, f64_one, sizeof(f64_one));
}

void
cb_emit_null(struct cb *c)
{
	cb_byte(c, 0xf6);
}

void
cb_emit_true(struct cb *c)
{
	cb_byte(c, 0xf5);
}

void
cb_emit_break(struct cb *c)
{
	cb_byte(c, 0xff);
}

void
cb_emit_tagged_uint(struct cb *c)
{
	cb_head(c, M_TAG, 2);
	cb_head(c, M_UINT, 1);
}
