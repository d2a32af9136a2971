/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in our own code, for
 * the keys ESYS derives from auth values: their state lives only in these
 * structures, which the caller owns and which sha256_final and
 * hmac_sha256_final wipe.
 */
#ifndef SK_SHA256_H
#define SK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_BLOCK_LEN	64

struct sha256_ctx {
	uint32_t h[8];
	uint64_t bytes;			/* message length so far */
	uint8_t block[SHA256_BLOCK_LEN];
	size_t fill;			/* bytes waiting in block */
};

struct hmac_sha256_ctx {
	struct sha256_ctx inner;
	struct sha256_ctx outer;	/* already fed the outer pad */
};

void sha256_init(struct sha256_ctx *);
void sha256_update(struct sha256_ctx *, const void *, size_t);
/* Writes the digest and wipes the context. */
void sha256_final(struct sha256_ctx *, uint8_t out[SHA256_DIGEST_LEN]);

void hmac_sha256_init(struct hmac_sha256_ctx *, const void *key, size_t);
void hmac_sha256_update(struct hmac_sha256_ctx *, const void *, size_t);
/* Writes the MAC and wipes the context. */
void hmac_sha256_final(struct hmac_sha256_ctx *,
    uint8_t out[SHA256_DIGEST_LEN]);

#endif
