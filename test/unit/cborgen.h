/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A CBOR writer for the unit tests, written apart from sk/codec/cbor-strict so
 * that the codecs' output is checked against an independent rendering of
 * their formats. It writes any head in any width, so tests can build the
 * shapes the encoders never produce and the decoders must refuse.
 */
#ifndef TEST_CBORGEN_H
#define TEST_CBORGEN_H

#include <stddef.h>
#include <stdint.h>

/* CBOR major types. */
#define M_UINT	0
#define M_NEG	1
#define M_BYTES	2
#define M_TEXT	3
#define M_ARRAY	4
#define M_MAP	5
#define M_TAG	6
#define M_SIMPLE 7

struct cb {
	uint8_t b[8192];
	size_t n;
};

void cb_raw(struct cb *, const void *, size_t);
void cb_byte(struct cb *, uint8_t);
/* A head with its argument in exactly width extra bytes (0: inline). */
void cb_head_w(struct cb *, int major, uint64_t v, int width);
/* A head in its shortest form. */
void cb_head(struct cb *, int major, uint64_t v);
void cb_text(struct cb *, const char *);
void cb_bytes(struct cb *, const uint8_t *, size_t);

/*
 * Maps with the keys 0, 1, ... of our formats, each test writing the
 * values of its own format with a value(c, k) callback. All three start
 * the buffer afresh.
 */
typedef void cb_value_fn(struct cb *, int k);
/* Key k and value(c, k). */
void cb_field(struct cb *, int k, cb_value_fn *value);
/* A map head of npairs, then the fields from..to-1. */
void cb_map_range(struct cb *, uint64_t npairs, int from, int to,
    cb_value_fn *value);
/* A map of nkeys fields whose k-th value is whatever emit() writes. */
void cb_map_with(struct cb *, int nkeys, int k, void (*emit)(struct cb *),
    cb_value_fn *value);

/* One value of each kind, to put where a format wants another. */
void cb_emit_uint(struct cb *);		/* 5 */
void cb_emit_negint(struct cb *);	/* -1 */
void cb_emit_text(struct cb *);		/* "abc" */
void cb_emit_bytes32(struct cb *);	/* 32 zero bytes */
void cb_emit_array(struct cb *);	/* [1] */
void cb_emit_map(struct cb *);		/* {1: 1} */
void cb_emit_float(struct cb *);	/* 1.0, half precision */
void cb_emit_double(struct cb *);	/* 1.0, double precision */
void cb_emit_null(struct cb *);
void cb_emit_true(struct cb *);
void cb_emit_break(struct cb *);	/* a lone 0xff */
void cb_emit_tagged_uint(struct cb *);	/* tag 2 on 1 */

#endif /* TEST_CBORGEN_H */
