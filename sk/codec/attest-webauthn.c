/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attestation statement of version 3 (attest-codec.h): WebAuthn's
 * "tpm" attStmt (section 8.3) as it stands, text keys in CTAP2's canonical
 * order, with sk-tpm's own pairs after WebAuthn's where that order puts
 * them. Strict like every codec of ours: shortest forms, these keys in
 * this order, each optional one present only when it has something to
 * say, nothing after the map.
 */
#include <stdlib.h>
#include <string.h>

#include "attest-codec.h"
#include "attest-webauthn.h"
#include "cbor-strict.h"
#include "codec.h"
#include "log.h"

/* Pairs always present: alg, sig, ver, akPub, sk-tpm, pubArea, certInfo,
 * firmware, manufacturer. */
#define ALWAYS	9

int
att_webauthn_encode(const struct att_stmt *s, uint8_t **out, size_t *len)
{
	struct cbor_wr w;
	uint8_t *tmp;
	size_t i, npairs = ALWAYS;
	int r;

	*out = NULL;
	*len = 0;
	if ((s->alg != 0 && s->alg != ATT_COSE_ES256 &&
	    s->alg != ATT_COSE_RS1) || s->sig_len > ATT_SIG_MAX ||
	    s->ek_unread_len > ATT_EK_UNREAD_MAX ||
	    s->ek_certs_len > ATT_EK_CERTS_MAX || s->x5c_n > ATT_X5C_MAX)
		return KH_ERR_MALFORMED;
	for (i = 0; i < s->x5c_n; i++)
		if (s->x5c_len[i] == 0 || s->x5c_len[i] > ATT_X5C_CERT_MAX)
			return KH_ERR_MALFORMED;
	npairs += (s->x5c_n > 0) + (s->ek_certs_len > 0) +
	    (s->ek_unread_len > 0);
	if ((tmp = malloc(ATT_WEBAUTHN_MAX_LEN)) == NULL)
		return KH_ERR_NOMEM;
	cwr_init(&w, tmp, ATT_WEBAUTHN_MAX_LEN);
	cwr_map(&w, npairs);
	cwr_text_key(&w, "alg");
	cwr_int(&w, s->alg == ATT_COSE_RS1 ? ATT_COSE_RS1 : ATT_COSE_ES256);
	cwr_text_key(&w, "sig");
	cwr_bytes(&w, s->sig, s->sig_len);
	cwr_text_key(&w, "ver");
	cwr_text_key(&w, "2.0");
	if (s->x5c_n > 0) {
		cwr_text_key(&w, "x5c");
		cwr_array(&w, s->x5c_n);
		for (i = 0; i < s->x5c_n; i++)
			cwr_bytes(&w, s->x5c[i], s->x5c_len[i]);
	}
	cwr_text_key(&w, "akPub");
	cwr_bytes(&w, s->ak_pub, s->ak_pub_len);
	cwr_text_key(&w, "sk-tpm");
	cwr_uint(&w, ATT_VERSION_WEBAUTHN);
	if (s->ek_certs_len > 0) {
		cwr_text_key(&w, "ekCerts");
		cwr_bytes(&w, s->ek_certs, s->ek_certs_len);
	}
	cwr_text_key(&w, "pubArea");
	cwr_bytes(&w, s->pub_area, s->pub_area_len);
	cwr_text_key(&w, "certInfo");
	cwr_bytes(&w, s->cert_info, s->cert_info_len);
	if (s->ek_unread_len > 0) {
		cwr_text_key(&w, "ekUnread");
		cwr_text(&w, s->ek_unread, s->ek_unread_len);
	}
	cwr_text_key(&w, "firmware");
	cwr_uint(&w, s->firmware);
	cwr_text_key(&w, "manufacturer");
	cwr_uint(&w, s->manufacturer);
	r = cwr_finish(&w, out, len);
	free(tmp);
	return r;
}

/* Key k and its byte string of 1..max bytes. */
static int
bytes_at(struct cbor_rd *rd, const char *k, const uint8_t **p, size_t *len,
    size_t max)
{
	if (crd_text_key(rd, k) != 0 || crd_bytes(rd, p, len) != 0 ||
	    *len == 0 || *len > max)
		return -1;
	return 0;
}

static int
x5c_at(struct cbor_rd *rd, struct att_stmt *s)
{
	uint64_t n, i;

	if (crd_array(rd, &n) != 0 || n == 0 || n > ATT_X5C_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (crd_bytes(rd, &s->x5c[i], &s->x5c_len[i]) != 0 ||
		    s->x5c_len[i] == 0 || s->x5c_len[i] > ATT_X5C_CERT_MAX)
			return -1;
	s->x5c_n = (size_t)n;
	return 0;
}

int
att_webauthn_decode(const uint8_t *buf, size_t len, struct att_stmt *s)
{
	struct cbor_rd rd;
	const uint8_t *ver, *unread;
	size_t ver_len, npairs = ALWAYS;
	uint64_t want, version, manufacturer;
	int64_t alg;

	memset(s, 0, sizeof(*s));
	crd_init(&rd, buf, len);
	/* Ours if it is a map whose first key is "alg"; WebAuthn's order
	 * puts it first whatever else the map holds. */
	if (crd_map(&rd, &want) != 0 || crd_text_key(&rd, "alg") != 0)
		return KH_ERR_FOREIGN;
	if (len > ATT_WEBAUTHN_MAX_LEN || crd_int(&rd, &alg) != 0 ||
	    (alg != ATT_COSE_ES256 && alg != ATT_COSE_RS1) ||
	    bytes_at(&rd, "sig", &s->sig, &s->sig_len,
	    alg == ATT_COSE_RS1 ? ATT_SIG_MAX : 80) != 0 ||
	    crd_text_key(&rd, "ver") != 0 ||
	    crd_text(&rd, &ver, &ver_len) != 0 || ver_len != 3 ||
	    memcmp(ver, "2.0", 3) != 0)
		goto bad;
	if (crd_text_key(&rd, "x5c") == 0) {
		if (x5c_at(&rd, s) != 0)
			goto bad;
		npairs++;
	}
	if (bytes_at(&rd, "akPub", &s->ak_pub, &s->ak_pub_len, 640) != 0 ||
	    crd_text_key(&rd, "sk-tpm") != 0 || crd_uint(&rd, &version) != 0)
		goto bad;
	if (version != ATT_VERSION_WEBAUTHN) {
		memset(s, 0, sizeof(*s));
		return KH_ERR_VERSION;
	}
	if (crd_text_key(&rd, "ekCerts") == 0) {
		if (crd_bytes(&rd, &s->ek_certs, &s->ek_certs_len) != 0 ||
		    s->ek_certs_len == 0 ||
		    s->ek_certs_len > ATT_EK_CERTS_MAX)
			goto bad;
		npairs++;
	}
	if (bytes_at(&rd, "pubArea", &s->pub_area, &s->pub_area_len,
	    640) != 0 ||
	    bytes_at(&rd, "certInfo", &s->cert_info, &s->cert_info_len,
	    1024) != 0)
		goto bad;
	if (crd_text_key(&rd, "ekUnread") == 0) {
		if (crd_text(&rd, &unread, &s->ek_unread_len) != 0 ||
		    s->ek_unread_len == 0 ||
		    s->ek_unread_len > ATT_EK_UNREAD_MAX)
			goto bad;
		s->ek_unread = (const char *)unread;
		npairs++;
	}
	if (crd_text_key(&rd, "firmware") != 0 ||
	    crd_uint(&rd, &s->firmware) != 0 ||
	    crd_text_key(&rd, "manufacturer") != 0 ||
	    crd_uint(&rd, &manufacturer) != 0 ||
	    manufacturer > UINT32_MAX || want != npairs || !crd_at_end(&rd))
		goto bad;
	s->manufacturer = (uint32_t)manufacturer;
	s->version = ATT_VERSION_WEBAUTHN;
	s->alg = (int)alg;
	return KH_OK;
bad:
	sk_debug("attestation statement: not a version 3 statement");
	memset(s, 0, sizeof(*s));
	return KH_ERR_MALFORMED;
}
