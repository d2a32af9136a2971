/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The strict CBOR reader (the rules it holds bytes to are in
 * cbor-strict.h). It walks the bytes item by item with libcbor's streaming
 * decoder and allocates nothing: cbor_load() in libcbor 0.8 allocates for
 * a container's declared size as soon as it reads the head, which hostile
 * bytes can turn into a multi-gigabyte malloc. Strings are returned as
 * pointers into the input.
 */
#ifndef SK_CBOR_READ_H
#define SK_CBOR_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

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
/* An integer, unsigned or negative (major type 1, -1 - n), within
 * int64_t. */
int crd_int(struct cbor_rd *, int64_t *v);
/* A definite array head of n items. */
int crd_array(struct cbor_rd *, uint64_t *n);
/* Also -1 when the contents are not valid UTF-8 (cbor-utf8.h), which
 * RFC 8949 requires of a text string. */
int crd_text(struct cbor_rd *, const uint8_t **p, size_t *len);
int crd_bytes(struct cbor_rd *, const uint8_t **p, size_t *len);
/* Key k of a map, as a uint equal to k. */
int crd_key(struct cbor_rd *, uint64_t k);
/* Key k of a text-keyed map, as a text string equal to k. */
int crd_text_key(struct cbor_rd *, const char *k);
bool crd_at_end(const struct cbor_rd *);

/*
 * Starts reading len bytes of format fmt (codec.h): the header, then the
 * size rules. Returns a KH_* code of codec.h, shared by all our codecs:
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

#endif /* SK_CBOR_READ_H */
