/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strict CBOR for our own small formats (key handle, resident record,
 * attestation statement): definite-length maps of unsigned keys with uint,
 * text and byte string values, every head in its shortest form, so that
 * an encoding is unique and an accepted input re-encodes to exactly its
 * bytes. Each format is a map whose first two pairs are its magic and its
 * version (struct crd_format, codec.h).
 *
 * The reader (cbor-read.h) refuses whatever breaks these rules, and text
 * that is not UTF-8 (cbor-utf8.h); the writer (cbor-write.h) writes only
 * shortest forms. A codec uses all three, and includes this.
 */
#ifndef SK_CBOR_STRICT_H
#define SK_CBOR_STRICT_H

#include "cbor-read.h"
#include "cbor-utf8.h"
#include "cbor-write.h"

#endif /* SK_CBOR_STRICT_H */
