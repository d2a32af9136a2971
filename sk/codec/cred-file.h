/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The credential file of the EK round trip, as tpm2_makecredential writes
 * it and tpm2_activatecredential reads it (tpm2-tools 4 and 5), so that
 * either side can be sk-tpm or tpm2-tools:
 *
 *   uint32 0xBADCC0DE   magic, big-endian
 *   uint32 1            version
 *   TPM2B_ID_OBJECT     uint16 size || credentialBlob (integrityHMAC as a
 *                       TPM2B_DIGEST, then encIdentity)
 *   TPM2B_ENCRYPTED_SECRET  uint16 size || the seed encrypted to the EK
 *                       (RSA-OAEP, or an ephemeral TPMS_ECC_POINT)
 *
 * and nothing after. Pure bytes (no TPM, no I/O): the file comes from a
 * CA over whatever channel, so its parser is fuzzed (test/fuzz).
 */
#ifndef SK_CRED_FILE_H
#define SK_CRED_FILE_H

#include <stddef.h>
#include <stdint.h>

#define CRED_MAGIC		0xbadcc0deu
#define CRED_VERSION		1
/* sizeof(TPMS_ID_OBJECT): two TPM2B_DIGEST of up to 64 bytes. */
#define CRED_ID_MAX		132
/* sizeof(TPMU_ENCRYPTED_SECRET): an RSA-4096 ciphertext. */
#define CRED_SECRET_MAX		512
#define CRED_FILE_MAX		(8 + 2 + CRED_ID_MAX + 2 + CRED_SECRET_MAX)

struct cred_file {
	const uint8_t *id, *secret;	/* point into the parsed buffer */
	size_t id_len, secret_len;
};

/* 0, or -1 with *why set. Both parts non-empty and within the maxima. */
int cred_file_parse(const uint8_t *buf, size_t len, struct cred_file *,
    const char **why);
/* Into out (room for CRED_FILE_MAX); the length, or 0 when a part is
 * empty or too long. */
size_t cred_file_build(const struct cred_file *, uint8_t *out);

/* What the encrypted secret is, by its form: an RSA-2048 (256 bytes) or
 * RSA-3072 (384 bytes) ciphertext, or a P-256 point (two coordinates of
 * at most 32 bytes) or a P-384 one (two of 33 to 48 bytes). */
#define CRED_EK_UNKNOWN	0
#define CRED_EK_RSA2048	1
#define CRED_EK_P256	2
#define CRED_EK_RSA3072	3
#define CRED_EK_P384	4
int cred_ek_kind(const struct cred_file *);

#endif /* SK_CRED_FILE_H */
