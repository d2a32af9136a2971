/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident record codec (format in record.h), on the strict CBOR
 * reader and writer shared with the key handle: the same header and
 * classification (crd_open), one pass, nothing allocated before the
 * whole record has passed.
 */
#include <stdlib.h>
#include <string.h>

#include "cbor-strict.h"
#include "handle.h"
#include "log.h"
#include "record.h"

static const struct crd_format format = {
	.magic = REC_MAGIC,
	.version = REC_VERSION,
	.npairs = 5,
	.max_len = REC_MAX_LEN,
};

static int
reject(int r, const char *why)
{
	sk_debug("rec_decode: %s", why);
	return r;
}

struct rec *
rec_new(void)
{
	return calloc(1, sizeof(struct rec));
}

void
rec_free(struct rec **recp)
{
	struct rec *rec;

	if (recp == NULL || (rec = *recp) == NULL)
		return;
	free(rec->application);
	if (rec->key_handle != NULL) {
		explicit_bzero(rec->key_handle, rec->key_handle_len);
		free(rec->key_handle);
	}
	explicit_bzero(rec, sizeof(*rec));
	free(rec);
	*recp = NULL;
}

const char *
rec_name_why(const uint8_t *p, size_t len, bool is_app)
{
	size_t i;

	/* FIDO pads user ids with zero bytes, which OpenSSH trims. */
	while (!is_app && len > 0 && p[len - 1] == 0x00)
		len--;
	for (i = 0; i < len; i++) {
		if (p[i] == '/')
			return "a '/'";
		if (p[i] < 0x20 || p[i] == 0x7f)
			return "a control character";
		/* C1 controls in UTF-8: 0xc2 0x80..0x9f (CSI is U+009B). */
		if (is_app && p[i] == 0xc2 && i + 1 < len &&
		    p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			return "a control character";
	}
	return NULL;
}

/* The content rules, shared by encoder and decoder. The application comes
 * as counted bytes, so that the decoder checks it before making a C
 * string of it. */
static int
check_fields(uint32_t version, const char *app, size_t app_len,
    const uint8_t *user_id, size_t user_id_len, const uint8_t *key_handle,
    size_t key_handle_len)
{
	if (version != REC_VERSION)
		return reject(KH_ERR_VERSION, "unknown format version");
	if (app == NULL || app_len == 0 || app_len > REC_APP_MAX)
		return reject(KH_ERR_MALFORMED, "application length");
	if (memchr(app, '\0', app_len) != NULL)
		return reject(KH_ERR_MALFORMED, "NUL in the application");
	if (!crd_utf8_valid((const uint8_t *)app, app_len))
		return reject(KH_ERR_MALFORMED, "application is not UTF-8");
	if (rec_name_why((const uint8_t *)app, app_len, true) != NULL)
		return reject(KH_ERR_MALFORMED, "application has a '/' or a "
		    "control character");
	if (user_id_len > REC_USER_MAX)
		return reject(KH_ERR_MALFORMED, "user id length");
	if (rec_name_why(user_id, user_id_len, false) != NULL)
		return reject(KH_ERR_MALFORMED, "user id has a '/' or a "
		    "control character");
	if (key_handle == NULL || key_handle_len == 0 ||
	    key_handle_len > KH_MAX_LEN)
		return reject(KH_ERR_MALFORMED, "key handle length");
	return KH_OK;
}

int
rec_encode(const struct rec *rec, uint8_t **out, size_t *out_len)
{
	uint8_t tmp[REC_MAX_LEN];
	struct cbor_wr w;
	size_t app_len;
	int r;

	if (out == NULL || out_len == NULL)
		return KH_ERR_MALFORMED;
	*out = NULL;
	*out_len = 0;
	if (rec == NULL)
		return KH_ERR_MALFORMED;
	app_len = rec->application == NULL ? 0 :
	    strnlen(rec->application, REC_APP_MAX + 1);
	if ((r = check_fields(rec->version, rec->application, app_len,
	    rec->user_id, rec->user_id_len, rec->key_handle,
	    rec->key_handle_len)) != KH_OK)
		return r;
	cwr_init(&w, tmp, sizeof(tmp));
	cwr_header(&w, &format);
	cwr_uint(&w, 2);
	cwr_text(&w, rec->application, app_len);
	cwr_uint(&w, 3);
	cwr_bytes(&w, rec->user_id, rec->user_id_len);
	cwr_uint(&w, 4);
	cwr_bytes(&w, rec->key_handle, rec->key_handle_len);
	/* Also wipes tmp: the key handle holds the wrapped private area. */
	if ((r = cwr_finish(&w, out, out_len)) == KH_ERR_MALFORMED)
		return reject(r, "longer than REC_MAX_LEN");
	return r;
}

int
rec_decode(const uint8_t *buf, size_t len, struct rec **out)
{
	struct cbor_rd rd;
	struct rec *rec = NULL;
	const uint8_t *app, *user, *handle;
	size_t app_len, user_len, handle_len;
	const char *why;
	int r;

	if (out == NULL)
		return KH_ERR_MALFORMED;
	*out = NULL;
	if ((r = crd_open(&rd, buf, len, &format, &why)) != KH_OK)
		return reject(r, why);
	if (crd_key(&rd, 2) != 0 || crd_text(&rd, &app, &app_len) != 0)
		return reject(KH_ERR_MALFORMED, "no UTF-8 application (key 2)");
	if (crd_key(&rd, 3) != 0 || crd_bytes(&rd, &user, &user_len) != 0)
		return reject(KH_ERR_MALFORMED, "no user id (key 3)");
	if (crd_key(&rd, 4) != 0 || crd_bytes(&rd, &handle, &handle_len) != 0)
		return reject(KH_ERR_MALFORMED, "no key handle (key 4)");
	if (!crd_at_end(&rd))
		return reject(KH_ERR_MALFORMED, "bytes after the map");
	if ((r = check_fields(REC_VERSION, (const char *)app, app_len,
	    user, user_len, handle, handle_len)) != KH_OK)
		return r;

	r = KH_ERR_NOMEM;
	if ((rec = rec_new()) == NULL ||
	    (rec->application = malloc(app_len + 1)) == NULL ||
	    (rec->key_handle = malloc(handle_len)) == NULL)
		goto out;
	rec->version = REC_VERSION;
	memcpy(rec->application, app, app_len);
	rec->application[app_len] = '\0';
	if (user_len > 0)
		memcpy(rec->user_id, user, user_len);
	rec->user_id_len = user_len;
	memcpy(rec->key_handle, handle, handle_len);
	rec->key_handle_len = handle_len;
	*out = rec;
	rec = NULL;	/* now the caller's */
	r = KH_OK;
out:
	rec_free(&rec);
	return r;
}

const char *
rec_strerror(int r)
{
	switch (r) {
	case KH_OK:
		return "success";
	case KH_ERR_NOMEM:
		return "out of memory";
	case KH_ERR_FOREIGN:
		return "not an sk-tpm resident record";
	case KH_ERR_VERSION:
		return "sk-tpm resident record of an unsupported format version";
	case KH_ERR_MALFORMED:
		return "malformed sk-tpm resident record";
	default:
		return "unknown resident record error";
	}
}

_Static_assert(REC_VERSION < 24, "the version is a 1-byte head");

/* Bytes of a CBOR head for a length of n. */
static size_t
head_len(size_t n)
{
	return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

size_t
rec_handle_room(size_t app_len, size_t user_id_len)
{
	return rec_handle_room_in(app_len, user_id_len, REC_MAX_LEN);
}

size_t
rec_handle_room_in(size_t app_len, size_t user_id_len, size_t max_len)
{
	/* Map head, 0: "sk-tpm-rk", 1: version, and the keys 2, 3, 4. */
	size_t used = 1 + 1 + head_len(sizeof(REC_MAGIC) - 1) +
	    (sizeof(REC_MAGIC) - 1) + 1 + 1 + 3;
	size_t avail, room;

	if (app_len == 0 || app_len > REC_APP_MAX ||
	    user_id_len > REC_USER_MAX)
		return 0;
	used += head_len(app_len) + app_len + head_len(user_id_len) +
	    user_id_len;
	if (max_len > REC_MAX_LEN)
		max_len = REC_MAX_LEN;
	if (used >= max_len)
		return 0;
	avail = max_len - used;
	/* The handle's own head: the longest n with head + n <= avail (at
	 * most a few steps back across a head size boundary). */
	room = avail - 1;
	while (room > 0 && head_len(room) + room > avail)
		room--;
	return room > KH_MAX_LEN ? KH_MAX_LEN : room;
}
