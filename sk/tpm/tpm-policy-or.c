/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Policies with branches (key-policy.h): once a session has run one
 * branch of a key's policy, TPM2_PolicyOR over the list of branch digests
 * turns its policyDigest into the key's authPolicy; and the branch that
 * admits TPM2_Certify alone, TPM2_PolicyCommandCode(TPM2_Certify), which
 * lets the attestation certify a key that only a policy session may use.
 *
 * PolicyOR refuses (TPM_RC_VALUE) a session whose digest is none of the
 * branches, so a branch that was not completed cannot be passed off as
 * another; PolicyCommandCode makes the TPM refuse any command but the one
 * named (TPM_RC_POLICY_CC), whatever branch follows.
 */
#include <string.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

int
policy_or_run(struct tpm *t, ESYS_TR session, const struct key_policy *p)
{
	TPML_DIGEST list;
	size_t i;
	TSS2_RC rc;

	if (p->n == 0)
		return 0;
	if (p->n < POLICY_OR_MIN || p->n > POLICY_OR_MAX) {
		sk_error("a key policy of %zu branches", p->n);
		return SSH_SK_ERR_GENERAL;
	}
	memset(&list, 0, sizeof(list));
	list.count = (UINT32)p->n;
	for (i = 0; i < p->n; i++) {
		list.digests[i].size = POLICY_DIGEST_LEN;
		memcpy(list.digests[i].buffer, p->branch[i],
		    POLICY_DIGEST_LEN);
	}
	rc = Esys_PolicyOR(t->esys, session, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &list);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("joining the key's policy branches (PolicyOR)",
		    rc);
	return 0;
}

int
policy_certify_run(struct tpm *t, ESYS_TR session, const struct key_policy *p)
{
	TSS2_RC rc;

	if (p->certify_branch == KEY_POLICY_NO_BRANCH && p->n != 0) {
		sk_error("the key's policy has no branch for TPM2_Certify");
		return SSH_SK_ERR_GENERAL;
	}
	rc = Esys_PolicyCommandCode(t->esys, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CC_Certify);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("limiting the policy session to TPM2_Certify",
		    rc);
	return policy_or_run(t, session, p);
}
