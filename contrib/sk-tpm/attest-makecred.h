/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM2_MakeCredential in software (attest-makecred.c), for
 * `sk-tpm attest challenge`.
 */
#ifndef SK_TPM_ATTEST_MAKECRED_H
#define SK_TPM_ATTEST_MAKECRED_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "cred-file.h"

#define MC_NAME_LEN	34	/* a SHA-256 Name: 0x000B || digest */

/* The credential (1 to 32 bytes) for the object with this Name, sealed to
 * the EK (an RSA-2048 or ECC P-256 public key of a low-range TCG EK): the
 * bodies of the TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET. 0 or -1. */
int mc_make(EVP_PKEY *ek, const uint8_t name[MC_NAME_LEN],
    const uint8_t *cred, size_t cred_len, uint8_t id[CRED_ID_MAX],
    size_t *id_len, uint8_t secret[CRED_SECRET_MAX], size_t *secret_len);

/* The KDFs of TPM 2.0 Part 1 with SHA-256, one block of output: KDFa
 * (bits <= 256; contextV empty) and KDFe (256 bits). */
void mc_kdfa(const uint8_t *key, size_t key_len, const char *label,
    const uint8_t *ctx_u, size_t u_len, uint32_t bits, uint8_t *out);
void mc_kdfe(const uint8_t z[32], const char *label, const uint8_t u[32],
    const uint8_t v[32], uint8_t out[32]);

#endif /* SK_TPM_ATTEST_MAKECRED_H */
