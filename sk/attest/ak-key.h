/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An attestation key as a relying party sees it (ak-key.c): which of
 * sk-tpm's two AKs (tpm-attest.h) a TPMT_PUBLIC is, its public key for
 * OpenSSL, and its signature over certInfo checked with the COSE
 * algorithm of the statement. Shared by the provider (the installed AK
 * certificate must be for its AK) and the sk-tpm tool (export, challenge,
 * verify-attestation).
 */
#ifndef SK_AK_KEY_H
#define SK_AK_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "attest-parse.h"

/* TPMA_OBJECT of an AK: fixedTPM, fixedParent, sensitiveDataOrigin,
 * userWithAuth, restricted, sign (noDA allowed where said). */
#define AK_KEY_ATTRS	0x00050072u
#define AK_KEY_NODA	0x00000400u

/* TPM_AK_ES256 or TPM_AK_RS1 when k is a restricted signing key of that
 * shape (nameAlg SHA-256, no auth policy, no symmetric; ES256: ECC P-256,
 * ECDSA-SHA-256; RS1: RSA-2048, exponent 65537, RSASSA-SHA-1), else -1.
 * with_noda: noDA set is accepted too. */
int ak_kind_of(const struct att_public *k, bool with_noda);
/* The COSE algorithm an AK of that kind signs with: -7 or -65535. */
int ak_cose_alg(int ak_kind);
/* The public key of an ECC P-256 or RSA TPMT_PUBLIC, or NULL. */
EVP_PKEY *ak_public_key(const struct att_public *k);
/* Whether der is one X.509 certificate whose key is k's. */
bool ak_key_certified(const uint8_t *der, size_t der_len,
    const struct att_public *k);
/* The signature over msg by k with COSE alg (ES256: DER ECDSA over
 * SHA-256; RS1: PKCS#1 v1.5 over SHA-1): 0 if valid, else -1. */
int ak_verify(const struct att_public *k, int cose_alg, const uint8_t *msg,
    size_t len, const uint8_t *sig, size_t sig_len);

#endif /* SK_AK_KEY_H */
