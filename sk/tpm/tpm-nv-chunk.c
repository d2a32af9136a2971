/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NV data in pieces the TPM takes: at most TPM2_PT_NV_BUFFER_MAX bytes
 * per NV_Read or NV_Write (768 on Infineon SLB9670/9665, 1024 on swtpm),
 * or 512, which every PC Client TPM takes, when the TPM does not say.
 * Every NV read and write of sk-tpm goes through here: resident records
 * (tpm-nv.c, tpm-nv-write.c) and EK certificates (tpm-ekcert.c).
 */
#include <string.h>

#include "tpm-internal.h"

/* What any PC Client TPM takes in one NV command. */
#define NV_CHUNK_SAFE	512u

uint16_t
nv_chunk_max(struct tpm *t)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	uint32_t v = 0;
	TSS2_RC rc;

	if (t->nv_limits.buffer_max != 0)
		v = t->nv_limits.buffer_max;
	else {
		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
		    TPM2_PT_NV_BUFFER_MAX, 1, &more, &cap);
		if (rc == TSS2_RC_SUCCESS &&
		    cap->data.tpmProperties.count == 1 &&
		    cap->data.tpmProperties.tpmProperty[0].property ==
		    TPM2_PT_NV_BUFFER_MAX)
			v = cap->data.tpmProperties.tpmProperty[0].value;
		Esys_Free(cap);
		if (v != 0)
			t->nv_limits.buffer_max = v;
	}
	if (v == 0)
		return NV_CHUNK_SAFE;
	return v > sizeof(((TPM2B_MAX_NV_BUFFER *)0)->buffer) ?
	    (uint16_t)sizeof(((TPM2B_MAX_NV_BUFFER *)0)->buffer) : (uint16_t)v;
}

TSS2_RC
nv_read_chunked(struct tpm *t, ESYS_TR nv, uint16_t size, uint8_t *out)
{
	TPM2B_MAX_NV_BUFFER *chunk = NULL;
	uint16_t off, n, max = NV_CHUNK_SAFE;
	TSS2_RC rc = TSS2_RC_SUCCESS;

	/* Most records fit one safe read: ask for the limit only when
	 * more is to be read. */
	if (size > NV_CHUNK_SAFE)
		max = nv_chunk_max(t);
	for (off = 0; off < size; off += n) {
		n = size - off > max ? max : size - off;
		rc = Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD,
		    ESYS_TR_NONE, ESYS_TR_NONE, n, off, &chunk);
		if (rc != TSS2_RC_SUCCESS)
			break;
		if (chunk->size != n) {
			rc = TSS2_ESYS_RC_INSUFFICIENT_RESPONSE;
			break;
		}
		memcpy(out + off, chunk->buffer, n);
		Esys_Free(chunk);
		chunk = NULL;
	}
	Esys_Free(chunk);
	return rc;
}
