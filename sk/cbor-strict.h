/*
 * Strict CBOR for our own small formats (key handle, resident record):
 * definite-length maps of unsigned keys with uint, text and byte string
 * values, every head in its shortest form, so that an encoding is unique.
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
int crd_text(struct cbor_rd *, const uint8_t **p, size_t *len);
int crd_bytes(struct cbor_rd *, const uint8_t **p, size_t *len);
/* Key k of a map, as a uint equal to k. */
int crd_key(struct cbor_rd *, uint64_t k);
bool crd_at_end(const struct cbor_rd *);

/* Appends shortest-form CBOR to a fixed buffer; an overflow sticks in
 * full and the rest is ignored. */
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

#endif /* SK_CBOR_STRICT_H */
