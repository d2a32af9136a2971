/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attestation statement of version 3, WebAuthn's "tpm" attStmt with
 * sk-tpm's pairs (the layout is in attest-codec.h): attest-codec.c's
 * att_stmt_encode and att_stmt_decode hand version 3 to these.
 */
#ifndef SK_ATTEST_WEBAUTHN_H
#define SK_ATTEST_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

struct att_stmt;

/* KH_* codes of codec.h. The decoder says KH_ERR_FOREIGN when buf is not
 * a map whose first key is "alg" (a statement of version 1 or 2 begins
 * with key 0), KH_ERR_VERSION when its "sk-tpm" is another version. */
int att_webauthn_encode(const struct att_stmt *, uint8_t **out,
    size_t *len);
int att_webauthn_decode(const uint8_t *buf, size_t len, struct att_stmt *);

#endif /* SK_ATTEST_WEBAUTHN_H */
