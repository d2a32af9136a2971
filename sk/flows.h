/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The operations behind the exported entry points. The TPM they use is
 * cfg->tcti: SK_TPM_TCTI, or ssh-keygen's -O device= when given. Each returns 0 or an
 * SSH_SK_ERR_* code with one error line recorded (log.h), and hands over a
 * complete response only on success.
 */
#ifndef SK_FLOWS_H
#define SK_FLOWS_H

#include <stddef.h>
#include <stdint.h>

struct sk_config;
struct sk_opts;
struct sk_enroll_response;
struct sk_sign_response;

int enroll_run(const struct sk_config *, uint32_t alg,
    const char *application, uint8_t flags, const char *pin,
    const uint8_t *challenge, size_t challenge_len,
    const struct sk_opts *, struct sk_enroll_response **out);

int sign_run(const struct sk_config *, uint32_t alg, const uint8_t *data,
    size_t data_len, const char *application, const uint8_t *key_handle,
    size_t key_handle_len, uint8_t flags, const char *pin,
    struct sk_sign_response **out);

/* A signature response (sign.c) for OpenSSH to free. */
int sign_response_new(uint8_t flags, uint32_t counter, const uint8_t r[32],
    const uint8_t s[32], struct sk_sign_response **out);

struct sk_resident_key;

int resident_keys_run(const struct sk_config *, struct sk_resident_key ***rks,
    size_t *nrks);

#endif /* SK_FLOWS_H */
