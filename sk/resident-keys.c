/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk_load_resident_keys: every usable record of this TPM, in the shape
 * ssh-keygen -K and ssh-add -K turn into key files and agent keys.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flows.h"
#include "handle.h"
#include "log.h"
#include "record.h"
#include "resident.h"
#include "sk-api.h"
#include "tpm.h"

/* FIDO tokens hand out 32-byte, zero-padded user ids; ssh-keygen names
 * the files after the bytes before the padding. */
#define USER_ID_PAD	32

static void
free_rk(struct sk_resident_key *rk)
{
	if (rk == NULL)
		return;
	free(rk->application);
	free(rk->key.public_key);
	free(rk->key.key_handle);
	free(rk->user_id);
	free(rk);
}

static struct sk_resident_key *
make_rk(const struct resident *res)
{
	struct sk_resident_key *rk;
	size_t user_len = res->rec->user_id_len;

	if (user_len < USER_ID_PAD)
		user_len = USER_ID_PAD;
	if ((rk = calloc(1, sizeof(*rk))) == NULL ||
	    (rk->application = strdup(res->rec->application)) == NULL ||
	    (rk->key.public_key = malloc(TPM_EC_POINT_LEN)) == NULL ||
	    (rk->key.key_handle = malloc(res->rec->key_handle_len)) == NULL ||
	    (rk->user_id = calloc(1, user_len)) == NULL) {
		free_rk(rk);
		return NULL;
	}
	rk->alg = SSH_SK_ECDSA;
	rk->slot = res->index - TPM_NV_FIRST;
	memcpy(rk->key.public_key, res->point, TPM_EC_POINT_LEN);
	rk->key.public_key_len = TPM_EC_POINT_LEN;
	memcpy(rk->key.key_handle, res->rec->key_handle,
	    res->rec->key_handle_len);
	rk->key.key_handle_len = res->rec->key_handle_len;
	memcpy(rk->user_id, res->rec->user_id, res->rec->user_id_len);
	rk->user_id_len = user_len;
	rk->flags = SSH_SK_USER_PRESENCE_REQD | SSH_SK_RESIDENT_KEY;
	if (res->kh->flags & KH_FLAG_PIN)
		rk->flags |= SSH_SK_USER_VERIFICATION_REQD;
	return rk;
}

int
resident_keys_run(const struct sk_config *cfg,
    struct sk_resident_key ***rks_out, size_t *nrks_out)
{
	struct resident_list list;
	struct sk_resident_key **rks = NULL;
	struct tpm *tpm = NULL;
	size_t i, n = 0;
	int r;

	memset(&list, 0, sizeof(list));
	if ((r = tpm_open(cfg->tcti, &tpm)) != 0 ||
	    (r = resident_load(tpm, &list)) != 0)
		goto out;
	if (list.skipped > 0)
		sk_debug("%zu unusable record(s) skipped", list.skipped);
	r = SSH_SK_ERR_GENERAL;
	if (list.count > 0 &&
	    (rks = calloc(list.count, sizeof(*rks))) == NULL) {
		sk_error("out of memory");
		goto out;
	}
	for (n = 0; n < list.count; n++) {
		if ((rks[n] = make_rk(&list.items[n])) == NULL) {
			sk_error("out of memory");
			goto out;
		}
	}
	*rks_out = rks;
	*nrks_out = n;
	rks = NULL;
	r = 0;
out:
	if (rks != NULL) {
		for (i = 0; i < n; i++)
			free_rk(rks[i]);
		free(rks);
	}
	resident_list_free(&list);
	tpm_close(&tpm);
	return r;
}
