/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sessions and flushing. Every secret auth value we present (a PIN key's,
 * the owner password) goes through a salted HMAC or policy session: the
 * salt is encrypted to the SRK, so somebody recording the bus (or a TCP
 * link to a simulator) can neither read the auth value nor test guesses of
 * it offline against the recorded HMACs. Auth values anybody can compute
 * (the SRK's empty one, a key's without a PIN) go in password sessions
 * (tpm-sign-auth.c says which is used when).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define SESSION_ATTRS	(TPMA_SESSION_CONTINUESESSION | \
			 TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT)
/* Enough for a TPM that is still there; a gone one fails at once. */
#define FLUSH_TIMEOUT_MS	10000

/*
 * After a TCTI error (a connection lost for one command) ESYS refuses every
 * further command on its context with BAD_SEQUENCE, but the TPM may well
 * still hold what we loaded, and without a resource manager nobody else
 * will ever flush it. The TCTI itself is usable again (unless it gave up
 * on a TPM that did not answer), so send TPM2_FlushContext through it by
 * hand, and believe it done only on the TPM's success code.
 */
static void
flush_through_tcti(struct tpm *t, TPM2_HANDLE handle)
{
	uint8_t cmd[14], resp[64];
	size_t off = 0, len = sizeof(resp);
	TPM2_ST tag;
	UINT32 size;
	TPM2_RC code;
	TSS2_RC rc;

	if ((rc = Tss2_MU_TPM2_ST_Marshal(TPM2_ST_NO_SESSIONS, cmd,
	    sizeof(cmd), &off)) != TSS2_RC_SUCCESS ||
	    (rc = Tss2_MU_UINT32_Marshal(sizeof(cmd), cmd, sizeof(cmd),
	    &off)) != TSS2_RC_SUCCESS ||
	    (rc = Tss2_MU_TPM2_CC_Marshal(TPM2_CC_FlushContext, cmd,
	    sizeof(cmd), &off)) != TSS2_RC_SUCCESS ||
	    (rc = Tss2_MU_TPM2_HANDLE_Marshal(handle, cmd, sizeof(cmd),
	    &off)) != TSS2_RC_SUCCESS ||
	    (rc = Tss2_Tcti_Transmit(t->tcti, off, cmd)) != TSS2_RC_SUCCESS ||
	    (rc = Tss2_Tcti_Receive(t->tcti, &len, resp,
	    FLUSH_TIMEOUT_MS)) != TSS2_RC_SUCCESS) {
		sk_debug("%s: %s", __func__, Tss2_RC_Decode(rc));
		return;
	}
	off = 0;
	if (Tss2_MU_TPM2_ST_Unmarshal(resp, len, &off, &tag) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT32_Unmarshal(resp, len, &off, &size) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT32_Unmarshal(resp, len, &off, &code) !=
	    TSS2_RC_SUCCESS || tag != TPM2_ST_NO_SESSIONS || size != len) {
		sk_debug("%s: a malformed answer to flushing 0x%08x", __func__,
		    handle);
		return;
	}
	if (code != TPM2_RC_SUCCESS) {
		sk_debug("%s: the TPM did not flush 0x%08x: %s", __func__,
		    handle, Tss2_RC_Decode(code));
		return;
	}
	sk_debug("flushed 0x%08x past ESYS after a connection error", handle);
}

/*
 * Might the command whose answer was lost have released tr? It was either
 * tr's own FlushContext, or a command that used session tr for the last
 * time (continueSession clear). Then, without a resource manager, the
 * handle may already be another process's: flushing it by hand could
 * flush theirs, so it is left alone (the TPM has most likely let go of it
 * anyway).
 */
static bool
maybe_released(struct tpm *t, ESYS_TR tr, TPM2_HANDLE handle)
{
	TPMA_SESSION attrs;
	uint32_t cc, first;

	if (!tcti_bounded_lost(t->tcti, &cc, &first))
		return false;
	if (cc == TPM2_CC_FlushContext && first == handle)
		return true;
	return (handle >> TPM2_HR_SHIFT) != TPM2_HT_TRANSIENT &&
	    Esys_TRSess_GetAttributes(t->esys, tr, &attrs) ==
	    TSS2_RC_SUCCESS && !(attrs & TPMA_SESSION_CONTINUESESSION);
}

/* Flush tr, or at least forget it. */
static void
flush_tr(struct tpm *t, ESYS_TR *tr)
{
	TPM2_HANDLE handle;
	TSS2_RC rc;

	rc = Esys_FlushContext(t->esys, *tr);
	if (rc != TSS2_RC_SUCCESS) {
		sk_debug("%s: %s", __func__, Tss2_RC_Decode(rc));
		/* A lost connection on this or an earlier command: the TPM
		 * may still hold tr, unless that command let it go. */
		if ((rc == TSS2_ESYS_RC_BAD_SEQUENCE || rc_is_tcti(rc)) &&
		    Esys_TR_GetTpmHandle(t->esys, *tr, &handle) ==
		    TSS2_RC_SUCCESS) {
			if (maybe_released(t, *tr, handle))
				sk_debug("0x%08x may be released and reused; "
				    "not flushed by hand", handle);
			else
				flush_through_tcti(t, handle);
		}
		(void)Esys_TR_Close(t->esys, tr);
	}
	*tr = ESYS_TR_NONE;
}

/*
 * ESYS frees its records without wiping them. These ESYS-held copies of
 * an auth value exist, and this is how each is overwritten:
 *  1. An object's auth (Esys_TR_SetAuth on a key, the owner hierarchy):
 *     object_flush, and tpm_close for the owner, store a zero TPM2B_AUTH
 *     of full size. ESYS copies the whole structure over its own before
 *     it strips trailing zeros (3.2 and 4.x alike), so every byte of the
 *     old value is overwritten even though the stored size becomes 0.
 *  2. A session's sessionValue: the session key followed by the auth of
 *     the object the session last authorised, the key of every HMAC and
 *     of parameter encryption. ESYS rewrites it while it prepares a
 *     command, before its last checks, so scrub_esys prepares TPM2_Unseal
 *     of the null hierarchy through the session, given twice: the null
 *     hierarchy's auth is set first to 64 bytes of 0xA5, the largest auth
 *     there is, and ESYS writes the session key and those 64 bytes over
 *     the old value, then refuses two sessions that both encrypt the
 *     response. The filler must not be zero: tpm2-tss 4.x strips trailing
 *     zero bytes in Esys_TR_SetAuth, and a zero filler would shrink to
 *     nothing and leave the old auth behind the session key.
 *  3. The context's copy of the inputs of the last TPM2_Create, whose
 *     inSensitive is the new key's auth value: scrub_esys prepares
 *     TPM2_Create with a zero inSensitive and no creation PCR selection;
 *     ESYS stores the zeros over its copy, then SAPI refuses the missing
 *     selection.
 * The HMAC computations keyed with sessionValue are ours on tpm2-tss 4.x
 * (tpm-crypto.c); on 3.2 they run in ESYS's OpenSSL code (doc/security.md).
 * test/secrets scans the process's memory to prove that this works.
 */
static void
scrub_esys(struct tpm *t, ESYS_TR session)
{
	TPM2B_AUTH filler;
	TPM2B_SENSITIVE_CREATE zero_sensitive;
	TPM2B_SENSITIVE_DATA *unsealed = NULL;
	TSS2_RC rc;
	int saved = -1, devnull = -1;

	memset(filler.buffer, 0xa5, sizeof(filler.buffer));
	filler.size = sizeof(filler.buffer);
	memset(&zero_sensitive, 0, sizeof(zero_sensitive));
	/* ESYS logs both refusals as errors; tpm2-tss logs at all only with
	 * SK_TPM_DEBUG (config.c), and then they would only mislead. */
	if (log_debug_enabled()) {
		fflush(stderr);
		saved = dup(STDERR_FILENO);
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (saved != -1 && devnull != -1)
			dup2(devnull, STDERR_FILENO);
	}
	if (Esys_TR_SetAuth(t->esys, ESYS_TR_RH_NULL, &filler) ==
	    TSS2_RC_SUCCESS &&
	    Esys_TRSess_SetAttributes(t->esys, session, TPMA_SESSION_ENCRYPT,
	    TPMA_SESSION_ENCRYPT) == TSS2_RC_SUCCESS) {
		rc = Esys_Unseal_Async(t->esys, ESYS_TR_RH_NULL, session,
		    session, ESYS_TR_NONE);
		if (rc == TSS2_RC_SUCCESS) {
			/* Sent after all (another ESYS version): the TPM
			 * refuses Unseal of a hierarchy; take its answer so
			 * that the context stays usable. */
			do {
				rc = Esys_Unseal_Finish(t->esys, &unsealed);
			} while ((rc & ~TSS2_RC_LAYER_MASK) ==
			    TSS2_BASE_RC_TRY_AGAIN);
			Esys_Free(unsealed);
		}
	}
	(void)Esys_Create_Async(t->esys, ESYS_TR_NONE, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &zero_sensitive, NULL, NULL, NULL);
	if (saved != -1) {
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (devnull != -1)
		close(devnull);
}

/*
 * A session of the given type salted to salt_key, AES-128-CFB both ways.
 * Without a salt key it is unsalted and unbound: its session key is empty,
 * so parameter encryption would hide nothing and is left out.
 */
static TSS2_RC
open_typed(struct tpm *t, ESYS_TR salt_key, TPM2_SE type, ESYS_TR *session)
{
	TPMT_SYM_DEF symmetric = {
		.algorithm = TPM2_ALG_AES,
		.keyBits = { .aes = 128 },
		.mode = { .aes = TPM2_ALG_CFB },
	};
	TPMT_SYM_DEF none = { .algorithm = TPM2_ALG_NULL };
	bool salted = salt_key != ESYS_TR_NONE;
	TSS2_RC rc;

	rc = Esys_StartAuthSession(t->esys, salt_key, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, type,
	    salted ? &symmetric : &none, TPM2_ALG_SHA256, session);
	if (rc != TSS2_RC_SUCCESS) {
		*session = ESYS_TR_NONE;
		return rc;
	}
	rc = Esys_TRSess_SetAttributes(t->esys, *session, salted ?
	    SESSION_ATTRS : TPMA_SESSION_CONTINUESESSION, 0xff);
	if (rc != TSS2_RC_SUCCESS)
		session_flush(t, session);
	return rc;
}

TSS2_RC
session_open(struct tpm *t, ESYS_TR salt_key, ESYS_TR *session)
{
	return open_typed(t, salt_key, TPM2_SE_HMAC, session);
}

int
policy_session_start(struct tpm *t, ESYS_TR salt_key, ESYS_TR *session)
{
	TSS2_RC rc;

	rc = open_typed(t, salt_key, TPM2_SE_POLICY, session);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("starting a policy session", rc);
	return 0;
}

int
session_start(struct tpm *t, ESYS_TR salt_key, ESYS_TR *session)
{
	TSS2_RC rc;

	if ((rc = session_open(t, salt_key, session)) != TSS2_RC_SUCCESS)
		return rc_fail("starting an encrypted session", rc);
	return 0;
}

int
session_last_use(struct tpm *t, ESYS_TR session)
{
	TSS2_RC rc;

	rc = Esys_TRSess_SetAttributes(t->esys, session, 0,
	    TPMA_SESSION_CONTINUESESSION);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("setting session attributes", rc);
	return 0;
}

void
session_forget(struct tpm *t, ESYS_TR *session)
{
	if (*session == ESYS_TR_NONE)
		return;
	scrub_esys(t, *session);
	/* Local bookkeeping only: the TPM already closed it. */
	(void)Esys_TR_Close(t->esys, session);
	*session = ESYS_TR_NONE;
}

void
session_flush(struct tpm *t, ESYS_TR *session)
{
	if (*session == ESYS_TR_NONE || *session == ESYS_TR_PASSWORD)
		return;
	scrub_esys(t, *session);
	flush_tr(t, session);
}

void
object_flush(struct tpm *t, ESYS_TR *object)
{
	TPM2B_AUTH zero;

	if (*object == ESYS_TR_NONE)
		return;
	/*
	 * ESYS frees its copy of the auth value without wiping it. Setting
	 * a zero TPM2B_AUTH overwrites the whole stored buffer (ESYS copies
	 * the structure, then strips the zeros: copy 1 above), where passing
	 * NULL would only clear the size.
	 */
	memset(&zero, 0, sizeof(zero));
	(void)Esys_TR_SetAuth(t->esys, *object, &zero);
	flush_tr(t, object);
}

void
object_release(struct tpm *t, ESYS_TR *object)
{
	TPM2B_AUTH zero;
	TSS2_RC rc;

	if (*object == ESYS_TR_NONE)
		return;
	if (!t->rm_flushes) {
		object_flush(t, object);
		return;
	}
	/* Wiped as in object_flush; the manager flushes the object when
	 * tpm_close closes the connection, which saves a command and,
	 * through /dev/tpmrm0, the reload of everything else the
	 * connection holds around it. */
	memset(&zero, 0, sizeof(zero));
	(void)Esys_TR_SetAuth(t->esys, *object, &zero);
	if ((rc = Esys_TR_Close(t->esys, object)) != TSS2_RC_SUCCESS)
		sk_debug("%s: %s", __func__, Tss2_RC_Decode(rc));
	*object = ESYS_TR_NONE;
}

void
session_release(struct tpm *t, ESYS_TR *session)
{
	if (*session == ESYS_TR_NONE)
		return;
	if (!t->rm_flushes) {
		session_flush(t, session);
		return;
	}
	scrub_esys(t, *session);
	(void)Esys_TR_Close(t->esys, session);
	*session = ESYS_TR_NONE;
}
