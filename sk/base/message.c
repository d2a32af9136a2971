/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The digest an sk-ecdsa signature covers (see message.h).
 */
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "message.h"

int
sha256(const void *buf, size_t len, uint8_t out[32])
{
	unsigned int out_len = 0;

	if (EVP_Digest(buf, len, out, &out_len, EVP_sha256(), NULL) != 1 ||
	    out_len != 32) {
		sk_error("SHA-256 failed in OpenSSL");
		return -1;
	}
	return 0;
}

int
message_digest(const char *application, uint8_t flags, uint32_t counter,
    const uint8_t *data, size_t data_len, uint8_t out[MESSAGE_DIGEST_LEN])
{
	uint8_t blob[32 + 1 + 4 + 32];
	int r = -1;

	if (sha256(application, strlen(application), blob) != 0)
		goto out;
	blob[32] = flags;
	blob[33] = (uint8_t)(counter >> 24);
	blob[34] = (uint8_t)(counter >> 16);
	blob[35] = (uint8_t)(counter >> 8);
	blob[36] = (uint8_t)counter;
	if (sha256(data, data_len, blob + 37) != 0 ||
	    sha256(blob, sizeof(blob), out) != 0)
		goto out;
	r = 0;
out:
	OPENSSL_cleanse(blob, sizeof(blob));
	return r;
}
