/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Loading a signing key from its handle under the SRK it was made under.
 *
 * Load is authorised by the SRK's auth value, which is empty for the
 * standard SRK and so public: a password session (TPM_RS_PW) carries it,
 * and the command carries nothing else that is secret (the private area
 * is wrapped under the SRK's seed). The key's own auth value is presented
 * only later, at Sign (tpm-sign-auth.c).
 *
 * The handle carries the SRK's Name and public area, and the decoder has
 * checked that the one hashes to the other (handle.h). Only the TPM that
 * holds the storage key the Name names can load the key: any other object
 * refuses the private area (TPM_RC_INTEGRITY from another storage key,
 * another error from anything else), and a session salted to the handle's
 * public area is of use only to that TPM.
 *
 * Fast path (handle made under the persistent SRK): reference 0x81000001
 * from the handle's public area without asking the TPM and Load. When the
 * TPM refuses that, there is exactly one documented reason to try again:
 * the persistent SRK is gone (or 0x81000001 holds something else) and the
 * same SRK is derived from the template as a transient primary. So the SRK
 * the TPM really has is looked up, and the key is loaded again only under
 * a derived SRK whose Name is the handle's (of the TCG template, or of
 * systemd's when the key was made under systemd's persistent SRK,
 * tpm-srk-kind.c); a persistent standard SRK that refused is never
 * retried (the handle was altered), and a storage key with another Name
 * is reported as such (another TPM, or this one cleared), before any
 * command that carries key material is sent again.
 */
#include <string.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

static bool
rc_is_auth_failure(TSS2_RC rc)
{
	TSS2_RC base = rc_base(rc);

	return base == TPM2_RC_AUTH_FAIL || base == TPM2_RC_BAD_AUTH;
}

static int
altered(void)
{
	sk_error("the key handle was altered or belongs to another TPM");
	return SSH_SK_ERR_GENERAL;
}

static int
other_srk(void)
{
	sk_error("this key was made on another TPM (or this TPM has been "
	    "cleared since): its storage root key differs");
	return SSH_SK_ERR_GENERAL;
}

static bool
srk_is_handles(const struct srk *srk, const struct kh *kh)
{
	return srk->name.size == KH_NAME_LEN &&
	    memcmp(srk->name.name, kh->srk_name, KH_NAME_LEN) == 0;
}

/* Load under srk, authorised by its empty auth value in a password
 * session. */
static TSS2_RC
load_under(struct tpm *t, const struct srk *srk, const TPM2B_PUBLIC *pub,
    const TPM2B_PRIVATE *priv, ESYS_TR *key)
{
	TSS2_RC rc;

	rc = Esys_Load(t->esys, srk->handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	    ESYS_TR_NONE, priv, pub, key);
	if (rc != TSS2_RC_SUCCESS)
		*key = ESYS_TR_NONE;
	return rc;
}

/* Under the persistent SRK the handle names, without a ReadPublic. 0 with
 * the key loaded, 1 when the TPM refused (rc set), else an error. */
static int
load_fast(struct tpm *t, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
    const TPM2B_PUBLIC *srk_pub, struct srk *srk, ESYS_TR *key, TSS2_RC *rc)
{
	int r;

	if ((r = srk_from_public(t, srk_pub, srk)) != 0)
		return r;
	if ((*rc = load_under(t, srk, pub, priv, key)) == TSS2_RC_SUCCESS)
		return 0;
	if (rc_is_tcti(*rc))
		return rc_fail("loading the key", *rc);
	return 1;
}

int
key_load(struct tpm *t, const struct kh *kh, const TPM2B_PUBLIC *pub,
    const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *srk_pub, struct srk *srk,
    ESYS_TR *key)
{
	TSS2_RC rc = TSS2_RC_SUCCESS;
	int r;

	if (kh->flags & KH_FLAG_SRK_PERSISTENT) {
		if ((r = load_fast(t, pub, priv, srk_pub, srk, key, &rc)) != 1)
			return r;
		srk_close(t, srk);
		sk_debug("the persistent SRK refused the key (%s); looking at "
		    "the TPM's SRK", Tss2_RC_Decode(rc));
		/* The standard SRK at 0x81000001 if there is one, else
		 * the one derived from the template. */
		if ((r = hold_srk(t, srk)) != 0)
			return r;
		if (!srk_is_handles(srk, kh)) {
			/* Made under a persistent SRK that has gone since
			 * (systemd's, or sk-tpm's replaced by another key):
			 * the same primary derived again, if it is one of
			 * the templates this TPM's SRKs are made from. */
			srk_close(t, srk);
			if ((r = srk_derive_named(t, kh->srk_name, srk)) == 1)
				return other_srk();
			if (r != 0)
				return r;
			sk_debug("the key's SRK is no longer persistent; "
			    "derived it again");
		} else if (srk->persistent) {
			/* The very storage key the handle names refused
			 * the key: nothing to fall back to, and nothing is
			 * sent again. */
			if (rc_base(rc) == TPM2_RC_INTEGRITY ||
			    rc_is_auth_failure(rc))
				return altered();
			return rc_fail("loading the key", rc);
		}
		sk_debug("the persistent SRK is gone; the derived one has "
		    "the handle's Name");
	} else {
		if ((r = srk_transient_cached(t, srk_pub, srk)) != 0)
			return r;
		if (!srk_is_handles(srk, kh))
			return other_srk();
	}
	rc = load_under(t, srk, pub, priv, key);
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_base(rc) == TPM2_RC_INTEGRITY || rc_is_auth_failure(rc))
			return altered();
		return rc_fail("loading the key", rc);
	}
	return 0;
}

int
key_load_under(struct tpm *t, const struct srk *srk, const TPM2B_PUBLIC *pub,
    const TPM2B_PRIVATE *priv, ESYS_TR *key)
{
	TSS2_RC rc;

	rc = load_under(t, srk, pub, priv, key);
	if (rc != TSS2_RC_SUCCESS) {
		if (rc_base(rc) == TPM2_RC_INTEGRITY || rc_is_auth_failure(rc))
			return altered();
		return rc_fail("loading the key", rc);
	}
	return 0;
}
