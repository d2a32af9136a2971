/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the C tests: an OpenSSL
 * check of a signature made by the library (independent of its code), a
 * monotonic clock, stderr capture and the process's memory figures.
 */
#ifndef TEST_SK_TEST_UTIL_H
#define TEST_SK_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sk-api.h"

/* 1 if the signature verifies for (app, data) under the 65-byte point. */
int stu_verify(const uint8_t *point, size_t point_len,
    const struct sk_sign_response *s, const char *app, const uint8_t *data,
    size_t len);
void stu_free_enroll(struct sk_enroll_response *);
void stu_free_sign(struct sk_sign_response *);
void stu_free_resident(struct sk_resident_key **, size_t);

/* Seconds on the monotonic clock. */
double stu_now(void);

/* Redirect stderr to a temporary file / restore it and return what was
 * written (at most 4 KiB; a static buffer). */
int stu_capture_start(void);
const char *stu_capture_stop(void);
/* Lines of s, and lines of s that begin with "sk-tpm: ". */
int stu_count_lines(const char *s);
int stu_count_sk_lines(const char *s);

/* VmRSS of this process in KiB, -1 if unknown. */
long stu_rss_kib(void);
/* Bytes the allocator has handed out and not taken back (mallinfo2). */
size_t stu_heap_bytes(void);

#endif
