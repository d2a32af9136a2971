/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test vectors written in hex, for the unit tests.
 */
#ifndef TEST_HEXVEC_H
#define TEST_HEXVEC_H

#include <stddef.h>
#include <stdint.h>

/* Exactly 2 * len hex digits into len bytes; a cmocka failure otherwise. */
void unhex(const char *hex, uint8_t *out, size_t len);

#endif /* TEST_HEXVEC_H */
