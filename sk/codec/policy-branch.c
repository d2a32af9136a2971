/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Policy digests of PolicyCommandCode, PolicySecret/PolicyTicket and
 * PolicyOR (policy-branch.h), computed as the TPM extends a session's
 * policyDigest.
 */
#include <string.h>

#include "policy-branch.h"
#include "sha256.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int
policy_extend_cc(const uint8_t in[POLICY_DIGEST_LEN], uint32_t cc,
    uint8_t out[POLICY_DIGEST_LEN])
{
	struct sha256_ctx ctx;
	uint8_t args[8];

	put32(args, POLICY_CC_COMMAND_CODE);
	put32(args + 4, cc);
	sha256_init(&ctx);
	sha256_update(&ctx, in, POLICY_DIGEST_LEN);
	sha256_update(&ctx, args, sizeof(args));
	sha256_final(&ctx, out);
	return 0;
}

int
policy_extend_secret(const uint8_t in[POLICY_DIGEST_LEN],
    const uint8_t *name, size_t name_len, const uint8_t *ref, size_t ref_len,
    uint8_t out[POLICY_DIGEST_LEN])
{
	struct sha256_ctx ctx;
	uint8_t cc[4], d[POLICY_DIGEST_LEN];

	if (name == NULL || name_len < 4 || name_len > 66 || ref_len > 64 ||
	    (ref == NULL && ref_len != 0))
		return -1;
	put32(cc, POLICY_CC_SECRET);
	sha256_init(&ctx);
	sha256_update(&ctx, in, POLICY_DIGEST_LEN);
	sha256_update(&ctx, cc, sizeof(cc));
	sha256_update(&ctx, name, name_len);
	sha256_final(&ctx, d);
	sha256_init(&ctx);
	sha256_update(&ctx, d, sizeof(d));
	if (ref_len != 0)
		sha256_update(&ctx, ref, ref_len);
	sha256_final(&ctx, out);
	return 0;
}

int
policy_or(const uint8_t (*branches)[POLICY_DIGEST_LEN], size_t n,
    uint8_t out[POLICY_DIGEST_LEN])
{
	struct sha256_ctx ctx;
	uint8_t zero[POLICY_DIGEST_LEN], cc[4];
	size_t i;

	if (branches == NULL || n < POLICY_OR_MIN || n > POLICY_OR_MAX)
		return -1;
	memset(zero, 0, sizeof(zero));
	put32(cc, POLICY_CC_OR);
	sha256_init(&ctx);
	sha256_update(&ctx, zero, sizeof(zero));
	sha256_update(&ctx, cc, sizeof(cc));
	for (i = 0; i < n; i++)
		sha256_update(&ctx, branches[i], POLICY_DIGEST_LEN);
	sha256_final(&ctx, out);
	return 0;
}

int
policy_certify_branch(uint8_t out[POLICY_DIGEST_LEN])
{
	uint8_t zero[POLICY_DIGEST_LEN];

	memset(zero, 0, sizeof(zero));
	return policy_extend_cc(zero, POLICY_TPM_CC_CERTIFY, out);
}
