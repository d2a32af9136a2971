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
void resident_list_free(struct resident_list *);

/* The record for (application, user id), or NULL. */
const struct resident *resident_find(const struct resident_list *,
    const char *application, const uint8_t *user_id, size_t user_id_len);

/* Store a record for a new key; *index receives its NV index. */
int resident_store(struct tpm *, const struct resident_list *,
    const char *application, const uint8_t *user_id, size_t user_id_len,
    const uint8_t *key_handle, size_t key_handle_len, uint32_t *index);

#endif /* SK_RESIDENT_H */
