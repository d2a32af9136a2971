/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Enrollment of an unlockable key (unlock.h): the PIN object P, a random
 * policyRef of the key's own (so that each key has its own window), and
 * the key's policy PolicyOR([PolicyPCR] PolicySecret(P, policyRef),
 * PolicyCommandCode(Certify)). The key itself gets the auth value of a key
 * without a PIN: only its policy can use it.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "pcr-bind.h"
#include "sk-api.h"
#include "unlock.h"

void
unlock_new_reset(struct unlock_new *u)
{
	tpm_secret_reset(&u->secret);
	OPENSSL_cleanse(u, sizeof(*u));
}

void
unlock_to_handle(const struct unlock_new *u, struct kh *kh)
{
	if (u->window == 0)
		return;
	kh->version = KH_VERSION_UNLOCK;
	kh->policy = 0;
	/* The encoder only reads these. */
	kh->secret_public = u->secret.public;
	kh->secret_public_len = u->secret.public_len;
	kh->secret_private = u->secret.private;
	kh->secret_private_len = u->secret.private_len;
	memcpy(kh->policy_ref, u->policy_ref, KH_REF_LEN);
	kh->unlock_s = u->window;
}

int
unlock_prepare(const struct sk_config *cfg, struct tpm *tpm, bool with_pin,
    const char *application, const uint8_t auth[PIN_AUTH_LEN],
    const struct pcr_bind *bind, struct unlock_new *u)
{
	struct kh kh;
	uint8_t name[KH_NAME_LEN];
	uint32_t window;
	int r;

	memset(u, 0, sizeof(*u));
	if (unlock_window(cfg, &window, NULL) != 0)
		return SSH_SK_ERR_GENERAL;
	if (window == 0)
		return 0;
	if (!with_pin) {
		sk_debug("unlock asked for a key without a PIN; nothing to "
		    "unlock");
		return 0;
	}
	if (RAND_bytes(u->policy_ref, KH_REF_LEN) != 1) {
		sk_error("no random bytes from OpenSSL");
		return SSH_SK_ERR_GENERAL;
	}
	if (pin_derive_auth(application, NULL, u->key_auth) != 0)
		return SSH_SK_ERR_GENERAL;
	if ((r = tpm_create_secret(tpm, auth, &u->secret)) != 0)
		return r;
	u->window = window;
	/* The policy as signing will rebuild it from the handle. */
	memset(&kh, 0, sizeof(kh));
	kh.flags = KH_FLAG_PIN;
	pcr_bind_to_handle(bind, &kh);
	unlock_to_handle(u, &kh);
	if (key_policy_of(&kh, &u->policy) != 0 ||
	    kh_srk_name(u->secret.public, u->secret.public_len, name) != 0 ||
	    memcmp(name, u->secret.name, KH_NAME_LEN) != 0) {
		sk_error("cannot compute the unlockable key's policy");
		unlock_new_reset(u);
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}
