/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resident credentials: the records in TPM NV (record.h, tpm-nv.c), read
 * into memory, checked, and added or removed.
 */
#ifndef SK_RESIDENT_H
#define SK_RESIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "tpm.h"

struct rec;
struct kh;

struct resident {
	uint32_t index;			/* NV index */
	struct rec *rec;
	struct kh *kh;			/* the decoded key handle */
	uint8_t point[TPM_EC_POINT_LEN];
};

struct resident_list {
	struct resident *items;		/* usable records */
	size_t count;
	uint32_t used[TPM_NV_SLOTS];	/* every defined index of our range */
	size_t nused;
	size_t skipped;			/* corrupt or from another SRK */
	size_t unwritten;		/* defined, never written */
	uint32_t foreign[TPM_NV_SLOTS];	/* not defined by sk-tpm; not read */
	size_t nforeign;
};

/* Read every record of our NV range; unusable ones are counted in
 * skipped/unwritten/foreign (and described under SK_TPM_DEBUG), never
 * deleted. Foreign indices are never read. */
int resident_load(struct tpm *, struct resident_list *);
/* The same when the SRK's Name is known already (KH_NAME_LEN bytes): no
 * command to read it again. */
int resident_load_srk(struct tpm *, const uint8_t *srk_name,
    struct resident_list *);
void resident_list_free(struct resident_list *);

/* The record for (application, user id), or NULL. */
const struct resident *resident_find(const struct resident_list *,
    const char *application, const uint8_t *user_id, size_t user_id_len);

/* The bytes of a record (malloc'ed; the caller frees them). */
int resident_encode(const char *application, const uint8_t *user_id,
    size_t user_id_len, const uint8_t *key_handle, size_t key_handle_len,
    uint8_t **out, size_t *out_len);

/* Store a record for a new key in the first free index at or above first
 * (TPM_NV_FIRST: anywhere); *index receives its NV index. */
int resident_store(struct tpm *, const struct resident_list *,
    const char *application, const uint8_t *user_id, size_t user_id_len,
    const uint8_t *key_handle, size_t key_handle_len, uint32_t first,
    uint32_t *index);

/*
 * resident-settle.c. Enrollments of one (application, user id) pair that
 * run at the same time each store a record; afterwards exactly one may be
 * left. Called right after resident_store put ours at index mine: 0 when
 * ours is the one that stays (every other record of the pair is then
 * removed), SSH_SK_ERR_CREDENTIAL_EXISTS when another enrollment's stays
 * and ours was taken away again, or SSH_SK_ERR_GENERAL (error line).
 * The rule and why it holds are in resident-settle.c.
 */
int resident_settle(struct tpm *, const char *application,
    const uint8_t *user_id, size_t user_id_len, uint32_t mine,
    const uint8_t *key_handle, size_t key_handle_len);

/* The index an overwrite must store above: the highest index of a record
 * of the pair in the list, or 0 if it has none. */
uint32_t resident_highest(const struct resident_list *,
    const char *application, const uint8_t *user_id, size_t user_id_len);

#endif /* SK_RESIDENT_H */
