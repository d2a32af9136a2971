/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm attest challenge: the AK the CA will certify. The credential is
 * sealed to the Name of DIR/ak.tpmt (ak-rs1.tpmt for the RS1 AK,
 * attest-which.h), so that file alone says which key the TPM vouches for;
 * ak.pem and ak.name are conveniences the machine wrote
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

#include "ak-key.h"
#include "attest-codec.h"
#include "attest-makecred.h"
#include "attest-io.h"
#include "attest-round.h"
#include "attest-verify.h"
#include "attest-which.h"
#include "cli.h"
#include "message.h"
#include "tpm-attest.h"

/* DIR/PREFIX.pem, when present, is the key of PREFIX.tpmt. */
static int
check_pem(const char *dir, const char *prefix, const struct att_public *ak)
{
	char path[4096];
	EVP_PKEY *k = NULL, *want;
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "%s/%s.pem", dir, prefix);
	if ((f = fopen(path, "r")) == NULL && access(path, F_OK) != 0)
		return 0;
	if (f != NULL) {
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
	}
	if ((want = ak_public_key(ak)) != NULL && k != NULL &&
	    EVP_PKEY_eq(k, want) == 1)
		r = 0;
	else
		cli_error("%s is not the key of %s.tpmt, the key the "
		    "credential is sealed to; refusing (export again, and "
		    "certify only what challenge keeps)", path, prefix);
	EVP_PKEY_free(want);
	EVP_PKEY_free(k);
	return r;
}

/* DIR/PREFIX.name, when present, is the Name of PREFIX.tpmt (hex, any
 * case, trailing white space allowed). */
static int
check_name(const char *dir, const char *prefix,
    const uint8_t name[MC_NAME_LEN])
{
	char path[4096], want[2 * MC_NAME_LEN + 1];
	uint8_t buf[2 * MC_NAME_LEN + 8];
	size_t len, i;

	snprintf(path, sizeof(path), "%s/%s.name", dir, prefix);
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
	cli_error("%s is not the Name of %s.tpmt (%s); refusing", path,
	    prefix, want);
	return -1;
}

int
round_load_ak(const char *dir, int kind, uint8_t name[MC_NAME_LEN],
    uint8_t tpmt[ROUND_TPMT_MAX], size_t *tpmt_len)
{
	struct att_public ak;
	const char *prefix = attest_ak_prefix(kind);
	char path[4096];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s.tpmt", dir, prefix);
	if (round_read_small(path, tpmt, ROUND_TPMT_MAX, &len) != 0) {
		cli_error("%s: cannot read (run sk-tpm attest export%s)", path,
		    kind == TPM_AK_RS1 ? " --ak rs1" : "");
		return -1;
	}
	if (att_public_parse(tpmt, len, &ak) != 0 ||
	    ak_kind_of(&ak, false) != kind) {
		cli_error("%s: not a restricted %s signing key made in a TPM "
		    "(fixedTPM, fixedParent, sensitiveDataOrigin); refusing "
		    "to certify it", path, kind == TPM_AK_RS1 ?
		    "RSA-2048 RSASSA-SHA-1" : "ECDSA P-256");
		return -1;
	}
	name[0] = 0x00;
	name[1] = 0x0b;
	if (sha256(tpmt, len, name + 2) != 0)
		return -1;
	*tpmt_len = len;
	if (check_pem(dir, prefix, &ak) != 0 ||
	    check_name(dir, prefix, name) != 0)
		return -1;
	return 0;
}

int
round_keep_ak(const uint8_t *tpmt, size_t tpmt_len, const char *path)
{
	struct att_public ak;
	EVP_PKEY *k = NULL;
	BIO *b = NULL;
	char *pem;
	long len;
	int r = -1;

	if (att_public_parse(tpmt, tpmt_len, &ak) != 0 ||
	    (k = ak_public_key(&ak)) == NULL ||
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
