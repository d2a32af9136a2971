/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Signing: check the handle, establish presence, have the TPM sign the
 * digest OpenSSH will verify.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config.h"
#include "flows.h"
#include "handle.h"
#include "log.h"
#include "message.h"
#include "pin.h"
#include "presence.h"
#include "sk-api.h"
#include "tpm.h"
#include "unlock.h"

static int
decode_handle(const uint8_t *buf, size_t len, const char *application,
    struct kh **out)
{
	uint8_t app_hash[KH_APP_HASH_LEN];
	int r;

	if ((r = kh_decode(buf, len, out)) != KH_OK) {
		if (r == KH_ERR_FOREIGN)
			sk_error("this key was not made by sk-tpm; use the "
			    "SecurityKeyProvider that enrolled it");
		else
			sk_error("cannot use this key: %s", kh_strerror(r));
		return SSH_SK_ERR_GENERAL;
	}
	if (sha256(application, strlen(application), app_hash) != 0)
		return SSH_SK_ERR_GENERAL;
	if (CRYPTO_memcmp(app_hash, (*out)->app_hash, sizeof(app_hash)) != 0) {
		sk_error("this key handle was made for another application "
		    "than \"%s\"", application);
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

int
sign_run(const struct sk_config *cfg, uint32_t alg, const uint8_t *data,
    size_t data_len, const char *application, const uint8_t *key_handle,
    size_t key_handle_len, uint8_t flags, const char *pin,
    struct sk_sign_response **out)
{
	struct kh *kh = NULL;
	struct tpm *tpm = NULL;
	uint8_t auth[PIN_AUTH_LEN], digest[MESSAGE_DIGEST_LEN];
	uint8_t sig_r[32], sig_s[32], sig_flags = 0;
	uint32_t counter = 0;
	bool with_pin, want_presence;
	int r = SSH_SK_ERR_GENERAL;

	memset(auth, 0, sizeof(auth));
	if (alg != SSH_SK_ECDSA) {
		sk_error("only ecdsa-sk keys are supported");
		r = SSH_SK_ERR_UNSUPPORTED;
		goto out;
	}
	if ((r = decode_handle(key_handle, key_handle_len, application,
	    &kh)) != 0)
		goto out;
	if (kh->version == KH_VERSION_UNLOCK) {
		/* Without a PIN it may sign through an open window. */
		r = unlock_sign_run(cfg, kh, data, data_len, application,
		    flags, pin, out);
		goto out;
	}
	with_pin = (kh->flags & KH_FLAG_PIN) != 0;
	if (with_pin && pin == NULL) {
		/* OpenSSH asks for the PIN and calls again. */
		r = SSH_SK_ERR_PIN_REQUIRED;
		goto out;
	}

	/* A PIN typed for this signature is presence as well as
	 * verification: nobody types a PIN by accident. Presence is asked
	 * when the handle (enrollment) or the file's flags (which may have
	 * been rewritten since) ask for it: a rewrite adds a touch, never
	 * removes one. */
	want_presence = (flags & SSH_SK_USER_PRESENCE_REQD) ||
	    (kh->flags & KH_FLAG_PRESENCE);
	if (with_pin || cfg->presence_assume)
		sig_flags |= SSH_SK_USER_PRESENCE_REQD;
	else if (want_presence) {
		if ((r = presence_confirm(cfg, application)) != 0)
			goto out;
		sig_flags |= SSH_SK_USER_PRESENCE_REQD;
	}
	/* UV only once the TPM has checked the PIN: set here, but the
	 * response exists only if tpm_sign succeeds with that PIN. */
	if (with_pin)
		sig_flags |= SSH_SK_USER_VERIFICATION_REQD;

	r = SSH_SK_ERR_GENERAL;
	if (pin_derive_auth(application, with_pin ? pin : NULL, auth) != 0)
		goto out;
	if ((r = tpm_open(cfg->tcti, &tpm)) != 0 ||
	    (r = tpm_read_counter(tpm, &counter)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if (message_digest(application, sig_flags, counter, data, data_len,
	    digest) != 0)
		goto out;
	if ((r = tpm_sign(tpm, kh, auth, digest, sig_r, sig_s)) != 0)
		goto out;
	/*
	 * The key file's flags can be rewritten after enrollment (OpenSSH
	 * 10.5's ssh-keygen -p -O verify-required); the handle decides what
	 * the TPM checks. Adding verify-required cannot give a key without a
	 * PIN one: the signature carries no UV, and the one line says why a
	 * server that requires it will refuse it.
	 */
	if ((flags & SSH_SK_USER_VERIFICATION_REQD) && !with_pin)
		sk_error("this key has no PIN, but its file asks for user "
		    "verification (verify-required added after enrollment, "
		    "as by ssh-keygen -p); the signature carries none, and "
		    "servers requiring verify-required refuse it");
	r = sign_response_new(sig_flags, counter, sig_r, sig_s, out);
out:
	OPENSSL_cleanse(auth, sizeof(auth));
	tpm_close(&tpm);
	kh_free(&kh);
	return r;
}
