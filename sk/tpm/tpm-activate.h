/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The machine's side of the EK round trip (tpm-activate.c): TPM2_Activate
 * Credential with the AK (tpm-attest.h) and the EK, so that a CA that
 * sealed a secret to this TPM's EK for the AK's Name gets it back only
 * if both keys live in this TPM.
 */
#ifndef SK_TPM_ACTIVATE_H
#define SK_TPM_ACTIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "tpm.h"

/* The EKs of the TCG EK Credential Profile sk-tpm activates with: the low
 * range's templates L-1 and L-2, and the high range's H-6 and H-3
 * (tpm-ek-template.c). */
#define TPM_EK_RSA2048	1	/* L-1 */
#define TPM_EK_P256	2	/* L-2 */
#define TPM_EK_RSA3072	3	/* H-6 */
#define TPM_EK_P384	4	/* H-3 */

/* The credential up to 64 bytes. */
#define TPM_CREDENTIAL_MAX	64

/* Recover the credential of a TPM2B_ID_OBJECT body (id) and a
 * TPM2B_ENCRYPTED_SECRET body (secret) into out, with the AK of ak_kind
 * (TPM_AK_*, tpm-attest.h) and the EK of ek_kind, derived from its TCG
 * template and authorised by PolicySecret (endorsement) in the low range,
 * by its empty auth value in the high range. The result travels encrypted (a session salted to the EK). A
 * credential not made for this TPM's EK and AK is refused with
 * that reason. */
int tpm_activate(struct tpm *, int ak_kind, int ek_kind, const uint8_t *id,
    size_t id_len, const uint8_t *secret, size_t secret_len,
    uint8_t out[TPM_CREDENTIAL_MAX], size_t *out_len);

#endif /* SK_TPM_ACTIVATE_H */
