/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The strict CBOR writer (cbor-write.h; the rules in cbor-strict.h):
 * libcbor's encoders write every head in its shortest form, and an item
 * that does not fit marks the writer full instead of writing a part.
 */
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "cbor-write.h"

void
cwr_init(struct cbor_wr *w, uint8_t *buf, size_t len)
{
	w->buf = buf;
	w->len = len;
	w->off = 0;
	w->full = false;
}

static void
advance(struct cbor_wr *w, size_t n)
{
	if (n == 0)
		w->full = true;
	else
		w->off += n;
}

void
cwr_map(struct cbor_wr *w, size_t npairs)
{
	if (!w->full)
		advance(w, cbor_encode_map_start(npairs, w->buf + w->off,
		    w->len - w->off));
}

void
cwr_uint(struct cbor_wr *w, uint64_t v)
{
	if (!w->full)
		advance(w, cbor_encode_uint(v, w->buf + w->off,
		    w->len - w->off));
}

void
cwr_int(struct cbor_wr *w, int64_t v)
{
	if (v >= 0)
		cwr_uint(w, (uint64_t)v);
	else if (!w->full)
		/* -1 - v: from 0 (v = -1) to INT64_MAX (v = INT64_MIN) */
		advance(w, cbor_encode_negint((uint64_t)(-1 - v),
		    w->buf + w->off, w->len - w->off));
}

void
cwr_array(struct cbor_wr *w, size_t n)
{
	if (!w->full)
		advance(w, cbor_encode_array_start(n, w->buf + w->off,
		    w->len - w->off));
}

static void
put_raw(struct cbor_wr *w, const void *p, size_t n)
{
	if (w->full || n > w->len - w->off) {
		w->full = true;
		return;
	}
	if (n > 0)
		memcpy(w->buf + w->off, p, n);
	w->off += n;
}

void
cwr_text(struct cbor_wr *w, const char *s, size_t n)
{
	if (!w->full)
		advance(w, cbor_encode_string_start(n, w->buf + w->off,
		    w->len - w->off));
	put_raw(w, s, n);
}

void
cwr_bytes(struct cbor_wr *w, const uint8_t *p, size_t n)
{
	if (!w->full)
		advance(w, cbor_encode_bytestring_start(n, w->buf + w->off,
		    w->len - w->off));
	put_raw(w, p, n);
}

void
cwr_text_key(struct cbor_wr *w, const char *k)
{
	cwr_text(w, k, strlen(k));
}

void
cwr_header(struct cbor_wr *w, const struct crd_format *fmt)
{
	cwr_map(w, fmt->npairs);
	cwr_uint(w, 0);
	cwr_text(w, fmt->magic, strlen(fmt->magic));
	cwr_uint(w, 1);
	cwr_uint(w, fmt->version);
}

int
cwr_finish(struct cbor_wr *w, uint8_t **out, size_t *out_len)
{
	int r = KH_ERR_MALFORMED;

	*out = NULL;
	*out_len = 0;
	if (w->full)
		goto out;
	r = KH_ERR_NOMEM;
	if ((*out = malloc(w->off)) == NULL)
		goto out;
	memcpy(*out, w->buf, w->off);
	*out_len = w->off;
	r = KH_OK;
out:
	explicit_bzero(w->buf, w->len);
	return r;
}
