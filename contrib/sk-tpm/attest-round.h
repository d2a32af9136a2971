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

#define ROUND_TPMT_MAX	1024

/* The AK of that kind (TPM_AK_*) in DIR: ak.tpmt (ak-rs1.tpmt), a
 * restricted signing key made in a TPM of that AK's shape (ak-key.h),
 * with its Name; ak.pem and ak.name (ak-rs1.*), where present, must agree
 * with it. 0, or -1 with the reason said. */
int round_load_ak(const char *dir, int kind, uint8_t name[MC_NAME_LEN],
    uint8_t tpmt[ROUND_TPMT_MAX], size_t *tpmt_len);
/* The AK's public key as PEM into path, the copy the CA certifies. */
int round_keep_ak(const uint8_t *tpmt, size_t tpmt_len, const char *path);

#endif /* SK_TPM_ATTEST_ROUND_H */
