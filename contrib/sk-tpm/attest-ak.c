/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm attest challenge: the AK the CA will certify. The credential is
 * sealed to the Name of DIR/ak.tpmt, so that file alone says which key the
 * TPM vouches for; ak.pem and ak.name are conveniences the machine wrote
 * and its owner may have changed. They must say the same as ak.tpmt or the
 * DIR is refused, and the key the CA certifies is its own copy, derived
 * from ak.tpmt and kept next to the secret (SECRET.ak.pem), never the
 * machine's ak.pem: otherwise a software key swapped into ak.pem would be
 * certified as the TPM's AK.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "attest-codec.h"
#include "attest-makecred.h"
#include "attest-io.h"
#include "attest-round.h"
#include "attest-verify.h"
#include "cli.h"
#include "message.h"

/* DIR/ak.pem, when present, is the key of ak.tpmt. */
static int
check_pem(const char *dir, const uint8_t point[65])
{
	char path[4096];
	unsigned char *pt = NULL;
	EVP_PKEY *k = NULL;
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "%s/ak.pem", dir);
	if ((f = fopen(path, "r")) == NULL && access(path, F_OK) != 0)
		return 0;
	if (f != NULL) {
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (k != NULL && EVP_PKEY_get1_encoded_public_key(k, &pt) == 65 &&
	    memcmp(pt, point, 65) == 0)
		r = 0;
	else
		cli_error("%s is not the key of ak.tpmt, the key the "
		    "credential is sealed to; refusing (export again, and "
		    "certify only what challenge keeps)", path);
	OPENSSL_free(pt);
	EVP_PKEY_free(k);
	return r;
}

/* DIR/ak.name, when present, is the Name of ak.tpmt (hex, any case,
 * trailing white space allowed). */
static int
check_name(const char *dir, const uint8_t name[MC_NAME_LEN])
{
	char path[4096], want[2 * MC_NAME_LEN + 1];
	uint8_t buf[2 * MC_NAME_LEN + 8];
	size_t len, i;

	snprintf(path, sizeof(path), "%s/ak.name", dir);
	if (round_read_small(path, buf, sizeof(buf), &len) != 0) {
		if (access(path, F_OK) == 0) {
			cli_error("%s: unreadable or too long", path);
			return -1;
		}
		return 0;
	}
	while (len > 0 && isspace(buf[len - 1]))
		len--;
	for (i = 0; i < MC_NAME_LEN; i++)
		snprintf(want + 2 * i, 3, "%02x", name[i]);
	if (len == 2 * MC_NAME_LEN && strncasecmp((char *)buf, want,
	    len) == 0)
		return 0;
	cli_error("%s is not the Name of ak.tpmt (%s); refusing", path, want);
	return -1;
}

int
round_load_ak(const char *dir, uint8_t name[MC_NAME_LEN], uint8_t point[65])
{
	struct att_public ak;
	uint8_t buf[1024];
	char path[4096];
	size_t len;

	snprintf(path, sizeof(path), "%s/ak.tpmt", dir);
	if (round_read_small(path, buf, sizeof(buf), &len) != 0) {
		cli_error("%s: cannot read (run sk-tpm attest export)", path);
		return -1;
	}
	if (att_public_parse(buf, len, &ak) != 0 ||
	    ak.attributes != AK_ATTRS || ak.name_alg != TPM_ALG_SHA256 ||
	    ak.curve != TPM_ECC_NIST_P256 || ak.scheme != TPM_ALG_ECDSA ||
	    ak.auth_policy_len != 0) {
		cli_error("%s: not a restricted ECDSA P-256 signing key made "
		    "in a TPM (fixedTPM, fixedParent, sensitiveDataOrigin); "
		    "refusing to certify it", path);
		return -1;
	}
	name[0] = 0x00;
	name[1] = 0x0b;
	if (sha256(buf, len, name + 2) != 0)
		return -1;
	memcpy(point, ak.point, 65);
	if (check_pem(dir, point) != 0 || check_name(dir, name) != 0)
		return -1;
	return 0;
}

int
round_keep_ak(const uint8_t point[65], const char *path)
{
	EVP_PKEY *k = NULL;
	BIO *b = NULL;
	char *pem;
	long len;
	int r = -1;

	if ((k = av_p256_key(point)) == NULL ||
	    (b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(b, k) != 1 ||
	    (len = BIO_get_mem_data(b, &pem)) <= 0)
		cli_error("cannot encode the AK's public key");
	else
		r = round_write_private(path, (const uint8_t *)pem,
		    (size_t)len);
	BIO_free(b);
	EVP_PKEY_free(k);
	return r;
}
