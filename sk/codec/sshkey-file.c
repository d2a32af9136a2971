/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An sk-ecdsa key file as ssh-keygen writes it, read strictly (bytes in,
 * no I/O): the private file is OpenSSH's openssh-key-v1 armour
 * (PROTOCOL.key) holding one unencrypted key whose private section repeats
 * the public blob (PROTOCOL.u2f) and adds the flags byte and the key
 * handle; the .pub file is the key type, the base64 public blob and a
 * comment. Anything else is refused with a reason. Fuzzed by
 * test/fuzz/fuzz_sshkey.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "handle.h"
#include "sshkey-file.h"

#define KEY_TYPE	"sk-ecdsa-sha2-nistp256@openssh.com"
#define KEY_CURVE	"nistp256"
#define AUTH_MAGIC	"openssh-key-v1"	/* and its NUL */
#define ARMOUR_BEGIN	"-----BEGIN OPENSSH PRIVATE KEY-----"
#define ARMOUR_END	"-----END OPENSSH PRIVATE KEY-----"
#define APP_MAX		1024

struct rd {
	const uint8_t *p;
	size_t left;
};

static int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
rd_string(struct rd *r, const uint8_t **s, size_t *len)
{
	uint32_t n;

	if (rd_u32(r, &n) != 0 || n > r->left)
		return -1;
	*s = r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

static int
rd_is(struct rd *r, const char *want)
{
	const uint8_t *s;
	size_t len;

	return rd_string(r, &s, &len) == 0 && len == strlen(want) &&
	    memcmp(s, want, len) == 0 ? 0 : -1;
}

/* Base64 (newlines allowed) into a malloc'ed buffer. 0 or -1. */
static int
unbase64(const char *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	EVP_ENCODE_CTX *ctx = NULL;
	uint8_t *buf = NULL;
	int n = 0, m = 0, r = -1;

	*out = NULL;
	if (inlen > SSHKEY_FILE_MAX ||
	    (buf = malloc(inlen / 4 * 3 + 3)) == NULL ||
	    (ctx = EVP_ENCODE_CTX_new()) == NULL)
		goto out;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)in,
	    (int)inlen) < 0 || EVP_DecodeFinal(ctx, buf + n, &m) != 1)
		goto out;
	*out = buf;
	*outlen = (size_t)n + (size_t)m;
	buf = NULL;
	r = 0;
out:
	EVP_ENCODE_CTX_free(ctx);
	free(buf);
	return r;
}

/* The public blob: type, curve, point, application. */
static int
parse_public(struct rd *r, struct sshkey_sk *k, const char **why)
{
	const uint8_t *q, *app;
	size_t qlen, applen;

	if (rd_is(r, KEY_TYPE) != 0) {
		*why = "not an sk-ecdsa-sha2-nistp256@openssh.com key";
		return -1;
	}
	if (rd_is(r, KEY_CURVE) != 0 || rd_string(r, &q, &qlen) != 0 ||
	    qlen != SSHKEY_SK_POINT_LEN || q[0] != 0x04 ||
	    rd_string(r, &app, &applen) != 0) {
		*why = "a malformed sk-ecdsa public key";
		return -1;
	}
	if (applen < 4 || applen > APP_MAX || memcmp(app, "ssh:", 4) != 0 ||
	    memchr(app, '\0', applen) != NULL) {
		*why = "an application that is not ssh:...";
		return -1;
	}
	if (k->application == NULL) {
		memcpy(k->point, q, SSHKEY_SK_POINT_LEN);
		/* Not strndup: app is not NUL-terminated, and a strict reader
		 * of strndup's argument (ASan's strict_string_checks) reads to
		 * the terminator, past the decoded blob. */
		if ((k->application = malloc(applen + 1)) == NULL) {
			*why = "out of memory";
			return -1;
		}
		memcpy(k->application, app, applen);
		k->application[applen] = '\0';
	} else if (memcmp(k->point, q, SSHKEY_SK_POINT_LEN) != 0 ||
	    strlen(k->application) != applen ||
	    memcmp(k->application, app, applen) != 0) {
		*why = "the private section names another key than the public "
		    "one";
		return -1;
	}
	return 0;
}

static int
parse_private(const uint8_t *bin, size_t len, struct sshkey_sk *k,
    const char **why)
{
	struct rd r = { bin, len }, blob, sec;
	const uint8_t *s, *handle;
	uint32_t nkeys, check1, check2;
	size_t slen, handle_len, i;

	*why = "not an OpenSSH private key";
	if (r.left < sizeof(AUTH_MAGIC) ||
	    memcmp(r.p, AUTH_MAGIC, sizeof(AUTH_MAGIC)) != 0)
		return -1;
	r.p += sizeof(AUTH_MAGIC);
	r.left -= sizeof(AUTH_MAGIC);
	if (rd_is(&r, "none") != 0) {
		*why = "encrypted with a passphrase, which sshd cannot type";
		return -1;
	}
	if (rd_is(&r, "none") != 0 || rd_string(&r, &s, &slen) != 0 ||
	    slen != 0 || rd_u32(&r, &nkeys) != 0 || nkeys != 1 ||
	    rd_string(&r, &blob.p, &blob.left) != 0 ||
	    rd_string(&r, &sec.p, &sec.left) != 0 || r.left != 0)
		return -1;
	if (parse_public(&blob, k, why) != 0)
		return -1;
	if (blob.left != 0) {
		*why = "trailing bytes after the public key";
		return -1;
	}
	*why = "a malformed private section";
	if (rd_u32(&sec, &check1) != 0 || rd_u32(&sec, &check2) != 0 ||
	    check1 != check2 || parse_public(&sec, k, why) != 0)
		return -1;
	*why = "a malformed private section";
	if (sec.left < 1)
		return -1;
	k->flags = sec.p[0];
	sec.p++;
	sec.left--;
	if (rd_string(&sec, &handle, &handle_len) != 0 || handle_len == 0 ||
	    handle_len > KH_MAX_LEN || rd_string(&sec, &s, &slen) != 0 ||
	    slen != 0 || rd_string(&sec, &s, &slen) != 0 || sec.left >= 8)
		return -1;
	/* The padding: 1, 2, 3, ... up to the block size (8 for "none"). */
	for (i = 0; i < sec.left; i++)
		if (sec.p[i] != (uint8_t)(i + 1))
			return -1;
	if ((k->handle = malloc(handle_len)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	memcpy(k->handle, handle, handle_len);
	k->handle_len = handle_len;
	k->have_private = true;
	return 0;
}

/* The text between the armour lines of a private key file. */
int
sshkey_sk_parse_private(const char *text, struct sshkey_sk *k,
    const char **why)
{
	const char *begin, *end;
	uint8_t *bin = NULL;
	size_t len = 0;
	int r;

	*why = "not an OpenSSH private key file";
	if (strncmp(text, ARMOUR_BEGIN "\n", strlen(ARMOUR_BEGIN) + 1) != 0 ||
	    (end = strstr(text, "\n" ARMOUR_END)) == NULL)
		return -1;
	begin = text + strlen(ARMOUR_BEGIN) + 1;
	if (unbase64(begin, (size_t)(end + 1 - begin), &bin, &len) != 0)
		return -1;
	r = parse_private(bin, len, k, why);
	OPENSSL_cleanse(bin, len);
	free(bin);
	return r;
}

/* "sk-ecdsa-sha2-nistp256@openssh.com BASE64 comment" */
int
sshkey_sk_parse_public(const char *text, struct sshkey_sk *k,
    const char **why)
{
	const char *b64;
	uint8_t *bin = NULL;
	size_t b64len, len = 0;
	struct rd r;
	int rc = -1;

	*why = "not an sk-ecdsa public key file";
	if (strncmp(text, KEY_TYPE " ", strlen(KEY_TYPE) + 1) != 0)
		return -1;
	b64 = text + strlen(KEY_TYPE) + 1;
	b64len = strcspn(b64, " \t\r\n");
	if (b64len == 0 || unbase64(b64, b64len, &bin, &len) != 0)
		return -1;
	r.p = bin;
	r.left = len;
	if (parse_public(&r, k, why) == 0) {
		if (r.left == 0)
			rc = 0;
		else
			*why = "trailing bytes after the public key";
	}
	free(bin);
	return rc;
}

void
sshkey_sk_free(struct sshkey_sk *k)
{
	free(k->application);
	if (k->handle != NULL) {
		OPENSSL_cleanse(k->handle, k->handle_len);
		free(k->handle);
	}
	memset(k, 0, sizeof(*k));
}
