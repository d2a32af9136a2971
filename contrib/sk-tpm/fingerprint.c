/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How a resident credential is shown: its public key fingerprint exactly as
 * ssh-keygen -l prints it, its user id, its PCR binding (issue 12), and its
 * application made safe for a terminal (safe-text.c). Pure functions, no
 * TPM.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli.h"
#include "handle.h"
#include "policy.h"
#include "record.h"
#include "resident.h"

#define SK_ECDSA_KEY_TYPE	"sk-ecdsa-sha2-nistp256@openssh.com"
#define SK_ECDSA_CURVE		"nistp256"

/* An SSH wire-format string: uint32 big-endian length, then the bytes. */
static int
hash_string(EVP_MD_CTX *ctx, const void *data, size_t len)
{
	uint8_t be[4];

	be[0] = (uint8_t)(len >> 24);
	be[1] = (uint8_t)(len >> 16);
	be[2] = (uint8_t)(len >> 8);
	be[3] = (uint8_t)len;
	if (EVP_DigestUpdate(ctx, be, sizeof(be)) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1)
		return -1;
	return 0;
}

int
cli_fingerprint(const uint8_t point[TPM_EC_POINT_LEN], const char *application,
    char out[CLI_FP_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t digest[32];
	/* EVP_EncodeBlock: 4 characters per 3 bytes, and a NUL. */
	char b64[4 * ((sizeof(digest) + 2) / 3) + 1];
	unsigned int dlen = 0;
	int n, r = -1;

	out[0] = '\0';
	/* The public key blob of an sk-ecdsa key (OpenSSH's PROTOCOL.u2f):
	 * key type, curve, point, application. */
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    hash_string(ctx, SK_ECDSA_KEY_TYPE,
	    strlen(SK_ECDSA_KEY_TYPE)) != 0 ||
	    hash_string(ctx, SK_ECDSA_CURVE, strlen(SK_ECDSA_CURVE)) != 0 ||
	    hash_string(ctx, point, TPM_EC_POINT_LEN) != 0 ||
	    hash_string(ctx, application, strlen(application)) != 0 ||
	    EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 ||
	    dlen != sizeof(digest))
		goto out;
	n = EVP_EncodeBlock((unsigned char *)b64, digest, sizeof(digest));
	if (n <= 0 || (size_t)n >= sizeof(b64))
		goto out;
	/* ssh-keygen drops the base64 padding. */
	while (n > 0 && b64[n - 1] == '=')
		b64[--n] = '\0';
	if ((size_t)n != CLI_FP_LEN - 1 - strlen("SHA256:"))
		goto out;
	memcpy(out, "SHA256:", strlen("SHA256:"));
	memcpy(out + strlen("SHA256:"), b64, (size_t)n + 1);
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* The id without trailing zero padding (FIDO tokens pad to 32 bytes). */
static size_t
unpadded_len(const uint8_t *id, size_t len)
{
	while (len > 0 && id[len - 1] == 0)
		len--;
	return len;
}

void
cli_user_text(const uint8_t *id, size_t len, char *out, size_t outlen)
{
	size_t i, n = unpadded_len(id, len), off;
	bool printable = true;

	if (outlen == 0)
		return;
	if (n == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	for (i = 0; i < n; i++)
		if (id[i] < 0x20 || id[i] > 0x7e)
			printable = false;
	if (printable) {
		snprintf(out, outlen, "%.*s", (int)n, (const char *)id);
		return;
	}
	off = (size_t)snprintf(out, outlen, "hex:");
	for (i = 0; i < n && off + 2 < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "%02x", id[i]);
}

bool
cli_user_matches(const uint8_t *id, size_t len, const char *name)
{
	char shown[CLI_USER_LEN];
	size_t n = unpadded_len(id, len);

	/* "-" is how an empty id is shown, not a name to match. */
	if (n == 0)
		return *name == '\0';
	if (strlen(name) == n && memcmp(id, name, n) == 0)
		return true;
	cli_user_text(id, len, shown, sizeof(shown));
	return strcmp(shown, name) == 0;
}

void
cli_pcr_text(const struct kh *kh, char *out, size_t len)
{
	char list[POLICY_PCR_COUNT * 3 + 1];

	if (len == 0)
		return;
	out[0] = '\0';
	if (kh->pcr_mask == 0)
		return;
	policy_format_pcrs(kh->pcr_mask, list, sizeof(list));
	snprintf(out, len, "sha256:%s", list);
}

int
cli_describe(const struct resident *res, struct cli_shown *out)
{
	memset(out, 0, sizeof(*out));
	cli_safe_text(res->rec->application, out->application,
	    sizeof(out->application));
	cli_user_text(res->rec->user_id, res->rec->user_id_len, out->user,
	    sizeof(out->user));
	out->pin = (res->kh->flags & KH_FLAG_PIN) != 0;
	out->touch = (res->kh->flags & KH_FLAG_PRESENCE) != 0;
	cli_pcr_text(res->kh, out->pcrs, sizeof(out->pcrs));
	return cli_fingerprint(res->point, res->rec->application,
	    out->fingerprint);
}
