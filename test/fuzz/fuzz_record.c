/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the resident-record decoder on arbitrary bytes, as
 * it would find them in a TPM NV index anyone with NV rights could write.
 *
 * Beyond "no crash, no leak, no sanitizer report": the result is one of
 * the documented codes and leaves no struct behind on failure; an accepted
 * record keeps the bounds of record.h, re-encodes to exactly its input
 * (the format allows one encoding per record) and decodes again to the
 * same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor-strict.h"
#include "handle.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
within_bounds(const struct rec *r)
{
	size_t app_len;

	if (r->version != REC_VERSION || r->application == NULL)
		return 0;
	app_len = strlen(r->application);
	return app_len >= 1 && app_len <= REC_APP_MAX &&
	    crd_utf8_valid((const uint8_t *)r->application, app_len) &&
	    r->user_id_len <= REC_USER_MAX && r->key_handle != NULL &&
	    r->key_handle_len >= 1 && r->key_handle_len <= KH_MAX_LEN;
}

static int
same(const struct rec *a, const struct rec *b)
{
	return a->version == b->version &&
	    strcmp(a->application, b->application) == 0 &&
	    a->user_id_len == b->user_id_len &&
	    memcmp(a->user_id, b->user_id, a->user_id_len) == 0 &&
	    a->key_handle_len == b->key_handle_len &&
	    memcmp(a->key_handle, b->key_handle, a->key_handle_len) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec *a = NULL, *b = NULL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int r;

	r = rec_decode(data, size, &a);
	if (r != KH_OK) {
		if (a != NULL || (r != KH_ERR_FOREIGN &&
		    r != KH_ERR_VERSION && r != KH_ERR_MALFORMED))
			abort();
		return 0;
	}
	if (a == NULL || size > REC_MAX_LEN || !within_bounds(a))
		abort();
	if (rec_encode(a, &enc, &enc_len) != KH_OK)
		abort();
	if (enc_len != size || memcmp(enc, data, size) != 0)
		abort();
	if (rec_decode(enc, enc_len, &b) != KH_OK || !same(a, b))
		abort();
	free(enc);
	rec_free(&a);
	rec_free(&b);
	return 0;
}
