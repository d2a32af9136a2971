/*
 * Attestation at enrollment (attest.c): fills the three fields of the
 * enrollment response that ssh-keygen -O write-attestation writes out.
 * Formats in attest-codec.h.
 */
#ifndef SK_ATTEST_H
#define SK_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "tpm.h"

struct sk_enroll_response;

/*
 * Called once the key exists and resp->key_handle is built. Never fails
 * the enrollment: the key is made and must not be lost for want of
 * evidence about it. What could not be gathered is named in a debug line
 * (SK_TPM_DEBUG=1) and is missing from the attestation, where the
 * verifier reports it: without TPM2_Certify the three fields stay empty;
 * without EK certificates in NV the statement has none.
 */
void attest_enrollment(struct tpm *, const struct tpm_new_key *,
    const uint8_t auth[TPM_AUTH_LEN], const char *application, uint8_t flags,
    const uint8_t *challenge, size_t challenge_len,
    struct sk_enroll_response *resp);

#endif /* SK_ATTEST_H */
