/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An unlockable key signs (tpm-unlock.h, doc/unlock.md). Its authPolicy is
 * PolicyOR(unlock branch, certify branch) with the unlock branch
 * [PolicyPCR] PolicySecret(P's Name, policyRef). Two ways satisfy it:
 *
 *   with the PIN   Load P, StartAuthSession (HMAC, salted to the SRK),
 *                  StartAuthSession (policy, unsalted), [PolicyPCR],
 *                  PolicySecret(P, expiration -window) authorised by P's
 *                  auth value in the salted session, FlushContext P,
 *                  PolicyOR, Load K, Sign
 *   with a ticket  StartAuthSession (policy, unsalted), [PolicyPCR],
 *                  PolicyTicket, PolicyOR, Load K, Sign
 *
 * PolicySecret with a negative expiration and the session's nonceTPM
 * returns a ticket, the TPM's HMAC under its owner proof over P's Name,
 * policyRef, the timeout (the session's start plus the window, in TPM
 * Time) and the TPM's time epoch; PolicyTicket takes it in any later
 * session until TPM Time passes the timeout, and never once Time has
 * started again (any _TPM_Init: a reboot, a resume, a TPM Reset or
 * Restart), nor after TPM2_Clear (a new owner proof). TPM 2.0 part 3,
 * 23.3 to 23.5. The ticket path carries no
 * secret: the key's own auth value is never used (userWithAuth clear, no
 * PolicyAuthValue), so no salt is needed, and the key is noDA.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"
#include "tpm-unlock.h"

/* P's public and private areas of a version 4 handle, checked to be what
 * tpm_create_secret makes. */
static int
secret_unmarshal(const struct kh *kh, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
    TPM2B_PUBLIC *srk_pub)
{
	TPM2B_PUBLIC want;
	size_t off;

	memset(pub, 0, sizeof(*pub));
	memset(priv, 0, sizeof(*priv));
	memset(srk_pub, 0, sizeof(*srk_pub));
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kh->srk_public, kh->srk_public_len,
	    &off, srk_pub) != TSS2_RC_SUCCESS || off != kh->srk_public_len ||
	    !srk_public_matches_template(&srk_pub->publicArea))
		return -1;
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kh->secret_public,
	    kh->secret_public_len, &off, pub) != TSS2_RC_SUCCESS ||
	    off != kh->secret_public_len)
		return -1;
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(kh->secret_private,
	    kh->secret_private_len, &off, priv) != TSS2_RC_SUCCESS ||
	    off != kh->secret_private_len)
		return -1;
	secret_template(&want);
	if (pub->publicArea.type != want.publicArea.type ||
	    pub->publicArea.nameAlg != want.publicArea.nameAlg ||
	    pub->publicArea.objectAttributes !=
	    want.publicArea.objectAttributes ||
	    pub->publicArea.authPolicy.size != 0 ||
	    pub->publicArea.parameters.keyedHashDetail.scheme.scheme !=
	    TPM2_ALG_NULL)
		return -1;
	return 0;
}

/* The key of the handle, loaded: under srk when it is open (the PIN
 * object's), else under the SRK the handle names, released after. */
static int
load_key(struct tpm *t, const struct kh *kh, const struct srk *open,
    ESYS_TR *key)
{
	struct srk srk = SRK_INIT;
	TPM2B_PUBLIC pub, srk_pub;
	TPM2B_PRIVATE priv;
	int r;

	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	memset(&srk_pub, 0, sizeof(srk_pub));
	if (key_unmarshal(kh, &pub, &priv, &srk_pub) != 0) {
		sk_error("the key handle holds malformed TPM structures");
		r = SSH_SK_ERR_GENERAL;
		goto out;
	}
	if (open != NULL && open->handle != ESYS_TR_NONE)
		r = key_load_under(t, open, &pub, &priv, key);
	else
		r = key_load(t, kh, &pub, &priv, &srk_pub, &srk, key);
out:
	OPENSSL_cleanse(&priv, sizeof(priv));
	if (!srk.persistent)
		object_release(t, &srk.handle);
	srk_close(t, &srk);
	return r;
}

/*
 * PolicyOR over the key's two branches, then the key loaded and Sign: the
 * key is loaded only once its policy is complete, so that a resource
 * manager need not swap it out and in around each policy command, and a
 * refused ticket costs no Load.
 */
static int
or_load_sign(struct tpm *t, const struct kh *kh, const struct srk *srk,
    ESYS_TR session, const uint8_t digest_in[32], uint8_t r_out[32],
    uint8_t s_out[32])
{
	ESYS_TR key = ESYS_TR_NONE;
	TPM2B_DIGEST digest = { .size = 32 };
	TPMT_SIG_SCHEME scheme = {
		.scheme = TPM2_ALG_ECDSA,
		.details = { .ecdsa = { .hashAlg = TPM2_ALG_SHA256 } },
	};
	TPMT_TK_HASHCHECK check = {
		.tag = TPM2_ST_HASHCHECK,
		.hierarchy = TPM2_RH_NULL,
	};
	TPMT_SIGNATURE *sig = NULL;
	struct key_policy p;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	if (key_policy_of(kh, &p) != 0 ||
	    p.unlock_branch == KEY_POLICY_NO_BRANCH) {
		sk_error("cannot compute the key's policy");
		goto out;
	}
	if ((r = policy_or_run(t, session, &p)) != 0 ||
	    (r = load_key(t, kh, srk, &key)) != 0 ||
	    (r = session_last_use(t, session)) != 0)
		goto out;
	memcpy(digest.buffer, digest_in, 32);
	rc = Esys_Sign(t->esys, key, session, ESYS_TR_NONE, ESYS_TR_NONE,
	    &digest, &scheme, &check, &sig);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("signing in the TPM", rc);
		goto out;
	}
	r = SSH_SK_ERR_GENERAL;
	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureR, r_out) != 0 ||
	    ecc_scalar32(&sig->signature.ecdsa.signatureS, s_out) != 0) {
		sk_error("the TPM returned a malformed signature");
		goto out;
	}
	r = 0;
out:
	/* sign_run closes the connection next. */
	object_release(t, &key);
	Esys_Free(sig);
	return r;
}

/*
 * The session is gone with a Sign that succeeded: forget it. After a
 * failure it is flushed here, not left to a resource manager's close:
 * tpm2-abrmd keeps a session a refused PolicySecret used (secrets.memory-
 * abrmd saw it stay), and each such leftover takes a session slot.
 */
static void
session_done(struct tpm *t, ESYS_TR *session, int r)
{
	if (r == 0)
		session_forget(t, session);
	else
		session_flush(t, session);
}

int
tpm_sign_ticket(struct tpm *t, const struct kh *kh,
    const struct unlock_ticket *tk, const uint8_t digest[32],
    uint8_t r_out[32], uint8_t s_out[32])
{
	ESYS_TR session = ESYS_TR_NONE;
	TPM2B_TIMEOUT timeout;
	TPM2B_DIGEST cp_hash = { .size = 0 };
	TPM2B_NONCE ref;
	TPM2B_NAME name;
	TPMT_TK_AUTH ticket;
	uint8_t branches[2][32], policy[32];
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	memset(&ticket, 0, sizeof(ticket));
	memset(&timeout, 0, sizeof(timeout));
	if (kh->version != KH_VERSION_UNLOCK ||
	    tk->timeout_len > sizeof(timeout.buffer) ||
	    tk->digest_len > sizeof(ticket.digest.buffer) ||
	    kh_unlock_policy(kh, name.name, branches, policy) != 0) {
		sk_error("not an unlockable key or ticket");
		goto out;
	}
	name.size = KH_NAME_LEN;
	ref.size = KH_REF_LEN;
	memcpy(ref.buffer, kh->policy_ref, KH_REF_LEN);
	timeout.size = (UINT16)tk->timeout_len;
	memcpy(timeout.buffer, tk->timeout, tk->timeout_len);
	ticket.tag = tk->tag;
	ticket.hierarchy = tk->hierarchy;
	ticket.digest.size = (UINT16)tk->digest_len;
	memcpy(ticket.digest.buffer, tk->digest, tk->digest_len);

	if ((r = policy_session_start(t, ESYS_TR_NONE, &session)) != 0)
		goto out;
	if (kh->pcr_mask != 0 &&
	    (r = policy_session_run(t, kh, session, false)) != 0)
		goto out;
	rc = Esys_PolicyTicket(t->esys, session, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &timeout, &cp_hash, &ref, &name, &ticket);
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_is_tcti(rc) || rc_base(rc) == 0) {
			r = rc_fail("presenting the unlock ticket", rc);
			goto out;
		}
		sk_debug("the TPM refused the unlock ticket: %s",
		    Tss2_RC_Decode(rc));
		r = TPM_TICKET_REFUSED;
		goto out;
	}
	r = or_load_sign(t, kh, NULL, session, digest, r_out, s_out);
out:
	session_done(t, &session, r);
	return r;
}

int
tpm_sign_unlock(struct tpm *t, const struct kh *kh,
    const uint8_t auth[TPM_AUTH_LEN], uint32_t window_s,
    const uint8_t digest[32], uint8_t r_out[32], uint8_t s_out[32],
    struct unlock_ticket *out)
{
	struct srk srk = SRK_INIT;
	ESYS_TR secret = ESYS_TR_NONE;
	ESYS_TR hmac = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TPM2B_PUBLIC pub, srk_pub;
	TPM2B_PRIVATE priv;
	TPM2B_AUTH secret_auth;
	TPM2B_NONCE *nonce = NULL, ref;
	TPM2B_DIGEST cp_hash = { .size = 0 };
	TPM2B_TIMEOUT *timeout = NULL;
	TPMT_TK_AUTH *ticket = NULL;
	uint8_t name[KH_NAME_LEN], branches[2][32], policy[32];
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	memset(&secret_auth, 0, sizeof(secret_auth));
	memset(&priv, 0, sizeof(priv));
	memset(out, 0, sizeof(*out));
	if (kh->version != KH_VERSION_UNLOCK || window_s > KH_UNLOCK_MAX ||
	    kh_unlock_policy(kh, name, branches, policy) != 0 ||
	    secret_unmarshal(kh, &pub, &priv, &srk_pub) != 0) {
		sk_error("the key handle holds a malformed PIN object");
		goto out;
	}
	/* P under the handle's SRK, and the session that carries its auth
	 * value salted to that SRK (tpm-sign-auth.c says why). */
	if ((r = key_load(t, kh, &pub, &priv, &srk_pub, &srk,
	    &secret)) != 0)
		goto out;
	if ((r = session_start(t, srk.handle, &hmac)) != 0)
		goto out;
	/* The SRK stays for the key, which is loaded once the policy is
	 * complete (or_load_sign). */
	secret_auth.size = TPM_AUTH_LEN;
	memcpy(secret_auth.buffer, auth, TPM_AUTH_LEN);
	if ((rc = Esys_TR_SetAuth(t->esys, secret, &secret_auth)) !=
	    TSS2_RC_SUCCESS) {
		r = rc_fail("setting the PIN object's auth value", rc);
		goto out;
	}
	if ((r = session_last_use(t, hmac)) != 0 ||
	    (r = policy_session_start(t, ESYS_TR_NONE, &session)) != 0)
		goto out;
	if (kh->pcr_mask != 0 &&
	    (r = policy_session_run(t, kh, session, false)) != 0)
		goto out;
	ref.size = KH_REF_LEN;
	memcpy(ref.buffer, kh->policy_ref, KH_REF_LEN);
	/* With the session's nonceTPM the window counts from the session's
	 * start; without one, the TPM would read the expiration as an
	 * absolute TPM Time in seconds (part 3, 23.3). */
	if ((rc = Esys_TRSess_GetNonceTPM(t->esys, session, &nonce)) !=
	    TSS2_RC_SUCCESS) {
		r = rc_fail("reading the policy session's nonce", rc);
		goto out;
	}
	rc = Esys_PolicySecret(t->esys, secret, session, hmac, ESYS_TR_NONE,
	    ESYS_TR_NONE, nonce, &cp_hash, &ref, -(INT32)window_s, &timeout,
	    &ticket);
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_base(rc) == TPM2_RC_AUTH_FAIL ||
		    rc_base(rc) == TPM2_RC_BAD_AUTH ||
		    rc_base(rc) == TPM2_RC_LOCKOUT)
			r = sign_auth_explain(t, kh, rc);
		else
			r = rc_fail("checking the PIN", rc);
		goto out;
	}
	session_forget(t, &hmac);
	object_flush(t, &secret);
	r = SSH_SK_ERR_GENERAL;
	if (window_s != 0 && (timeout->size == 0 ||
	    timeout->size > TICKET_TIMEOUT_MAX ||
	    ticket->digest.size < TICKET_DIGEST_MIN ||
	    ticket->digest.size > TICKET_DIGEST_MAX)) {
		sk_error("the TPM returned no usable unlock ticket");
		goto out;
	}
	if ((r = or_load_sign(t, kh, &srk, session, digest, r_out,
	    s_out)) != 0)
		goto out;
	if (window_s == 0) {
		r = 0;
		goto out;
	}
	memcpy(out->policy_ref, kh->policy_ref, KH_REF_LEN);
	memcpy(out->secret_name, name, KH_NAME_LEN);
	out->end = (uint64_t)time(NULL) + window_s;
	out->timeout_len = timeout->size;
	memcpy(out->timeout, timeout->buffer, timeout->size);
	out->tag = ticket->tag;
	out->hierarchy = ticket->hierarchy;
	out->digest_len = ticket->digest.size;
	memcpy(out->digest, ticket->digest.buffer, ticket->digest.size);
out:
	OPENSSL_cleanse(&secret_auth, sizeof(secret_auth));
	OPENSSL_cleanse(&priv, sizeof(priv));
	session_done(t, &session, r);
	/* Closed by the TPM with PolicySecret unless that failed. */
	session_flush(t, &hmac);
	object_flush(t, &secret);
	if (!srk.persistent)
		object_release(t, &srk.handle);
	srk_close(t, &srk);
	Esys_Free(nonce);
	Esys_Free(timeout);
	Esys_Free(ticket);
	return r;
}
