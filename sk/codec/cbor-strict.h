/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strict CBOR for our own small formats (key handle, resident record,
 * attestation statement): definite-length maps of unsigned or text keys
 * with integer (unsigned or negative), text, byte string and definite
 * array values, every head in its shortest form, so that an encoding is
 * unique and an accepted input re-encodes to exactly its bytes. The
 * formats of uint keys are maps whose first two pairs are their magic and
 * their version (struct crd_format, codec.h); a text-keyed format (the
 * WebAuthn attestation statement) names its keys in the canonical order
 * of CTAP2 (shorter first, then bytewise) and reads them in that order.
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
