/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A TPM whose NV is nearly full, as on a chip with little NV for indices
 * (the slb9670 chip profile, test/chip/profiles.sh): filler indices are
 * defined until the TPM answers NV_SPACE, then the largest are removed
 * again until at least the requested number of data bytes is free. The
 * fillers live at 0x01500000 and up, outside every range sk-tpm or the
 * TCG use; fillers of an earlier call stay. In C, as one connection: tpm2_nvdefine once per index took
 * seconds.
 */
#include <stdint.h>

#include <tss2/tss2_esys.h>

#include "tpm-conn.h"
#include "tpm-util.h"

#define FILL_FIRST	0x01500000u
#define FILL_MAX	512

static TSS2_RC
define(ESYS_CONTEXT *esys, uint32_t index, uint16_t size)
{
	TPM2B_AUTH auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub = { .size = 0 };
	ESYS_TR nv;
	TSS2_RC rc;

	pub.nvPublic.nvIndex = index;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD;
	pub.nvPublic.dataSize = size;
	rc = Esys_NV_DefineSpace(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &auth, &pub, &nv);
	if (rc == TSS2_RC_SUCCESS)
		(void)Esys_TR_Close(esys, &nv);
	return rc;
}

static int
undefine(ESYS_CONTEXT *esys, uint32_t index)
{
	ESYS_TR nv;

	if (Esys_TR_FromTPMPublic(esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv) != TSS2_RC_SUCCESS)
		return -1;
	return Esys_NV_UndefineSpace(esys, ESYS_TR_RH_OWNER, nv,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE) == TSS2_RC_SUCCESS ?
	    0 : -1;
}

int
tu_nv_fill(const char *tcti, size_t leave_free)
{
	static const uint16_t sizes[] = { 2048, 1024, 256, 64, 16 };
	uint32_t index_of[FILL_MAX];
	uint16_t size_of[FILL_MAX];
	struct tu_conn c;
	uint32_t n = 0, i, next = 0;
	size_t s, freed = 0;
	TSS2_RC rc;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		while (n < FILL_MAX && next < 2 * FILL_MAX) {
			rc = define(c.esys, FILL_FIRST + next, sizes[s]);
			if ((rc & 0xfff) == TPM2_RC_NV_SPACE)
				break;
			next++;
			/* A filler of an earlier call is there. */
			if ((rc & 0xfff) == TPM2_RC_NV_DEFINED)
				continue;
			if (rc != TSS2_RC_SUCCESS)
				goto out;
			index_of[n] = FILL_FIRST + next - 1;
			size_of[n++] = sizes[s];
		}
	}
	/* The largest were defined first. */
	for (i = 0; i < n && freed < leave_free; i++) {
		if (undefine(c.esys, index_of[i]) != 0)
			goto out;
		freed += size_of[i];
	}
	r = 0;
out:
	tu_conn_close(&c);
	return r;
}
