/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Attestation codecs (formats in attest-codec.h): the statement on the
 * strict CBOR reader and writer, and WebAuthn's authenticator data with
 * its COSE key. Every reader refuses trailing bytes, so that a blob has
 * one reading; attest-parse.c reads the structures around them.
 */
#include <stdlib.h>
#include <string.h>

#include "attest-codec.h"
#include "attest-webauthn.h"
#include "cbor-strict.h"
#include "codec.h"
#include "log.h"

static const struct crd_format format = {
	.magic = ATT_MAGIC,
	.version = ATT_VERSION,
	.npairs = 11,
	.max_len = ATT_MAX_LEN,
};

/* Version 2: key 11, why EK indices could not be read. */
static const struct crd_format format_ek_unread = {
	.magic = ATT_MAGIC,
	.version = ATT_VERSION_EK_UNREAD,
	.npairs = 12,
	.max_len = ATT_MAX_LEN,
};

/* 736b2d74-706d-4174-8465-737461746b65: a fixed value of ours that begins
 * with "sk-tpm" in ASCII; FIDO AAGUIDs name a model, this names sk-tpm. */
const uint8_t att_aaguid[16] = {
	0x73, 0x6b, 0x2d, 0x74, 0x70, 0x6d, 0x41, 0x74,
	0x84, 0x65, 0x73, 0x74, 0x61, 0x74, 0x6b, 0x65,
};

int
att_stmt_encode(const struct att_stmt *s, uint8_t **out, size_t *len)
{
	struct cbor_wr w;
	uint8_t *tmp;
	int r;

	*out = NULL;
	*len = 0;
	if (s->version == ATT_VERSION_WEBAUTHN)
		return att_webauthn_encode(s, out, len);
	if (s->ek_unread_len > ATT_EK_UNREAD_MAX || s->x5c_n > 0 ||
	    (s->alg != 0 && s->alg != ATT_COSE_ES256) ||
	    s->version != (s->ek_unread_len > 0 ? ATT_VERSION_EK_UNREAD :
	    ATT_VERSION))
		return KH_ERR_MALFORMED;
	if ((tmp = malloc(ATT_MAX_LEN)) == NULL)
		return KH_ERR_NOMEM;
	cwr_init(&w, tmp, ATT_MAX_LEN);
	cwr_header(&w, s->ek_unread_len > 0 ? &format_ek_unread : &format);
	cwr_uint(&w, 2);
	cwr_text(&w, "2.0", 3);
	cwr_uint(&w, 3);
	cwr_uint(&w, ATT_ALG_ES256);
	cwr_uint(&w, 4);
	cwr_bytes(&w, s->sig, s->sig_len);
	cwr_uint(&w, 5);
	cwr_bytes(&w, s->cert_info, s->cert_info_len);
	cwr_uint(&w, 6);
	cwr_bytes(&w, s->pub_area, s->pub_area_len);
	cwr_uint(&w, 7);
	cwr_bytes(&w, s->ak_pub, s->ak_pub_len);
	cwr_uint(&w, 8);
	cwr_bytes(&w, s->ek_certs, s->ek_certs_len);
	cwr_uint(&w, 9);
	cwr_uint(&w, s->manufacturer);
	cwr_uint(&w, 10);
	cwr_uint(&w, s->firmware);
	if (s->ek_unread_len > 0) {
		cwr_uint(&w, 11);
		cwr_text(&w, s->ek_unread, s->ek_unread_len);
	}
	r = cwr_finish(&w, out, len);
	free(tmp);
	return r;
}

static int
field(struct cbor_rd *rd, uint64_t k, const uint8_t **p, size_t *len,
    size_t max)
{
	if (crd_key(rd, k) != 0 || crd_bytes(rd, p, len) != 0 || *len > max)
		return -1;
	return 0;
}

int
att_stmt_decode(const uint8_t *buf, size_t len, struct att_stmt *s)
{
	struct cbor_rd rd;
	const uint8_t *ver;
	const char *why;
	size_t ver_len;
	const uint8_t *unread = NULL;
	size_t unread_len = 0;
	uint64_t alg, manufacturer;
	bool v2 = false;
	int r;

	r = att_webauthn_decode(buf, len, s);
	if (r != KH_ERR_FOREIGN)
		return r;
	memset(s, 0, sizeof(*s));
	r = crd_open(&rd, buf, len, &format, &why);
	if (r == KH_ERR_VERSION) {
		r = crd_open(&rd, buf, len, &format_ek_unread, &why);
		v2 = true;
	}
	if (r != KH_OK) {
		sk_debug("attestation statement: %s", why);
		return r;
	}
	if (crd_key(&rd, 2) != 0 || crd_text(&rd, &ver, &ver_len) != 0 ||
	    ver_len != 3 || memcmp(ver, "2.0", 3) != 0 ||
	    crd_key(&rd, 3) != 0 || crd_uint(&rd, &alg) != 0 ||
	    alg != ATT_ALG_ES256 ||
	    field(&rd, 4, &s->sig, &s->sig_len, 80) != 0 ||
	    field(&rd, 5, &s->cert_info, &s->cert_info_len, 1024) != 0 ||
	    field(&rd, 6, &s->pub_area, &s->pub_area_len, 640) != 0 ||
	    field(&rd, 7, &s->ak_pub, &s->ak_pub_len, 640) != 0 ||
	    field(&rd, 8, &s->ek_certs, &s->ek_certs_len,
	    ATT_EK_CERTS_MAX) != 0 ||
	    crd_key(&rd, 9) != 0 || crd_uint(&rd, &manufacturer) != 0 ||
	    manufacturer > UINT32_MAX ||
	    crd_key(&rd, 10) != 0 || crd_uint(&rd, &s->firmware) != 0 ||
	    (v2 && (crd_key(&rd, 11) != 0 ||
	    crd_text(&rd, &unread, &unread_len) != 0 || unread_len == 0 ||
	    unread_len > ATT_EK_UNREAD_MAX)) ||
	    !crd_at_end(&rd)) {
		memset(s, 0, sizeof(*s));
		return KH_ERR_MALFORMED;
	}
	s->manufacturer = (uint32_t)manufacturer;
	s->version = v2 ? ATT_VERSION_EK_UNREAD : ATT_VERSION;
	s->alg = ATT_COSE_ES256;
	s->ek_unread = (const char *)unread;
	s->ek_unread_len = unread_len;
	return KH_OK;
}

void
att_cose_key(const uint8_t point[65], uint8_t out[ATT_COSE_KEY_LEN])
{
	/* {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y} */
	static const uint8_t head[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20,
	    0x01, 0x21, 0x58, 0x20 };

	memcpy(out, head, sizeof(head));
	memcpy(out + 10, point + 1, 32);
	out[42] = 0x22;
	out[43] = 0x58;
	out[44] = 0x20;
	memcpy(out + 45, point + 33, 32);
}

int
att_authdata_build(const uint8_t rp_id_hash[32], uint8_t flags,
    const uint8_t *cred_id, size_t cred_id_len, const uint8_t point[65],
    uint8_t **out, size_t *out_len)
{
	uint8_t *p;
	size_t len = 32 + 1 + 4 + 16 + 2 + cred_id_len + ATT_COSE_KEY_LEN;

	*out = NULL;
	if (cred_id_len > 1023 || (p = calloc(1, len)) == NULL)
		return -1;
	memcpy(p, rp_id_hash, 32);
	p[32] = flags | ATT_FLAG_AT;
	/* signCount 0: sk-tpm keeps no per-key counter at enrollment */
	memcpy(p + 37, att_aaguid, 16);
	p[53] = (uint8_t)(cred_id_len >> 8);
	p[54] = (uint8_t)cred_id_len;
	memcpy(p + 55, cred_id, cred_id_len);
	att_cose_key(point, p + 55 + cred_id_len);
	*out = p;
	*out_len = len;
	return 0;
}

int
att_authdata_parse(const uint8_t *p, size_t len, struct att_authdata *a)
{
	uint8_t want[ATT_COSE_KEY_LEN], point[65];
	const uint8_t *cose;

	memset(a, 0, sizeof(a[0]));
	if (len < 55)
		return -1;
	a->rp_id_hash = p;
	a->flags = p[32];
	a->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 |
	    (uint32_t)p[35] << 8 | p[36];
	a->aaguid = p + 37;
	a->cred_id_len = (size_t)p[53] << 8 | p[54];
	/* Attested credential data and nothing else: AT set, ED clear. */
	if ((a->flags & (ATT_FLAG_AT | 0x80)) != ATT_FLAG_AT ||
	    len != 55 + a->cred_id_len + ATT_COSE_KEY_LEN)
		return -1;
	a->cred_id = p + 55;
	cose = a->cred_id + a->cred_id_len;
	point[0] = 0x04;
	memcpy(point + 1, cose + 10, 32);
	memcpy(point + 33, cose + 45, 32);
	att_cose_key(point, want);
	if (memcmp(want, cose, ATT_COSE_KEY_LEN) != 0)
		return -1;
	memcpy(a->point, point, sizeof(point));
	return 0;
}
