/*
 * Strict CBOR reading and writing (see cbor-strict.h).
 */
#include <string.h>

#include <cbor.h>

#include "cbor-strict.h"

enum kind {
	K_OTHER,	/* anything our formats never use */
	K_UINT,
	K_BYTES,	/* definite byte string */
	K_TEXT,		/* definite text string */
	K_MAP		/* definite map head */
};

struct item {
	enum kind kind;
	uint64_t value;		/* uint value, string length, map size */
	const uint8_t *data;
};

static void
on_uint8(void *ctx, uint8_t v)
{
	((struct item *)ctx)->kind = K_UINT;
	((struct item *)ctx)->value = v;
}

static void
on_uint16(void *ctx, uint16_t v)
{
	((struct item *)ctx)->kind = K_UINT;
	((struct item *)ctx)->value = v;
}

static void
on_uint32(void *ctx, uint32_t v)
{
	((struct item *)ctx)->kind = K_UINT;
	((struct item *)ctx)->value = v;
}

static void
on_uint64(void *ctx, uint64_t v)
{
	((struct item *)ctx)->kind = K_UINT;
	((struct item *)ctx)->value = v;
}

static void
on_bytes(void *ctx, cbor_data data, size_t len)
{
	((struct item *)ctx)->kind = K_BYTES;
	((struct item *)ctx)->value = len;
	((struct item *)ctx)->data = data;
}

static void
on_text(void *ctx, cbor_data data, size_t len)
{
	((struct item *)ctx)->kind = K_TEXT;
	((struct item *)ctx)->value = len;
	((struct item *)ctx)->data = data;
}

static void
on_map(void *ctx, size_t size)
{
	((struct item *)ctx)->kind = K_MAP;
	((struct item *)ctx)->value = size;
}

/* Bytes of a head carrying v in its shortest form. */
static size_t
head_len(uint64_t v)
{
	if (v < 24)
		return 1;
	if (v <= UINT8_MAX)
		return 2;
	if (v <= UINT16_MAX)
		return 3;
	if (v <= UINT32_MAX)
		return 5;
	return 9;
}

/* The next item, which must be of kind want in shortest form. Every
 * callback left unset is libcbor's no-op, so negative integers, arrays,
 * tags, floats, indefinite items and breaks all read as K_OTHER. */
static int
next(struct cbor_rd *rd, enum kind want, struct item *it)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_decoder_result res;
	size_t expect;

	cb.uint8 = on_uint8;
	cb.uint16 = on_uint16;
	cb.uint32 = on_uint32;
	cb.uint64 = on_uint64;
	cb.byte_string = on_bytes;
	cb.string = on_text;
	cb.map_start = on_map;
	memset(it, 0, sizeof(*it));
	if (rd->off >= rd->len)
		return -1;
	res = cbor_stream_decode(rd->buf + rd->off, rd->len - rd->off, &cb,
	    it);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0 ||
	    res.read > rd->len - rd->off || it->kind != want)
		return -1;
	expect = head_len(it->value);
	if (want == K_BYTES || want == K_TEXT) {
		if (it->value > SIZE_MAX - expect)
			return -1;
		expect += it->value;
	}
	if (res.read != expect)
		return -1;
	rd->off += res.read;
	return 0;
}

void
crd_init(struct cbor_rd *rd, const uint8_t *buf, size_t len)
{
	rd->buf = buf;
	rd->len = len;
	rd->off = 0;
}

int
crd_map(struct cbor_rd *rd, uint64_t *npairs)
{
	struct item it;

	if (next(rd, K_MAP, &it) != 0)
		return -1;
	*npairs = it.value;
	return 0;
}

int
crd_uint(struct cbor_rd *rd, uint64_t *v)
{
	struct item it;

	if (next(rd, K_UINT, &it) != 0)
		return -1;
	*v = it.value;
	return 0;
}

int
crd_key(struct cbor_rd *rd, uint64_t k)
{
	size_t saved = rd->off;
	uint64_t v;

	if (crd_uint(rd, &v) != 0)
		return -1;
	if (v != k) {
		rd->off = saved;
		return -1;
	}
	return 0;
}

int
crd_text(struct cbor_rd *rd, const uint8_t **p, size_t *len)
{
	struct item it;

	if (next(rd, K_TEXT, &it) != 0)
		return -1;
	*p = it.data;
	*len = (size_t)it.value;
	return 0;
}

int
crd_bytes(struct cbor_rd *rd, const uint8_t **p, size_t *len)
{
	struct item it;

	if (next(rd, K_BYTES, &it) != 0)
		return -1;
	*p = it.data;
	*len = (size_t)it.value;
	return 0;
}

bool
crd_at_end(const struct cbor_rd *rd)
{
	return rd->off == rd->len;
}

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
