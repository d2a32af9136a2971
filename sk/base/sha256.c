/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SHA-256 after FIPS 180-4 section 6.2, HMAC after RFC 2104. Written for
 * clarity rather than speed: it only ever sees a few hundred bytes per TPM
 * command. Every temporary that held key material is wiped before return.
 */
#include <string.h>

#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
compress(uint32_t h[8], const uint8_t p[SHA256_BLOCK_LEN])
{
	uint32_t w[64], v[8], s0, s1, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 64; i++) {
		s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		s1 = ROTR(v[4], 6) ^ ROTR(v[4], 11) ^ ROTR(v[4], 25);
		t1 = v[7] + s1 + ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[i] + w[i];
		s0 = ROTR(v[0], 2) ^ ROTR(v[0], 13) ^ ROTR(v[0], 22);
		t2 = s0 + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
	explicit_bzero(w, sizeof(w));
	explicit_bzero(v, sizeof(v));
}

void
sha256_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memset(c, 0, sizeof(*c));
	memcpy(c->h, iv, sizeof(iv));
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	c->bytes += len;
	while (len > 0) {
		n = SHA256_BLOCK_LEN - c->fill;
		if (n > len)
			n = len;
		memcpy(c->block + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill == SHA256_BLOCK_LEN) {
			compress(c->h, c->block);
			c->fill = 0;
		}
	}
}

void
sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN])
{
	uint64_t bits = c->bytes * 8;
	int i;

	c->block[c->fill++] = 0x80;
	if (c->fill > SHA256_BLOCK_LEN - 8) {
		memset(c->block + c->fill, 0, SHA256_BLOCK_LEN - c->fill);
		compress(c->h, c->block);
		c->fill = 0;
	}
	memset(c->block + c->fill, 0, SHA256_BLOCK_LEN - 8 - c->fill);
	for (i = 0; i < 8; i++)
		c->block[SHA256_BLOCK_LEN - 1 - i] = (uint8_t)(bits >> (8 * i));
	compress(c->h, c->block);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
	explicit_bzero(c, sizeof(*c));
}

/* RFC 2104: H(K ^ opad || H(K ^ ipad || text)), K hashed first if longer
 * than a block. Both pads are absorbed here, so the key itself is kept
 * nowhere, only the two chaining states it produced. */
void
hmac_sha256_init(struct hmac_sha256_ctx *c, const void *key, size_t len)
{
	uint8_t k[SHA256_BLOCK_LEN];
	size_t i;

	memset(k, 0, sizeof(k));
	if (len > SHA256_BLOCK_LEN) {
		sha256_init(&c->inner);
		sha256_update(&c->inner, key, len);
		sha256_final(&c->inner, k);
	} else if (len > 0)
		memcpy(k, key, len);
	for (i = 0; i < sizeof(k); i++)
		k[i] ^= 0x36;
	sha256_init(&c->inner);
	sha256_update(&c->inner, k, sizeof(k));
	for (i = 0; i < sizeof(k); i++)
		k[i] ^= 0x36 ^ 0x5c;
	sha256_init(&c->outer);
	sha256_update(&c->outer, k, sizeof(k));
	explicit_bzero(k, sizeof(k));
}

void
hmac_sha256_update(struct hmac_sha256_ctx *c, const void *data, size_t len)
{
	sha256_update(&c->inner, data, len);
}

void
hmac_sha256_final(struct hmac_sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN])
{
	uint8_t inner[SHA256_DIGEST_LEN];

	sha256_final(&c->inner, inner);
	sha256_update(&c->outer, inner, sizeof(inner));
	sha256_final(&c->outer, out);
	explicit_bzero(inner, sizeof(inner));
	explicit_bzero(c, sizeof(*c));
}
