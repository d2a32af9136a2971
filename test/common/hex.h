/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hexadecimal for the tests: test vectors and fixture files written in hex,
 * and hex dumps in logs. One reader of hex digits instead of one a test.
 */
#ifndef TEST_HEX_H
#define TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit (either case), or -1. */
int hex_digit(int c);

/* All of s, an even number of hex digits and nothing else, into at most
 * max bytes of out; *len: how many. 0, or -1. */
int hex_decode(const char *s, uint8_t *out, size_t max, size_t *len);

#endif /* TEST_HEX_H */
