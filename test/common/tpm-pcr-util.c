/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "tpm-conn.h"
#include "tpm-pcr-util.h"

int
tu_pcr_reset(const char *tcti, unsigned pcr)
{
	struct tu_conn c;
	int r;

	if (pcr > 23 || tu_conn_open(tcti, &c) != 0)
		return -1;
	r = Esys_PCR_Reset(c.esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE) == TSS2_RC_SUCCESS ? 0 : -1;
	tu_conn_close(&c);
	return r;
}

int
tu_pcr_extend(const char *tcti, unsigned pcr, uint8_t byte)
{
	return tu_pcr_extend_at(tcti, pcr, byte, 0);
}

int
tu_pcr_extend_at(const char *tcti, unsigned pcr, uint8_t byte,
    uint8_t locality)
{
	TPML_DIGEST_VALUES v;
	struct tu_conn c;
	int r;

	if (pcr > 23 || tu_conn_open(tcti, &c) != 0)
		return -1;
	if (locality != 0 && Tss2_Tcti_SetLocality(c.tcti, locality) !=
	    TSS2_RC_SUCCESS) {
		tu_conn_close(&c);
		return -1;
	}
	memset(&v, 0, sizeof(v));
	v.count = 1;
	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(v.digests[0].digest.sha256, byte, 32);
	r = Esys_PCR_Extend(c.esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &v) == TSS2_RC_SUCCESS ? 0 : -1;
	tu_conn_close(&c);
	return r;
}

int
tu_policy_trial(const char *tcti, uint32_t mask, bool auth_value,
    uint8_t out[32])
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST empty = { .size = 0 }, *d = NULL;
	ESYS_TR s = ESYS_TR_NONE;
	struct tu_conn c;
	int r = -1;

	if (tu_conn_open(tcti, &c) != 0)
		return -1;
	memset(&sel, 0, sizeof(sel));
	sel.count = 1;
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[0] = mask & 0xff;
	sel.pcrSelections[0].pcrSelect[1] = (mask >> 8) & 0xff;
	sel.pcrSelections[0].pcrSelect[2] = (mask >> 16) & 0xff;
	if (Esys_StartAuthSession(c.esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_TRIAL,
	    &sym, TPM2_ALG_SHA256, &s) != TSS2_RC_SUCCESS)
		goto out;
	if (Esys_PolicyPCR(c.esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &empty, &sel) != TSS2_RC_SUCCESS)
		goto out;
	if (auth_value && Esys_PolicyAuthValue(c.esys, s, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE) != TSS2_RC_SUCCESS)
		goto out;
	if (Esys_PolicyGetDigest(c.esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
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

uint32_t
tu_sign_with_auth(const char *tcti, const uint8_t *pub_buf, size_t pub_len,
    const uint8_t *priv_buf, size_t priv_len, const uint8_t auth[32],
    bool hmac)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPM2B_AUTH a = { .size = 32 };
	TPM2B_DIGEST digest = { .size = 32 };
	/* Named, as tpm_sign does: keys carry no scheme of their own. */
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_ECDSA,
	    .details = { .ecdsa = { .hashAlg = TPM2_ALG_SHA256 } } };
	TPMT_TK_HASHCHECK ticket = { .tag = TPM2_ST_HASHCHECK,
	    .hierarchy = TPM2_RH_NULL };
	TPMT_SIGNATURE *sig = NULL;
	ESYS_TR srk = ESYS_TR_NONE, key = ESYS_TR_NONE, s = ESYS_TR_NONE;
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
	if (tu_conn_open(tcti, &c) != 0)
		return rc;
	if (Esys_TR_FromTPMPublic(c.esys, 0x81000001, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &srk) != TSS2_RC_SUCCESS ||
	    Esys_Load(c.esys, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, &priv, &pub, &key) != TSS2_RC_SUCCESS)
		goto out;
	memcpy(a.buffer, auth, 32);
	if (Esys_TR_SetAuth(c.esys, key, &a) != TSS2_RC_SUCCESS)
		goto out;
	if (hmac && Esys_StartAuthSession(c.esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_HMAC,
	    &sym, TPM2_ALG_SHA256, &s) != TSS2_RC_SUCCESS)
		goto out;
	rc = Esys_Sign(c.esys, key, hmac ? s : ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, &digest, &scheme, &ticket, &sig);
out:
	Esys_Free(sig);
	if (s != ESYS_TR_NONE)
		Esys_FlushContext(c.esys, s);
	if (key != ESYS_TR_NONE)
		Esys_FlushContext(c.esys, key);
	if (srk != ESYS_TR_NONE)
		Esys_TR_Close(c.esys, &srk);
	tu_conn_close(&c);
	return rc;
}

int
tu_reboot(void)
{
	const char *port = getenv("SWTPM_PORT");
	char cmd[256];

	if (port == NULL)
		return -1;
	/* An orderly shutdown first, as an operating system does: after
	 * an unorderly one the TPM counts a dictionary-attack failure. */
	snprintf(cmd, sizeof(cmd), "tpm2_shutdown -c && "
	    "swtpm_ioctl --tcp 127.0.0.1:%d -i && tpm2_startup -c",
	    atoi(port) + 1);
	return system(cmd) == 0 ? 0 : -1;
}
