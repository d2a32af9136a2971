/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test-side policy chores for keys whose policy admits TPM2_Certify alone
 * (issue 19), independent of the library: the policy a key of handle
 * version 3 should carry, computed by TPM trial sessions, and a policy
 * session that runs the Certify branch against a loaded key.
 */
#ifndef TEST_TPM_POLICY_UTIL_H
#define TEST_TPM_POLICY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Certify-only branch from a trial session
 * (PolicyCommandCode(TPM2_Certify)). */
int tu_trial_certify_branch(const char *tcti, uint8_t out[32]);
/* PolicyOR over two branches in a trial session. */
int tu_trial_or(const char *tcti, const uint8_t a[32], const uint8_t b[32],
    uint8_t out[32]);

/* What the Certify branch of a key may do: the key (marshalled TPM2B_PUBLIC
 * and TPM2B_PRIVATE) loaded under the SRK at 0x81000001, a policy session
 * given PolicyCommandCode(TPM2_Certify) and, unless pcr_branch is NULL (a
 * key without a binding), PolicyOR(pcr_branch, certify branch), then the
 * command: TPM2_Certify of the key with no signing key
 * (TPM_RH_NULL) or, with sign, TPM2_Sign. The TPM's response code, or
 * 0xffffffff if the test could not get that far. */
uint32_t tu_certify_branch_use(const char *tcti, const uint8_t *pub,
    size_t pub_len, const uint8_t *priv, size_t priv_len,
    const uint8_t pcr_branch[32], bool sign);

#endif
