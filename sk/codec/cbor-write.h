/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The strict CBOR writer (the rules are in cbor-strict.h): appends
 * shortest-form CBOR to a fixed buffer; an overflow sticks in full and the
 * rest is ignored. The writer checks no contents: callers check text for
 * UTF-8 themselves, as the reader would refuse it.
 */
#ifndef SK_CBOR_WRITE_H
#define SK_CBOR_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

struct cbor_wr {
	uint8_t *buf;
	size_t len;
	size_t off;
	bool full;
};

void cwr_init(struct cbor_wr *, uint8_t *buf, size_t len);
void cwr_map(struct cbor_wr *, size_t npairs);
void cwr_uint(struct cbor_wr *, uint64_t);
/* Unsigned when v >= 0, else major type 1. */
void cwr_int(struct cbor_wr *, int64_t v);
void cwr_array(struct cbor_wr *, size_t n);
void cwr_text(struct cbor_wr *, const char *, size_t);
void cwr_bytes(struct cbor_wr *, const uint8_t *, size_t);
/* A text key: the NUL-terminated k as a text string. */
void cwr_text_key(struct cbor_wr *, const char *k);
/* The map head and the first two pairs of format fmt (codec.h). */
void cwr_header(struct cbor_wr *, const struct crd_format *);
/* What was written, as a malloc'ed copy in *out (the caller frees it):
 * KH_OK, KH_ERR_MALFORMED if it did not fit (the buffer is as long as the
 * format allows) or KH_ERR_NOMEM. Either way the buffer is wiped: our
 * formats carry key material. */
int cwr_finish(struct cbor_wr *, uint8_t **out, size_t *out_len);

#endif /* SK_CBOR_WRITE_H */
