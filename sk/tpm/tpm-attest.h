/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What attestation asks of the TPM (tpm-attest.c, tpm-ekcert.c): the
 * attestation key, TPM2_Certify of a new key, the EK certificates in NV
 * and the TPM's identity. Plain bytes out; only those files know ESYS.
 */
#ifndef SK_TPM_ATTEST_H
#define SK_TPM_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "tpm.h"

/*
 * The AK: an ECC P-256 restricted signing key (ECDSA, SHA-256) derived as
 * a primary of the endorsement hierarchy from a fixed template with an
 * empty auth value, so it is the same key, with the same Name, every
 * time on one TPM (until the endorsement seed changes) and needs no NV or
 * persistent handle.
 */
struct tpm_certified {
	uint8_t *cert_info;	/* TPMS_ATTEST, malloc'ed */
	size_t cert_info_len;
	uint8_t r[32], s[32];	/* ECDSA signature by the AK */
	uint8_t *ak_pub;	/* TPMT_PUBLIC of the AK, malloc'ed */
	size_t ak_pub_len;
};
void tpm_certified_reset(struct tpm_certified *);

/* Derive the AK and let it certify the new key, still held loaded since
 * tpm_create_key, with qualifying data extra; then flush the key and its
 * session. A PIN key's auth value only crosses the bus in the salted
 * session it was created in. A key only a policy session may use (bound to
 * PCRs) is certified through its policy's Certify branch instead, which
 * needs neither its PIN nor its PCRs. */
int tpm_attest_certify(struct tpm *, const uint8_t extra[32],
    struct tpm_certified *);

/* The AK's TPMT_PUBLIC (malloc'ed), for sk-tpm attest. */
int tpm_ak_public(struct tpm *, uint8_t **pub, size_t *len);

/* How the EK indices read: how many were, how many are defined but could
 * not be read, and why the first of those could not ("0x01c00002: ..."). */
struct tpm_ek_read {
	int read, unread;
	char why[160];
};
/* Every EK certificate (0x01C00002, 0x01C0000A, 0x01C00012..0x01C0001E)
 * and EK chain certificate (0x01C00100..0x01C001FF) in NV, as stored,
 * concatenated into a malloc'ed buffer (NULL, 0 when there are none). An
 * index that cannot be read is counted in *how and skipped; only failing
 * to list the indices is an error. Only indices the platform defined
 * (TPMA_NV_PLATFORMCREATE) are read; the others are skipped and listed. */
int tpm_ek_certs(struct tpm *, uint8_t **out, size_t *len,
    struct tpm_ek_read *how);
/* The indices the last tpm_ek_certs skipped because the platform did not
 * define them (at most TPM_EK_SKIPPED_MAX), and how many. */
#define TPM_EK_SKIPPED_MAX	16
size_t tpm_ek_skipped(const struct tpm *, const uint32_t **indices);

/* TPM2_PT_MANUFACTURER and TPM2_PT_FIRMWARE_VERSION_1 << 32 | _2. */
int tpm_identity(struct tpm *, uint32_t *manufacturer, uint64_t *firmware);

#endif /* SK_TPM_ATTEST_H */
