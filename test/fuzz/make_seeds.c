/*
 * Writes the seed corpus of fuzz_handle: handles made by kh_encode with
 * the sizes a real P-256 key under the standard SRK has, in every flag
 * combination, plus a few ways of getting them wrong, so that the fuzzer
 * starts from both sides of each check. The output is checked in under
 * corpus/handle/; to regenerate it (from a -DSK_TPM_FUZZ=ON build):
 *
 *   build/test/fuzz/make_seeds test/fuzz/corpus/handle
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"

static const char *dir;

static void
put(const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
tpm2b(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	p[0] = (uint8_t)((len - 2) >> 8);
	p[1] = (uint8_t)(len - 2);
	for (i = 2; i < len; i++)
		p[i] = (uint8_t)(seed ^ (i * 31));
}

int
main(int argc, char **argv)
{
	static const uint32_t flags[] = {
		0, KH_FLAG_PRESENCE, KH_FLAG_PIN,
		KH_FLAG_PRESENCE | KH_FLAG_PIN,
		KH_FLAG_PRESENCE | KH_FLAG_SRK_PERSISTENT, KH_FLAGS_KNOWN
	};
	uint8_t pub[KH_PUBLIC_MAX], priv[KH_PRIVATE_MAX], srk[KH_PUBLIC_MAX];
	uint8_t buf[KH_MAX_LEN + 16], *enc;
	struct kh kh;
	char name[64];
	size_t i, len;

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	memset(&kh, 0, sizeof(kh));
	kh.version = KH_VERSION;
	tpm2b(pub, 90, 0x11);
	tpm2b(priv, 128, 0x22);
	tpm2b(srk, 122, 0x33);
	kh.tpm_public = pub;
	kh.tpm_public_len = 90;
	kh.tpm_private = priv;
	kh.tpm_private_len = 128;
	kh.srk_public = srk;
	kh.srk_public_len = 122;
	kh.srk_name[1] = 0x0b;
	for (i = 2; i < KH_NAME_LEN; i++)
		kh.srk_name[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < KH_APP_HASH_LEN; i++)
		kh.app_hash[i] = (uint8_t)(0x50 + i);

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		kh.flags = flags[i];
		if (kh_encode(&kh, &enc, &len) != KH_OK)
			return 1;
		snprintf(name, sizeof(name), "valid-flags-%03x", flags[i]);
		put(name, enc, len);
		free(enc);
	}
	/* Smallest TPM2Bs, then the largest that fit in KH_MAX_LEN. */
	kh.flags = KH_FLAG_PRESENCE;
	tpm2b(pub, 2, 0);
	tpm2b(priv, 2, 0);
	tpm2b(srk, 2, 0);
	kh.tpm_public_len = kh.tpm_private_len = kh.srk_public_len = 2;
	if (kh_encode(&kh, &enc, &len) != KH_OK)
		return 1;
	put("valid-minimal", enc, len);
	free(enc);
	tpm2b(pub, KH_PUBLIC_MAX, 0x44);
	tpm2b(priv, KH_PRIVATE_MAX, 0x55);
	tpm2b(srk, 200, 0x66);
	kh.tpm_public_len = KH_PUBLIC_MAX;
	kh.tpm_private_len = KH_PRIVATE_MAX;
	kh.srk_public_len = 200;
	if (kh_encode(&kh, &enc, &len) != KH_OK)
		return 1;
	put("valid-large", enc, len);
	free(enc);

	/* Back to a realistic handle to break. */
	tpm2b(pub, 90, 0x11);
	tpm2b(priv, 128, 0x22);
	tpm2b(srk, 122, 0x33);
	kh.tpm_public_len = 90;
	kh.tpm_private_len = 128;
	kh.srk_public_len = 122;
	if (kh_encode(&kh, &enc, &len) != KH_OK)
		return 1;
	memcpy(buf, enc, len);
	free(enc);
	put("bad-truncated-9", buf, 9);
	put("bad-truncated-half", buf, len / 2);
	buf[len] = 0x00;
	put("bad-trailing-byte", buf, len + 1);
	buf[10] = 0x02;				/* version 2 */
	put("bad-version-2", buf, len);
	buf[10] = 0x01;
	buf[12] ^= 0x02;			/* unknown flag */
	put("bad-flag-bit", buf, len);
	buf[12] ^= 0x02;
	buf[0] = 0x88;				/* array, not map */
	put("bad-array", buf, len);
	buf[0] = 0xbf;				/* indefinite map */
	buf[len] = 0xff;
	put("bad-indefinite-map", buf, len + 1);
	buf[0] = 0xa8;
	{
		/* A map head declaring 2^28 pairs, then our magic. */
		static const uint8_t huge[] = {
			0xba, 0x10, 0x00, 0x00, 0x00, 0x00,
			0x66, 's', 'k', '-', 't', 'p', 'm', 0x01, 0x01
		};
		/* Self-described CBOR tag around a handle. */
		uint8_t tagged[KH_MAX_LEN + 3];

		put("bad-huge-map", huge, sizeof(huge));
		tagged[0] = 0xd9;
		tagged[1] = 0xd9;
		tagged[2] = 0xf7;
		memcpy(tagged + 3, buf, len);
		put("bad-tagged", tagged, len + 3);
	}
	/* Foreign: what sk-dummy or a FIDO token would have written. */
	for (i = 0; i < 64; i++)
		buf[i] = (uint8_t)(i * 97 + 13);
	put("foreign-32", buf, 32);
	put("foreign-64", buf, 64);
	return 0;
}
