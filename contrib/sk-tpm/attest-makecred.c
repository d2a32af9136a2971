/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM2_MakeCredential without a TPM (TPM 2.0 Part 1, "Credential
 * Protection"; Part 3, MakeCredential), for the CA side of the EK round
 * trip: a seed only the EK's TPM can recover (RSA-OAEP with the label
 * "IDENTITY", or ECDH with an ephemeral key and KDFe), then from it a
 * symmetric key (KDFa "STORAGE", context the AK's Name) that encrypts the
 * credential and an HMAC key (KDFa "INTEGRITY") that binds it to that
 * Name. Every hash is the EK's nameAlg and the key is as long as the EK's
 * symmetric algorithm's, so the EK's template decides (TCG EK Credential
 * Profile): RSA-2048 and ECC P-256 (low range L-1, L-2) SHA-256 and
 * AES-128-CFB, RSA-3072 and ECC P-384 (high range H-6, H-3) SHA-384 and
 * AES-256-CFB. The seed is a digest long.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "attest-makecred.h"

/* What the EK's template makes of the credential. */
struct mc_ek {
	const char *md;		/* its nameAlg */
	size_t hlen;		/* the digest's and the seed's length */
	size_t aes;		/* AES-CFB key bytes */
	const char *curve;	/* ECC: the group; NULL for RSA */
	size_t coord;		/* ECC: a coordinate's bytes */
	int rsa_bits;
};

static const struct mc_ek mc_eks[] = {
	{ "SHA256", 32, 16, NULL, 0, 2048 },
	{ "SHA384", 48, 32, NULL, 0, 3072 },
	{ "SHA256", 32, 16, "P-256", 32, 0 },
	{ "SHA384", 48, 32, "P-384", 48, 0 },
};

static const struct mc_ek *
ek_params(EVP_PKEY *ek)
{
	char group[32];
	size_t i;

	if (EVP_PKEY_get_base_id(ek) == EVP_PKEY_RSA) {
		for (i = 0; i < 2; i++)
			if (EVP_PKEY_get_bits(ek) == mc_eks[i].rsa_bits)
				return &mc_eks[i];
		return NULL;
	}
	if (EVP_PKEY_get_base_id(ek) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(ek, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL) != 1)
		return NULL;
	if (strcmp(group, "prime256v1") == 0)
		return &mc_eks[2];
	if (strcmp(group, "secp384r1") == 0)
		return &mc_eks[3];
	return NULL;
}

const char *
mc_ek_kind(EVP_PKEY *ek)
{
	static const char *names[] = { "RSA-2048", "RSA-3072", "ECC P-256",
	    "ECC P-384" };
	const struct mc_ek *p;

	if (ek == NULL || (p = ek_params(ek)) == NULL)
		return NULL;
	return names[p - mc_eks];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
mc_kdfa(const char *md, const uint8_t *key, size_t key_len,
    const char *label, const uint8_t *ctx_u, size_t u_len, uint32_t bits,
    uint8_t *out)
{
	uint8_t in[4 + 16 + MC_NAME_MAX + 4], block[EVP_MAX_MD_SIZE];
	size_t n = 0, llen = strlen(label) + 1, blen = 0;
	int r = -1;

	if (llen > 16 || u_len > MC_NAME_MAX)
		return -1;
	put32(in, 1);
	memcpy(in + 4, label, llen);
	n = 4 + llen;
	if (u_len > 0)
		memcpy(in + n, ctx_u, u_len);
	n += u_len;
	put32(in + n, bits);
	n += 4;
	if (EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, key_len, in, n,
	    block, sizeof(block), &blen) != NULL && bits / 8 <= blen) {
		memcpy(out, block, bits / 8);
		r = 0;
	}
	OPENSSL_cleanse(block, sizeof(block));
	return r;
}

int
mc_kdfe(const char *md, const uint8_t *z, const char *label,
    const uint8_t *u, const uint8_t *v, size_t coord, uint8_t *out)
{
	uint8_t in[4 + 48 + 16 + 48 + 48];
	size_t n, llen = strlen(label) + 1, len = 0;
	int r;

	if (coord > 48 || llen > 16)
		return -1;
	put32(in, 1);
	memcpy(in + 4, z, coord);
	memcpy(in + 4 + coord, label, llen);
	n = 4 + coord + llen;
	memcpy(in + n, u, coord);
	memcpy(in + n + coord, v, coord);
	n += 2 * coord;
	r = EVP_Q_digest(NULL, md, NULL, in, n, out, &len) == 1 ? 0 : -1;
	OPENSSL_cleanse(in, sizeof(in));
	return r;
}

static int
seed_rsa(EVP_PKEY *ek, const struct mc_ek *p, uint8_t *seed, uint8_t *enc,
    size_t *enc_len)
{
	EVP_PKEY_CTX *ctx;
	const EVP_MD *md = p->hlen == 48 ? EVP_sha384() : EVP_sha256();
	unsigned char *label;
	size_t len = CRED_SECRET_MAX;
	int ok = 0;

	if (RAND_bytes(seed, (int)p->hlen) != 1 ||
	    (ctx = EVP_PKEY_CTX_new(ek, NULL)) == NULL)
		return -1;
	if ((label = OPENSSL_memdup("IDENTITY", 9)) != NULL &&
	    EVP_PKEY_encrypt_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
	    EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, 9) == 1) {
		label = NULL;	/* the context owns it */
		ok = EVP_PKEY_encrypt(ctx, enc, &len, seed, p->hlen) == 1 &&
		    len == (size_t)p->rsa_bits / 8;
	}
	OPENSSL_free(label);
	EVP_PKEY_CTX_free(ctx);
	*enc_len = len;
	return ok ? 0 : -1;
}

/* The uncompressed point 04 || x || y of a key on p's curve. */
static int
point_of(EVP_PKEY *k, const struct mc_ek *p, uint8_t pt[1 + 2 * 48])
{
	unsigned char *b = NULL;
	size_t len;
	int r = -1;

	len = EVP_PKEY_get1_encoded_public_key(k, &b);
	if (len == 1 + 2 * p->coord && b[0] == 0x04) {
		memcpy(pt, b, len);
		r = 0;
	}
	OPENSSL_free(b);
	return r;
}

static int
seed_ecc(EVP_PKEY *ek, const struct mc_ek *p, uint8_t *seed, uint8_t *enc,
    size_t *enc_len)
{
	EVP_PKEY *eph = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t ek_pt[1 + 2 * 48], eph_pt[1 + 2 * 48], z[48];
	size_t zlen = sizeof(z), c = p->coord;
	int r = -1;

	if (point_of(ek, p, ek_pt) != 0 ||
	    (eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", p->curve)) == NULL ||
	    point_of(eph, p, eph_pt) != 0 ||
	    (ctx = EVP_PKEY_CTX_new(eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, ek) != 1 ||
	    EVP_PKEY_derive(ctx, z, &zlen) != 1 || zlen != c ||
	    mc_kdfe(p->md, z, "IDENTITY", eph_pt + 1, ek_pt + 1, c,
	    seed) != 0)
		goto out;
	/* TPMS_ECC_POINT: TPM2B x, TPM2B y, each the curve's size */
	enc[0] = 0;
	enc[1] = (uint8_t)c;
	memcpy(enc + 2, eph_pt + 1, c);
	enc[2 + c] = 0;
	enc[3 + c] = (uint8_t)c;
	memcpy(enc + 4 + c, eph_pt + 1 + c, c);
	*enc_len = 4 + 2 * c;
	r = 0;
out:
	OPENSSL_cleanse(z, sizeof(z));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(eph);
	return r;
}

static int
aes_cfb(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len,
    uint8_t *out)
{
	EVP_CIPHER_CTX *c;
	uint8_t iv[16] = { 0 };
	int n = 0, f = 0, ok;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(c, key_len == 32 ? EVP_aes_256_cfb128() :
	    EVP_aes_128_cfb128(), NULL, key, iv) == 1 &&
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
	const struct mc_ek *p;
	uint8_t seed[48], aes[32], hkey[48], plain[2 + 32];
	uint8_t mac_in[2 + 32 + MC_NAME_LEN], *enc;
	size_t h, mac_len = 0;
	int r = -1;

	if (cred_len == 0 || cred_len > 32 || (p = ek_params(ek)) == NULL)
		return -1;
	h = p->hlen;
	if ((p->curve == NULL ? seed_rsa(ek, p, seed, secret, secret_len) :
	    seed_ecc(ek, p, seed, secret, secret_len)) != 0 ||
	    mc_kdfa(p->md, seed, h, "STORAGE", name, MC_NAME_LEN,
	    (uint32_t)p->aes * 8, aes) != 0 ||
	    mc_kdfa(p->md, seed, h, "INTEGRITY", NULL, 0, (uint32_t)h * 8,
	    hkey) != 0)
		goto out;
	/* encIdentity: the credential as a TPM2B_DIGEST, encrypted */
	enc = id + 2 + h;
	plain[0] = 0;
	plain[1] = (uint8_t)cred_len;
	memcpy(plain + 2, cred, cred_len);
	if (aes_cfb(aes, p->aes, plain, 2 + cred_len, enc) != 0)
		goto out;
	/* integrityHMAC = HMAC(encIdentity || Name), as a TPM2B_DIGEST */
	memcpy(mac_in, enc, 2 + cred_len);
	memcpy(mac_in + 2 + cred_len, name, MC_NAME_LEN);
	if (EVP_Q_mac(NULL, "HMAC", NULL, p->md, NULL, hkey, h, mac_in,
	    2 + cred_len + MC_NAME_LEN, id + 2, h, &mac_len) == NULL ||
	    mac_len != h)
		goto out;
	id[0] = 0;
	id[1] = (uint8_t)h;
	*id_len = 2 + h + 2 + cred_len;
	r = 0;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(aes, sizeof(aes));
	OPENSSL_cleanse(hkey, sizeof(hkey));
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(mac_in, sizeof(mac_in));
	return r;
}
