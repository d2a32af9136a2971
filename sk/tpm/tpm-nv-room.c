/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How many more records of a given size fit in the TPM's NV, for
 * `sk-tpm doctor`. TPM 2.0 has no property for free NV (and chips keep
 * indices and persistent objects in pools of their own), so the only
 * measure is to ask: empty indices of the record's size and attributes
 * are defined in free slots of the sk-tpm range, from the top down, until
 * the TPM answers NV_SPACE or the cap is reached, and every one is
 * undefined again before returning. Nothing is written into them; an
 * index left behind by a crash in between is an unwritten record, which
 * the doctor and "sk-tpm list" show and delete removes. Each probe is an
 * NV write, so the cap stays small.
 */
#include <string.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-info.h"
#include "tpm-internal.h"

static bool
in_use(const uint32_t *used, size_t nused, uint32_t index)
{
	size_t i;

	for (i = 0; i < nused; i++)
		if (used[i] == index)
			return true;
	return false;
}

int
tpm_nv_room(struct tpm *t, size_t len, unsigned cap,
    struct tpm_nv_room *room)
{
	uint32_t used[TPM_NV_SLOTS], probes[TPM_NV_SLOTS], index;
	ESYS_TR nv[TPM_NV_SLOTS];
	TPM2B_AUTH index_auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub;
	size_t nused, i, n = 0;
	TSS2_RC rc;
	int r;

	room->fit = 0;
	room->full = false;
	room->owner_auth = false;
	room->slots = false;
	if ((r = tpm_nv_list(t, used, TPM_NV_SLOTS, &nused)) != 0)
		return r;
	memset(&pub, 0, sizeof(pub));
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = NV_ATTRIBUTES;
	pub.nvPublic.dataSize = (uint16_t)len;
	r = 0;
	for (index = TPM_NV_LAST; n < cap; index--) {
		if (index < TPM_NV_FIRST) {
			room->slots = true;	/* out of slots, not of NV */
			break;
		}
		if (in_use(used, nused, index))
			continue;
		pub.nvPublic.nvIndex = index;
		rc = Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER,
		    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &index_auth,
		    &pub, &nv[n]);
		if (rc == TSS2_RC_SUCCESS) {
			probes[n++] = index;
			continue;
		}
		if (rc_base(rc) == TPM2_RC_NV_DEFINED)
			continue;	/* taken meanwhile */
		if (rc_base(rc) == TPM2_RC_NV_SPACE)
			room->full = true;
		else if (rc_base(rc) == TPM2_RC_AUTH_FAIL ||
		    rc_base(rc) == TPM2_RC_BAD_AUTH)
			room->owner_auth = true;
		else
			r = rc_fail("defining an NV index to measure room",
			    rc);
		break;
	}
	room->fit = (unsigned)n;
	/* Every probe goes again, newest first. */
	for (i = n; i-- > 0;) {
		rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, nv[i],
		    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
		if (rc != TSS2_RC_SUCCESS) {
			(void)Esys_TR_Close(t->esys, &nv[i]);
			if (r == 0)
				r = rc_fail("removing an NV index that "
				    "measured room", rc);
			sk_debug("NV 0x%08x stays defined (empty)", probes[i]);
		}
	}
	return r;
}
