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
 * The AKs: restricted signing keys derived as primaries of the endorsement
 * hierarchy from fixed templates with an empty auth value and an empty
 * unique field, so each is the same key, with the same Name, every time
 * on one TPM (until the endorsement seed changes) and needs no NV or
 * persistent handle. Two kinds, as the attestation's COSE alg says:
 *
 *   TPM_AK_ES256  ECC P-256, ECDSA with SHA-256 (COSE -7), the default
 *   TPM_AK_RS1    RSA-2048 (exponent 65537), RSASSA-PKCS1-v1_5 with SHA-1
 *                 (COSE -65535), for relying parties whose verifier
 *                 knows only that one (libfido2's fido_cred_verify)
 *
 * Both are restricted: the TPM signs with them only structures it made
 * itself (a TPMS_ATTEST starting with TPM_GENERATED_VALUE) or digests it
 * computed and ticketed, never a digest handed to it.
 */
#define TPM_AK_ES256	0
#define TPM_AK_RS1	1
#define TPM_AK_SIG_MAX	256	/* RSA-2048 */

struct tpm_certified {
	uint8_t *cert_info;	/* TPMS_ATTEST, malloc'ed */
	size_t cert_info_len;
	/* ES256: r || s (64 bytes); RS1: the PKCS#1 signature (256) */
	uint8_t sig[TPM_AK_SIG_MAX];
	size_t sig_len;
	uint8_t *ak_pub;	/* TPMT_PUBLIC of the AK, malloc'ed */
	size_t ak_pub_len;
};
void tpm_certified_reset(struct tpm_certified *);

/* Derive the AK of that kind and let it certify the new key, still held
 * loaded since tpm_create_key, with qualifying data extra (1..32 bytes:
 * a SHA-256 digest for ES256, SHA-1 for RS1); then flush the key and its
 * session. A PIN key's auth value only crosses the bus in the salted
 * session it was created in. A key only a policy session may use (bound to
 * PCRs) is certified through its policy's Certify branch instead, which
 * needs neither its PIN nor its PCRs. */
int tpm_attest_certify(struct tpm *, int ak_kind, const uint8_t *extra,
    size_t extra_len, struct tpm_certified *);

/* The TPMT_PUBLIC (malloc'ed) of the AK of that kind, for sk-tpm
 * attest. */
int tpm_ak_public(struct tpm *, int ak_kind, uint8_t **pub, size_t *len);
/* "ES256 (ECC P-256)" or "RS1 (RSA-2048)" */
const char *tpm_ak_kind_name(int ak_kind);

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
