/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Enrollment: a new ECDSA P-256 key in the TPM, wrapped into a key handle
 * for the ssh key file.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "attest.h"
#include "cbor-utf8.h"
#include "config.h"
#include "flows.h"
#include "handle.h"
#include "log.h"
#include "message.h"
#include "options.h"
#include "pcr-bind.h"
#include "pin.h"
#include "record.h"
#include "resident.h"
#include "sk-api.h"
#include "tpm.h"
#include "unlock.h"

static int
build_handle(const struct tpm_new_key *k, const struct pcr_bind *bind,
    const struct unlock_new *unlock, const char *application, uint8_t flags, uint8_t **out, size_t *out_len)
{
	struct kh kh;
	int r;

	memset(&kh, 0, sizeof(kh));
	if (flags & SSH_SK_USER_PRESENCE_REQD)
		kh.flags |= KH_FLAG_PRESENCE;
	if (flags & SSH_SK_USER_VERIFICATION_REQD)
		kh.flags |= KH_FLAG_PIN;
	if (flags & SSH_SK_RESIDENT_KEY)
		kh.flags |= KH_FLAG_RESIDENT;
	if (k->srk_persistent)
		kh.flags |= KH_FLAG_SRK_PERSISTENT;
	/* The encoder only reads these buffers. */
	kh.tpm_public = k->public;
	kh.tpm_public_len = k->public_len;
	kh.tpm_private = k->private;
	kh.tpm_private_len = k->private_len;
	memcpy(kh.srk_name, k->srk_name, KH_NAME_LEN);
	kh.srk_public = k->srk_public;
	kh.srk_public_len = k->srk_public_len;
	pcr_bind_to_handle(bind, &kh);	/* version 3 */
	unlock_to_handle(unlock, &kh);	/* version 4 if unlockable */
	if (sha256(application, strlen(application), kh.app_hash) != 0)
		return SSH_SK_ERR_GENERAL;
	if ((r = kh_encode(&kh, out, out_len)) != KH_OK) {
		sk_error("cannot encode the key handle: %s", kh_strerror(r));
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

/*
 * Before anything is created: whether the largest handle this enrollment
 * could make (handle.h, kh_worst_len: it grows with the PCRs bound) fits
 * in a resident record of at most max_len bytes beside this application
 * and user id. First REC_MAX_LEN, before the TPM is asked anything, for
 * any SRK a handle may name; then, once the TPM is open, its own
 * TPM2_PT_NV_INDEX_MAX (tpm_limit), for the handle this enrollment makes
 * under the TCG SRK. The handle actually made is checked again once it
 * exists.
 */
static int
resident_room_check(const struct sk_config *cfg, const char *application,
    size_t user_id_len, size_t max_len, bool tpm_limit)
{
	uint32_t mask = 0;
	size_t worst, room;
	unsigned n;

	if (pcr_bind_selection(cfg, &mask) != 0)
		return SSH_SK_ERR_GENERAL;
	n = (unsigned)__builtin_popcount(mask);
	worst = tpm_limit ? kh_worst_len_srk(n, KH_SRK_TCG_PUBLIC_LEN) :
	    kh_worst_len(n);
	room = rec_handle_room_in(strlen(application), user_id_len, max_len);
	if (worst == 0 || worst > room) {
		sk_error("a resident key for this application and user id "
		    "bound to %d PCRs could need a key handle of %zu bytes, "
		    "but its record has room for %zu%s; use a shorter "
		    "application or user id, or bind fewer PCRs",
		    __builtin_popcount(mask), worst, room,
		    tpm_limit ? " on this TPM (its NV indices "
		    "hold at most TPM2_PT_NV_INDEX_MAX bytes)" : "");
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

int
enroll_run(const struct sk_config *cfg, uint32_t alg, const char *application,
    uint8_t flags, const char *pin, const uint8_t *challenge,
    size_t challenge_len, const struct sk_opts *opts,
    struct sk_enroll_response **out)
{
	struct sk_enroll_response *resp = NULL;
	struct tpm *tpm = NULL;
	struct tpm_new_key key;
	struct resident_list list;
	struct pcr_bind bind;
	struct unlock_new unlock;
	struct attest_prep prep;
	struct tpm_nv_limits lim;
	const struct resident *old = NULL;
	uint8_t auth[PIN_AUTH_LEN];
	uint32_t index = 0;
	bool with_pin = (flags & SSH_SK_USER_VERIFICATION_REQD) != 0;
	bool resident = (flags & SSH_SK_RESIDENT_KEY) != 0;
	int ak_kind, r = SSH_SK_ERR_GENERAL;

	memset(&key, 0, sizeof(key));
	memset(&list, 0, sizeof(list));
	memset(&bind, 0, sizeof(bind));
	memset(&unlock, 0, sizeof(unlock));
	memset(&prep, 0, sizeof(prep));
	memset(&lim, 0, sizeof(lim));
	memset(auth, 0, sizeof(auth));
	if (alg == SSH_SK_ED25519) {
		sk_error("ed25519-sk is not supported: TPM 2.0 chips have no "
		    "Ed25519; use -t ecdsa-sk");
		r = SSH_SK_ERR_UNSUPPORTED;
		goto out;
	}
	if (alg != SSH_SK_ECDSA) {
		sk_error("unknown key algorithm %u", alg);
		r = SSH_SK_ERR_UNSUPPORTED;
		goto out;
	}
	/* A malformed attestation setting fails here, before the TPM. */
	if ((ak_kind = attest_ak_kind(cfg)) < 0)
		goto out;
	if (resident && strlen(application) > REC_APP_MAX) {
		sk_error("the application name is longer than %d bytes, the "
		    "limit for resident credentials", REC_APP_MAX);
		goto out;
	}
	if (resident && !crd_utf8_valid((const uint8_t *)application,
	    strlen(application))) {
		sk_error("the application name is not valid UTF-8, which "
		    "resident credentials require");
		goto out;
	}
	if (resident && rec_name_why((const uint8_t *)application,
	    strlen(application), true) != NULL) {
		sk_error("the application name contains %s, which resident "
		    "credentials refuse (ssh-keygen -K makes file names of "
		    "it)", rec_name_why((const uint8_t *)application,
		    strlen(application), true));
		goto out;
	}
	if (resident && rec_name_why(opts->user_id, opts->user_id_len,
	    false) != NULL) {
		sk_error("the user id contains %s, which resident credentials "
		    "refuse (ssh-keygen -K makes file names of it)",
		    rec_name_why(opts->user_id, opts->user_id_len, false));
		goto out;
	}
	if (resident && (r = resident_room_check(cfg, application,
	    opts->user_id_len, REC_MAX_LEN, false)) != 0)
		goto out;
	if (with_pin && pin == NULL) {
		/* OpenSSH prompts for the PIN and calls again; nothing to
		 * report. */
		r = SSH_SK_ERR_PIN_REQUIRED;
		goto out;
	}
	if (!with_pin && pin != NULL)
		sk_debug("PIN given without verify-required; not used");
	if (pin_derive_auth(application, with_pin ? pin : NULL, auth) != 0)
		goto out;

	/* The SRK is opened once for every step; the attestation's reads
	 * come first, while nothing of ours is loaded. */
	if ((r = tpm_open(cfg->tcti, &tpm)) != 0 ||
	    (r = tpm_hold_begin(tpm)) != 0)
		goto out;
	attest_prepare(tpm, cfg->attest_ek, ak_kind, &prep);
	if (resident) {
		if ((r = tpm_set_owner_auth(tpm, cfg->owner_auth)) != 0 ||
		    (r = tpm_nv_limits(tpm, &lim)) != 0 ||
		    (r = resident_room_check(cfg, application,
		    opts->user_id_len, lim.index_max, true)) != 0 ||
		    (r = resident_load(tpm, &list)) != 0)
			goto out;
		/* Like a FIDO token: refuse before creating anything, and
		 * let ssh-keygen ask whether to overwrite. */
		old = resident_find(&list, application, opts->user_id,
		    opts->user_id_len);
		if (old != NULL && !(flags & SSH_SK_FORCE_OPERATION)) {
			r = SSH_SK_ERR_CREDENTIAL_EXISTS;
			goto out;
		}
	}
	if ((r = pcr_bind_prepare(cfg, tpm, with_pin, &bind)) != 0 ||
	    (r = unlock_prepare(cfg, tpm, with_pin, application, auth, &bind,
	    &unlock)) != 0)
		goto out;
	/* An unlockable key is used through its policy only; its PIN is its
	 * PIN object's (unlock-enroll.c). */
	if (unlock.window != 0)
		r = tpm_create_key(tpm, unlock.key_auth, false, &unlock.policy,
		    &key);
	else
		r = tpm_create_key(tpm, auth, with_pin, &bind.policy, &key);
	if (r != 0)
		goto out;

	r = SSH_SK_ERR_GENERAL;
	if ((resp = calloc(1, sizeof(*resp))) == NULL ||
	    (resp->public_key = malloc(TPM_EC_POINT_LEN)) == NULL) {
		sk_error("out of memory");
		goto out;
	}
	memcpy(resp->public_key, key.point, TPM_EC_POINT_LEN);
	resp->public_key_len = TPM_EC_POINT_LEN;
	if ((r = build_handle(&key, &bind, &unlock, application, flags,
	    &resp->key_handle, &resp->key_handle_len)) != 0)
		goto out;
	if (resident && resp->key_handle_len > rec_handle_room_in(
	    strlen(application), opts->user_id_len, lim.index_max)) {
		sk_error("the key handle (%zu bytes) does not fit in a "
		    "resident record with this application and user id "
		    "(room for %zu bytes); use a shorter application or user "
		    "id, or bind fewer PCRs", resp->key_handle_len,
		    rec_handle_room_in(strlen(application),
		    opts->user_id_len, lim.index_max));
		r = SSH_SK_ERR_GENERAL;
		goto out;
	}
	/* Before the resident record: attestation forgets the error lines
	 * of its own failures, and must not forget one of that step. */
	attest_enrollment(tpm, &key, &prep, application, flags, challenge,
	    challenge_len, resp);
	/* The NV store opens what it needs afresh (an owner password's
	 * salted session); nothing of the key stays loaded around it. */
	tpm_hold_end(tpm);
	if (resident) {
		/* An overwrite stores above the record it replaces, and the
		 * old record goes only once the new one is safe; concurrent
		 * enrollments of the pair leave one record (resident-settle.c).
		 */
		if ((r = resident_store(tpm, &list, application,
		    opts->user_id, opts->user_id_len, resp->key_handle,
		    resp->key_handle_len, old != NULL ? resident_highest(&list,
		    application, opts->user_id, opts->user_id_len) + 1 :
		    TPM_NV_FIRST, &index)) != 0 ||
		    (r = resident_settle(tpm, application, opts->user_id,
		    opts->user_id_len, index, resp->key_handle,
		    resp->key_handle_len)) != 0) {
			if (r == SSH_SK_ERR_CREDENTIAL_EXISTS &&
			    (flags & SSH_SK_FORCE_OPERATION)) {
				sk_error("a concurrent enrollment of the same "
				    "application and user replaced this one; "
				    "run ssh-keygen again");
				r = SSH_SK_ERR_GENERAL;
			}
			goto out;
		}
	}
	/* Never echo SSH_SK_FORCE_OPERATION into the key file. */
	resp->flags = flags & (SSH_SK_USER_PRESENCE_REQD |
	    SSH_SK_USER_VERIFICATION_REQD | SSH_SK_RESIDENT_KEY);
	pcr_bind_announce(&bind);
	*out = resp;
	resp = NULL;
	r = 0;
out:
	OPENSSL_cleanse(auth, sizeof(auth));
	tpm_new_key_reset(&key);
	unlock_new_reset(&unlock);
	attest_prep_free(&prep);
	resident_list_free(&list);
	tpm_close(&tpm);
	if (resp != NULL) {
		free(resp->public_key);
		free(resp->key_handle);
		free(resp->signature);
		free(resp->authdata);
		free(resp->attestation_cert);
		free(resp);
	}
	return r;
}
