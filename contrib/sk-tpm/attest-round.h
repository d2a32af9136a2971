/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm attest challenge | activate (attest-round.c): the AK a CA
 * certifies (attest-ak.c); their small files are attest-io.h's.
 */
#ifndef SK_TPM_ATTEST_ROUND_H
#define SK_TPM_ATTEST_ROUND_H

#include <stddef.h>
#include <stdint.h>

#include "attest-makecred.h"

/* The AK of DIR: ak.tpmt, a restricted ECDSA P-256 signing key made in a
 * TPM, with its Name and point; ak.pem and ak.name, where present, must
 * agree with it. 0, or -1 with the reason said. */
int round_load_ak(const char *dir, uint8_t name[MC_NAME_LEN],
    uint8_t point[65]);
/* The AK's public key as PEM into path, the copy the CA certifies. */
int round_keep_ak(const uint8_t point[65], const char *path);

#endif /* SK_TPM_ATTEST_ROUND_H */
