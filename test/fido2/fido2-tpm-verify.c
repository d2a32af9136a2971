/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An independent check of sk-tpm's attestation with libfido2, the verifier
 * a relying party in C (and OpenSSH's own FIDO code) would use: the
 * attestation file ssh-keygen -O write-attestation wrote becomes a
 * fido_cred_t (fmt "tpm", COSE_ES256 credential, the application as rp
 * id, the raw authenticator data, the statement as attStmt, clientDataHash
 * = SHA-256(challenge), as the provider used it) and fido_cred_verify
 * decides. Nothing of sk-tpm is linked: the OpenSSH container is taken
 * apart here, the rest is libfido2's.
 *
 * usage: fido2-tpm-verify ATTEST CHALLENGE APPLICATION
 * Exit 0: libfido2 accepted it (FIDO_OK); 1: it refused (its reason is
 * printed); 2: usage, or a file that is not an ssh-sk-attest-v01 one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fido.h>
#include <openssl/sha.h>

#define FILE_MAX	(256 * 1024)

static int
read_all(const char *path, uint8_t **out, size_t *len)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((*out = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(*out, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX)
		return -1;
	*len = n;
	return 0;
}

/* An SSH string at *off: its bytes and length. */
static int
ssh_string(const uint8_t *buf, size_t len, size_t *off, const uint8_t **p,
    size_t *n)
{
	if (len - *off < 4)
		return -1;
	*n = (size_t)buf[*off] << 24 | (size_t)buf[*off + 1] << 16 |
	    (size_t)buf[*off + 2] << 8 | buf[*off + 3];
	*off += 4;
	if (len - *off < *n)
		return -1;
	*p = buf + *off;
	*off += *n;
	return 0;
}

/* The bytes of a CBOR byte string that is all of buf. */
static int
cbor_bytes(const uint8_t *buf, size_t len, const uint8_t **p, size_t *n)
{
	size_t h;

	if (len < 1 || (buf[0] & 0xe0) != 0x40)
		return -1;
	if ((buf[0] & 0x1f) < 24) {
		*n = buf[0] & 0x1f;
		h = 1;
	} else if (buf[0] == 0x58 && len >= 2) {
		*n = buf[1];
		h = 2;
	} else if (buf[0] == 0x59 && len >= 3) {
		*n = (size_t)buf[1] << 8 | buf[2];
		h = 3;
	} else
		return -1;
	if (len - h != *n)
		return -1;
	*p = buf + h;
	return 0;
}

int
main(int argc, char **argv)
{
	static const char magic[] = "ssh-sk-attest-v01";
	const uint8_t *m, *cert, *sig, *ad_cbor, *ad;
	size_t len, chal_len, off = 0, mlen, cert_len, sig_len, ad_cbor_len;
	size_t ad_len;
	uint8_t *blob = NULL, *chal = NULL, cdh[SHA256_DIGEST_LENGTH];
	fido_cred_t *cred = NULL;
	int r, ret = 2;

	if (argc != 4) {
		fprintf(stderr, "usage: fido2-tpm-verify ATTEST CHALLENGE "
		    "APPLICATION\n");
		return 2;
	}
	if (read_all(argv[1], &blob, &len) != 0 ||
	    read_all(argv[2], &chal, &chal_len) != 0) {
		fprintf(stderr, "fido2-tpm-verify: cannot read the files\n");
		goto out;
	}
	if (ssh_string(blob, len, &off, &m, &mlen) != 0 ||
	    mlen != strlen(magic) || memcmp(m, magic, mlen) != 0 ||
	    ssh_string(blob, len, &off, &cert, &cert_len) != 0 ||
	    ssh_string(blob, len, &off, &sig, &sig_len) != 0 ||
	    ssh_string(blob, len, &off, &ad_cbor, &ad_cbor_len) != 0 ||
	    cbor_bytes(ad_cbor, ad_cbor_len, &ad, &ad_len) != 0) {
		printf("fido2-tpm-verify: not an ssh-sk-attest-v01 file\n");
		goto out;
	}
	SHA256(chal, chal_len, cdh);
	fido_init(0);
	if ((cred = fido_cred_new()) == NULL) {
		fprintf(stderr, "fido2-tpm-verify: out of memory\n");
		goto out;
	}
	/* The order libfido2's own examples use: type first, authData
	 * (which carries the credential's COSE key) before attStmt. */
	if ((r = fido_cred_set_type(cred, COSE_ES256)) != FIDO_OK ||
	    (r = fido_cred_set_rp(cred, argv[3], NULL)) != FIDO_OK ||
	    (r = fido_cred_set_fmt(cred, "tpm")) != FIDO_OK ||
	    (r = fido_cred_set_clientdata_hash(cred, cdh,
	    sizeof(cdh))) != FIDO_OK ||
	    (r = fido_cred_set_authdata_raw(cred, ad, ad_len)) != FIDO_OK ||
	    (r = fido_cred_set_attstmt(cred, sig, sig_len)) != FIDO_OK) {
		printf("fido2-tpm-verify: REFUSED by libfido2 while reading: "
		    "%s\n", fido_strerr(r));
		ret = 1;
		goto out;
	}
	if ((r = fido_cred_verify(cred)) != FIDO_OK) {
		printf("fido2-tpm-verify: REFUSED by libfido2: "
		    "fido_cred_verify: %s\n", fido_strerr(r));
		ret = 1;
		goto out;
	}
	printf("fido2-tpm-verify: OK: libfido2's fido_cred_verify accepted "
	    "the \"tpm\" statement (x5c of %zu bytes, the AK certificate; "
	    "%zu-byte signature)\n", fido_cred_x5c_len(cred),
	    fido_cred_sig_len(cred));
	ret = 0;
out:
	fido_cred_free(&cred);
	free(blob);
	free(chal);
	return ret;
}
