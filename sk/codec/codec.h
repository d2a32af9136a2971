/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every codec of our own formats shares: the key handle (handle.h),
 * the resident record (record.h), the attestation statement
 * (attest-codec.h), and the strict CBOR reader and writer under them
 * (cbor-strict.h). The frame all of these formats have, and the result
 * codes every codec returns; they carry the KH_ prefix of the key handle,
 * the first of these formats.
 *
 * Bytes are foreign unless they begin with a map whose first pair is
 * 0: magic (seen through tags and over-long heads, which make such bytes
 * malformed); so bytes cut off before the end of the magic (the first 9
 * bytes of a key handle) are foreign.
 */
#ifndef SK_CODEC_H
#define SK_CODEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * The frame of each format: a map of npairs pairs, at most max_len bytes
 * in all, whose first pair is 0: magic (a text string) and whose second
 * is 1: format version (a uint). crd_open (cbor-read.h) reads it, and
 * cwr_header (cbor-write.h) writes it.
 */
struct crd_format {
	const char *magic;
	uint64_t version;
	uint64_t npairs;
	size_t max_len;
};

#define KH_OK			0
#define KH_ERR_NOMEM		-1	/* allocation failed */
#define KH_ERR_FOREIGN		-2	/* not of this format at all */
#define KH_ERR_VERSION		-3	/* ours, of an unknown version */
#define KH_ERR_MALFORMED	-4	/* has the magic, but is truncated after
					 * it, oversized or of a bad shape */
#define KH_ERR_ALTERED		-5	/* a key handle that is well formed, but
					 * whose SRK public area does not hash
					 * to its SRK name */

#endif /* SK_CODEC_H */
