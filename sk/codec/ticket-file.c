/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unlock ticket file's bytes (format in ticket-file.h): a strict
 * decoder and its encoder.
 */
#include <string.h>

#include "ticket-file.h"

struct rd {
	const uint8_t *p;
	size_t left;
};

static int
take(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return -1;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int
take_be(struct rd *r, size_t n, uint64_t *v)
{
	uint8_t b[8];
	size_t i;

	if (n > sizeof(b) || take(r, b, n) != 0)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = *v << 8 | b[i];
	return 0;
}

static int
fail(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

int
ticket_decode(const uint8_t *buf, size_t len, struct unlock_ticket *t,
    const char **why)
{
	struct rd r = { buf, len };
	uint8_t magic[TICKET_MAGIC_LEN], version;
	uint64_t v;

	memset(t, 0, sizeof(*t));
	if (buf == NULL || len > TICKET_MAX_LEN)
		return fail(why, "too long");
	if (take(&r, magic, sizeof(magic)) != 0 ||
	    memcmp(magic, TICKET_MAGIC, TICKET_MAGIC_LEN) != 0)
		return fail(why, "no magic");
	if (take(&r, &version, 1) != 0 || version != TICKET_VERSION)
		return fail(why, "unknown version");
	if (take(&r, t->policy_ref, KH_REF_LEN) != 0 ||
	    take(&r, t->secret_name, KH_NAME_LEN) != 0 ||
	    take_be(&r, 8, &t->end) != 0)
		return fail(why, "truncated");
	if (t->secret_name[0] != 0x00 || t->secret_name[1] != 0x0b)
		return fail(why, "not a SHA-256 Name");
	if (take_be(&r, 2, &v) != 0 || v == 0 || v > TICKET_TIMEOUT_MAX)
		return fail(why, "bad timeout size");
	t->timeout_len = (size_t)v;
	if (take(&r, t->timeout, t->timeout_len) != 0)
		return fail(why, "truncated");
	if (take_be(&r, 2, &v) != 0 || v != TICKET_TAG_SECRET)
		return fail(why, "not a PolicySecret ticket");
	t->tag = (uint16_t)v;
	if (take_be(&r, 4, &v) != 0 || v != TICKET_RH_OWNER)
		return fail(why, "not of the owner hierarchy");
	t->hierarchy = (uint32_t)v;
	if (take_be(&r, 2, &v) != 0 || v < TICKET_DIGEST_MIN ||
	    v > TICKET_DIGEST_MAX)
		return fail(why, "bad digest size");
	t->digest_len = (size_t)v;
	if (take(&r, t->digest, t->digest_len) != 0)
		return fail(why, "truncated");
	if (r.left != 0)
		return fail(why, "bytes after the ticket");
	return 0;
}

static void
put_be(uint8_t **p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		(*p)[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	*p += n;
}

static void
put(uint8_t **p, const void *src, size_t n)
{
	memcpy(*p, src, n);
	*p += n;
}

int
ticket_encode(const struct unlock_ticket *t, uint8_t *buf, size_t size,
    size_t *len)
{
	uint8_t *p = buf, version = TICKET_VERSION;

	if (size < TICKET_MAX_LEN || t->timeout_len == 0 ||
	    t->timeout_len > TICKET_TIMEOUT_MAX ||
	    t->digest_len < TICKET_DIGEST_MIN ||
	    t->digest_len > TICKET_DIGEST_MAX ||
	    t->tag != TICKET_TAG_SECRET || t->hierarchy != TICKET_RH_OWNER ||
	    t->secret_name[0] != 0x00 || t->secret_name[1] != 0x0b)
		return -1;
	put(&p, TICKET_MAGIC, TICKET_MAGIC_LEN);
	put(&p, &version, 1);
	put(&p, t->policy_ref, KH_REF_LEN);
	put(&p, t->secret_name, KH_NAME_LEN);
	put_be(&p, t->end, 8);
	put_be(&p, t->timeout_len, 2);
	put(&p, t->timeout, t->timeout_len);
	put_be(&p, t->tag, 2);
	put_be(&p, t->hierarchy, 4);
	put_be(&p, t->digest_len, 2);
	put(&p, t->digest, t->digest_len);
	*len = (size_t)(p - buf);
	return 0;
}

void
ticket_file_name(const uint8_t ref[KH_REF_LEN], char out[TICKET_NAME_LEN])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < KH_REF_LEN; i++) {
		out[2 * i] = digits[ref[i] >> 4];
		out[2 * i + 1] = digits[ref[i] & 15];
	}
	memcpy(out + 2 * KH_REF_LEN, ".ticket", 8);
}
