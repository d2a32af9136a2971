/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fault programs' own look at the simulator, past the library (see
 * fault-harness.h): which indices of sk-tpm's NV range exist, removing
 * those a test made (or a store cut short left defined but unwritten),
 * and flushing whatever a fault left loaded that no client can reach.
 */
#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>

#include "fault-harness.h"
#include "tpm-conn.h"

size_t
nv_snapshot(uint32_t *out, size_t max)
{
	struct tu_conn c;
	int n = -1;

	if (tu_conn_open(tcti, &c) == 0) {
		n = tu_nv_indices(&c, out, max > 256 ? 256 : (int)max);
		tu_conn_close(&c);
	}
	return n > 0 ? (size_t)n : 0;
}

int
nv_remove(int unwritten_only, const uint32_t *spare, size_t nspare)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	uint32_t have[256];
	struct tu_conn c;
	size_t i, j;
	ESYS_TR nv;
	int n, removed = 0, written;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if ((n = tu_nv_indices(&c, have, 256)) < 0) {
		removed = -1;
		goto out;
	}
	for (i = 0; i < (size_t)n; i++) {
		for (j = 0; j < nspare && spare[j] != have[i]; j++)
			;
		if (j < nspare || Esys_TR_FromTPMPublic(c.esys, have[i],
		    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv) !=
		    TSS2_RC_SUCCESS)
			continue;
		written = 1;
		if (Esys_NV_ReadPublic(c.esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, &pub, NULL) == TSS2_RC_SUCCESS)
			written = (pub->nvPublic.attributes &
			    TPMA_NV_WRITTEN) != 0;
		Esys_Free(pub);
		pub = NULL;
		if ((!unwritten_only || !written) &&
		    Esys_NV_UndefineSpace(c.esys, ESYS_TR_RH_OWNER, nv,
		    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE) ==
		    TSS2_RC_SUCCESS)
			removed++;
		else
			Esys_TR_Close(c.esys, &nv);
	}
out:
	tu_conn_close(&c);
	return removed;
}

/* After a fault that no client can clean up after: the TPM acted, the
 * answer was lost. */
int
flush_everything(void)
{
	static const uint32_t ranges[] = { 0x80000000u, 0x02000000u,
	    0x03000000u };
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	struct tu_conn c;
	ESYS_TR tr;
	size_t k;
	uint32_t i, h;
	int flushed = 0;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	for (k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		if (Esys_GetCapability(c.esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_HANDLES, ranges[k], 64, &more,
		    &cap) != TSS2_RC_SUCCESS)
			continue;
		for (i = 0; i < cap->data.handles.count; i++) {
			h = cap->data.handles.handle[i];
			if ((h & 0xff000000u) != (ranges[k] & 0xff000000u))
				continue;
			if (Esys_TR_FromTPMPublic(c.esys, h, ESYS_TR_NONE,
			    ESYS_TR_NONE, ESYS_TR_NONE, &tr) ==
			    TSS2_RC_SUCCESS &&
			    Esys_FlushContext(c.esys, tr) == TSS2_RC_SUCCESS)
				flushed++;
		}
		Esys_Free(cap);
		cap = NULL;
	}
	tu_conn_close(&c);
	return flushed;
}
