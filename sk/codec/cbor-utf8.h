/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UTF-8 rule of CBOR text strings (RFC 8949 requires them to be valid
 * UTF-8): the reader refuses a text string that breaks it, and the codecs
 * check the text they are given to write with the same function, so that
 * nothing is written that the reader would refuse.
 */
#ifndef SK_CBOR_UTF8_H
#define SK_CBOR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether len bytes are well-formed UTF-8 (RFC 3629: shortest forms only,
 * no surrogates, nothing above U+10FFFF). */
bool crd_utf8_valid(const uint8_t *, size_t len);

#endif /* SK_CBOR_UTF8_H */
