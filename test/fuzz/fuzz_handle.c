/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the key-handle decoder on arbitrary bytes.
 *
 * Beyond "no crash, no leak, no sanitizer report": the result is one of
 * the documented codes and leaves no struct behind on failure, and an
 * accepted handle re-encodes to exactly its input (the format allows one
 * encoding per handle) and decodes again to the same fields (an
 * unlockable key's too), and its key's policy (key-policy.h) can be
 * computed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "key-policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
same(const struct kh *a, const struct kh *b)
{
	return a->version == b->version && a->flags == b->flags &&
	    a->tpm_public_len == b->tpm_public_len &&
	    memcmp(a->tpm_public, b->tpm_public, a->tpm_public_len) == 0 &&
	    a->tpm_private_len == b->tpm_private_len &&
	    memcmp(a->tpm_private, b->tpm_private, a->tpm_private_len) == 0 &&
	    memcmp(a->srk_name, b->srk_name, KH_NAME_LEN) == 0 &&
	    a->srk_public_len == b->srk_public_len &&
	    memcmp(a->srk_public, b->srk_public, a->srk_public_len) == 0 &&
	    memcmp(a->app_hash, b->app_hash, KH_APP_HASH_LEN) == 0 &&
	    a->pcr_mask == b->pcr_mask && a->policy == b->policy &&
	    a->pcr_values_len == b->pcr_values_len &&
	    memcmp(a->pcr_values, b->pcr_values, a->pcr_values_len) == 0 &&
	    a->secret_public_len == b->secret_public_len &&
	    (a->secret_public_len == 0 || memcmp(a->secret_public,
	    b->secret_public, a->secret_public_len) == 0) &&
	    a->secret_private_len == b->secret_private_len &&
	    (a->secret_private_len == 0 || memcmp(a->secret_private,
	    b->secret_private, a->secret_private_len) == 0) &&
	    memcmp(a->policy_ref, b->policy_ref, KH_REF_LEN) == 0 &&
	    a->unlock_s == b->unlock_s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kh *a = NULL, *b = NULL;
	struct key_policy p;
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int r;

	r = kh_decode(data, size, &a);
	if (r != KH_OK) {
		if (a != NULL || (r != KH_ERR_FOREIGN &&
		    r != KH_ERR_VERSION && r != KH_ERR_MALFORMED &&
		    r != KH_ERR_ALTERED))
			abort();
		return 0;
	}
	if (a == NULL || size > KH_MAX_LEN)
		abort();
	if (kh_encode(a, &enc, &enc_len) != KH_OK)
		abort();
	if (enc_len != size || memcmp(enc, data, size) != 0)
		abort();
	if (kh_decode(enc, enc_len, &b) != KH_OK || !same(a, b))
		abort();
	/* Policy sessions only: bound keys, and unlockable ones (version
	 * 4), whose unlock branch goes first. */
	if (key_policy_of(a, &p) != 0 || p.present != (a->version != 1) ||
	    p.policy_only != (a->pcr_mask != 0 ||
	    a->version == KH_VERSION_UNLOCK) ||
	    (a->version == KH_VERSION_UNLOCK && p.unlock_branch != 0))
		abort();
	free(enc);
	kh_free(&a);
	kh_free(&b);
	return 0;
}
