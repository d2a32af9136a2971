/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Two resident enrollments of the same (application, user id) at the same
 * time: which record stays.
 *
 * The TPM has no compare-and-swap for NV and nothing that could serve as
 * a lock and vanish when its holder crashes, so enrollments do not exclude
 * each other. Each one lists the records, creates its key, stores its
 * record in a free index (tpm_nv_store_from skips an index another process
 * defined meanwhile) and then settles, here:
 *
 *   1. List the records again. S: the readable records of the pair (one
 *      still being written is not readable yet; its writer settles after).
 *   2. If ours is not in S, another enrollment took it away: we lost.
 *   3. If S holds a record at a higher index than ours, remove ours: we
 *      lost.
 *   4. Otherwise ours is the highest: remove every other record of S.
 *
 * The rule: of the records of one pair, the one at the highest NV index
 * stays. An overwrite ("-O resident" again, answered "y") stores its
 * record above every record of the pair it saw (resident_highest), so the
 * new record outranks the one it replaces for everybody, whenever they
 * look; a first enrollment takes the lowest free index. Removals go
 * through tpm_nv_remove_if, which reads the index again and leaves it
 * alone if it changed, and an index already gone is no error.
 *
 * Why at most one record stays: take two that stay, r1 below r2. Each was
 * stored before its enrollment listed again (step 1), so the later of the
 * two listings saw both. If it was r2's, r2 was the highest it saw or
 * not: it removed r1 or r2. If it was r1's, it saw r2 above and removed
 * r1. Either way one of them went. A record that was there before and
 * whose enrollment is long done (the one an overwrite replaces) is seen by
 * every later enrollment of the pair, and goes the same way.
 *
 * Why at least one stays, so that a pair never loses its only record: a
 * record is removed only by an enrollment that saw, at that moment, a
 * record of the pair at a higher index (its own or another). That one in
 * turn is removed only because of one higher still; indices are finite, so
 * the chain ends in a record nobody removes. Only records of the pair that
 * are readable are ever removed; unwritten, corrupt and foreign indices
 * are left alone.
 *
 * What a user sees: the enrollment whose record goes fails;
 * SSH_SK_ERR_CREDENTIAL_EXISTS when it was not an overwrite, so
 * ssh-keygen says that a credential for the pair exists and asks whether
 * to overwrite it, as it would had the two run one after the other. An
 * enrollment that had already finished when a concurrent one stored above
 * it has its record replaced as by an overwrite; its key file keeps
 * working, but ssh-keygen -K no longer returns it. An enrollment that
 * crashes between storing and settling may leave two records of the pair,
 * both listed by "sk-tpm list"; the next enrollment of the pair removes
 * all but one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "handle.h"
#include "log.h"
#include "record.h"
#include "resident.h"
#include "sk-api.h"

static bool
is_pair(const struct resident *r, const char *application,
    const uint8_t *user_id, size_t user_id_len)
{
	const struct rec *rec = r->rec;

	return strcmp(rec->application, application) == 0 &&
	    rec->user_id_len == user_id_len &&
	    (user_id_len == 0 ||
	    memcmp(rec->user_id, user_id, user_id_len) == 0);
}

uint32_t
resident_highest(const struct resident_list *list, const char *application,
    const uint8_t *user_id, size_t user_id_len)
{
	uint32_t high = 0;
	size_t i;

	for (i = 0; i < list->count; i++)
		if (is_pair(&list->items[i], application, user_id,
		    user_id_len) && list->items[i].index > high)
			high = list->items[i].index;
	return high;
}

/* Remove r if it still holds what the listing read (ours: through a fresh
 * context if need be): 0 if removed or gone or changed meanwhile, else an
 * error (with an error line). */
static int
remove_record(struct tpm *tpm, const struct resident *r, bool ours)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if ((ret = resident_encode(r->rec->application, r->rec->user_id,
	    r->rec->user_id_len, r->rec->key_handle, r->rec->key_handle_len,
	    &buf, &len)) != 0)
		return ret;
	ret = ours ? tpm_nv_withdraw(tpm, r->index, buf, len) :
	    tpm_nv_remove_if(tpm, r->index, buf, len);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (ret == TPM_NV_GONE || ret == TPM_NV_CHANGED)
		ret = 0;
	return ret;
}

static void
withdraw(struct tpm *tpm, const char *application, const uint8_t *user_id,
    size_t user_id_len, uint32_t mine, const uint8_t *key_handle,
    size_t key_handle_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (resident_encode(application, user_id, user_id_len, key_handle,
	    key_handle_len, &buf, &len) != 0)
		return;
	(void)tpm_nv_withdraw(tpm, mine, buf, len);
	OPENSSL_cleanse(buf, len);
	free(buf);
}

int
resident_settle(struct tpm *tpm, const char *application,
    const uint8_t *user_id, size_t user_id_len, uint32_t mine,
    const uint8_t *key_handle, size_t key_handle_len)
{
	struct resident_list now;
	const struct resident *ours = NULL, *r;
	struct kh *kh = NULL;
	uint32_t above = 0;
	size_t i;
	int ret;

	memset(&now, 0, sizeof(now));
	/* Our key was just made under the SRK its handle names: the records
	 * are told by that Name, without reading the SRK again. */
	if (kh_decode(key_handle, key_handle_len, &kh) != KH_OK) {
		sk_error("cannot decode the new key handle");
		ret = SSH_SK_ERR_GENERAL;
	} else
		ret = resident_load_srk(tpm, kh->srk_name, &now);
	kh_free(&kh);
	if (ret != 0) {
		/* Unsettled: take ours away again rather than risk a
		 * second record of the pair (the first error line stays). */
		withdraw(tpm, application, user_id, user_id_len, mine,
		    key_handle, key_handle_len);
		goto out;
	}
	for (i = 0; i < now.count; i++) {
		r = &now.items[i];
		if (!is_pair(r, application, user_id, user_id_len))
			continue;
		if (r->index == mine &&
		    r->rec->key_handle_len == key_handle_len &&
		    memcmp(r->rec->key_handle, key_handle,
		    key_handle_len) == 0)
			ours = r;
		else if (r->index > mine && r->index > above)
			above = r->index;
	}
	if (ours == NULL) {
		sk_debug("NV 0x%08x: our record was removed by a concurrent "
		    "enrollment of the same application and user", mine);
		/* Normally gone; should it be there but unreadable, it must
		 * not stay behind unaccounted for. */
		withdraw(tpm, application, user_id, user_id_len, mine,
		    key_handle, key_handle_len);
		ret = SSH_SK_ERR_CREDENTIAL_EXISTS;
		goto out;
	}
	if (above != 0) {
		sk_debug("NV 0x%08x: a concurrent enrollment of the same "
		    "application and user stored at 0x%08x; ours goes", mine,
		    above);
		if ((ret = remove_record(tpm, ours, true)) != 0) {
			sk_error("a concurrent enrollment stored this "
			    "application and user at NV index 0x%08x; this "
			    "one, at 0x%08x, could not be removed; remove it "
			    "with \"sk-tpm delete --index 0x%08x\"", above,
			    mine, mine);
			goto out;
		}
		ret = SSH_SK_ERR_CREDENTIAL_EXISTS;
		goto out;
	}
	ret = 0;
	for (i = 0; i < now.count; i++) {
		r = &now.items[i];
		if (r == ours || !is_pair(r, application, user_id,
		    user_id_len))
			continue;
		sk_debug("NV 0x%08x: an older record of the same application "
		    "and user; removed", r->index);
		if (remove_record(tpm, r, false) != 0) {
			/* Ours is stored; say what is left behind. */
			sk_error("the new credential is stored at NV index "
			    "0x%08x, but the one it replaces at 0x%08x could "
			    "not be removed; remove it with \"sk-tpm delete "
			    "--index 0x%08x\"", mine, r->index, r->index);
		}
	}
out:
	resident_list_free(&now);
	return ret;
}
