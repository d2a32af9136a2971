/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resident credentials live in TPM NV indices of the owner hierarchy, one
 * record per index, in a range of our own (TPM_NV_FIRST..TPM_NV_LAST).
 *
 * Index attributes: OWNERWRITE (writing and deleting need the owner
 * authorization, empty on most machines, else SK_TPM_OWNER_AUTH),
 * OWNERREAD | AUTHREAD with an empty index auth (anyone who may use the
 * TPM may list credentials, as ssh-keygen -K needs), NO_DA (a wrong auth
 * here must not count toward the lockout that guards PINs).
 *
 * Reading and listing here; defining, writing and removing in
 * tpm-nv-write.c.
 *
 * A record is written with one NV_Write when it fits TPM2_PT_NV_BUFFER_MAX
 * (a TPM command is atomic); a larger one is written back to front, so the
 * CBOR head at offset 0 lands last and a torn record never decodes. A
 * failed store undefines its index again.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

int
tpm_set_owner_auth(struct tpm *t, const char *auth)
{
	size_t len = auth != NULL ? strlen(auth) : 0;

	if (len > sizeof(t->owner_auth.buffer)) {
		sk_error("SK_TPM_OWNER_AUTH is longer than %zu bytes",
		    sizeof(t->owner_auth.buffer));
		return SSH_SK_ERR_GENERAL;
	}
	OPENSSL_cleanse(&t->owner_auth, sizeof(t->owner_auth));
	t->owner_auth.size = (uint16_t)len;
	if (len > 0)
		memcpy(t->owner_auth.buffer, auth, len);
	return 0;
}

void
owner_auth_forget(struct tpm *t)
{
	TPM2B_AUTH filler;

	if (t->esys == NULL)
		return;
	memset(&filler, 0xa5, sizeof(filler));
	filler.size = sizeof(filler.buffer);
	(void)Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &filler);
	memset(&filler, 0, sizeof(filler));
	(void)Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &filler);
}

static void
store_limit(void *ctx, const TPMS_TAGGED_PROPERTY *p)
{
	struct tpm_nv_limits *lim = ctx;

	if (p->property == TPM2_PT_NV_INDEX_MAX)
		lim->index_max = p->value;
	else if (p->property == TPM2_PT_NV_BUFFER_MAX)
		lim->buffer_max = p->value;
}

int
tpm_nv_limits(struct tpm *t, struct tpm_nv_limits *lim)
{
	int r;

	/* Fixed properties of the TPM: read once per connection. */
	if (t->nv_limits.index_max != 0 && t->nv_limits.buffer_max != 0) {
		*lim = t->nv_limits;
		return 0;
	}
	memset(lim, 0, sizeof(*lim));
	if ((r = props_read(t, TPM2_PT_NV_INDEX_MAX, TPM2_PT_NV_BUFFER_MAX,
	    store_limit, lim)) != 0)
		return r;
	if (lim->index_max == 0) {
		sk_error("the TPM did not report its NV limits");
		return SSH_SK_ERR_GENERAL;
	}
	if (lim->buffer_max == 0)
		lim->buffer_max = nv_chunk_max(t);
	t->nv_limits = *lim;
	return 0;
}

int
handles_read(struct tpm *t, TPM2_HANDLE first, TPM2_HANDLE last,
    void (*store)(void *, TPM2_HANDLE), void *ctx)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_YES;
	TPM2_HANDLE next = first, h;
	TSS2_RC rc;
	uint32_t i;

	while (more && next <= last) {
		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_HANDLES, next, last - next + 1,
		    &more, &cap);
		if (rc != TSS2_RC_SUCCESS)
			return rc_fail("listing NV indices", rc);
		if (cap->data.handles.count == 0)
			more = TPM2_NO;
		for (i = 0; i < cap->data.handles.count; i++) {
			h = cap->data.handles.handle[i];
			if (h < next || h > last) {
				more = TPM2_NO;	/* past the range */
				break;
			}
			store(ctx, h);
			next = h + 1;
		}
		Esys_Free(cap);
		cap = NULL;
	}
	return 0;
}

struct nv_list {
	uint32_t *indices;
	size_t max, count;
};

static void
nv_list_store(void *ctx, TPM2_HANDLE h)
{
	struct nv_list *l = ctx;

	if (l->count < l->max)
		l->indices[l->count++] = h;
}

int
tpm_nv_list(struct tpm *t, uint32_t *indices, size_t max, size_t *count)
{
	struct nv_list l = { indices, max, 0 };
	int r;

	r = handles_read(t, TPM_NV_FIRST, TPM_NV_LAST, nv_list_store, &l);
	*count = l.count;
	return r;
}

/*
 * Why an index is not one tpm_nv_store defined, or NULL if it may be:
 * exactly our attributes (WRITTEN aside), SHA-256, no policy, a size a
 * record can have. Anything else is somebody else's, and reading it with
 * a password could cost a try of the dictionary-attack counter (an index
 * without NO_DA and with an auth value).
 */
static const char *
foreign_why(const TPMS_NV_PUBLIC *p)
{
	if ((p->attributes & ~(TPMA_NV)TPMA_NV_WRITTEN) != NV_ATTRIBUTES)
		return "other attributes";
	if (p->nameAlg != TPM2_ALG_SHA256)
		return "another name algorithm";
	if (p->authPolicy.size != 0)
		return "a policy";
	if (p->dataSize < TPM_NV_MIN_SIZE || p->dataSize > TPM_NV_MAX_SIZE)
		return "a size no record has";
	return NULL;
}

int
tpm_nv_read(struct tpm *t, uint32_t index, uint8_t **out, size_t *out_len)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NV_PUBLIC pub;
	uint8_t *buf = NULL;
	uint16_t size;
	const char *why;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	*out = NULL;
	*out_len = 0;
	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
	if (rc != TSS2_RC_SUCCESS && rc_base(rc) == TPM2_RC_HANDLE) {
		/* Removed since it was listed (a concurrent enrollment). */
		nv = ESYS_TR_NONE;
		sk_debug("NV index 0x%08x is gone", index);
		r = TPM_NV_GONE;
		goto out;
	}
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		r = rc_fail("reading an NV index", rc);
		goto out;
	}
	if ((r = serial_nv_public(t, nv, &pub)) != 0)
		goto out;
	if ((why = foreign_why(&pub.nvPublic)) != NULL) {
		sk_debug("NV index 0x%08x: foreign (%s); not read", index,
		    why);
		r = TPM_NV_FOREIGN;
		goto out;
	}
	r = SSH_SK_ERR_GENERAL;
	size = pub.nvPublic.dataSize;
	if (!(pub.nvPublic.attributes & TPMA_NV_WRITTEN)) {
		sk_debug("NV index 0x%08x was never written", index);
		r = TPM_NV_UNWRITTEN;
		goto out;
	}
	if ((buf = malloc(size)) == NULL) {
		sk_error("out of memory");
		goto out;
	}
	rc = nv_read_chunked(t, nv, size, buf);
	if (rc != TSS2_RC_SUCCESS && (rc_base(rc) == TPM2_RC_AUTH_FAIL ||
	    rc_base(rc) == TPM2_RC_BAD_AUTH)) {
		/* Our attributes, but not our empty auth value (NO_DA: no
		 * try was counted). */
		sk_debug("NV index 0x%08x: foreign (has an auth value)",
		    index);
		r = TPM_NV_FOREIGN;
		goto out;
	}
	if (rc != TSS2_RC_SUCCESS && rc_base(rc) == TPM2_RC_HANDLE) {
		sk_debug("NV index 0x%08x is gone", index);
		r = TPM_NV_GONE;
		goto out;
	}
	if (rc == TSS2_ESYS_RC_INSUFFICIENT_RESPONSE) {
		sk_error("short read from NV index 0x%08x", index);
		goto out;
	}
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("reading an NV index", rc);
		goto out;
	}
	*out = buf;
	*out_len = size;
	buf = NULL;
	r = 0;
out:
	free(buf);
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	return r;
}
