/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Persisting and evicting the SRK for the benchmark's two scenarios. Only
 * ever called on a simulator (bench.c checks the TCTI): on a real TPM the
 * persistent SRK belongs to the machine's owner.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "benchsrk.h"

struct tpm {
	TSS2_TCTI_CONTEXT	*tcti;
	ESYS_CONTEXT		*esys;
};

static void
report(const char *what, TSS2_RC rc)
{
	fprintf(stderr, "sk-tpm-bench: %s: %s\n", what, Tss2_RC_Decode(rc));
}

static void
tpm_close(struct tpm *t)
{
	if (t->esys != NULL)
		Esys_Finalize(&t->esys);
	if (t->tcti != NULL)
		Tss2_TctiLdr_Finalize(&t->tcti);
}

static int
tpm_open(const char *tcti, struct tpm *t)
{
	TSS2_RC rc;

	memset(t, 0, sizeof(*t));
	if ((rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti)) != TSS2_RC_SUCCESS) {
		report(tcti, rc);
		return -1;
	}
	if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL)) !=
	    TSS2_RC_SUCCESS) {
		report("Esys_Initialize", rc);
		tpm_close(t);
		return -1;
	}
	return 0;
}

int
bench_srk_present(const char *tcti)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_NO;
	struct tpm t;
	TSS2_RC rc;
	int r = -1;

	if (tpm_open(tcti, &t) != 0)
		return -1;
	rc = Esys_GetCapability(t.esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_HANDLES, BENCH_SRK_HANDLE, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS) {
		report("GetCapability(handles)", rc);
		goto out;
	}
	r = cap->data.handles.count > 0 &&
	    cap->data.handles.handle[0] == BENCH_SRK_HANDLE;
out:
	Esys_Free(cap);
	tpm_close(&t);
	return r;
}

int
bench_srk_evict(const char *tcti)
{
	ESYS_TR obj = ESYS_TR_NONE, gone = ESYS_TR_NONE;
	struct tpm t;
	TSS2_RC rc;
	int r = -1;

	if (tpm_open(tcti, &t) != 0)
		return -1;
	rc = Esys_TR_FromTPMPublic(t.esys, BENCH_SRK_HANDLE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &obj);
	if (rc != TSS2_RC_SUCCESS) {
		report("TR_FromTPMPublic(0x81000001)", rc);
		goto out;
	}
	rc = Esys_EvictControl(t.esys, ESYS_TR_RH_OWNER, obj,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, BENCH_SRK_HANDLE,
	    &gone);
	if (rc != TSS2_RC_SUCCESS) {
		report("EvictControl(0x81000001)", rc);
		goto out;
	}
	r = 0;
out:
	tpm_close(&t);
	return r;
}

int
bench_srk_persist(const char *tcti)
{
	/*
	 * The TCG EK/SRK profile's ECC P-256 storage key, with the unique
	 * field zero-filled to the key size: the same primary that
	 * test/with-swtpm.sh --srk persists and that the library derives
	 * when no persistent SRK exists.
	 */
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_FIXEDTPM |
			    TPMA_OBJECT_FIXEDPARENT |
			    TPMA_OBJECT_SENSITIVEDATAORIGIN |
			    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
			    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
			.parameters.eccDetail = {
				.symmetric = {
					.algorithm = TPM2_ALG_AES,
					.keyBits.aes = 128,
					.mode.aes = TPM2_ALG_CFB,
				},
				.scheme.scheme = TPM2_ALG_NULL,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
			.unique.ecc = {
				.x.size = 32,
				.y.size = 32,
			},
		},
	};
	TPM2B_SENSITIVE_CREATE sens = { .size = 0 };
	TPM2B_DATA outside = { .size = 0 };
	TPML_PCR_SELECTION pcrs = { .count = 0 };
	ESYS_TR obj = ESYS_TR_NONE, persisted = ESYS_TR_NONE;
	struct tpm t;
	TSS2_RC rc;
	int r = -1;

	if (tpm_open(tcti, &t) != 0)
		return -1;
	rc = Esys_CreatePrimary(t.esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, &obj,
	    NULL, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		report("CreatePrimary(SRK)", rc);
		goto out;
	}
	rc = Esys_EvictControl(t.esys, ESYS_TR_RH_OWNER, obj,
	    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, BENCH_SRK_HANDLE,
	    &persisted);
	if (rc != TSS2_RC_SUCCESS) {
		report("EvictControl(SRK -> 0x81000001)", rc);
		goto out;
	}
	r = 0;
out:
	if (obj != ESYS_TR_NONE)
		Esys_FlushContext(t.esys, obj);
	tpm_close(&t);
	return r;
}
