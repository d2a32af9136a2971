/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM properties (TPM2_CAP_TPM_PROPERTIES), read in as few GetCapability
 * commands as the TPM allows.
 */
#include "tpm-internal.h"

int
props_read(struct tpm *t, TPM2_PT first, TPM2_PT last,
    void (*store)(void *, const TPMS_TAGGED_PROPERTY *), void *ctx)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_YES;
	TPM2_PT next = first, before;
	TSS2_RC rc;
	uint32_t i;

	/* A TPM may answer with fewer than asked and set moreData; ask
	 * again from where it stopped. */
	while (more && next <= last) {
		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, next,
		    last - next + 1, &more, &cap);
		if (rc != TSS2_RC_SUCCESS)
			return rc_fail("reading the TPM's properties", rc);
		before = next;
		for (i = 0; i < cap->data.tpmProperties.count; i++) {
			const TPMS_TAGGED_PROPERTY *p =
			    &cap->data.tpmProperties.tpmProperty[i];

			if (p->property < next || p->property > last) {
				more = TPM2_NO;
				break;
			}
			store(ctx, p);
			next = p->property + 1;
		}
		Esys_Free(cap);
		cap = NULL;
		/* A TPM that claims more but makes no progress would keep
		 * us here for ever. */
		if (next == before)
			break;
	}
	return 0;
}
