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

/* The longest Name KDFa takes as its context: a SHA-512 one. */
#define MC_NAME_MAX	66

/* The EK's kind when the credential can be sealed to it, its name
 * ("RSA-2048", "RSA-3072", "ECC P-256", "ECC P-384"); else NULL. */
const char *mc_ek_kind(EVP_PKEY *ek);

/* The credential (1 to 32 bytes) for the object with this Name, sealed to
 * the EK (an RSA-2048 or ECC P-256 public key of a low-range TCG EK, or an
 * RSA-3072 or ECC P-384 one of the high range): the bodies of the
 * TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET. 0 or -1. */
int mc_make(EVP_PKEY *ek, const uint8_t name[MC_NAME_LEN],
    const uint8_t *cred, size_t cred_len, uint8_t id[CRED_ID_MAX],
    size_t *id_len, uint8_t secret[CRED_SECRET_MAX], size_t *secret_len);

/* The KDFs of TPM 2.0 Part 1 with the hash md (an OpenSSL name, "SHA256"
 * or "SHA384"), one block of output: KDFa (bits no more than the digest;
 * contextV empty) and KDFe (a digest of output; z, u and v coord bytes
 * each). 0 or -1. */
int mc_kdfa(const char *md, const uint8_t *key, size_t key_len,
    const char *label, const uint8_t *ctx_u, size_t u_len, uint32_t bits,
    uint8_t *out);
int mc_kdfe(const char *md, const uint8_t *z, const char *label,
    const uint8_t *u, const uint8_t *v, size_t coord, uint8_t *out);

#endif /* SK_TPM_ATTEST_MAKECRED_H */
