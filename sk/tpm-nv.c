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

#define NV_ATTRIBUTES	(TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | \
			 TPMA_NV_AUTHREAD | TPMA_NV_NO_DA)

#define OWNER_AUTH_HELP	"the TPM owner hierarchy has a password: set " \
			"SK_TPM_OWNER_AUTH to it"
/* The command timeout of a fresh ESYS context, as tpm-open.c sets it. */
#define NV_TIMEOUT_MS	60000

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

	memset(lim, 0, sizeof(*lim));
	if ((r = props_read(t, TPM2_PT_NV_INDEX_MAX, TPM2_PT_NV_BUFFER_MAX,
	    store_limit, lim)) != 0)
		return r;
	if (lim->index_max == 0 || lim->buffer_max == 0) {
		sk_error("the TPM did not report its NV limits");
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

int
tpm_nv_list(struct tpm *t, uint32_t *indices, size_t max, size_t *count)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_YES;
	TPM2_HANDLE next = TPM_NV_FIRST;
	TSS2_RC rc;
	uint32_t i, h;

	*count = 0;
	while (more && next <= TPM_NV_LAST) {
		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, TPM2_CAP_HANDLES, next,
		    TPM_NV_LAST - next + 1, &more, &cap);
		if (rc != TSS2_RC_SUCCESS)
			return rc_fail("listing NV indices", rc);
		if (cap->data.handles.count == 0)
			more = TPM2_NO;
		for (i = 0; i < cap->data.handles.count; i++) {
			h = cap->data.handles.handle[i];
			if (h < TPM_NV_FIRST || h > TPM_NV_LAST) {
				more = TPM2_NO;	/* past our range */
				break;
			}
			if (*count < max)
				indices[(*count)++] = h;
			next = h + 1;
		}
		Esys_Free(cap);
		cap = NULL;
	}
	return 0;
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
	TPM2B_MAX_NV_BUFFER *chunk = NULL;
	struct tpm_nv_limits lim = { .buffer_max = 0 };
	uint8_t *buf = NULL;
	uint16_t size, off, n;
	const char *why;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	*out = NULL;
	*out_len = 0;
	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
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
	for (off = 0; off < size; off += n) {
		n = size - off;
		/* Most records fit one read; look up the limit only for
		 * those that do not. */
		if (n > 512) {
			if (lim.buffer_max == 0 &&
			    (r = tpm_nv_limits(t, &lim)) != 0)
				goto out;
			r = SSH_SK_ERR_GENERAL;
			if (n > lim.buffer_max)
				n = (uint16_t)lim.buffer_max;
		}
		rc = Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD,
		    ESYS_TR_NONE, ESYS_TR_NONE, n, off, &chunk);
		if (rc != TSS2_RC_SUCCESS && (rc_base(rc) ==
		    TPM2_RC_AUTH_FAIL || rc_base(rc) == TPM2_RC_BAD_AUTH)) {
			/* Our attributes, but not our empty auth value
			 * (NO_DA: no try was counted). */
			sk_debug("NV index 0x%08x: foreign (has an auth "
			    "value)", index);
			r = TPM_NV_FOREIGN;
			goto out;
		}
		if (rc != TSS2_RC_SUCCESS) {
			r = rc_fail("reading an NV index", rc);
			goto out;
		}
		if (chunk->size != n) {
			sk_error("short read from NV index 0x%08x", index);
			goto out;
		}
		memcpy(buf + off, chunk->buffer, n);
		Esys_Free(chunk);
		chunk = NULL;
	}
	*out = buf;
	*out_len = size;
	buf = NULL;
	r = 0;
out:
	Esys_Free(chunk);
	free(buf);
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	return r;
}

static int
explain_define_failure(TSS2_RC rc, size_t len, size_t nrecords)
{
	switch (rc_base(rc)) {
	case TPM2_RC_NV_SPACE:
		sk_error("the TPM's NV memory is full (%zu sk-tpm records "
		    "stored, this one needs %zu bytes); remove one with "
		    "\"sk-tpm delete\"", nrecords, len);
		return SSH_SK_ERR_GENERAL;
	case TPM2_RC_AUTH_FAIL:
	case TPM2_RC_BAD_AUTH:
		sk_error(OWNER_AUTH_HELP);
		return SSH_SK_ERR_GENERAL;
	case TPM2_RC_NV_RATE:
		sk_error("the TPM is limiting NV writes to protect its "
		    "memory; try again in a minute");
		return SSH_SK_ERR_GENERAL;
	case TPM2_RC_SIZE:
		sk_error("the record (%zu bytes) is larger than this TPM "
		    "allows for one NV index", len);
		return SSH_SK_ERR_GENERAL;
	default:
		return rc_fail("defining an NV index", rc);
	}
}

static int
write_all(struct tpm *t, ESYS_TR nv, ESYS_TR session, const uint8_t *data,
    size_t len, uint32_t buffer_max)
{
	TPM2B_MAX_NV_BUFFER chunk;
	size_t end = len, start;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	/* Back to front: offset 0 is written last. */
	while (end > 0) {
		start = end > buffer_max ? end - buffer_max : 0;
		chunk.size = (uint16_t)(end - start);
		memcpy(chunk.buffer, data + start, chunk.size);
		rc = Esys_NV_Write(t->esys, ESYS_TR_RH_OWNER, nv, session,
		    ESYS_TR_NONE, ESYS_TR_NONE, &chunk, (uint16_t)start);
		if (rc != TSS2_RC_SUCCESS) {
			if (rc_base(rc) == TPM2_RC_NV_RATE)
				sk_error("the TPM is limiting NV writes to "
				    "protect its memory; try again in a "
				    "minute");
			else
				r = rc_fail("writing an NV index", rc);
			goto out;
		}
		end = start;
	}
	r = 0;
out:
	OPENSSL_cleanse(&chunk, sizeof(chunk));
	return r;
}

/* The owner authorization through a salted session, so that an owner
 * password never crosses the bus in clear. */
static int
owner_session(struct tpm *t, struct srk *srk, ESYS_TR *session)
{
	TSS2_RC rc;
	int r;

	/* The SRK first: deriving it goes through a password session, which
	 * must not carry the owner password. */
	if ((r = srk_open(t, srk)) != 0)
		return r;
	rc = Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &t->owner_auth);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("setting the owner authorization", rc);
	return session_start(t, srk->handle, session);
}

/*
 * A write cut short by a connection error leaves ESYS's context refusing
 * every further command, while the TPM, if the fault was passing, still
 * holds the index we defined. Take the index away through a fresh context
 * on the same TCTI, so that not even an unwritten index stays behind.
 */
static TSS2_RC
undefine_afresh(struct tpm *t, uint32_t index, struct srk *srk,
    ESYS_TR *session, ESYS_TR *nv)
{
	TPM2B_AUTH zero;
	TSS2_RC rc;

	/* The old context's objects go through the TCTI (tpm-session.c);
	 * its copy of the owner password is wiped before ESYS frees it. */
	session_flush(t, session);
	srk_close(t, srk);
	(void)Esys_TR_Close(t->esys, nv);
	*nv = ESYS_TR_NONE;
	memset(&zero, 0, sizeof(zero));
	(void)Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &zero);
	Esys_Finalize(&t->esys);
	if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL)) != TSS2_RC_SUCCESS)
		return rc;
	(void)Esys_SetTimeout(t->esys, NV_TIMEOUT_MS);
	if (owner_session(t, srk, session) != 0)
		return TSS2_ESYS_RC_GENERAL_FAILURE;
	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, nv);
	if (rc != TSS2_RC_SUCCESS) {
		*nv = ESYS_TR_NONE;
		return rc;
	}
	rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, *nv, *session,
	    ESYS_TR_NONE, ESYS_TR_NONE);
	if (rc == TSS2_RC_SUCCESS)
		*nv = ESYS_TR_NONE;
	return rc;
}

int
tpm_nv_store(struct tpm *t, const uint8_t *data, size_t len,
    const uint32_t *used, size_t nused, uint32_t *index_out)
{
	struct srk srk = SRK_INIT;
	struct tpm_nv_limits lim;
	ESYS_TR session = ESYS_TR_NONE, nv = ESYS_TR_NONE;
	TPM2B_AUTH index_auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub;
	uint32_t index;
	size_t i;
	TSS2_RC rc;
	int r;

	*index_out = 0;
	if ((r = tpm_nv_limits(t, &lim)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if (len < TPM_NV_MIN_SIZE || len > TPM_NV_MAX_SIZE ||
	    len > lim.index_max) {
		sk_error("the record (%zu bytes) is larger than this TPM "
		    "allows for one NV index (TPM2_PT_NV_INDEX_MAX %u)", len,
		    lim.index_max);
		goto out;
	}
	/* The first slot of our range not in use. */
	for (index = TPM_NV_FIRST; index <= TPM_NV_LAST; index++) {
		for (i = 0; i < nused && used[i] != index; i++)
			;
		if (i == nused)
			break;
	}
	if (index > TPM_NV_LAST) {
		sk_error("all %u sk-tpm NV slots are in use; remove a "
		    "credential with \"sk-tpm delete\"", TPM_NV_SLOTS);
		goto out;
	}
	if ((r = owner_session(t, &srk, &session)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	memset(&pub, 0, sizeof(pub));
	pub.nvPublic.nvIndex = index;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = NV_ATTRIBUTES;
	pub.nvPublic.dataSize = (uint16_t)len;
	rc = Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER, session,
	    ESYS_TR_NONE, ESYS_TR_NONE, &index_auth, &pub, &nv);
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		r = explain_define_failure(rc, len, nused);
		goto out;
	}
	if ((r = write_all(t, nv, session, data, len, lim.buffer_max)) != 0) {
		/* All or nothing: take the index away again. */
		rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, nv,
		    session, ESYS_TR_NONE, ESYS_TR_NONE);
		if (rc == TSS2_ESYS_RC_BAD_SEQUENCE)
			rc = undefine_afresh(t, index, &srk, &session, &nv);
		if (rc == TSS2_RC_SUCCESS)
			nv = ESYS_TR_NONE;
		else
			sk_debug("undefining 0x%08x after a failed write: %s",
			    index, Tss2_RC_Decode(rc));
		goto out;
	}
	*index_out = index;
	r = 0;
out:
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	session_flush(t, &session);
	srk_close(t, &srk);
	return r;
}

int
tpm_nv_delete(struct tpm *t, uint32_t index)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE, nv = ESYS_TR_NONE;
	TSS2_RC rc;
	int r;

	if (index < TPM_NV_FIRST || index > TPM_NV_LAST) {
		sk_error("NV index 0x%08x is outside the sk-tpm range", index);
		return SSH_SK_ERR_GENERAL;
	}
	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		r = rc_fail("reading an NV index", rc);
		goto out;
	}
	if ((r = owner_session(t, &srk, &session)) != 0)
		goto out;
	rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, nv, session,
	    ESYS_TR_NONE, ESYS_TR_NONE);
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_base(rc) == TPM2_RC_AUTH_FAIL ||
		    rc_base(rc) == TPM2_RC_BAD_AUTH) {
			sk_error(OWNER_AUTH_HELP);
			r = SSH_SK_ERR_GENERAL;
		} else
			r = rc_fail("removing an NV index", rc);
		goto out;
	}
	nv = ESYS_TR_NONE;	/* UndefineSpace released the ESYS_TR */
	r = 0;
out:
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	session_flush(t, &session);
	srk_close(t, &srk);
	return r;
}
