/*
 * The EK certificates the manufacturer (or swtpm_setup) left in NV, and the
 * TPM's identity, for the attestation statement. One GetCapability lists
 * the defined indices; only those of the TCG EK ranges are read, in chunks
 * of at most 1024 bytes, the NV_Read limit many TPMs have.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-attest.h"
#include "tpm-internal.h"

#define EK_FIRST	0x01c00002u
#define EK_CHAIN_FIRST	0x01c00100u
#define EK_CHAIN_LAST	0x01c001ffu
#define NV_CHUNK	1024
#define EK_MAX_INDICES	16

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

/* The EK indices that are defined, ascending. */
static int
ek_indices(struct tpm *t, TPM2_HANDLE *out, size_t *n)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_YES;
	TPM2_HANDLE next = EK_FIRST, h;
	TSS2_RC rc;
	uint32_t i;

	*n = 0;
	while (more && next <= EK_CHAIN_LAST) {
		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_HANDLES, next,
		    EK_CHAIN_LAST - next + 1, &more, &cap);
		if (rc != TSS2_RC_SUCCESS)
			return rc_fail("listing NV indices", rc);
		if (cap->data.handles.count == 0)
			more = TPM2_NO;
		for (i = 0; i < cap->data.handles.count; i++) {
			h = cap->data.handles.handle[i];
			if (h < next || h > EK_CHAIN_LAST) {
				more = TPM2_NO;
				break;
			}
			next = h + 1;
			if (is_ek_cert_index(h) && *n < EK_MAX_INDICES)
				out[(*n)++] = h;
		}
		Esys_Free(cap);
		cap = NULL;
	}
	return 0;
}

/* The length of the DER SEQUENCE at p, or n when it is not one that fits:
 * NV indices are often larger than the certificate they hold. */
static size_t
der_length(const uint8_t *p, size_t n)
{
	size_t len = 0, i, k;

	if (n < 2 || p[0] != 0x30)
		return n;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1] <= n ? 2 + (size_t)p[1] : n;
	k = p[1] & 0x7f;
	if (k == 0 || k > 3 || n < 2 + k)
		return n;
	for (i = 0; i < k; i++)
		len = len << 8 | p[2 + i];
	return 2 + k + len <= n ? 2 + k + len : n;
}

/* Append the contents of one index to *buf: 0, 1 when the index is
 * skipped (ek_index_trusted), or an SSH_SK_ERR. */
static int
read_index(struct tpm *t, TPM2_HANDLE index, uint8_t **buf, size_t *len)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NV_PUBLIC pub;
	TPM2B_MAX_NV_BUFFER *chunk = NULL;
	uint8_t *grown;
	uint16_t size, off, n;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		r = rc_fail("reading an EK certificate index", rc);
		goto out;
	}
	if ((r = serial_nv_public(t, nv, &pub)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if (!ek_index_trusted(t, index, &pub)) {
		r = 1;
		goto out;
	}
	size = pub.nvPublic.dataSize;
	if (!(pub.nvPublic.attributes & TPMA_NV_WRITTEN) || size == 0) {
		sk_debug("EK index 0x%08x is empty", index);
		r = 0;
		goto out;
	}
	if (*len + size > 24 * 1024 ||
	    (grown = realloc(*buf, *len + size)) == NULL) {
		sk_error("too many EK certificate bytes");
		goto out;
	}
	*buf = grown;
	for (off = 0; off < size; off += n) {
		n = size - off > NV_CHUNK ? NV_CHUNK : size - off;
		rc = Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD,
		    ESYS_TR_NONE, ESYS_TR_NONE, n, off, &chunk);
		if (rc != TSS2_RC_SUCCESS) {
			r = rc_fail("reading an EK certificate", rc);
			goto out;
		}
		if (chunk->size != n) {
			sk_error("short read from NV index 0x%08x", index);
			goto out;
		}
		memcpy(*buf + *len + off, chunk->buffer, n);
		Esys_Free(chunk);
		chunk = NULL;
	}
	*len += der_length(*buf + *len, size);
	r = 0;
out:
	Esys_Free(chunk);
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	return r;
}

int
tpm_ek_certs(struct tpm *t, uint8_t **out, size_t *len, int *count)
{
	TPM2_HANDLE idx[EK_MAX_INDICES];
	size_t n, i;
	int r;

	*out = NULL;
	*len = 0;
	*count = 0;
	t->ek_skipped_n = 0;
	if ((r = ek_indices(t, idx, &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((r = read_index(t, idx[i], out, len)) < 0) {
			free(*out);
			*out = NULL;
			*len = 0;
			return r;
		}
		if (r > 0)
			continue;
		sk_debug("EK certificate index 0x%08x read", idx[i]);
		(*count)++;
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
