/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The digest an sk-ecdsa signature covers:
 *   SHA-256( SHA-256(application) || flags || u32be(counter) || SHA-256(data) )
 * (69 bytes hashed; application without its NUL).
 */
#ifndef SK_MESSAGE_H
#define SK_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#define MESSAGE_DIGEST_LEN	32

int message_digest(const char *application, uint8_t flags, uint32_t counter,
    const uint8_t *data, size_t data_len, uint8_t out[MESSAGE_DIGEST_LEN]);

/* SHA-256 of a buffer; 0 or -1. */
int sha256(const void *buf, size_t len, uint8_t out[32]);

#endif /* SK_MESSAGE_H */
