/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The EK certificates the manufacturer (or swtpm_setup) left in NV, and the
 * TPM's identity, for the attestation statement. One GetCapability lists
 * the defined indices; only those of the TCG EK ranges are read, each in
 * pieces the TPM takes (tpm-nv-chunk.c: 768 bytes on an SLB9670, whose
 * NV_Read refuses more). An index that cannot be read is named and
 * skipped: it never hides the others. An index the platform did not define
 * (no TPMA_NV_PLATFORMCREATE: anyone with the owner password may have
 * planted it) is skipped and listed (tpm-ekcert-origin.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_rc.h>

#include "attest-codec.h"
#include "ek-der.h"
#include "log.h"
#include "sk-api.h"
#include "tpm-attest.h"
#include "tpm-internal.h"

#define EK_FIRST	0x01c00002u
#define EK_CHAIN_FIRST	0x01c00100u
#define EK_CHAIN_LAST	0x01c001ffu
#define EK_MAX_INDICES	16
/* read_index's answer for an index it leaves out: no TPM or ESYS code is
 * 1 (TPM format-zero codes start at 0x100, ESYS ones carry a layer). */
#define EK_SKIPPED	((TSS2_RC)1)

static bool
is_ek_cert_index(TPM2_HANDLE h)
{
	/* 0x01C00002 RSA-2048, 0x01C0000A ECC P-256, then the high range,
	 * even indices only (the odd ones hold templates and nonces). */
	if (h == 0x01c00002u || h == 0x01c0000au)
		return true;
	if (h >= 0x01c00012u && h <= 0x01c0001eu && (h & 1) == 0)
		return true;
	return h >= EK_CHAIN_FIRST && h <= EK_CHAIN_LAST;
}

struct ek_list {
	TPM2_HANDLE *out;
	size_t n;
};

static void
ek_list_store(void *ctx, TPM2_HANDLE h)
{
	struct ek_list *l = ctx;

	if (is_ek_cert_index(h) && l->n < EK_MAX_INDICES)
		l->out[l->n++] = h;
}

/* The EK indices that are defined, ascending. */
static int
ek_indices(struct tpm *t, TPM2_HANDLE *out, size_t *n)
{
	struct ek_list l = { out, 0 };
	int r;

	r = handles_read(t, EK_FIRST, EK_CHAIN_LAST, ek_list_store, &l);
	*n = l.n;
	return r;
}

/* Append the certificates of one index to *buf (ek-der.h: padding,
 * several certificates, the 0x1001 header); EK_SKIPPED when the platform
 * did not define the index (ek_index_trusted), a TPM code or the ESYS one
 * for a failed read, TSS2_ESYS_RC_MALFORMED_RESPONSE when the index holds
 * no certificate. */
static TSS2_RC
read_index(struct tpm *t, TPM2_HANDLE index, uint8_t **buf, size_t *len)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NV_PUBLIC pub;
	struct ek_der der;
	uint8_t *raw = NULL, *grown;
	uint16_t size;
	size_t i;
	TSS2_RC rc;

	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		goto out;
	}
	if (serial_nv_public(t, nv, &pub) != 0) {
		rc = TSS2_ESYS_RC_GENERAL_FAILURE;
		goto out;
	}
	if (!ek_index_trusted(t, index, &pub)) {
		rc = EK_SKIPPED;
		goto out;
	}
	size = pub.nvPublic.dataSize;
	if (!(pub.nvPublic.attributes & TPMA_NV_WRITTEN) || size == 0) {
		sk_debug("EK index 0x%08x is empty", index);
		goto out;
	}
	if ((raw = malloc(size)) == NULL) {
		rc = TSS2_ESYS_RC_MEMORY;
		goto out;
	}
	if ((rc = nv_read_chunked(t, nv, size, raw)) != TSS2_RC_SUCCESS)
		goto out;
	if (ek_der_split(raw, size, &der) != 0) {
		rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
		goto out;
	}
	for (i = 0; i < der.n; i++) {
		if (*len + der.len[i] > ATT_EK_CERTS_MAX ||
		    (grown = realloc(*buf, *len + der.len[i])) == NULL) {
			rc = TSS2_ESYS_RC_MEMORY;
			goto out;
		}
		*buf = grown;
		memcpy(*buf + *len, raw + der.off[i], der.len[i]);
		*len += der.len[i];
	}
	sk_debug("EK index 0x%08x: %zu certificate%s%s", index, der.n,
	    der.n == 1 ? "" : "s", der.wrapped ? " (0x1001 header)" : "");
out:
	free(raw);
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	return rc;
}

int
tpm_ek_certs(struct tpm *t, uint8_t **out, size_t *len,
    struct tpm_ek_read *how)
{
	TPM2_HANDLE idx[EK_MAX_INDICES];
	const char *why;
	size_t n, i;
	TSS2_RC rc;
	int r;

	*out = NULL;
	*len = 0;
	memset(how, 0, sizeof(*how));
	t->ek_skipped_n = 0;
	if ((r = ek_indices(t, idx, &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((rc = read_index(t, idx[i], out, len)) == EK_SKIPPED)
			continue;
		if (rc != TSS2_RC_SUCCESS) {
			why = rc == TSS2_ESYS_RC_MALFORMED_RESPONSE ?
			    "no DER certificate in it" : Tss2_RC_Decode(rc);
			sk_debug("EK certificate index 0x%08x could not be "
			    "read: %s", idx[i], why);
			if (how->unread++ == 0)
				snprintf(how->why, sizeof(how->why),
				    "0x%08x: %s", idx[i], why);
			continue;
		}
		how->read++;
	}
	if (*len == 0) {
		free(*out);
		*out = NULL;
	}
	return 0;
}

struct ident {
	uint32_t manufacturer, fw1, fw2;
	struct tpm_nv_limits nv;
};

static void
store_ident(void *ctx, const TPMS_TAGGED_PROPERTY *p)
{
	struct ident *id = ctx;

	if (p->property == TPM2_PT_MANUFACTURER)
		id->manufacturer = p->value;
	else if (p->property == TPM2_PT_FIRMWARE_VERSION_1)
		id->fw1 = p->value;
	else if (p->property == TPM2_PT_FIRMWARE_VERSION_2)
		id->fw2 = p->value;
	else if (p->property == TPM2_PT_NV_INDEX_MAX)
		id->nv.index_max = p->value;
	else if (p->property == TPM2_PT_NV_BUFFER_MAX)
		id->nv.buffer_max = p->value;
}

int
tpm_identity(struct tpm *t, uint32_t *manufacturer, uint64_t *firmware)
{
	struct ident id;
	int r;

	/* On to the NV limits in the same command: a resident enrollment
	 * needs them next (tpm_nv_limits keeps them). */
	memset(&id, 0, sizeof(id));
	if ((r = props_read(t, TPM2_PT_MANUFACTURER, TPM2_PT_NV_BUFFER_MAX,
	    store_ident, &id)) != 0)
		return r;
	*manufacturer = id.manufacturer;
	*firmware = (uint64_t)id.fw1 << 32 | id.fw2;
	if (id.nv.index_max != 0 && id.nv.buffer_max != 0)
		t->nv_limits = id.nv;
	return 0;
}
