/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dictionary-attack state: how many wrong PINs the TPM still tolerates,
 * and how long a lockout lasts.
 */
#include <string.h>

#include "tpm-internal.h"

static void
store_da(void *ctx, const TPMS_TAGGED_PROPERTY *p)
{
	struct tpm_da_state *da = ctx;

	switch (p->property) {
	case TPM2_PT_PERMANENT:
		da->in_lockout = (p->value & TPMA_PERMANENT_INLOCKOUT) != 0;
		da->lockout_auth_set =
		    (p->value & TPMA_PERMANENT_LOCKOUTAUTHSET) != 0;
		break;
	case TPM2_PT_LOCKOUT_COUNTER:
		da->counter = p->value;
		break;
	case TPM2_PT_MAX_AUTH_FAIL:
		da->max_tries = p->value;
		break;
	case TPM2_PT_LOCKOUT_INTERVAL:
		da->interval = p->value;
		break;
	case TPM2_PT_LOCKOUT_RECOVERY:
		da->recovery = p->value;
		break;
	default:
		break;
	}
}

int
tpm_read_da_state(struct tpm *t, struct tpm_da_state *da)
{
	memset(da, 0, sizeof(*da));
	/* TPM2_PT_PERMANENT (0x200) up to TPM2_PT_LOCKOUT_RECOVERY (0x211),
	 * one command on every TPM we know. */
	return props_read(t, TPM2_PT_PERMANENT, TPM2_PT_LOCKOUT_RECOVERY,
	    store_da, da);
}
