/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Attestation at enrollment (attest.c): fills the three fields of the
 * enrollment response that ssh-keygen -O write-attestation writes out.
 * Formats in attest-codec.h.
 */
#ifndef SK_ATTEST_H
#define SK_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest-codec.h"
#include "tpm.h"

struct sk_enroll_response;

/* What attestation reads from the TPM before the key is made (EK
 * certificates, manufacturer and firmware): cheap reads, done while
 * nothing of the enrollment is loaded, so that a resource manager has
 * nothing to swap around them. */
struct attest_prep {
	uint8_t *ek;			/* EK certificates, malloc'ed */
	size_t ek_len;
	/* "N: INDEX: why" when N EK indices could not be read, else "" */
	char ek_unread[ATT_EK_UNREAD_MAX + 1];
	uint32_t manufacturer;
	uint64_t firmware;
	int ak_kind;			/* TPM_AK_*: which AK certifies */
};

/* Never fails; what could not be read is named in a debug line and is
 * missing from the statement. The EK certificates name the TPM (they hold
 * its serial number) and would let any two relying parties link every key
 * of a machine, so they are read only with_ek (SK_TPM_ATTEST_EK=1); a
 * fleet CA gets them once through `sk-tpm attest export`. */
void attest_prepare(struct tpm *, bool with_ek, int ak_kind,
    struct attest_prep *);
void attest_prep_free(struct attest_prep *);

/*
 * The AK kind (TPM_AK_*) of the configured attestation algorithm
 * (config_attest_alg: SK_TPM_ATTEST_ALG, the config file's
 * attestation-alg); -1 with an error line for a malformed setting.
 */
struct sk_config;
int attest_ak_kind(const struct sk_config *);

/*
 * Called once the key exists, still held loaded since its creation
 * (tpm_hold_begin), and resp->key_handle is built. Never fails the
 * enrollment: the key is made and must not be lost for want of evidence
 * about it. What could not be gathered is named in a debug line
 * (SK_TPM_DEBUG=1) and is missing from the attestation, where the
 * verifier reports it: without TPM2_Certify the three fields stay empty;
 * without EK certificates in NV the statement has none. The key and its
 * session are flushed when it returns.
 */
void attest_enrollment(struct tpm *, const struct tpm_new_key *,
    const struct attest_prep *, const char *application, uint8_t flags,
    const uint8_t *challenge, size_t challenge_len,
    struct sk_enroll_response *resp);

#endif /* SK_ATTEST_H */
