/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The policy of an unlockable key (handle version 4, handle.h), rebuilt
 * from its handle: signing needs the two branches for TPM2_PolicyOR, and
 * loading checks the key's authPolicy against the digest.
 */
#include <string.h>

#include "handle.h"
#include "policy-branch.h"

int
kh_unlock_policy(const struct kh *kh, uint8_t name[KH_NAME_LEN],
    uint8_t branches[2][POLICY_DIGEST_LEN], uint8_t policy[POLICY_DIGEST_LEN])
{
	uint8_t start[POLICY_DIGEST_LEN];

	if (kh == NULL || kh->version != KH_VERSION_UNLOCK ||
	    kh_srk_name(kh->secret_public, kh->secret_public_len, name) != 0)
		return -1;
	memset(start, 0, sizeof(start));
	if (kh->pcr_mask != 0 && policy_digest(kh->pcr_mask, kh->pcr_values,
	    kh->pcr_values_len, false, start) != 0)
		return -1;
	if (policy_extend_secret(start, name, KH_NAME_LEN, kh->policy_ref,
	    KH_REF_LEN, branches[0]) != 0 ||
	    policy_certify_branch(branches[1]) != 0 ||
	    policy_or((const uint8_t (*)[POLICY_DIGEST_LEN])branches, 2,
	    policy) != 0)
		return -1;
	return 0;
}
