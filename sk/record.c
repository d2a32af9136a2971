/*
 * The resident record codec (format in record.h), on the strict CBOR
 * reader and writer shared with the key handle.
 */
#include <stdlib.h>
#include <string.h>

#include "cbor-strict.h"
#include "handle.h"
#include "log.h"
#include "record.h"

#define REC_NFIELDS	5
#define REC_MAGIC_LEN	(sizeof(REC_MAGIC) - 1)

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

/* The content rules, shared by encoder and decoder. */
static int
check_fields(const struct rec *rec)
{
	size_t app_len;

	if (rec->version != REC_VERSION)
		return reject(KH_ERR_VERSION, "unknown format version");
	if (rec->application == NULL)
		return reject(KH_ERR_MALFORMED, "no application");
	app_len = strnlen(rec->application, REC_APP_MAX + 1);
	if (app_len == 0 || app_len > REC_APP_MAX)
		return reject(KH_ERR_MALFORMED, "application length");
	if (rec->user_id_len > REC_USER_MAX)
		return reject(KH_ERR_MALFORMED, "user id length");
	if (rec->key_handle == NULL || rec->key_handle_len == 0 ||
	    rec->key_handle_len > KH_MAX_LEN)
		return reject(KH_ERR_MALFORMED, "key handle length");
	return KH_OK;
}

int
rec_encode(const struct rec *rec, uint8_t **out, size_t *out_len)
{
	uint8_t tmp[REC_MAX_LEN];
	struct cbor_wr w;
	int r;

	*out = NULL;
	*out_len = 0;
	if ((r = check_fields(rec)) != KH_OK)
		return r;
	cwr_init(&w, tmp, sizeof(tmp));
	cwr_map(&w, REC_NFIELDS);
	cwr_uint(&w, 0);
	cwr_text(&w, REC_MAGIC, REC_MAGIC_LEN);
	cwr_uint(&w, 1);
	cwr_uint(&w, rec->version);
	cwr_uint(&w, 2);
	cwr_text(&w, rec->application, strlen(rec->application));
	cwr_uint(&w, 3);
	cwr_bytes(&w, rec->user_id, rec->user_id_len);
	cwr_uint(&w, 4);
	cwr_bytes(&w, rec->key_handle, rec->key_handle_len);
	if (w.full) {
		r = reject(KH_ERR_MALFORMED, "longer than REC_MAX_LEN");
		goto out;
	}
	if ((*out = malloc(w.off)) == NULL) {
		r = KH_ERR_NOMEM;
		goto out;
	}
	memcpy(*out, tmp, w.off);
	*out_len = w.off;
	r = KH_OK;
out:
	explicit_bzero(tmp, sizeof(tmp));
	return r;
}

int
rec_decode(const uint8_t *buf, size_t len, struct rec **out)
{
	struct cbor_rd rd;
	struct rec *rec = NULL;
	const uint8_t *p;
	uint64_t n, version;
	size_t plen;
	int r = KH_ERR_MALFORMED;

	*out = NULL;
	if (buf == NULL || len == 0)
		return reject(KH_ERR_FOREIGN, "empty");
	crd_init(&rd, buf, len);
	/* Whose record is it? */
	if (crd_map(&rd, &n) != 0 || crd_key(&rd, 0) != 0 ||
	    crd_text(&rd, &p, &plen) != 0 || plen != REC_MAGIC_LEN ||
	    memcmp(p, REC_MAGIC, REC_MAGIC_LEN) != 0)
		return reject(KH_ERR_FOREIGN, "no sk-tpm record magic");
	if (crd_key(&rd, 1) != 0 || crd_uint(&rd, &version) != 0)
		return reject(KH_ERR_MALFORMED, "no version");
	if (version != REC_VERSION)
		return reject(KH_ERR_VERSION, "unknown format version");
	if (len > REC_MAX_LEN || n != REC_NFIELDS)
		return reject(KH_ERR_MALFORMED, "size or field count");
	if ((rec = rec_new()) == NULL)
		return KH_ERR_NOMEM;
	rec->version = (uint32_t)version;

	if (crd_key(&rd, 2) != 0 || crd_text(&rd, &p, &plen) != 0 ||
	    plen == 0 || plen > REC_APP_MAX || memchr(p, '\0', plen) != NULL) {
		r = reject(KH_ERR_MALFORMED, "application");
		goto out;
	}
	if ((rec->application = malloc(plen + 1)) == NULL) {
		r = KH_ERR_NOMEM;
		goto out;
	}
	memcpy(rec->application, p, plen);
	rec->application[plen] = '\0';

	if (crd_key(&rd, 3) != 0 || crd_bytes(&rd, &p, &plen) != 0 ||
	    plen > REC_USER_MAX) {
		r = reject(KH_ERR_MALFORMED, "user id");
		goto out;
	}
	if (plen > 0)
		memcpy(rec->user_id, p, plen);
	rec->user_id_len = plen;

	if (crd_key(&rd, 4) != 0 || crd_bytes(&rd, &p, &plen) != 0 ||
	    plen == 0 || plen > KH_MAX_LEN) {
		r = reject(KH_ERR_MALFORMED, "key handle");
		goto out;
	}
	if ((rec->key_handle = malloc(plen)) == NULL) {
		r = KH_ERR_NOMEM;
		goto out;
	}
	memcpy(rec->key_handle, p, plen);
	rec->key_handle_len = plen;

	if (!crd_at_end(&rd)) {
		r = reject(KH_ERR_MALFORMED, "bytes after the map");
		goto out;
	}
	if ((r = check_fields(rec)) != KH_OK)
		goto out;
	*out = rec;
	rec = NULL;
	r = KH_OK;
out:
	rec_free(&rec);
	return r;
}
