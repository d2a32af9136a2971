/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The log search of test_secrets: what SK_TPM_DEBUG=1 and tpm2-tss's
 * tracing printed, searched for secrets (secret.h), whole and their first
 * PREFIX_LEN bytes, raw, as hex in either case, and inside tpm2-tss's hex
 * dumps decoded back to bytes (a secret split over two dump lines is seen
 * whole). Each hit names the log line it is in. The search proves it can
 * see: log_self_check plants secrets the ways it looks for them.
 */
#ifndef TEST_LOGSCAN_H
#define TEST_LOGSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "secret.h"

/* The bytes of tpm2-tss's hex dumps in log, at most max, into out; origin
 * (if not NULL): each byte's header line, as an offset into log; *lines:
 * how many dump lines. */
size_t decode_dumps(const char *log, uint8_t *out, size_t *origin,
    size_t max, size_t *lines);

/* The hits of the secrets in log and in its decoded dumps, each reported
 * (with its line when origin is given). */
size_t log_search(const char *what, const uint8_t *log, size_t log_len,
    const uint8_t *dumps, const size_t *origin, size_t dumps_len,
    const struct secret *const *secrets, size_t nsecrets);

/* All of f from its start, NUL-terminated; *len without the NUL. */
char *slurp(FILE *f, size_t *len);
/* Lines of log that begin with prefix. */
size_t count_prefix(const char *log, const char *prefix);

/* The search finds a PIN planted in a debug line, and an auth value in a
 * hex dump split over two lines in both dump formats. Failures go to
 * fail(). */
void log_self_check(const struct secret *pin, const struct secret *auth);

#endif /* TEST_LOGSCAN_H */
