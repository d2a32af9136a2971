/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The policy of a key from its handle or its attested binding
 * (key-policy.h), assembled from the digests of policy.h and
 * policy-branch.h.
 */
#include <string.h>

#include "key-policy.h"

static void
clear(struct key_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->pcr_branch = KEY_POLICY_NO_BRANCH;
	p->certify_branch = KEY_POLICY_NO_BRANCH;
}

int
key_policy_v3(uint32_t mask, const uint8_t *values, size_t values_len,
    bool auth_value, struct key_policy *p)
{
	clear(p);
	p->present = true;
	if (mask == 0) {
		if (values_len != 0 || auth_value)
			return -1;
		return policy_certify_branch(p->digest);
	}
	p->policy_only = true;
	p->n = 2;
	p->pcr_branch = 0;
	p->certify_branch = 1;
	if (policy_digest(mask, values, values_len, auth_value,
	    p->branch[0]) != 0 ||
	    policy_certify_branch(p->branch[1]) != 0 ||
	    policy_or((const uint8_t (*)[POLICY_DIGEST_LEN])p->branch, p->n,
	    p->digest) != 0)
		return -1;
	return 0;
}

int
key_policy_of(const struct kh *kh, struct key_policy *p)
{
	bool auth_value = (kh->policy & KH_POLICY_AUTH_VALUE) != 0;

	clear(p);
	switch (kh->version) {
	case KH_VERSION:
		return 0;
	case KH_VERSION_PCR:
		p->present = true;
		p->policy_only = true;
		return policy_digest(kh->pcr_mask, kh->pcr_values,
		    kh->pcr_values_len, auth_value, p->digest);
	case KH_VERSION_CERTIFY:
		return key_policy_v3(kh->pcr_mask, kh->pcr_values,
		    kh->pcr_values_len, auth_value, p);
	default:
		return -1;
	}
}
