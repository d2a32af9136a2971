/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "tpm-conn.h"
#include "tpm-util.h"

int
tu_conn_open(const char *tcti, struct tu_conn *c)
{
	memset(c, 0, sizeof(*c));
	if (Tss2_TctiLdr_Initialize(tcti, &c->tcti) != TSS2_RC_SUCCESS)
		return -1;
	if (Esys_Initialize(&c->esys, c->tcti, NULL) != TSS2_RC_SUCCESS) {
		Tss2_TctiLdr_Finalize(&c->tcti);
		return -1;
	}
	return 0;
}

void
tu_conn_close(struct tu_conn *c)
{
	if (c->esys != NULL)
		Esys_Finalize(&c->esys);
	if (c->tcti != NULL)
		Tss2_TctiLdr_Finalize(&c->tcti);
}

int
tu_count_handles(const char *tcti, uint32_t first)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_YES;
	struct tu_conn c;
	uint32_t i, next = first, h;
	int n = 0;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	/* At most TPM2_MAX_CAP_HANDLES (254) per answer: ask again from
	 * the last one while the TPM says there are more in our range. */
	while (more == TPM2_YES) {
		if (Esys_GetCapability(c.esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_HANDLES, next, TPM2_MAX_CAP_HANDLES,
		    &more, &cap) != TSS2_RC_SUCCESS) {
			n = -1;
			break;
		}
		if (cap->data.handles.count == 0)
			more = TPM2_NO;
		/* The list continues into the next range; count ours. */
		for (i = 0; i < cap->data.handles.count; i++) {
			h = cap->data.handles.handle[i];
			if ((h & 0xff000000u) != (first & 0xff000000u)) {
				more = TPM2_NO;
				break;
			}
			n++;
			next = h + 1;
		}
		Esys_Free(cap);
		cap = NULL;
	}
	tu_conn_close(&c);
	return n;
}

int
tu_count_leftovers(const char *tcti)
{
	/* tpm2-tss's TPM2_TRANSIENT_FIRST shifts into the sign bit of an
	 * int, which UBSan rightly refuses; spell the handles out. */
	int a = tu_count_handles(tcti, 0x80000000u);
	int b = tu_count_handles(tcti, 0x02000000u);
	int d = tu_count_handles(tcti, 0x03000000u);

	if (a < 0 || b < 0 || d < 0)
		return -1;
	return a + b + d;
}

int
tu_da_reset(const char *tcti)
{
	struct tu_conn c;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if (Esys_DictionaryAttackLockReset(c.esys, ESYS_TR_RH_LOCKOUT,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE) == TSS2_RC_SUCCESS)
		r = 0;
	tu_conn_close(&c);
	return r;
}

int
tu_da_counter(const char *tcti)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	struct tu_conn c;
	int n = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if (Esys_GetCapability(c.esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_LOCKOUT_COUNTER, 1,
	    &more, &cap) == TSS2_RC_SUCCESS &&
	    cap->data.tpmProperties.count == 1 &&
	    cap->data.tpmProperties.tpmProperty[0].property ==
	    TPM2_PT_LOCKOUT_COUNTER)
		n = (int)cap->data.tpmProperties.tpmProperty[0].value;
	Esys_Free(cap);
	tu_conn_close(&c);
	return n;
}

static void
srk_template(TPM2B_PUBLIC *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_ECC;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM |
	    TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
	    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	pub->publicArea.parameters.eccDetail.symmetric.algorithm =
	    TPM2_ALG_AES;
	pub->publicArea.parameters.eccDetail.symmetric.keyBits.aes = 128;
	pub->publicArea.parameters.eccDetail.symmetric.mode.aes =
	    TPM2_ALG_CFB;
	pub->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	pub->publicArea.unique.ecc.x.size = 32;
	pub->publicArea.unique.ecc.y.size = 32;
}

int
tu_srk_persist(const char *tcti)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC tmpl;
	ESYS_TR prim = ESYS_TR_NONE, persisted = ESYS_TR_NONE;
	struct tu_conn c;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	srk_template(&tmpl);
	if (Esys_CreatePrimary(c.esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, &prim,
	    NULL, NULL, NULL, NULL) != TSS2_RC_SUCCESS)
		goto out;
	if (Esys_EvictControl(c.esys, ESYS_TR_RH_OWNER, prim, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, 0x81000001, &persisted) !=
	    TSS2_RC_SUCCESS)
		goto out;
	Esys_TR_Close(c.esys, &persisted);
	r = 0;
out:
	if (prim != ESYS_TR_NONE)
		Esys_FlushContext(c.esys, prim);
	tu_conn_close(&c);
	return r;
}

int
tu_srk_evict(const char *tcti)
{
	ESYS_TR srk = ESYS_TR_NONE, out_tr = ESYS_TR_NONE;
	struct tu_conn c;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if (Esys_TR_FromTPMPublic(c.esys, 0x81000001, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &srk) != TSS2_RC_SUCCESS)
		goto out;
	if (Esys_EvictControl(c.esys, ESYS_TR_RH_OWNER, srk, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, 0x81000001, &out_tr) !=
	    TSS2_RC_SUCCESS)
		goto out;
	r = 0;
out:
	tu_conn_close(&c);
	return r;
}

int
tu_owner_auth(const char *tcti, const char *old, const char *new_auth)
{
	TPM2B_AUTH a = { .size = 0 };
	struct tu_conn c;
	int r = -1;

	if (strlen(old) > sizeof(a.buffer) ||
	    strlen(new_auth) > sizeof(a.buffer) || tu_conn_open(tcti, &c) != 0)
		return -1;
	a.size = (uint16_t)strlen(old);
	memcpy(a.buffer, old, a.size);
	if (Esys_TR_SetAuth(c.esys, ESYS_TR_RH_OWNER, &a) != TSS2_RC_SUCCESS)
		goto out;
	memset(&a, 0, sizeof(a));
	a.size = (uint16_t)strlen(new_auth);
	memcpy(a.buffer, new_auth, a.size);
	if (Esys_HierarchyChangeAuth(c.esys, ESYS_TR_RH_OWNER,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &a) !=
	    TSS2_RC_SUCCESS)
		goto out;
	r = 0;
out:
	tu_conn_close(&c);
	return r;
}

#define NV_FIRST	0x01a5c500u
#define NV_LAST		0x01a5c5ffu

int
tu_nv_indices(struct tu_conn *c, TPM2_HANDLE *out, int max)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	uint32_t i;
	int n = 0;

	if (Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_HANDLES, NV_FIRST, 256, &more, &cap) !=
	    TSS2_RC_SUCCESS)
		return -1;
	for (i = 0; i < cap->data.handles.count && n < max; i++)
		if (cap->data.handles.handle[i] <= NV_LAST)
			out[n++] = cap->data.handles.handle[i];
	Esys_Free(cap);
	return n;
}

int
tu_nv_clear(const char *tcti)
{
	TPM2_HANDLE idx[256];
	ESYS_TR nv;
	struct tu_conn c;
	int i, n, r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if ((n = tu_nv_indices(&c, idx, 256)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (Esys_TR_FromTPMPublic(c.esys, idx[i], ESYS_TR_NONE,
		    ESYS_TR_NONE, ESYS_TR_NONE, &nv) != TSS2_RC_SUCCESS ||
		    Esys_NV_UndefineSpace(c.esys, ESYS_TR_RH_OWNER, nv,
		    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE) !=
		    TSS2_RC_SUCCESS)
			goto out;
	}
	r = 0;
out:
	tu_conn_close(&c);
	return r;
}

int
tu_nv_read_first(const char *tcti, uint8_t **buf, size_t *len)
{
	TPM2_HANDLE idx[1];
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_MAX_NV_BUFFER *data = NULL;
	ESYS_TR nv;
	struct tu_conn c;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if (tu_nv_indices(&c, idx, 1) != 1 ||
	    Esys_TR_FromTPMPublic(c.esys, idx[0], ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv) != TSS2_RC_SUCCESS ||
	    Esys_NV_ReadPublic(c.esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &pub, NULL) != TSS2_RC_SUCCESS ||
	    Esys_NV_Read(c.esys, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, pub->nvPublic.dataSize, 0, &data) !=
	    TSS2_RC_SUCCESS)
		goto out;
	if ((*buf = malloc(data->size)) == NULL)
		goto out;
	memcpy(*buf, data->buffer, data->size);
	*len = data->size;
	r = 0;
out:
	Esys_Free(pub);
	Esys_Free(data);
	tu_conn_close(&c);
	return r;
}

int
tu_nv_write(const char *tcti, uint32_t index, const uint8_t *buf,
    size_t len)
{
	TPM2B_AUTH auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub = { .size = 0 };
	TPM2B_MAX_NV_BUFFER data;
	ESYS_TR nv;
	struct tu_conn c;
	int r = -1;

	if (len > sizeof(data.buffer) || tu_conn_open(tcti, &c) != 0)
		return -1;
	pub.nvPublic.nvIndex = index;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD |
	    TPMA_NV_AUTHREAD | TPMA_NV_NO_DA;
	pub.nvPublic.dataSize = (uint16_t)len;
	data.size = (uint16_t)len;
	memcpy(data.buffer, buf, len);
	if (Esys_NV_DefineSpace(c.esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &auth, &pub, &nv) != TSS2_RC_SUCCESS ||
	    Esys_NV_Write(c.esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &data, 0) != TSS2_RC_SUCCESS)
		goto out;
	r = 0;
out:
	tu_conn_close(&c);
	return r;
}
