/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm attest challenge | activate (attest-round.c): its small file
 * helpers, and the AK a CA certifies (attest-ak.c).
 */
#ifndef SK_TPM_ATTEST_ROUND_H
#define SK_TPM_ATTEST_ROUND_H

#include <stddef.h>
#include <stdint.h>

#include "attest-makecred.h"

/* At most max bytes of path; 0, or -1 (missing, unreadable, too long). */
int round_read_small(const char *path, uint8_t *buf, size_t max,
    size_t *len);
/* buf into path, mode 0600, not through a symbolic link; 0, or -1 said. */
int round_write_private(const char *path, const uint8_t *buf, size_t len);

/* The AK of DIR: ak.tpmt, a restricted ECDSA P-256 signing key made in a
 * TPM, with its Name and point; ak.pem and ak.name, where present, must
 * agree with it. 0, or -1 with the reason said. */
int round_load_ak(const char *dir, uint8_t name[MC_NAME_LEN],
    uint8_t point[65]);
/* The AK's public key as PEM into path, the copy the CA certifies. */
int round_keep_ak(const uint8_t point[65], const char *path);

#endif /* SK_TPM_ATTEST_ROUND_H */
