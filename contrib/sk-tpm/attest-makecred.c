/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM2_MakeCredential without a TPM (TPM 2.0 Part 1, "Credential
 * Protection"; Part 3, MakeCredential), for the CA side of the EK round
 * trip: a seed only the EK's TPM can recover (RSA-OAEP with the label
 * "IDENTITY", or ECDH with an ephemeral key and KDFe), then from it an
 * AES-128 key (KDFa "STORAGE", context the AK's Name) that encrypts the
 * credential and an HMAC key (KDFa "INTEGRITY") that binds it to that
 * Name. The EK is the low-range TCG EK: nameAlg SHA-256, AES-128-CFB.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "attest-makecred.h"
#include "sha256.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* KDFa with HMAC-SHA-256, one block: bits <= 256. */
void
mc_kdfa(const uint8_t *key, size_t key_len, const char *label,
    const uint8_t *ctx_u, size_t u_len, uint32_t bits, uint8_t *out)
{
	struct hmac_sha256_ctx h;
	uint8_t be[4], block[32];

	hmac_sha256_init(&h, key, key_len);
	put32(be, 1);
	hmac_sha256_update(&h, be, 4);
	hmac_sha256_update(&h, label, strlen(label) + 1);
	if (u_len > 0)
		hmac_sha256_update(&h, ctx_u, u_len);
	put32(be, bits);
	hmac_sha256_update(&h, be, 4);
	hmac_sha256_final(&h, block);
	memcpy(out, block, bits / 8);
	OPENSSL_cleanse(block, sizeof(block));
}

/* KDFe with SHA-256, one block (256 bits). */
void
mc_kdfe(const uint8_t z[32], const char *label, const uint8_t u[32],
    const uint8_t v[32], uint8_t out[32])
{
	struct sha256_ctx h;
	uint8_t be[4];

	sha256_init(&h);
	put32(be, 1);
	sha256_update(&h, be, 4);
	sha256_update(&h, z, 32);
	sha256_update(&h, label, strlen(label) + 1);
	sha256_update(&h, u, 32);
	sha256_update(&h, v, 32);
	sha256_final(&h, out);
}

static int
seed_rsa(EVP_PKEY *ek, uint8_t seed[32], uint8_t *enc, size_t *enc_len)
{
	EVP_PKEY_CTX *ctx;
	unsigned char *label;
	size_t len = CRED_SECRET_MAX;
	int ok = 0;

	if (EVP_PKEY_get_bits(ek) != 2048 || RAND_bytes(seed, 32) != 1 ||
	    (ctx = EVP_PKEY_CTX_new(ek, NULL)) == NULL)
		return -1;
	if ((label = OPENSSL_memdup("IDENTITY", 9)) != NULL &&
	    EVP_PKEY_encrypt_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
	    EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, 9) == 1) {
		label = NULL;	/* the context owns it */
		ok = EVP_PKEY_encrypt(ctx, enc, &len, seed, 32) == 1 &&
		    len == 256;
	}
	OPENSSL_free(label);
	EVP_PKEY_CTX_free(ctx);
	*enc_len = len;
	return ok ? 0 : -1;
}

static int
point_of(EVP_PKEY *k, uint8_t pt[65])
{
	unsigned char *p = NULL;
	size_t len;
	int r = -1;

	len = EVP_PKEY_get1_encoded_public_key(k, &p);
	if (len == 65 && p[0] == 0x04) {
		memcpy(pt, p, 65);
		r = 0;
	}
	OPENSSL_free(p);
	return r;
}

static int
seed_ecc(EVP_PKEY *ek, uint8_t seed[32], uint8_t *enc, size_t *enc_len)
{
	EVP_PKEY *eph = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t ek_pt[65], eph_pt[65], z[32];
	size_t zlen = sizeof(z);
	int r = -1;

	if (point_of(ek, ek_pt) != 0 ||
	    (eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    point_of(eph, eph_pt) != 0 ||
	    (ctx = EVP_PKEY_CTX_new(eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, ek) != 1 ||
	    EVP_PKEY_derive(ctx, z, &zlen) != 1 || zlen != 32)
		goto out;
	mc_kdfe(z, "IDENTITY", eph_pt + 1, ek_pt + 1, seed);
	/* TPMS_ECC_POINT: TPM2B x, TPM2B y */
	enc[0] = 0;
	enc[1] = 32;
	memcpy(enc + 2, eph_pt + 1, 32);
	enc[34] = 0;
	enc[35] = 32;
	memcpy(enc + 36, eph_pt + 33, 32);
	*enc_len = 68;
	r = 0;
out:
	OPENSSL_cleanse(z, sizeof(z));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(eph);
	return r;
}

static int
aes128_cfb(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c;
	uint8_t iv[16] = { 0 };
	int n = 0, f = 0, ok;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(c, EVP_aes_128_cfb128(), NULL, key, iv) == 1 &&
	    EVP_EncryptUpdate(c, out, &n, in, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(c, out + n, &f) == 1 && (size_t)(n + f) == len;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

int
mc_make(EVP_PKEY *ek, const uint8_t name[MC_NAME_LEN], const uint8_t *cred,
    size_t cred_len, uint8_t id[CRED_ID_MAX], size_t *id_len,
    uint8_t secret[CRED_SECRET_MAX], size_t *secret_len)
{
	struct hmac_sha256_ctx h;
	uint8_t seed[32], aes[16], hkey[32], plain[2 + 32];
	int r = -1;

	if (cred_len == 0 || cred_len > 32)
		return -1;
	if (EVP_PKEY_get_base_id(ek) == EVP_PKEY_RSA) {
		if (seed_rsa(ek, seed, secret, secret_len) != 0)
			goto out;
	} else if (EVP_PKEY_get_base_id(ek) == EVP_PKEY_EC) {
		if (seed_ecc(ek, seed, secret, secret_len) != 0)
			goto out;
	} else
		goto out;
	mc_kdfa(seed, 32, "STORAGE", name, MC_NAME_LEN, 128, aes);
	mc_kdfa(seed, 32, "INTEGRITY", NULL, 0, 256, hkey);
	/* encIdentity: the credential as a TPM2B_DIGEST, encrypted */
	plain[0] = 0;
	plain[1] = (uint8_t)cred_len;
	memcpy(plain + 2, cred, cred_len);
	if (aes128_cfb(aes, plain, 2 + cred_len, id + 34) != 0)
		goto out;
	/* integrityHMAC = HMAC(encIdentity || Name), as a TPM2B_DIGEST */
	hmac_sha256_init(&h, hkey, sizeof(hkey));
	hmac_sha256_update(&h, id + 34, 2 + cred_len);
	hmac_sha256_update(&h, name, MC_NAME_LEN);
	hmac_sha256_final(&h, id + 2);
	id[0] = 0;
	id[1] = 32;
	*id_len = 34 + 2 + cred_len;
	r = 0;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(aes, sizeof(aes));
	OPENSSL_cleanse(hkey, sizeof(hkey));
	OPENSSL_cleanse(plain, sizeof(plain));
	return r;
}
