/*
 * The key-handle codec (format in handle.h).
 *
 * Decoding happens in two passes over at most KH_MAX_LEN bytes:
 *
 * 1. A walk over the items with libcbor's streaming decoder, which
 *    allocates nothing. It decides whose handle this is, then checks the
 *    whole syntax: one definite map of exactly the eight pairs, keys 0..7
 *    in order, scalar values of the expected kinds, shortest-form heads,
 *    nothing after the map. The walk comes first because cbor_load() in
 *    libcbor 0.8 allocates room for a container's declared size as soon
 *    as it reads the head: nine bytes declaring a map of 2^28 pairs make
 *    it call malloc(4 GiB), and a few hundred nested heads within 2 KiB
 *    add up to tens of GiB. After the walk, cbor_load() only ever sees
 *    one map of eight scalars.
 * 2. cbor_load() builds the items and the fields are copied out of them,
 *    checking the types again rather than trusting pass 1, and then
 *    checking the field contents (flags, lengths, TPM2B size prefixes).
 *
 * Classification: bytes are foreign unless they begin with a map whose
 * first pair is 0: "sk-tpm". Another provider's handle (a FIDO
 * credential id, OpenSSH's sk-dummy handle, random bytes) must not be
 * reported as a damaged sk-tpm handle. Anything that carries the magic
 * but breaks a rule after it is malformed, except a format version other
 * than KH_VERSION, which is reported as such even when the rest of the
 * map looks different, since a later format may well.
 *
 * Shortest-form heads make the encoding unique, so an accepted handle
 * re-encodes to exactly its input bytes; the fuzzer checks that.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "handle.h"
#include "log.h"

#define KH_NFIELDS	8
#define KH_MAGIC_LEN	(sizeof(KH_MAGIC) - 1)

/* TPM_ALG_SHA256 as the nameAlg prefix of a TPM name. */
#define NAME_ALG_SHA256_HI	0x00
#define NAME_ALG_SHA256_LO	0x0b

/* What one step of the streaming decoder saw. */
enum item_kind {
	ITEM_OTHER,		/* anything the format never uses */
	ITEM_UINT,
	ITEM_BYTES,		/* definite byte string */
	ITEM_TEXT,		/* definite text string */
	ITEM_MAP,		/* definite map head */
	ITEM_INDEF_MAP,
	ITEM_TAG
};

struct item {
	enum item_kind kind;
	uint64_t value;		/* uint value, string length, map size */
	const uint8_t *data;	/* string contents, inside the input */
	bool shortest;		/* head in its shortest form */
};

struct walk {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

static int
reject(int r, const char *why)
{
	sk_debug("kh_decode: %s: %s", kh_strerror(r), why);
	return r;
}

/* Bytes of a CBOR head carrying the argument v in its shortest form. */
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

static void
on_uint8(void *ctx, uint8_t v)
{
	struct item *it = ctx;

	it->kind = ITEM_UINT;
	it->value = v;
}

static void
on_uint16(void *ctx, uint16_t v)
{
	struct item *it = ctx;

	it->kind = ITEM_UINT;
	it->value = v;
}

static void
on_uint32(void *ctx, uint32_t v)
{
	struct item *it = ctx;

	it->kind = ITEM_UINT;
	it->value = v;
}

static void
on_uint64(void *ctx, uint64_t v)
{
	struct item *it = ctx;

	it->kind = ITEM_UINT;
	it->value = v;
}

static void
on_bytes(void *ctx, cbor_data data, size_t len)
{
	struct item *it = ctx;

	it->kind = ITEM_BYTES;
	it->value = len;
	it->data = data;
}

static void
on_text(void *ctx, cbor_data data, size_t len)
{
	struct item *it = ctx;

	it->kind = ITEM_TEXT;
	it->value = len;
	it->data = data;
}

static void
on_map(void *ctx, size_t size)
{
	struct item *it = ctx;

	it->kind = ITEM_MAP;
	it->value = size;
}

static void
on_indef_map(void *ctx)
{
	struct item *it = ctx;

	it->kind = ITEM_INDEF_MAP;
}

static void
on_tag(void *ctx, uint64_t tag)
{
	struct item *it = ctx;

	it->kind = ITEM_TAG;
	it->value = tag;
}

/*
 * Every callback not set here is libcbor's no-op, which leaves the item
 * ITEM_OTHER: negative integers, arrays, indefinite strings, floats,
 * simple values and breaks all end up there.
 */
static struct cbor_callbacks
walk_callbacks(void)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;

	cb.uint8 = on_uint8;
	cb.uint16 = on_uint16;
	cb.uint32 = on_uint32;
	cb.uint64 = on_uint64;
	cb.byte_string = on_bytes;
	cb.string = on_text;
	cb.map_start = on_map;
	cb.indef_map_start = on_indef_map;
	cb.tag = on_tag;
	return cb;
}

/* Decode the next item head (with its contents, for strings).
 * Returns 0, or -1 at the end of the input or on bytes that are not
 * CBOR. */
static int
walk_next(struct walk *w, const struct cbor_callbacks *cb, struct item *it)
{
	struct cbor_decoder_result res;
	size_t want;

	memset(it, 0, sizeof(*it));
	it->kind = ITEM_OTHER;
	if (w->off >= w->len)
		return -1;
	res = cbor_stream_decode(w->buf + w->off, w->len - w->off, cb, it);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0 ||
	    res.read > w->len - w->off)
		return -1;
	switch (it->kind) {
	case ITEM_UINT:
	case ITEM_MAP:
	case ITEM_TAG:
		it->shortest = res.read == head_len(it->value);
		break;
	case ITEM_BYTES:
	case ITEM_TEXT:
		want = head_len(it->value);
		it->shortest = it->value <= SIZE_MAX - want &&
		    res.read == want + it->value;
		break;
	default:
		it->shortest = res.read == 1;
		break;
	}
	w->off += res.read;
	return 0;
}

/* The next item that is not a tag; *tagged records that tags were
 * skipped. Used only before the magic, to see through a tag wrapper. */
static int
walk_untagged(struct walk *w, const struct cbor_callbacks *cb,
    struct item *it, bool *tagged)
{
	do {
		if (walk_next(w, cb, it) != 0)
			return -1;
		if (it->kind == ITEM_TAG)
			*tagged = true;
	} while (it->kind == ITEM_TAG);
	return 0;
}

/* Pass 1: classify, then check the syntax of the whole input. */
static int
check_syntax(const uint8_t *buf, size_t len)
{
	const struct cbor_callbacks cb = walk_callbacks();
	struct walk w;
	struct item map, key0, it;
	bool tagged = false;
	uint64_t key;

	/* Whose handle is it? Look no further than KH_MAX_LEN even when
	 * there is more. */
	w.buf = buf;
	w.len = len < KH_MAX_LEN ? len : KH_MAX_LEN;
	w.off = 0;
	if (walk_untagged(&w, &cb, &map, &tagged) != 0 ||
	    (map.kind != ITEM_MAP && map.kind != ITEM_INDEF_MAP))
		return reject(KH_ERR_FOREIGN, "not a CBOR map");
	if (walk_untagged(&w, &cb, &key0, &tagged) != 0 ||
	    key0.kind != ITEM_UINT || key0.value != 0)
		return reject(KH_ERR_FOREIGN, "first key is not 0");
	if (walk_untagged(&w, &cb, &it, &tagged) != 0 ||
	    it.kind != ITEM_TEXT || it.value != KH_MAGIC_LEN ||
	    memcmp(it.data, KH_MAGIC, KH_MAGIC_LEN) != 0)
		return reject(KH_ERR_FOREIGN, "no sk-tpm magic");

	/* Ours. The map head, key 0 and magic must already be exact. */
	if (tagged)
		return reject(KH_ERR_MALFORMED, "tagged item");
	if (map.kind == ITEM_INDEF_MAP)
		return reject(KH_ERR_MALFORMED, "indefinite-length map");
	if (!map.shortest || !key0.shortest || !it.shortest)
		return reject(KH_ERR_MALFORMED, "not in shortest form");

	/* The version decides how to read the rest. */
	if (walk_next(&w, &cb, &it) != 0)
		return reject(KH_ERR_MALFORMED, "truncated");
	if (it.kind != ITEM_UINT || it.value != 1 || !it.shortest)
		return reject(KH_ERR_MALFORMED, "second key is not 1");
	if (walk_next(&w, &cb, &it) != 0)
		return reject(KH_ERR_MALFORMED, "truncated");
	if (it.kind != ITEM_UINT)
		return reject(KH_ERR_MALFORMED, "version is not a uint");
	if (it.value != KH_VERSION)
		return reject(KH_ERR_VERSION, "unknown format version");
	if (!it.shortest)
		return reject(KH_ERR_MALFORMED, "not in shortest form");

	if (len > KH_MAX_LEN)
		return reject(KH_ERR_MALFORMED, "longer than KH_MAX_LEN");
	if (map.value != KH_NFIELDS)
		return reject(KH_ERR_MALFORMED, "not a map of 8 pairs");
	for (key = 2; key < KH_NFIELDS; key++) {
		if (walk_next(&w, &cb, &it) != 0)
			return reject(KH_ERR_MALFORMED, "truncated");
		if (it.kind != ITEM_UINT || it.value != key)
			return reject(KH_ERR_MALFORMED, "keys out of order");
		if (!it.shortest)
			return reject(KH_ERR_MALFORMED, "not in shortest form");
		if (walk_next(&w, &cb, &it) != 0)
			return reject(KH_ERR_MALFORMED, "truncated");
		if (it.kind != (key == 2 ? ITEM_UINT : ITEM_BYTES))
			return reject(KH_ERR_MALFORMED, "value of wrong type");
		if (!it.shortest)
			return reject(KH_ERR_MALFORMED, "not in shortest form");
	}
	if (w.off != len)
		return reject(KH_ERR_MALFORMED, "bytes after the map");
	return KH_OK;
}

/* A marshalled TPM2B: a big-endian uint16 size, then that many bytes. */
static bool
tpm2b_ok(const uint8_t *p, size_t len, size_t max)
{
	return p != NULL && len >= 2 && len <= max &&
	    (((size_t)p[0] << 8) | p[1]) == len - 2;
}

/* The content rules, shared by the encoder and the decoder so that
 * neither accepts what the other would refuse. */
static int
check_fields(const struct kh *kh)
{
	if (kh->version != KH_VERSION)
		return reject(KH_ERR_VERSION, "unknown format version");
	if ((kh->flags & ~(uint32_t)KH_FLAGS_KNOWN) != 0)
		return reject(KH_ERR_MALFORMED, "unknown flag bits");
	if (!tpm2b_ok(kh->tpm_public, kh->tpm_public_len, KH_PUBLIC_MAX))
		return reject(KH_ERR_MALFORMED, "bad TPM2B_PUBLIC");
	if (!tpm2b_ok(kh->tpm_private, kh->tpm_private_len, KH_PRIVATE_MAX))
		return reject(KH_ERR_MALFORMED, "bad TPM2B_PRIVATE");
	if (kh->srk_name[0] != NAME_ALG_SHA256_HI ||
	    kh->srk_name[1] != NAME_ALG_SHA256_LO)
		return reject(KH_ERR_MALFORMED, "SRK name is not SHA-256");
	if (!tpm2b_ok(kh->srk_public, kh->srk_public_len, KH_PUBLIC_MAX))
		return reject(KH_ERR_MALFORMED, "bad SRK TPM2B_PUBLIC");
	return KH_OK;
}

/* A copy of a definite byte string item of min..max bytes. */
static int
copy_bytes(const cbor_item_t *item, size_t min, size_t max, uint8_t **out,
    size_t *out_len)
{
	size_t len;

	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
		return reject(KH_ERR_MALFORMED, "value of wrong type");
	len = cbor_bytestring_length(item);
	if (len < min || len > max)
		return reject(KH_ERR_MALFORMED, "byte string length");
	if ((*out = malloc(len)) == NULL)
		return KH_ERR_NOMEM;
	memcpy(*out, cbor_bytestring_handle(item), len);
	*out_len = len;
	return KH_OK;
}

static int
copy_fixed(const cbor_item_t *item, uint8_t *out, size_t len)
{
	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
		return reject(KH_ERR_MALFORMED, "value of wrong type");
	if (cbor_bytestring_length(item) != len)
		return reject(KH_ERR_MALFORMED, "byte string length");
	memcpy(out, cbor_bytestring_handle(item), len);
	return KH_OK;
}

static int
copy_uint32(const cbor_item_t *item, uint32_t *out)
{
	uint64_t v;

	if (!cbor_isa_uint(item))
		return reject(KH_ERR_MALFORMED, "value of wrong type");
	if ((v = cbor_get_int(item)) > UINT32_MAX)
		return reject(KH_ERR_MALFORMED, "integer wider than 32 bits");
	*out = (uint32_t)v;
	return KH_OK;
}

static bool
is_magic(const cbor_item_t *item)
{
	return cbor_isa_string(item) && cbor_string_is_definite(item) &&
	    cbor_string_length(item) == KH_MAGIC_LEN &&
	    memcmp(cbor_string_handle(item), KH_MAGIC, KH_MAGIC_LEN) == 0;
}

/* Pass 2: fields out of the items cbor_load() built. */
static int
copy_fields(const cbor_item_t *map, struct kh *kh)
{
	const struct cbor_pair *pairs;
	const cbor_item_t *v;
	size_t i;
	int r;

	if (!cbor_isa_map(map) || !cbor_map_is_definite(map) ||
	    cbor_map_size(map) != KH_NFIELDS)
		return reject(KH_ERR_MALFORMED, "not a map of 8 pairs");
	pairs = cbor_map_handle(map);
	for (i = 0; i < KH_NFIELDS; i++) {
		if (!cbor_isa_uint(pairs[i].key) ||
		    cbor_get_int(pairs[i].key) != i)
			return reject(KH_ERR_MALFORMED, "keys out of order");
		v = pairs[i].value;
		switch (i) {
		case 0:
			r = is_magic(v) ? KH_OK :
			    reject(KH_ERR_FOREIGN, "no sk-tpm magic");
			break;
		case 1:
			r = copy_uint32(v, &kh->version);
			break;
		case 2:
			r = copy_uint32(v, &kh->flags);
			break;
		case 3:
			r = copy_bytes(v, 2, KH_PUBLIC_MAX, &kh->tpm_public,
			    &kh->tpm_public_len);
			break;
		case 4:
			r = copy_bytes(v, 2, KH_PRIVATE_MAX, &kh->tpm_private,
			    &kh->tpm_private_len);
			break;
		case 5:
			r = copy_fixed(v, kh->srk_name, KH_NAME_LEN);
			break;
		case 6:
			r = copy_bytes(v, 2, KH_PUBLIC_MAX, &kh->srk_public,
			    &kh->srk_public_len);
			break;
		default:
			r = copy_fixed(v, kh->app_hash, KH_APP_HASH_LEN);
			break;
		}
		if (r != KH_OK)
			return r;
	}
	return check_fields(kh);
}

int
kh_decode(const uint8_t *buf, size_t len, struct kh **out)
{
	struct cbor_load_result res;
	cbor_item_t *item = NULL;
	struct kh *kh = NULL;
	int r;

	if (out == NULL)
		return KH_ERR_MALFORMED;
	*out = NULL;
	if (buf == NULL || len == 0)
		return reject(KH_ERR_FOREIGN, "empty");
	if ((r = check_syntax(buf, len)) != KH_OK)
		goto out;
	memset(&res, 0, sizeof(res));
	item = cbor_load(buf, len, &res);
	if (item == NULL || res.error.code != CBOR_ERR_NONE) {
		r = res.error.code == CBOR_ERR_MEMERROR ? KH_ERR_NOMEM :
		    reject(KH_ERR_MALFORMED, "cbor_load failed");
		goto out;
	}
	if (res.read != len) {
		r = reject(KH_ERR_MALFORMED, "bytes after the map");
		goto out;
	}
	if ((kh = kh_new()) == NULL) {
		r = KH_ERR_NOMEM;
		goto out;
	}
	if ((r = copy_fields(item, kh)) != KH_OK)
		goto out;
	*out = kh;
	kh = NULL;	/* now the caller's */
	r = KH_OK;
out:
	if (item != NULL)
		cbor_decref(&item);
	kh_free(&kh);
	return r;
}

/* Appends shortest-form CBOR to a fixed buffer; any overflow sticks. */
struct writer {
	uint8_t *buf;
	size_t len;
	size_t off;
	bool full;
};

static void
put_head(struct writer *w, size_t n)
{
	if (n == 0)
		w->full = true;
	else
		w->off += n;
}

static void
put_uint(struct writer *w, uint64_t v)
{
	if (!w->full)
		put_head(w, cbor_encode_uint(v, w->buf + w->off,
		    w->len - w->off));
}

static void
put_text(struct writer *w, const char *s)
{
	size_t n = strlen(s);

	if (!w->full)
		put_head(w, cbor_encode_string_start(n, w->buf + w->off,
		    w->len - w->off));
	if (w->full || n > w->len - w->off) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->off, s, n);
	w->off += n;
}

static void
put_bytes(struct writer *w, const uint8_t *p, size_t n)
{
	if (!w->full)
		put_head(w, cbor_encode_bytestring_start(n, w->buf + w->off,
		    w->len - w->off));
	if (w->full || n > w->len - w->off) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->off, p, n);
	w->off += n;
}

int
kh_encode(const struct kh *kh, uint8_t **out, size_t *out_len)
{
	uint8_t tmp[KH_MAX_LEN];
	struct writer w;
	uint8_t *buf = NULL;
	int r;

	if (out == NULL || out_len == NULL)
		return KH_ERR_MALFORMED;
	*out = NULL;
	*out_len = 0;
	if (kh == NULL)
		return KH_ERR_MALFORMED;
	w.buf = tmp;
	w.len = sizeof(tmp);
	w.off = 0;
	w.full = false;
	if ((r = check_fields(kh)) != KH_OK)
		goto out;
	/* The order here is the order the decoder insists on. */
	if (!w.full)
		put_head(&w, cbor_encode_map_start(KH_NFIELDS, w.buf, w.len));
	put_uint(&w, 0);
	put_text(&w, KH_MAGIC);
	put_uint(&w, 1);
	put_uint(&w, kh->version);
	put_uint(&w, 2);
	put_uint(&w, kh->flags);
	put_uint(&w, 3);
	put_bytes(&w, kh->tpm_public, kh->tpm_public_len);
	put_uint(&w, 4);
	put_bytes(&w, kh->tpm_private, kh->tpm_private_len);
	put_uint(&w, 5);
	put_bytes(&w, kh->srk_name, KH_NAME_LEN);
	put_uint(&w, 6);
	put_bytes(&w, kh->srk_public, kh->srk_public_len);
	put_uint(&w, 7);
	put_bytes(&w, kh->app_hash, KH_APP_HASH_LEN);
	if (w.full) {
		/* The decoder would refuse it, so never write it. */
		r = reject(KH_ERR_MALFORMED, "longer than KH_MAX_LEN");
		goto out;
	}
	if ((buf = malloc(w.off)) == NULL) {
		r = KH_ERR_NOMEM;
		goto out;
	}
	memcpy(buf, tmp, w.off);
	*out = buf;
	*out_len = w.off;
	r = KH_OK;
out:
	/* The wrapped private area is useless off its TPM, but it is
	 * still key material: leave no copy on the stack. */
	explicit_bzero(tmp, sizeof(tmp));
	return r;
}

struct kh *
kh_new(void)
{
	return calloc(1, sizeof(struct kh));
}

static void
wipe_free(uint8_t *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

void
kh_free(struct kh **khp)
{
	struct kh *kh;

	if (khp == NULL || (kh = *khp) == NULL)
		return;
	wipe_free(kh->tpm_public, kh->tpm_public_len);
	wipe_free(kh->tpm_private, kh->tpm_private_len);
	wipe_free(kh->srk_public, kh->srk_public_len);
	explicit_bzero(kh, sizeof(*kh));
	free(kh);
	*khp = NULL;
}

const char *
kh_strerror(int r)
{
	switch (r) {
	case KH_OK:
		return "success";
	case KH_ERR_NOMEM:
		return "out of memory";
	case KH_ERR_FOREIGN:
		return "not an sk-tpm key handle";
	case KH_ERR_VERSION:
		return "sk-tpm key handle of an unsupported format version";
	case KH_ERR_MALFORMED:
		return "malformed sk-tpm key handle";
	default:
		return "unknown key handle error";
	}
}
