/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The strict CBOR reader (cbor-read.h; the rules in cbor-strict.h).
 */
#include <string.h>

#include <cbor.h>

#include "cbor-read.h"
#include "cbor-utf8.h"

enum kind {
	K_OTHER,	/* anything our formats never use */
	K_UINT,
	K_NEGINT,	/* -1 - value */
	K_BYTES,	/* definite byte string */
	K_TEXT,		/* definite text string */
	K_MAP,		/* definite map head */
	K_ARRAY,	/* definite array head */
	K_INDEF_MAP,
	K_TAG
};

/* One item as read, whatever its form. */
struct item {
	enum kind kind;
	/* uint value, n of a negint -1 - n, string length, map or array
	 * size, tag */
	uint64_t value;
	const uint8_t *data;	/* string contents, inside the input */
	bool shortest;		/* head in its shortest form */
};

static void
set(void *ctx, enum kind kind, uint64_t value, const uint8_t *data)
{
	struct item *it = ctx;

	it->kind = kind;
	it->value = value;
	it->data = data;
}

static void
on_uint8(void *ctx, uint8_t v)
{
	set(ctx, K_UINT, v, NULL);
}

static void
on_uint16(void *ctx, uint16_t v)
{
	set(ctx, K_UINT, v, NULL);
}

static void
on_uint32(void *ctx, uint32_t v)
{
	set(ctx, K_UINT, v, NULL);
}

static void
on_uint64(void *ctx, uint64_t v)
{
	set(ctx, K_UINT, v, NULL);
}

static void
on_negint8(void *ctx, uint8_t v)
{
	set(ctx, K_NEGINT, v, NULL);
}

static void
on_negint16(void *ctx, uint16_t v)
{
	set(ctx, K_NEGINT, v, NULL);
}

static void
on_negint32(void *ctx, uint32_t v)
{
	set(ctx, K_NEGINT, v, NULL);
}

static void
on_negint64(void *ctx, uint64_t v)
{
	set(ctx, K_NEGINT, v, NULL);
}

static void
on_bytes(void *ctx, cbor_data data, size_t len)
{
	set(ctx, K_BYTES, len, data);
}

static void
on_text(void *ctx, cbor_data data, size_t len)
{
	set(ctx, K_TEXT, len, data);
}

static void
on_map(void *ctx, size_t size)
{
	set(ctx, K_MAP, size, NULL);
}

static void
on_array(void *ctx, size_t size)
{
	set(ctx, K_ARRAY, size, NULL);
}

static void
on_indef_map(void *ctx)
{
	set(ctx, K_INDEF_MAP, 0, NULL);
}

static void
on_tag(void *ctx, uint64_t tag)
{
	set(ctx, K_TAG, tag, NULL);
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

/*
 * The next item, in whatever form: its head, and its contents for a
 * definite string. Returns -1 at the end of the input or on bytes that
 * are not CBOR. Every callback left unset is libcbor's no-op, so
 * indefinite strings and arrays, floats, simple values and breaks all
 * read as K_OTHER.
 */
static int
step(struct cbor_rd *rd, struct item *it)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_decoder_result res;
	size_t expect;

	cb.uint8 = on_uint8;
	cb.uint16 = on_uint16;
	cb.uint32 = on_uint32;
	cb.uint64 = on_uint64;
	cb.negint8 = on_negint8;
	cb.negint16 = on_negint16;
	cb.negint32 = on_negint32;
	cb.negint64 = on_negint64;
	cb.byte_string = on_bytes;
	cb.string = on_text;
	cb.map_start = on_map;
	cb.array_start = on_array;
	cb.indef_map_start = on_indef_map;
	cb.tag = on_tag;
	memset(it, 0, sizeof(*it));
	it->kind = K_OTHER;
	if (rd->off >= rd->len)
		return -1;
	res = cbor_stream_decode(rd->buf + rd->off, rd->len - rd->off, &cb,
	    it);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0 ||
	    res.read > rd->len - rd->off)
		return -1;
	switch (it->kind) {
	case K_UINT:
	case K_NEGINT:
	case K_MAP:
	case K_ARRAY:
	case K_TAG:
		expect = head_len(it->value);
		break;
	case K_BYTES:
	case K_TEXT:
		expect = head_len(it->value);
		expect = it->value <= SIZE_MAX - expect ?
		    expect + (size_t)it->value : 0;
		break;
	default:
		expect = 1;
		break;
	}
	it->shortest = res.read == expect;
	rd->off += res.read;
	return 0;
}

/* The next item, which must be of kind want and in shortest form. */
static int
take(struct cbor_rd *rd, enum kind want, struct item *it)
{
	size_t saved = rd->off;

	if (step(rd, it) != 0 || it->kind != want || !it->shortest) {
		rd->off = saved;
		return -1;
	}
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

	if (take(rd, K_MAP, &it) != 0)
		return -1;
	*npairs = it.value;
	return 0;
}

int
crd_uint(struct cbor_rd *rd, uint64_t *v)
{
	struct item it;

	if (take(rd, K_UINT, &it) != 0)
		return -1;
	*v = it.value;
	return 0;
}

int
crd_array(struct cbor_rd *rd, uint64_t *n)
{
	struct item it;

	if (take(rd, K_ARRAY, &it) != 0)
		return -1;
	*n = it.value;
	return 0;
}

int
crd_int(struct cbor_rd *rd, int64_t *v)
{
	size_t saved = rd->off;
	struct item it;

	if (step(rd, &it) != 0 || !it.shortest ||
	    (it.kind != K_UINT && it.kind != K_NEGINT) ||
	    it.value > (uint64_t)INT64_MAX) {
		rd->off = saved;
		return -1;
	}
	/* -1 - value, which fits: value <= INT64_MAX */
	*v = it.kind == K_UINT ? (int64_t)it.value : -1 - (int64_t)it.value;
	return 0;
}

int
crd_text_key(struct cbor_rd *rd, const char *k)
{
	size_t saved = rd->off, n = strlen(k);
	const uint8_t *p;
	size_t len;

	if (crd_text(rd, &p, &len) != 0)
		return -1;
	if (len != n || memcmp(p, k, n) != 0) {
		rd->off = saved;
		return -1;
	}
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
	size_t saved = rd->off;
	struct item it;

	if (take(rd, K_TEXT, &it) != 0)
		return -1;
	if (!crd_utf8_valid(it.data, (size_t)it.value)) {
		rd->off = saved;
		return -1;
	}
	*p = it.data;
	*len = (size_t)it.value;
	return 0;
}

int
crd_bytes(struct cbor_rd *rd, const uint8_t **p, size_t *len)
{
	struct item it;

	if (take(rd, K_BYTES, &it) != 0)
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

/* The next item that is not a tag; *tagged records that tags were
 * passed over. */
static int
step_untagged(struct cbor_rd *rd, struct item *it, bool *tagged)
{
	do {
		if (step(rd, it) != 0)
			return -1;
		if (it->kind == K_TAG)
			*tagged = true;
	} while (it->kind == K_TAG);
	return 0;
}

static int
refuse(int r, const char *reason, const char **why)
{
	*why = reason;
	return r;
}

int
crd_open(struct cbor_rd *rd, const uint8_t *buf, size_t len,
    const struct crd_format *fmt, const char **why)
{
	const size_t magic_len = strlen(fmt->magic);
	struct item map, key0, it;
	bool tagged = false;

	crd_init(rd, buf, len < fmt->max_len ? len : fmt->max_len);
	if (buf == NULL || len == 0)
		return refuse(KH_ERR_FOREIGN, "empty", why);
	/* Whose bytes are these? Look through whatever a variant of ours
	 * could be wrapped in before saying "not ours". */
	if (step_untagged(rd, &map, &tagged) != 0 ||
	    (map.kind != K_MAP && map.kind != K_INDEF_MAP))
		return refuse(KH_ERR_FOREIGN, "not a CBOR map", why);
	if (step_untagged(rd, &key0, &tagged) != 0 ||
	    key0.kind != K_UINT || key0.value != 0)
		return refuse(KH_ERR_FOREIGN, "first key is not 0", why);
	if (step_untagged(rd, &it, &tagged) != 0 || it.kind != K_TEXT ||
	    it.value != magic_len ||
	    memcmp(it.data, fmt->magic, magic_len) != 0)
		return refuse(KH_ERR_FOREIGN, "no magic", why);

	/* Ours. What came so far must already be exact. */
	if (tagged)
		return refuse(KH_ERR_MALFORMED, "tagged item", why);
	if (map.kind == K_INDEF_MAP)
		return refuse(KH_ERR_MALFORMED, "indefinite-length map", why);
	if (!map.shortest || !key0.shortest || !it.shortest)
		return refuse(KH_ERR_MALFORMED, "not in shortest form", why);

	/* The version decides how to read the rest. */
	if (crd_key(rd, 1) != 0)
		return refuse(KH_ERR_MALFORMED, "second key is not 1", why);
	if (step(rd, &it) != 0 || it.kind != K_UINT)
		return refuse(KH_ERR_MALFORMED, "no uint version", why);
	if (it.value != fmt->version)
		return refuse(KH_ERR_VERSION, "unknown format version", why);
	if (!it.shortest)
		return refuse(KH_ERR_MALFORMED, "not in shortest form", why);

	if (len > fmt->max_len)
		return refuse(KH_ERR_MALFORMED, "too long", why);
	if (map.value != fmt->npairs)
		return refuse(KH_ERR_MALFORMED, "wrong number of pairs", why);
	return KH_OK;
}
