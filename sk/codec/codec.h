/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The result codes every codec of our own formats returns: the key handle
 * (handle.h), the resident record (record.h), the attestation statement
 * (attest-codec.h) and the strict CBOR reader and writer under them
 * (cbor-strict.h). They carry the KH_ prefix of the key handle, the first
 * of these formats.
 *
 * Bytes are foreign unless they begin with a map whose first pair is
 * 0: magic (seen through tags and over-long heads, which make such bytes
 * malformed); so bytes cut off before the end of the magic (the first 9
 * bytes of a key handle) are foreign.
 */
#ifndef SK_CODEC_H
#define SK_CODEC_H

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
