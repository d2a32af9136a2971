/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resident credentials in TPM NV. Reading the list costs one capability
 * query, the SRK's Name (one or two commands), and two commands per
 * record (NV_ReadPublic, NV_Read).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "handle.h"
#include "log.h"
#include "message.h"
#include "record.h"
#include "resident.h"
#include "sk-api.h"

_Static_assert(REC_MAX_LEN == TPM_NV_MAX_SIZE,
    "an NV index holds exactly one record");

static void
resident_clear(struct resident *r)
{
	rec_free(&r->rec);
	kh_free(&r->kh);
}

void
resident_list_free(struct resident_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		resident_clear(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/*
 * The SRKs a usable record may name: the one in use, and (asked for once,
 * when a record names another) the others this TPM derives. systemd's SRK
 * at 0x81000001 (tpm-srk-kind.c) is in use once systemd-tpm2-setup ran,
 * and records made before under sk-tpm's own SRK stay this TPM's; the
 * same the other way round when systemd's SRK is removed.
 */
struct srk_names {
	struct tpm *tpm;
	uint8_t current[KH_NAME_LEN];
	uint8_t others[2][KH_NAME_LEN];
	size_t nothers;
	bool others_asked;
};

static bool
srk_name_known(struct srk_names *s, const uint8_t name[KH_NAME_LEN])
{
	size_t i;

	if (memcmp(s->current, name, KH_NAME_LEN) == 0)
		return true;
	if (!s->others_asked) {
		s->others_asked = true;
		if (tpm_srk_other_names(s->tpm, s->current, s->others,
		    &s->nothers) != 0) {
			/* Not fatal: such records are skipped. */
			s->nothers = 0;
			log_reset();
		}
	}
	for (i = 0; i < s->nothers; i++)
		if (memcmp(s->others[i], name, KH_NAME_LEN) == 0)
			return true;
	return false;
}

/* Decode and check one record; 0 if usable, -1 to skip it. */
static int
check_record(uint32_t index, const uint8_t *buf, size_t len,
    struct srk_names *srks, struct resident *out)
{
	uint8_t app_hash[KH_APP_HASH_LEN];
	int r;

	memset(out, 0, sizeof(*out));
	out->index = index;
	if ((r = rec_decode(buf, len, &out->rec)) != KH_OK) {
		sk_debug("NV 0x%08x: skipped: %s", index, rec_strerror(r));
		goto bad;
	}
	if ((r = kh_decode(out->rec->key_handle, out->rec->key_handle_len,
	    &out->kh)) != KH_OK) {
		sk_debug("NV 0x%08x: skipped: key handle: %s", index,
		    kh_strerror(r));
		goto bad;
	}
	if (sha256(out->rec->application, strlen(out->rec->application),
	    app_hash) != 0 ||
	    memcmp(app_hash, out->kh->app_hash, sizeof(app_hash)) != 0) {
		sk_debug("NV 0x%08x: skipped: application does not match "
		    "its key handle", index);
		goto bad;
	}
	if (!srk_name_known(srks, out->kh->srk_name)) {
		sk_debug("NV 0x%08x: skipped: made under another TPM's SRK",
		    index);
		goto bad;
	}
	if (tpm_handle_point(out->kh, out->point) != 0) {
		sk_debug("NV 0x%08x: skipped: bad public key", index);
		goto bad;
	}
	return 0;
bad:
	resident_clear(out);
	return -1;
}

int
resident_load(struct tpm *tpm, struct resident_list *list)
{
	return resident_load_srk(tpm, NULL, list);
}

int
resident_load_srk(struct tpm *tpm, const uint8_t *srk_known,
    struct resident_list *list)
{
	struct srk_names srks;
	uint8_t *buf = NULL;
	size_t i, len;
	int r;

	memset(list, 0, sizeof(*list));
	if ((r = tpm_nv_list(tpm, list->used, TPM_NV_SLOTS,
	    &list->nused)) != 0)
		goto out;
	if (list->nused == 0)
		goto out;
	memset(&srks, 0, sizeof(srks));
	srks.tpm = tpm;
	if (srk_known != NULL)
		memcpy(srks.current, srk_known, KH_NAME_LEN);
	else if ((r = tpm_srk_name(tpm, srks.current)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if ((list->items = calloc(list->nused, sizeof(*list->items))) ==
	    NULL) {
		sk_error("out of memory");
		goto out;
	}
	for (i = 0; i < list->nused; i++) {
		r = tpm_nv_read(tpm, list->used[i], &buf, &len);
		if (r == TPM_NV_UNWRITTEN) {
			list->unwritten++;
			continue;
		}
		if (r == TPM_NV_FOREIGN) {
			list->foreign[list->nforeign++] = list->used[i];
			continue;
		}
		if (r == TPM_NV_GONE)	/* removed since the listing */
			continue;
		if (r != 0)
			goto out;
		if (check_record(list->used[i], buf, len, &srks,
		    &list->items[list->count]) == 0)
			list->count++;
		else
			list->skipped++;
		free(buf);
		buf = NULL;
	}
	r = 0;
out:
	free(buf);
	if (r != 0)
		resident_list_free(list);
	return r;
}

const struct resident *
resident_find(const struct resident_list *list, const char *application,
    const uint8_t *user_id, size_t user_id_len)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct rec *rec = list->items[i].rec;

		if (strcmp(rec->application, application) == 0 &&
		    rec->user_id_len == user_id_len &&
		    (user_id_len == 0 ||
		    memcmp(rec->user_id, user_id, user_id_len) == 0))
			return &list->items[i];
	}
	return NULL;
}

int
resident_encode(const char *application, const uint8_t *user_id,
    size_t user_id_len, const uint8_t *key_handle, size_t key_handle_len,
    uint8_t **out, size_t *out_len)
{
	struct rec rec;
	int r;

	*out = NULL;
	*out_len = 0;
	memset(&rec, 0, sizeof(rec));
	rec.version = REC_VERSION;
	/* The encoder only reads these. */
	rec.application = (char *)(uintptr_t)application;
	if (user_id_len > sizeof(rec.user_id)) {
		sk_error("user id longer than %zu bytes", sizeof(rec.user_id));
		return SSH_SK_ERR_GENERAL;
	}
	memcpy(rec.user_id, user_id, user_id_len);
	rec.user_id_len = user_id_len;
	rec.key_handle = (uint8_t *)(uintptr_t)key_handle;
	rec.key_handle_len = key_handle_len;
	if ((r = rec_encode(&rec, out, out_len)) != KH_OK) {
		sk_error("cannot encode the resident record: %s",
		    rec_strerror(r));
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

int
resident_store(struct tpm *tpm, const struct resident_list *list,
    const char *application, const uint8_t *user_id, size_t user_id_len,
    const uint8_t *key_handle, size_t key_handle_len, uint32_t first,
    uint32_t *index)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	*index = 0;
	if ((r = resident_encode(application, user_id, user_id_len,
	    key_handle, key_handle_len, &buf, &len)) != 0)
		goto out;
	sk_debug("resident record: %zu bytes", len);
	r = tpm_nv_store_from(tpm, buf, len, list->used, list->nused, first,
	    index);
out:
	free(buf);
	return r;
}
