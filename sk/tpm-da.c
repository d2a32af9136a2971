/*
 * Dictionary-attack state: how many wrong PINs the TPM still tolerates,
 * and how long a lockout lasts.
 */
#include <string.h>

#include "log.h"
#include "tpm-internal.h"

int
tpm_read_da_state(struct tpm *t, struct tpm_da_state *da)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;
	uint32_t i;

	memset(da, 0, sizeof(*da));
	/* TPM2_PT_PERMANENT (0x200) up to TPM2_PT_LOCKOUT_RECOVERY (0x211)
	 * in one command. */
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_PERMANENT,
	    TPM2_PT_LOCKOUT_RECOVERY - TPM2_PT_PERMANENT + 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("reading the lockout state", rc);
	for (i = 0; i < cap->data.tpmProperties.count; i++) {
		const TPMS_TAGGED_PROPERTY *p =
		    &cap->data.tpmProperties.tpmProperty[i];

		switch (p->property) {
		case TPM2_PT_PERMANENT:
			da->in_lockout = (p->value & TPMA_PERMANENT_INLOCKOUT)
			    != 0;
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
	Esys_Free(cap);
	return 0;
}
