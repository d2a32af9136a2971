/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Signing with an unlockable key (unlock.h, doc/unlock.md).
 *
 * Without a PIN (OpenSSH always asks first without one): the key's ticket
 * file, if there is one that names this key, goes to the TPM through
 * PolicyTicket. No file, a file that is not this key's or not a ticket,
 * or a ticket the TPM refuses (expired, older than the last TPM reset or
 * restart, forged): the file is removed and SSH_SK_ERR_PIN_REQUIRED makes
 * ssh or ssh-agent ask for the PIN and call again. The signature carries
 * UP when presence was asked (and given) but never UV: nobody verified
 * anything for this signature.
 *
 * With a PIN: PolicySecret checks it (a wrong one counts toward the TPM's
 * lockout), returns a fresh ticket for the window, the key signs with UP
 * and UV, and the ticket is stored for the signatures that follow. A
 * ticket that cannot be stored costs only later prompts.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "flows.h"
#include "log.h"
#include "message.h"
#include "presence.h"
#include "sk-api.h"
#include "ticket-file.h"
#include "ticket-store.h"
#include "unlock.h"

/* The key's ticket, if its file holds one for this key. 0, or 1 when
 * there is none (any unusable file is removed). */
static int
ticket_load(const struct kh *kh, const char *file, struct unlock_ticket *t)
{
	uint8_t buf[TICKET_MAX_LEN + 1], name[KH_NAME_LEN];
	uint8_t branches[2][POLICY_DIGEST_LEN], policy[POLICY_DIGEST_LEN];
	const char *why = NULL;
	size_t len;
	int r = 1;

	if (ticket_store_read(file, buf, sizeof(buf), &len) != 0)
		goto out;
	if (ticket_decode(buf, len, t, &why) != 0) {
		sk_debug("unlock ticket %s: %s; removed", file, why);
		(void)ticket_store_remove(file);
		goto out;
	}
	if (kh_unlock_policy(kh, name, branches, policy) != 0 ||
	    CRYPTO_memcmp(t->policy_ref, kh->policy_ref, KH_REF_LEN) != 0 ||
	    CRYPTO_memcmp(t->secret_name, name, KH_NAME_LEN) != 0) {
		sk_debug("unlock ticket %s is another key's; removed", file);
		(void)ticket_store_remove(file);
		goto out;
	}
	r = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

static void
ticket_save(const char *file, const struct unlock_ticket *t)
{
	uint8_t buf[TICKET_MAX_LEN];
	size_t len;

	if (ticket_encode(t, buf, sizeof(buf), &len) != 0 ||
	    ticket_store_write(file, buf, len) != 0)
		sk_debug("the unlock ticket was not stored; the next "
		    "signature asks for the PIN again");
	OPENSSL_cleanse(buf, sizeof(buf));
}

int
unlock_sign_run(const struct sk_config *cfg, const struct kh *kh,
    const uint8_t *data, size_t data_len, const char *application,
    uint8_t flags, const char *pin, struct sk_sign_response **out)
{
	struct tpm *tpm = NULL;
	struct unlock_ticket ticket;
	char file[TICKET_NAME_LEN];
	uint8_t auth[PIN_AUTH_LEN], digest[MESSAGE_DIGEST_LEN];
	uint8_t sig_r[32], sig_s[32], sig_flags = 0;
	uint32_t counter = 0, window = 0;
	bool want_presence, given = false;
	int r = SSH_SK_ERR_GENERAL;

	memset(auth, 0, sizeof(auth));
	memset(&ticket, 0, sizeof(ticket));
	ticket_file_name(kh->policy_ref, file);
	want_presence = (flags & SSH_SK_USER_PRESENCE_REQD) ||
	    (kh->flags & KH_FLAG_PRESENCE);
	if (pin == NULL) {
		if (ticket_load(kh, file, &ticket) != 0) {
			r = SSH_SK_ERR_PIN_REQUIRED;
			goto out;
		}
		if (cfg->presence_assume)
			sig_flags |= SSH_SK_USER_PRESENCE_REQD;
		else if (want_presence) {
			if ((r = presence_confirm(cfg, application)) != 0)
				goto out;
			sig_flags |= SSH_SK_USER_PRESENCE_REQD;
		}
	} else {
		/* The PIN is presence and verification, as for any PIN
		 * key (sign.c). */
		sig_flags = SSH_SK_USER_PRESENCE_REQD |
		    SSH_SK_USER_VERIFICATION_REQD;
		/* The window set now, else the key's own; "off" opens
		 * none. */
		if (unlock_window(cfg, &window, &given) != 0)
			goto out;
		if (!given)
			window = kh->unlock_s;
		if (pin_derive_auth(application, pin, auth) != 0)
			goto out;
	}
	if ((r = tpm_open(cfg->tcti, &tpm)) != 0 ||
	    (r = tpm_read_counter(tpm, &counter)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if (message_digest(application, sig_flags, counter, data, data_len,
	    digest) != 0)
		goto out;
	if (pin == NULL) {
		r = tpm_sign_ticket(tpm, kh, &ticket, digest, sig_r, sig_s);
		if (r == TPM_TICKET_REFUSED) {
			sk_debug("the unlock window is closed; asking for the "
			    "PIN");
			(void)ticket_store_remove(file);
			r = SSH_SK_ERR_PIN_REQUIRED;
		}
		if (r != 0)
			goto out;
	} else {
		if ((r = tpm_sign_unlock(tpm, kh, auth, window, digest, sig_r,
		    sig_s, &ticket)) != 0)
			goto out;
		if (window != 0)
			ticket_save(file, &ticket);
		else
			(void)ticket_store_remove(file);
	}
	r = sign_response_new(sig_flags, counter, sig_r, sig_s, out);
out:
	OPENSSL_cleanse(auth, sizeof(auth));
	OPENSSL_cleanse(&ticket, sizeof(ticket));
	tpm_close(&tpm);
	return r;
}
