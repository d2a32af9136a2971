/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Secrets held only masked, for test_secrets: each is known as a random
 * mask and mask ^ secret and compared byte by byte against them, so that a
 * copy found in memory or in a log can only be one somebody else made. A
 * PIN is born masked; an auth value is derived in a child process, so this
 * process never holds it in clear; the PIN exists in clear only in a heap
 * buffer the caller wipes (secret_reveal, secret_bury).
 */
#ifndef TEST_SECRET_H
#define TEST_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PIN_LEN		24
#define AUTH_LEN	32
/* A secret's first PREFIX_LEN bytes are looked for too. */
#define PREFIX_LEN	8
#define MAX_SECRET	64

/* A secret known only as mask and mask ^ secret. */
struct secret {
	char name[48];
	size_t len;
	uint8_t mask[MAX_SECRET];
	uint8_t masked[MAX_SECRET];
};

void random_bytes(void *, size_t);

/* A random alphanumeric PIN of PIN_LEN characters, born masked. */
void secret_new_pin(struct secret *, const char *name);
/* The PIN in clear, in a heap buffer the caller wipes and frees with
 * secret_bury(p, len). */
char *secret_reveal(const struct secret *);
void secret_bury(char *, size_t len);
/* The auth value of sk/pin.h for app and pin, computed independently of
 * the library in a child process. */
void secret_new_auth(struct secret *, const char *name, const char *app,
    const struct secret *pin);
/* v's TPM2B form (u16 size, then the bytes): in memory (host order,
 * TPM2B_AUTH) or marshalled (big-endian). */
void secret_new_tpm2b(struct secret *, const char *name,
    const struct secret *v, bool big_endian);
/* v's last len bytes. */
void secret_new_tail(struct secret *, const char *name,
    const struct secret *v, size_t len);

/* Does p hold the first len bytes of s? Unmasks one byte at a time. */
bool secret_match(const uint8_t *p, const struct secret *s, size_t len);

#endif /* TEST_SECRET_H */
