/*
 * Strict CBOR for our own small formats (key handle, resident record):
 * definite-length maps of unsigned keys with uint, text and byte string
 * values, every head in its shortest form, so that an encoding is unique
 * and an accepted input re-encodes to exactly its bytes.
 *
 * The reader walks the bytes item by item with libcbor's streaming
 * decoder and allocates nothing: cbor_load() in libcbor 0.8 allocates for
 * a container's declared size as soon as it reads the head, which hostile
 * bytes can turn into a multi-gigabyte malloc. Strings are returned as
 * pointers into the input.
 */
#ifndef SK_CBOR_STRICT_H
#define SK_CBOR_STRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cbor_rd {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

/* Each returns 0 and advances, or -1 (wrong kind, not shortest form,
 * truncated, not CBOR) and leaves the position unchanged. */
void crd_init(struct cbor_rd *, const uint8_t *buf, size_t len);
int crd_map(struct cbor_rd *, uint64_t *npairs);
int crd_uint(struct cbor_rd *, uint64_t *v);
/* Also -1 when the contents are not valid UTF-8, which RFC 8949 requires
 * of a text string. */
int crd_text(struct cbor_rd *, const uint8_t **p, size_t *len);
int crd_bytes(struct cbor_rd *, const uint8_t **p, size_t *len);
/* Key k of a map, as a uint equal to k. */
int crd_key(struct cbor_rd *, uint64_t k);
bool crd_at_end(const struct cbor_rd *);

/*
 * What every one of our formats shares: a map of npairs pairs, at most
 * max_len bytes in all, whose first pair is 0: magic (a text string) and
 * whose second is 1: format version (a uint).
 */
struct crd_format {
	const char *magic;
	uint64_t version;
	uint64_t npairs;
	size_t max_len;
};

/*
 * Starts reading len bytes of format fmt: the header, then the size rules.
 * Returns a KH_* code of codec.h, shared by all our codecs:
 *
 *   KH_ERR_FOREIGN    the bytes do not begin with a map whose first pair
 *                     is 0: magic (only the first max_len bytes are looked
 *                     at). Tags and over-long heads are looked through on
 *                     the way, so that only someone else's bytes read as
 *                     foreign: a handle from another provider must not be
 *                     reported as a damaged one, nor a variant of ours as
 *                     someone else's.
 *   KH_ERR_VERSION    a uint version other than fmt's: a later format may
 *                     differ in every other way, so nothing after the
 *                     version is looked at.
 *   KH_ERR_MALFORMED  anything else wrong with the header once the magic
 *                     is there (a tag, an indefinite-length map, a head
 *                     not in its shortest form, key 1 missing, a version
 *                     that is not a uint, the end of the input), more than
 *                     max_len bytes, or a map of other than npairs pairs.
 *   KH_OK             the reader is at key 2.
 *
 * *why gets a short reason for a debug line on every result but KH_OK.
 */
int crd_open(struct cbor_rd *, const uint8_t *buf, size_t len,
    const struct crd_format *, const char **why);

/* Whether len bytes are well-formed UTF-8 (RFC 3629: shortest forms only,
 * no surrogates, nothing above U+10FFFF). */
bool crd_utf8_valid(const uint8_t *, size_t len);

/* Appends shortest-form CBOR to a fixed buffer; an overflow sticks in
 * full and the rest is ignored. The writer checks no contents: callers
 * check text for UTF-8 themselves, as the reader would refuse it. */
struct cbor_wr {
	uint8_t *buf;
	size_t len;
	size_t off;
	bool full;
};

void cwr_init(struct cbor_wr *, uint8_t *buf, size_t len);
void cwr_map(struct cbor_wr *, size_t npairs);
void cwr_uint(struct cbor_wr *, uint64_t);
void cwr_text(struct cbor_wr *, const char *, size_t);
void cwr_bytes(struct cbor_wr *, const uint8_t *, size_t);
/* The map head and the first two pairs of format fmt (see crd_format). */
void cwr_header(struct cbor_wr *, const struct crd_format *);
/* What was written, as a malloc'ed copy in *out (the caller frees it):
 * KH_OK, KH_ERR_MALFORMED if it did not fit (the buffer is as long as the
 * format allows) or KH_ERR_NOMEM. Either way the buffer is wiped: our
 * formats carry key material. */
int cwr_finish(struct cbor_wr *, uint8_t **out, size_t *out_len);

#endif /* SK_CBOR_STRICT_H */
