/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What one enrollment keeps between its steps, so that no step opens,
 * loads or starts again what an earlier one already had: the SRK (read or
 * derived once, for the resident records' SRK check and for creating the
 * key), the new key loaded by its creation, and a PIN key's salted session
 * (attestation certifies the key with both). Through a resource manager
 * every reload of a flushed object is a ContextLoad; without one, a Load.
 *
 * Everything held belongs to the connection: tpm_hold_end flushes it, and
 * tpm_close calls tpm_hold_end, so an enrollment that fails anywhere
 * leaves nothing loaded.
 *
 * Every command that needs the SRK gets it here (hold_srk): the held one
 * while holding, else one opened for that command alone. tpm-srk.c only
 * opens and closes an SRK, and knows nothing of holding.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

int
tpm_hold_begin(struct tpm *t)
{
	if (t->hold != NULL)
		return 0;
	if ((t->hold = calloc(1, sizeof(*t->hold))) == NULL) {
		sk_error("out of memory");
		return SSH_SK_ERR_GENERAL;
	}
	t->hold->srk.handle = ESYS_TR_NONE;
	t->hold->session = ESYS_TR_NONE;
	t->hold->key = ESYS_TR_NONE;
	return 0;
}

void
tpm_hold_end(struct tpm *t)
{
	struct tpm_hold *h = t->hold;

	if (h == NULL)
		return;
	t->hold = NULL;
	object_flush(t, &h->key);
	session_flush(t, &h->session);
	srk_close(t, &h->srk);
	free(h);
}

int
hold_srk(struct tpm *t, struct srk *out)
{
	struct tpm_hold *h = t->hold;
	int r;

	if (h == NULL)
		return srk_open(t, out);
	if (h->srk.handle == ESYS_TR_NONE) {
		/* Open it the ordinary way, once. */
		if ((r = srk_open(t, &h->srk)) != 0) {
			srk_close(t, &h->srk);
			return r;
		}
	}
	*out = h->srk;
	out->borrowed = true;
	return 0;
}

int
tpm_srk_name(struct tpm *t, uint8_t name[KH_NAME_LEN])
{
	struct srk srk = SRK_INIT;
	int r;

	if ((r = hold_srk(t, &srk)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if (srk.name.size != KH_NAME_LEN) {
		sk_error("unexpected SRK name size %u", srk.name.size);
		goto out;
	}
	memcpy(name, srk.name.name, KH_NAME_LEN);
	r = 0;
out:
	srk_close(t, &srk);
	return r;
}

void
hold_srk_drop_transient(struct tpm *t)
{
	if (t->hold != NULL && !t->hold->srk.persistent)
		srk_close(t, &t->hold->srk);
}
