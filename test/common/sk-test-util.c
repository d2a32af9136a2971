/* SPDX-License-Identifier: BSD-2-Clause */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include "sk-test-util.h"

/* The digest OpenSSH verifies for an sk-ecdsa signature, computed here
 * without the library's code. */
static void
expected_digest(const char *app, uint8_t flags, uint32_t counter,
    const uint8_t *data, size_t len, uint8_t out[32])
{
	uint8_t blob[69];

	SHA256((const uint8_t *)app, strlen(app), blob);
	blob[32] = flags;
	blob[33] = (uint8_t)(counter >> 24);
	blob[34] = (uint8_t)(counter >> 16);
	blob[35] = (uint8_t)(counter >> 8);
	blob[36] = (uint8_t)counter;
	SHA256(data, len, blob + 37);
	SHA256(blob, sizeof(blob), out);
}

int
stu_verify(const uint8_t *point, size_t point_len,
    const struct sk_sign_response *s, const char *app, const uint8_t *data,
    size_t len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
		    (char *)(uintptr_t)"prime256v1", 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
		    (void *)(uintptr_t)point, point_len),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx = NULL, *vctx = NULL;
	EVP_PKEY *key = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *sv = NULL;
	uint8_t digest[32], *der = NULL;
	int der_len, ok = 0;

	if (s == NULL || s->sig_r == NULL || s->sig_s == NULL ||
	    point_len != 65)
		return 0;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(s->sig_r, (int)s->sig_r_len, NULL)) == NULL ||
	    (sv = BN_bin2bn(s->sig_s, (int)s->sig_s_len, NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, sv) != 1)
		goto out;
	r = sv = NULL;
	if ((der_len = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	expected_digest(app, s->flags, s->counter, data, len, digest);
	if ((vctx = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_verify_init(vctx) != 1)
		goto out;
	ok = EVP_PKEY_verify(vctx, der, (size_t)der_len, digest,
	    sizeof(digest)) == 1;
out:
	BN_free(r);
	BN_free(sv);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

void
stu_free_enroll(struct sk_enroll_response *r)
{
	if (r == NULL)
		return;
	free(r->public_key);
	free(r->key_handle);
	free(r->signature);
	free(r->attestation_cert);
	free(r->authdata);
	free(r);
}

void
stu_free_sign(struct sk_sign_response *r)
{
	if (r == NULL)
		return;
	free(r->sig_r);
	free(r->sig_s);
	free(r);
}

void
stu_free_resident(struct sk_resident_key **rks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rks[i]->application);
		free(rks[i]->key.public_key);
		free(rks[i]->key.key_handle);
		free(rks[i]->user_id);
		free(rks[i]);
	}
	free(rks);
}

double
stu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char captured[4096];
static int saved_fd = -1;
static FILE *capture_file;

int
stu_capture_start(void)
{
	fflush(stderr);
	if ((capture_file = tmpfile()) == NULL)
		return -1;
	saved_fd = dup(STDERR_FILENO);
	if (saved_fd == -1 ||
	    dup2(fileno(capture_file), STDERR_FILENO) == -1)
		return -1;
	return 0;
}

const char *
stu_capture_stop(void)
{
	size_t n = 0;

	fflush(stderr);
	captured[0] = '\0';
	if (saved_fd != -1) {
		dup2(saved_fd, STDERR_FILENO);
		close(saved_fd);
		saved_fd = -1;
	}
	if (capture_file != NULL) {
		rewind(capture_file);
		n = fread(captured, 1, sizeof(captured) - 1, capture_file);
		fclose(capture_file);
		capture_file = NULL;
	}
	captured[n] = '\0';
	return captured;
}

int
stu_count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

int
stu_count_sk_lines(const char *s)
{
	const char *p = s;
	int n = 0;

	while (*p != '\0') {
		if (strncmp(p, "sk-tpm: ", 8) == 0)
			n++;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return n;
}

long
stu_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

size_t
stu_heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
