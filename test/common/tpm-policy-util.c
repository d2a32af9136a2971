/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trial-session digests and a Certify-branch session for the tests of
 * keys whose policy admits TPM2_Certify alone (tpm-policy-util.h).
 */
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include "tpm-conn.h"
#include "tpm-policy-util.h"

static TSS2_RC
start(struct tu_conn *c, TPM2_SE type, ESYS_TR *s)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };

	return Esys_StartAuthSession(c->esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, type, &sym,
	    TPM2_ALG_SHA256, s);
}

static void
or_list(const uint8_t a[32], const uint8_t b[32], TPML_DIGEST *l)
{
	memset(l, 0, sizeof(*l));
	l->count = 2;
	l->digests[0].size = 32;
	memcpy(l->digests[0].buffer, a, 32);
	l->digests[1].size = 32;
	memcpy(l->digests[1].buffer, b, 32);
}

/* A trial session given PolicyCommandCode(Certify) or PolicyOR(a, b). */
static int
trial(const char *tcti, const uint8_t *a, const uint8_t *b, uint8_t out[32])
{
	TPM2B_DIGEST *d = NULL;
	TPML_DIGEST list;
	ESYS_TR s = ESYS_TR_NONE;
	struct tu_conn c;
	TSS2_RC rc;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	if (start(&c, TPM2_SE_TRIAL, &s) != TSS2_RC_SUCCESS)
		goto out;
	if (a == NULL)
		rc = Esys_PolicyCommandCode(c.esys, s, ESYS_TR_NONE,
		    ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CC_Certify);
	else {
		or_list(a, b, &list);
		rc = Esys_PolicyOR(c.esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, &list);
	}
	if (rc != TSS2_RC_SUCCESS ||
	    Esys_PolicyGetDigest(c.esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &d) != TSS2_RC_SUCCESS || d->size != 32)
		goto out;
	memcpy(out, d->buffer, 32);
	r = 0;
out:
	Esys_Free(d);
	if (s != ESYS_TR_NONE)
		Esys_FlushContext(c.esys, s);
	tu_conn_close(&c);
	return r;
}

int
tu_trial_certify_branch(const char *tcti, uint8_t out[32])
{
	return trial(tcti, NULL, NULL, out);
}

int
tu_trial_or(const char *tcti, const uint8_t a[32], const uint8_t b[32],
    uint8_t out[32])
{
	return trial(tcti, a, b, out);
}

uint32_t
tu_certify_branch_use(const char *tcti, const uint8_t *pub_buf,
    size_t pub_len, const uint8_t *priv_buf, size_t priv_len,
    const uint8_t pcr_branch[32], bool sign)
{
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPML_DIGEST list;
	TPM2B_DIGEST digest = { .size = 32 };
	TPM2B_DATA qualifying = { .size = 0 };
	TPMT_SIG_SCHEME ecdsa = { .scheme = TPM2_ALG_ECDSA,
	    .details = { .ecdsa = { .hashAlg = TPM2_ALG_SHA256 } } };
	TPMT_SIG_SCHEME none = { .scheme = TPM2_ALG_NULL };
	TPMT_TK_HASHCHECK ticket = { .tag = TPM2_ST_HASHCHECK,
	    .hierarchy = TPM2_RH_NULL };
	TPMT_SIGNATURE *sig = NULL;
	TPM2B_ATTEST *info = NULL;
	ESYS_TR srk = ESYS_TR_NONE, key = ESYS_TR_NONE, s = ESYS_TR_NONE;
	uint8_t certify[32];
	struct tu_conn c;
	size_t off;
	uint32_t rc = 0xffffffffu;

	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(pub_buf, pub_len, &off, &pub) !=
	    TSS2_RC_SUCCESS)
		return rc;
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(priv_buf, priv_len, &off,
	    &priv) != TSS2_RC_SUCCESS)
		return rc;
	if (tu_trial_certify_branch(tcti, certify) != 0 ||
	    tu_conn_open(tcti, &c) != 0)
		return rc;
	if (pcr_branch != NULL)
		or_list(pcr_branch, certify, &list);
	if (Esys_TR_FromTPMPublic(c.esys, 0x81000001, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &srk) != TSS2_RC_SUCCESS ||
	    Esys_Load(c.esys, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, &priv, &pub, &key) != TSS2_RC_SUCCESS ||
	    start(&c, TPM2_SE_POLICY, &s) != TSS2_RC_SUCCESS ||
	    Esys_PolicyCommandCode(c.esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CC_Certify) != TSS2_RC_SUCCESS)
		goto out;
	if (pcr_branch != NULL && Esys_PolicyOR(c.esys, s, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &list) != TSS2_RC_SUCCESS)
		goto out;
	if (sign)
		rc = Esys_Sign(c.esys, key, s, ESYS_TR_NONE, ESYS_TR_NONE,
		    &digest, &ecdsa, &ticket, &sig);
	else
		rc = Esys_Certify(c.esys, key, ESYS_TR_RH_NULL, s,
		    ESYS_TR_PASSWORD, ESYS_TR_NONE, &qualifying, &none,
		    &info, &sig);
out:
	Esys_Free(sig);
	Esys_Free(info);
	if (s != ESYS_TR_NONE)
		Esys_FlushContext(c.esys, s);
	if (key != ESYS_TR_NONE)
		Esys_FlushContext(c.esys, key);
	if (srk != ESYS_TR_NONE)
		Esys_TR_Close(c.esys, &srk);
	tu_conn_close(&c);
	return rc;
}
