/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Policy digests beyond PCRs: the Certify-only branch every new key's
 * policy carries, PolicyOR over branches, and PolicySecret (which
 * TPM2_PolicyTicket satisfies as well). Each function extends a running
 * digest the way the TPM extends a policy session's policyDigest (TPM 2.0
 * part 3, 23.2 PolicyUpdate and the command's own section), so a trial
 * session and these functions agree byte for byte. Pure code, no TPM.
 */
#ifndef SK_POLICY_BRANCH_H
#define SK_POLICY_BRANCH_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* TPM_CC values (TPM 2.0 part 2, 6.5.2). */
#define POLICY_CC_SECRET	0x00000151u	/* TPM2_PolicySecret */
#define POLICY_CC_COMMAND_CODE	0x0000016cu	/* TPM2_PolicyCommandCode */
#define POLICY_CC_OR		0x00000171u	/* TPM2_PolicyOR */
#define POLICY_CC_TICKET	0x00000172u	/* TPM2_PolicyTicket */
#define POLICY_TPM_CC_CERTIFY	0x00000148u	/* TPM2_Certify */
#define POLICY_TPM_CC_SIGN	0x0000015du	/* TPM2_Sign */

/* PolicyOR takes 2 to 8 branches (TPML_DIGEST). */
#define POLICY_OR_MIN		2
#define POLICY_OR_MAX		8

/* TPM2_PolicyCommandCode(cc): d = H(d || TPM_CC_PolicyCommandCode || cc).
 * in and out may be the same buffer. Returns 0 or -1. */
int policy_extend_cc(const uint8_t in[POLICY_DIGEST_LEN], uint32_t cc,
    uint8_t out[POLICY_DIGEST_LEN]);

/* TPM2_PolicySecret(authObject named name, policyRef ref), and likewise
 * TPM2_PolicyTicket with a ticket of PolicySecret:
 * d = H(H(d || TPM_CC_PolicySecret || name) || ref). name is a TPM2B_NAME's
 * buffer (nameAlg || digest, or a handle), 4 to 66 bytes; ref 0 to 64. */
int policy_extend_secret(const uint8_t in[POLICY_DIGEST_LEN],
    const uint8_t *name, size_t name_len, const uint8_t *ref, size_t ref_len,
    uint8_t out[POLICY_DIGEST_LEN]);

/* TPM2_PolicyOR over n branch digests (2..8): the digest is reset, then
 * d = H(0...0 || TPM_CC_PolicyOR || branch_1 || ... || branch_n). */
int policy_or(const uint8_t (*branches)[POLICY_DIGEST_LEN], size_t n,
    uint8_t out[POLICY_DIGEST_LEN]);

/* The Certify-only branch: PolicyCommandCode(TPM2_Certify) from a fresh
 * session. It lets the key be certified, and nothing else. */
int policy_certify_branch(uint8_t out[POLICY_DIGEST_LEN]);

#endif /* SK_POLICY_BRANCH_H */
