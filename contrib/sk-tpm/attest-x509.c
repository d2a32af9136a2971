/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The OpenSSL side of verify-attestation: the ssh public key file, ECDSA
 * P-256 signatures, and certificate chains to the roots a relying party
 * names, described with every name escaped (cli_safe_text). No TPM.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ak-key.h"
#include "attest-verify.h"
#include "cli.h"

#define SK_KEY_TYPE	"sk-ecdsa-sha2-nistp256@openssh.com"

static const uint8_t *
ssh_string(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *s;

	if (end - *p < 4)
		return NULL;
	*len = (size_t)(*p)[0] << 24 | (size_t)(*p)[1] << 16 |
	    (size_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < *len)
		return NULL;
	s = *p;
	*p += *len;
	return s;
}

int
av_read_pubkey(const char *path, uint8_t point[65], char *app, size_t applen)
{
	char line[8192], *b64, *sp;
	unsigned char blob[6144];
	const uint8_t *p = blob, *end, *s;
	FILE *f;
	size_t len;
	int n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	b64 = fgets(line, sizeof(line), f);
	fclose(f);
	if (b64 == NULL || strncmp(line, SK_KEY_TYPE " ",
	    strlen(SK_KEY_TYPE) + 1) != 0)
		return -1;
	b64 = line + strlen(SK_KEY_TYPE) + 1;
	if ((sp = strpbrk(b64, " \r\n")) != NULL)
		*sp = '\0';
	if (strlen(b64) % 4 != 0 || strlen(b64) / 4 * 3 > sizeof(blob) ||
	    (n = EVP_DecodeBlock(blob, (unsigned char *)b64,
	    (int)strlen(b64))) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	n -= (b64[strlen(b64) - 1] == '=') + (b64[strlen(b64) - 2] == '=');
	end = blob + n;
	if ((s = ssh_string(&p, end, &len)) == NULL ||
	    len != strlen(SK_KEY_TYPE) || memcmp(s, SK_KEY_TYPE, len) != 0 ||
	    (s = ssh_string(&p, end, &len)) == NULL || len != 8 ||
	    memcmp(s, "nistp256", 8) != 0 ||
	    (s = ssh_string(&p, end, &len)) == NULL || len != 65 ||
	    s[0] != 0x04)
		return -1;
	memcpy(point, s, 65);
	if ((s = ssh_string(&p, end, &len)) == NULL || len >= applen ||
	    memchr(s, '\0', len) != NULL || p != end)
		return -1;
	memcpy(app, s, len);
	app[len] = '\0';
	return 0;
}

static int
add_file(X509_STORE *store, const char *path)
{
	X509 *x;
	FILE *f;
	int n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x) == 1)
			n++;
		X509_free(x);
	}
	if (n == 0) {
		rewind(f);
		if ((x = d2i_X509_fp(f, NULL)) != NULL) {
			if (X509_STORE_add_cert(store, x) == 1)
				n++;
			X509_free(x);
		}
	}
	fclose(f);
	return n;
}

X509_STORE *
av_load_roots(const char *path)
{
	X509_STORE *store;
	DIR *d;
	struct dirent *e;
	char file[4096];
	int n = 0;

	if ((store = X509_STORE_new()) == NULL)
		return NULL;
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			n += add_file(store, file);
		}
		closedir(d);
	} else
		n = add_file(store, path);
	if (n == 0) {
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

int
av_chains(X509_STORE *store, X509 *leaf, STACK_OF(X509) *others, char *why,
    size_t whylen)
{
	X509_STORE_CTX *ctx;
	int ok = 0;

	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return 0;
	if (X509_STORE_CTX_init(ctx, store, leaf, others) == 1) {
		ok = X509_verify_cert(ctx) == 1;
		if (!ok)
			snprintf(why, whylen, "%s", X509_verify_cert_error_string(
			    X509_STORE_CTX_get_error(ctx)));
	}
	X509_STORE_CTX_free(ctx);
	return ok;
}

void
av_name_text(const X509_NAME *name, char *out, size_t len)
{
	const X509_NAME_ENTRY *e;
	const ASN1_OBJECT *o;
	unsigned char *utf8;
	char safe[4 * 64 + 1], oid[64];
	size_t off = 0;
	int i, n, nid;

	out[0] = '\0';
	for (i = 0; i < X509_NAME_entry_count(name) && off < len; i++) {
		e = X509_NAME_get_entry(name, i);
		o = X509_NAME_ENTRY_get_object(e);
		if ((nid = OBJ_obj2nid(o)) != NID_undef)
			snprintf(oid, sizeof(oid), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(oid, sizeof(oid), o, 1) <= 0)
			snprintf(oid, sizeof(oid), "?");
		utf8 = NULL;
		if ((n = ASN1_STRING_to_UTF8(&utf8,
		    X509_NAME_ENTRY_get_data(e))) < 0 ||
		    memchr(utf8, '\0', (size_t)n) != NULL)
			snprintf(safe, sizeof(safe), "?");
		else
			cli_safe_text((const char *)utf8, safe, sizeof(safe));
		OPENSSL_free(utf8);
		n = snprintf(out + off, len - off, "/%s=%s", oid, safe);
		off += n > 0 ? (size_t)n : 0;
	}
}

void
av_describe(X509 *x, char *out, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char issuer[256];

	av_name_text(X509_get_issuer_name(x), issuer, sizeof(issuer));
	snprintf(out, len, "%s-%d, issued by %s",
	    k != NULL && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA ? "RSA" :
	    "ECC", k != NULL ? EVP_PKEY_get_bits(k) : 0, issuer);
}

int
av_ek_certs(X509_STORE *store, const uint8_t *der, size_t len, int *nleaf,
    char *msg, size_t msglen)
{
	STACK_OF(X509) *all;
	const unsigned char *p = der, *end = der + len;
	X509 *x;
	int i, good = 0, nca = 0, r = -1;
	char why[200] = "no EK certificate", one[160], prof[160];
	size_t used;

	*nleaf = 0;
	if ((all = sk_X509_new_null()) == NULL)
		return -1;
	while (p < end) {
		if ((x = d2i_X509(NULL, &p, end - p)) == NULL) {
			snprintf(msg, msglen, "unreadable EK certificate bytes");
			goto out;
		}
		if (sk_X509_push(all, x) == 0) {
			X509_free(x);
			goto out;
		}
	}
	for (i = 0; i < sk_X509_num(all); i++) {
		x = sk_X509_value(all, i);
		if (X509_check_ca(x) != 0) {
			nca++;
			continue;
		}
		(*nleaf)++;
		if (store == NULL)
			continue;
		if (av_ek_profile(x, prof, sizeof(prof)) != 0) {
			snprintf(why, sizeof(why), "not an EK certificate: %s",
			    prof);
			continue;
		}
		if (av_chains(store, x, all, why, sizeof(why))) {
			/* Every one that chains: "RSA-2048, issued by ...;
			 * ECC-384, issued by ..." */
			av_describe(x, one, sizeof(one));
			used = good++ == 0 ? 0 : strlen(msg);
			snprintf(msg + used, msglen - used, "%s%s",
			    used > 0 ? "; " : "", one);
		}
	}
	if (store != NULL && good == 0)
		snprintf(msg, msglen, "%s", why);
	if (*nleaf == 0 && nca > 0)
		snprintf(msg, msglen, "only %d CA certificate%s of its chain",
		    nca, nca == 1 ? "" : "s");
	r = store == NULL ? 0 : (good > 0 ? 0 : -1);
out:
	sk_X509_pop_free(all, X509_free);
	return r;
}

int
av_ak_cert(X509_STORE *store, const uint8_t *der, size_t len,
    const struct att_public *ak, char *msg, size_t msglen)
{
	const unsigned char *p = der;
	X509 *x;
	char why[160] = "?", manufacturer[64];
	int r = -1;

	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
		snprintf(msg, msglen, "the AK certificate is not DER X.509");
		goto out;
	}
	if (!ak_key_certified(der, len, ak)) {
		snprintf(msg, msglen, "the AK certificate is for another key "
		    "than the AK that signed");
		goto out;
	}
	if (av_ak_profile(x, manufacturer, sizeof(manufacturer), why,
	    sizeof(why)) != 0) {
		snprintf(msg, msglen, "the AK certificate does not follow "
		    "WebAuthn's TPM profile (section 8.3.1): %s", why);
		goto out;
	}
	if (!av_chains(store, x, NULL, why, sizeof(why))) {
		snprintf(msg, msglen, "the AK certificate does not chain to "
		    "--ak-ca: %s", why);
		goto out;
	}
	av_describe(x, msg, msglen);
	r = 0;
out:
	X509_free(x);
	return r;
}
