/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The authorization policy of a key, as its handle (handle.h) or an
 * attestation statement describes it: the authPolicy digest the key's
 * public area must carry, whether only a policy session may use it, and
 * the branches of its PolicyOR, which a session runs one of before
 * TPM2_PolicyOR. Version 1 keys have none; version 2 keys the PCR policy
 * alone; version 3 keys a branch that admits TPM2_Certify alone besides
 * (policy-branch.h), so that any key can be attested:
 *
 *   unbound  authPolicy = certify branch, userWithAuth set: the auth
 *            value (PIN) signs as before. A session that satisfies the
 *            branch can run TPM2_Certify and nothing else, and a
 *            certification grants nothing but a signed statement about
 *            a public area; WebAuthn "tpm" verifiers (libfido2's
 *            fido_cred_verify) demand a 32-byte authPolicy in the
 *            certified public area, which an empty one is not.
 *   bound    authPolicy = PolicyOR(pcr branch, certify branch), where
 *            pcr branch = PolicyPCR [+ PolicyAuthValue for a PIN key];
 *            userWithAuth clear, adminWithPolicy set.
 *
 * Pure code, no TPM: the verifier recomputes the same digest from the
 * statement's PCR selection and values. A later handle version adds its
 * own branch to the list.
 */
#ifndef SK_KEY_POLICY_H
#define SK_KEY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handle.h"
#include "policy-branch.h"

#define KEY_POLICY_NO_BRANCH	((size_t)-1)

struct key_policy {
	bool present;			/* the key has an authPolicy */
	uint8_t digest[POLICY_DIGEST_LEN];	/* its authPolicy */
	bool policy_only;		/* userWithAuth clear,
					 * adminWithPolicy set */
	/* The branches of its PolicyOR in order; n 0 when the policy has
	 * no PolicyOR (digest is then the one policy, and the indices
	 * below KEY_POLICY_NO_BRANCH). */
	size_t n;
	uint8_t branch[POLICY_OR_MAX][POLICY_DIGEST_LEN];
	size_t pcr_branch;		/* index, or KEY_POLICY_NO_BRANCH */
	size_t certify_branch;		/* index, or KEY_POLICY_NO_BRANCH */
};

/* The policy of a version 3 key bound to the PCRs of mask with these
 * expected values (mask 0: unbound), with PolicyAuthValue in the PCR
 * branch when auth_value. 0, or -1 for an impossible binding. */
int key_policy_v3(uint32_t mask, const uint8_t *values, size_t values_len,
    bool auth_value, struct key_policy *);

/* The policy of the key a handle (of any version, checked by kh_check)
 * describes. 0 or -1. */
int key_policy_of(const struct kh *, struct key_policy *);

#endif /* SK_KEY_POLICY_H */
