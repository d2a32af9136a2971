/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Storing and removing resident records in TPM NV (tpm-nv.c says how the
 * range and its indices look): an owner password through a salted
 * session, forgotten again as soon as the command is done.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define OWNER_AUTH_HELP	"the TPM owner hierarchy has a password: set " \
			"SK_TPM_OWNER_AUTH to it"
/* The command timeout of a fresh ESYS context, as tpm-open.c sets it. */
#define NV_TIMEOUT_MS	60000

/* replacing: the record replaces one that stays until it is stored. */
static int
explain_define_failure(TSS2_RC rc, size_t len, size_t nrecords,
    bool replacing)
{
	switch (rc_base(rc)) {
	case TPM2_RC_NV_SPACE:
		if (replacing) {
			sk_error("the TPM's NV memory is full: the new record "
			    "(%zu bytes) needs room beside the one it "
			    "replaces, which is kept; remove another "
			    "credential with \"sk-tpm delete\", or this one "
			    "and enroll again", len);
			return SSH_SK_ERR_GENERAL;
		}
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
	unsigned tries;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	/* Back to front: offset 0 is written last. */
	while (end > 0) {
		start = end > buffer_max ? end - buffer_max : 0;
		chunk.size = (uint16_t)(end - start);
		memcpy(chunk.buffer, data + start, chunk.size);
		tries = 0;
		do
			rc = Esys_NV_Write(t->esys, ESYS_TR_RH_OWNER, nv,
			    session, ESYS_TR_NONE, ESYS_TR_NONE, &chunk,
			    (uint16_t)start);
		while (rc_nv_rate_wait(rc, &tries));
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
 * password never crosses the bus in clear. An empty one is no secret: a
 * password session, without the SRK and the session's ECDH. */
static int
owner_session(struct tpm *t, struct srk *srk, ESYS_TR *session)
{
	TSS2_RC rc;
	int r;

	if (t->owner_auth.size == 0) {
		*session = ESYS_TR_PASSWORD;
		return 0;
	}
	/* The SRK first: deriving it goes through a password session, which
	 * must not carry the owner password. */
	if ((r = hold_srk(t, srk)) != 0)
		return r;
	rc = Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &t->owner_auth);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("setting the owner authorization", rc);
	return session_start(t, srk->handle, session);
}

/* A fresh ESYS context on the same TCTI, for when a connection error left
 * the old one refusing every command. The old context must hold no TPM
 * object of ours any more; its copy of the owner password is wiped before
 * ESYS frees it. */
static TSS2_RC
esys_renew(struct tpm *t)
{
	TSS2_RC rc;

	owner_auth_forget(t);
	Esys_Finalize(&t->esys);
	if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL)) != TSS2_RC_SUCCESS)
		return rc;
	(void)Esys_SetTimeout(t->esys, NV_TIMEOUT_MS);
	return TSS2_RC_SUCCESS;
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
	unsigned tries = 0;
	TSS2_RC rc;

	/* The old context's objects go through the TCTI (tpm-session.c);
	 * its copy of the owner password is wiped before ESYS frees it. */
	session_flush(t, session);
	srk_close(t, srk);
	(void)Esys_TR_Close(t->esys, nv);
	*nv = ESYS_TR_NONE;
	if ((rc = esys_renew(t)) != TSS2_RC_SUCCESS)
		return rc;
	if (owner_session(t, srk, session) != 0)
		return TSS2_ESYS_RC_GENERAL_FAILURE;
	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, nv);
	if (rc != TSS2_RC_SUCCESS) {
		*nv = ESYS_TR_NONE;
		return rc;
	}
	do
		rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, *nv,
		    *session, ESYS_TR_NONE, ESYS_TR_NONE);
	while (rc_nv_rate_wait(rc, &tries));
	if (rc == TSS2_RC_SUCCESS)
		*nv = ESYS_TR_NONE;
	return rc;
}

int
tpm_nv_store(struct tpm *t, const uint8_t *data, size_t len,
    const uint32_t *used, size_t nused, uint32_t *index_out)
{
	return tpm_nv_store_from(t, data, len, used, nused, TPM_NV_FIRST,
	    index_out);
}

int
tpm_nv_store_from(struct tpm *t, const uint8_t *data, size_t len,
    const uint32_t *used, size_t nused, uint32_t first, uint32_t *index_out)
{
	struct srk srk = SRK_INIT;
	struct tpm_nv_limits lim;
	ESYS_TR session = ESYS_TR_NONE, nv = ESYS_TR_NONE;
	TPM2B_AUTH index_auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub;
	uint32_t index;
	size_t i;
	unsigned tries;
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
	if ((r = owner_session(t, &srk, &session)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	memset(&pub, 0, sizeof(pub));
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = NV_ATTRIBUTES;
	pub.nvPublic.dataSize = (uint16_t)len;
	/*
	 * The first slot of our range not in use. Another process may take
	 * the same slot between our listing and this define: the TPM then
	 * answers NV_DEFINED (no authorization was checked against the
	 * index, so no dictionary-attack try), and we take the next free
	 * one. Each try moves up, so there are at most TPM_NV_SLOTS.
	 */
	if (first < TPM_NV_FIRST)
		first = TPM_NV_FIRST;
	for (index = first;; index++) {
		for (; index <= TPM_NV_LAST; index++) {
			for (i = 0; i < nused && used[i] != index; i++)
				;
			if (i == nused)
				break;
		}
		if (index > TPM_NV_LAST && first > TPM_NV_FIRST) {
			sk_error("no free sk-tpm NV slot above 0x%08x, where "
			    "the credential to replace is (it is kept); "
			    "remove a credential with \"sk-tpm delete\"",
			    first - 1);
			goto out;
		}
		if (index > TPM_NV_LAST) {
			sk_error("all %u sk-tpm NV slots are in use; remove a "
			    "credential with \"sk-tpm delete\"",
			    TPM_NV_SLOTS);
			goto out;
		}
		pub.nvPublic.nvIndex = index;
		tries = 0;
		do
			rc = Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER,
			    session, ESYS_TR_NONE, ESYS_TR_NONE, &index_auth,
			    &pub, &nv);
		while (rc_nv_rate_wait(rc, &tries));
		if (rc == TSS2_RC_SUCCESS)
			break;
		nv = ESYS_TR_NONE;
		if (rc_base(rc) != TPM2_RC_NV_DEFINED) {
			r = explain_define_failure(rc, len, nused,
			    first > TPM_NV_FIRST);
			goto out;
		}
		sk_debug("NV 0x%08x was defined meanwhile; trying the next "
		    "free slot", index);
	}
	if ((r = write_all(t, nv, session, data, len, lim.buffer_max)) != 0) {
		/* All or nothing: take the index away again. */
		tries = 0;
		do
			rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER,
			    nv, session, ESYS_TR_NONE, ESYS_TR_NONE);
		while (rc_nv_rate_wait(rc, &tries));
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
	owner_auth_forget(t);
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	session_flush(t, &session);
	srk_close(t, &srk);
	return r;
}

/* Remove an index of our range; with gone_ok, one that is not defined
 * (any more) is TPM_NV_GONE rather than an error. */
static int
nv_undefine(struct tpm *t, uint32_t index, bool gone_ok)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE, nv = ESYS_TR_NONE;
	unsigned tries = 0;
	TSS2_RC rc;
	int r;

	if (index < TPM_NV_FIRST || index > TPM_NV_LAST) {
		sk_error("NV index 0x%08x is outside the sk-tpm range", index);
		return SSH_SK_ERR_GENERAL;
	}
	rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &nv);
	if (rc != TSS2_RC_SUCCESS && gone_ok &&
	    rc_base(rc) == TPM2_RC_HANDLE) {
		nv = ESYS_TR_NONE;
		r = TPM_NV_GONE;
		goto out;
	}
	if (rc != TSS2_RC_SUCCESS) {
		nv = ESYS_TR_NONE;
		r = rc_fail("reading an NV index", rc);
		goto out;
	}
	if ((r = owner_session(t, &srk, &session)) != 0)
		goto out;
	do
		rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, nv,
		    session, ESYS_TR_NONE, ESYS_TR_NONE);
	while (rc_nv_rate_wait(rc, &tries));
	if (rc != TSS2_RC_SUCCESS && gone_ok &&
	    rc_base(rc) == TPM2_RC_HANDLE) {
		r = TPM_NV_GONE;	/* removed by somebody else meanwhile */
		goto out;
	}
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
	owner_auth_forget(t);
	if (nv != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &nv);
	session_flush(t, &session);
	srk_close(t, &srk);
	return r;
}

int
tpm_nv_delete(struct tpm *t, uint32_t index)
{
	return nv_undefine(t, index, false);
}

int
tpm_nv_remove_if(struct tpm *t, uint32_t index, const uint8_t *expect,
    size_t len)
{
	uint8_t *now = NULL;
	size_t now_len = 0;
	int r;

	r = tpm_nv_read(t, index, &now, &now_len);
	if (r == TPM_NV_UNWRITTEN || r == TPM_NV_FOREIGN ||
	    (r == 0 && (now_len != len || memcmp(now, expect, len) != 0))) {
		sk_debug("NV 0x%08x changed since it was read; left alone",
		    index);
		r = TPM_NV_CHANGED;
	} else if (r == 0)
		r = nv_undefine(t, index, true);
	if (now != NULL) {
		OPENSSL_cleanse(now, now_len);
		free(now);
	}
	return r;
}


int
tpm_nv_withdraw(struct tpm *t, uint32_t index, const uint8_t *expect,
    size_t len)
{
	int r;

	r = tpm_nv_remove_if(t, index, expect, len);
	if (r == 0 || r == TPM_NV_GONE || r == TPM_NV_CHANGED)
		return r;
	/* Once more through a fresh context, in case a connection error
	 * left this one refusing every command (the TPM may be fine). */
	if (esys_renew(t) != TSS2_RC_SUCCESS)
		return r;
	return tpm_nv_remove_if(t, index, expect, len);
}
