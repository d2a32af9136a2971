/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The installed AK certificate (attest-cert.h): found and matched against
 * the AK; attest-cert-install.c stores it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ak-key.h"
#include "attest-cert.h"
#include "attest-parse.h"
#include "log.h"
#include "tpm-attest.h"

const char *
ak_cert_name(int ak_kind)
{
	return ak_kind == TPM_AK_RS1 ? "ak-rs1-cert.der" : "ak-cert.der";
}

int
ak_cert_user_path(int ak_kind, char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && *xdg == '/')
		n = snprintf(buf, len, "%s/sk-tpm/%s", xdg,
		    ak_cert_name(ak_kind));
	else if (home != NULL && *home == '/')
		n = snprintf(buf, len, "%s/.config/sk-tpm/%s", home,
		    ak_cert_name(ak_kind));
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int
ak_cert_matches(const uint8_t *der, size_t der_len, const uint8_t *ak_pub,
    size_t ak_pub_len)
{
	struct att_public ak;

	if (att_public_parse(ak_pub, ak_pub_len, &ak) != 0)
		return 0;
	return ak_key_certified(der, der_len, &ak);
}

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	uint8_t *buf;
	FILE *f;
	size_t n;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	if ((buf = malloc(AK_CERT_MAX + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, AK_CERT_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > AK_CERT_MAX) {
		sk_debug("%s: empty or too large", path);
		free(buf);
		return 0;
	}
	*out = buf;
	*len = n;
	return 0;
}

int
ak_cert_find(int ak_kind, const uint8_t *ak_pub, size_t ak_pub_len,
    uint8_t **der, size_t *der_len)
{
	char user[4096], system[128];
	const char *paths[2];
	size_t i, n = 0;

	*der = NULL;
	*der_len = 0;
	if (ak_cert_user_path(ak_kind, user, sizeof(user)) == 0)
		paths[n++] = user;
	snprintf(system, sizeof(system), "%s/%s", AK_CERT_SYSTEM_DIR,
	    ak_cert_name(ak_kind));
	paths[n++] = system;
	for (i = 0; i < n; i++) {
		if (read_file(paths[i], der, der_len) != 0)
			return -1;
		if (*der == NULL)
			continue;
		if (ak_cert_matches(*der, *der_len, ak_pub, ak_pub_len)) {
			sk_debug("attestation: AK certificate %s", paths[i]);
			return 0;
		}
		sk_debug("attestation: %s certifies another key than this "
		    "TPM's AK; not attached", paths[i]);
		free(*der);
		*der = NULL;
		*der_len = 0;
	}
	return 0;
}
