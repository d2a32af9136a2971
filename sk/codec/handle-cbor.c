/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key handle's bytes (format in handle.h): the decoder and the encoder,
 * on the strict CBOR reader and writer of cbor-strict.h, which the
 * resident record shares; both hold the fields to kh_check (handle.c).
 * And the largest handle enrollment can make (kh_worst_len), which is the
 * length of an encoding.
 *
 * The decoder reads the input once, item by item with libcbor's
 * streaming decoder, and allocates nothing until every rule has held:
 * cbor_load() is never called, because libcbor 0.8 allocates room for a
 * container's declared size as soon as it reads the head (nine bytes
 * declaring a map of 2^28 pairs make it call malloc(4 GiB)).
 *
 * Classification (crd_open): bytes are foreign unless they begin with a
 * map whose first pair is 0: "sk-tpm", so that another provider's handle
 * (a FIDO credential id, OpenSSH's sk-dummy handle, random bytes) is not
 * reported as a damaged sk-tpm handle. Anything that carries the magic but
 * breaks a rule after it is malformed, except a format version other than
 * KH_VERSION, which is reported as such even when the rest of the map
 * looks different, since a later format may well. Versions 2 and 3
 * have the same keys (handle.h); kh_check tells what each allows.
 *
 * Shortest-form heads make the encoding unique, so an accepted handle
 * re-encodes to exactly its input bytes; the fuzzer checks that.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor-strict.h"
#include "handle.h"
#include "log.h"

static const struct crd_format format = {
	.magic = KH_MAGIC,
	.version = KH_VERSION,
	.npairs = 8,
	.max_len = KH_MAX_LEN,
};

/* Version 2: keys 8 to 11 carry the PCR binding. */
static const struct crd_format format_pcr = {
	.magic = KH_MAGIC,
	.version = KH_VERSION_PCR,
	.npairs = 12,
	.max_len = KH_MAX_LEN,
};

/* Version 3: the keys of version 2, the binding possibly empty. */
static const struct crd_format format_certify = {
	.magic = KH_MAGIC,
	.version = KH_VERSION_CERTIFY,
	.npairs = 12,
	.max_len = KH_MAX_LEN,
};

static const struct crd_format *
format_of(uint32_t version)
{
	switch (version) {
	case KH_VERSION_PCR:
		return &format_pcr;
	case KH_VERSION_CERTIFY:
		return &format_certify;
	default:
		return &format;
	}
}

static int
reject(int r, const char *why)
{
	sk_debug("kh_decode: %s: %s", kh_strerror(r), why);
	return r;
}

/* Key k and a byte string value, left in the input. */
static int
blob(struct cbor_rd *rd, uint64_t k, const uint8_t **p, size_t *len)
{
	if (crd_key(rd, k) != 0 || crd_bytes(rd, p, len) != 0)
		return -1;
	return 0;
}

/* Key k and a byte string of exactly len bytes, copied to out. */
static int
fixed(struct cbor_rd *rd, uint64_t k, uint8_t *out, size_t len)
{
	const uint8_t *p;
	size_t n;

	if (blob(rd, k, &p, &n) != 0 || n != len)
		return -1;
	memcpy(out, p, len);
	return 0;
}

/* A heap copy of a byte string of the input. */
static int
copy(const uint8_t *p, size_t len, uint8_t **out, size_t *out_len)
{
	if ((*out = malloc(len)) == NULL)
		return KH_ERR_NOMEM;
	memcpy(*out, p, len);
	*out_len = len;
	return KH_OK;
}

/* Keys 8 to 11 of a version 2 or 3 handle; sizes are checked later. */
static int
read_binding(struct cbor_rd *rd, struct kh *view)
{
	const uint8_t *p;
	uint64_t bank, mask, policy;
	size_t n;

	if (crd_key(rd, 8) != 0 || crd_uint(rd, &bank) != 0 ||
	    bank != KH_PCR_BANK_SHA256 ||
	    crd_key(rd, 9) != 0 || crd_uint(rd, &mask) != 0 ||
	    mask > KH_PCR_ALL ||
	    blob(rd, 10, &p, &n) != 0 || n > KH_PCR_VALUES_MAX ||
	    crd_key(rd, 11) != 0 || crd_uint(rd, &policy) != 0 ||
	    policy > UINT32_MAX)
		return -1;
	view->pcr_mask = (uint32_t)mask;
	memcpy(view->pcr_values, p, n);
	view->pcr_values_len = n;
	view->policy = (uint32_t)policy;
	return 0;
}

int
kh_decode(const uint8_t *buf, size_t len, struct kh **out)
{
	struct cbor_rd rd;
	struct kh view, *kh = NULL;
	const uint8_t *pub, *priv, *srk;
	const char *why;
	uint64_t flags;
	int r;

	if (out == NULL)
		return KH_ERR_MALFORMED;
	*out = NULL;
	memset(&view, 0, sizeof(view));
	view.version = KH_VERSION;
	r = crd_open(&rd, buf, len, &format, &why);
	if (r == KH_ERR_VERSION) {
		view.version = KH_VERSION_PCR;
		r = crd_open(&rd, buf, len, &format_pcr, &why);
	}
	if (r == KH_ERR_VERSION) {
		view.version = KH_VERSION_CERTIFY;
		r = crd_open(&rd, buf, len, &format_certify, &why);
	}
	if (r != KH_OK)
		return reject(r, why);

	/* The fields, in the view borrowing the input: nothing is copied
	 * to the heap before the whole handle has passed. */
	if (crd_key(&rd, 2) != 0 || crd_uint(&rd, &flags) != 0 ||
	    flags > UINT32_MAX)
		return reject(KH_ERR_MALFORMED, "no 32-bit flags as key 2");
	view.flags = (uint32_t)flags;
	if (blob(&rd, 3, &pub, &view.tpm_public_len) != 0 ||
	    blob(&rd, 4, &priv, &view.tpm_private_len) != 0 ||
	    fixed(&rd, 5, view.srk_name, KH_NAME_LEN) != 0 ||
	    blob(&rd, 6, &srk, &view.srk_public_len) != 0 ||
	    fixed(&rd, 7, view.app_hash, KH_APP_HASH_LEN) != 0)
		return reject(KH_ERR_MALFORMED,
		    "keys 3 to 7 are not byte strings of their size in order");
	if (view.version != KH_VERSION && read_binding(&rd, &view) != 0)
		return reject(KH_ERR_MALFORMED, "keys 8 to 11 are no binding");
	if (!crd_at_end(&rd))
		return reject(KH_ERR_MALFORMED, "bytes after the map");
	/* Only read through: kh_check takes no const pointers. */
	view.tpm_public = (uint8_t *)(uintptr_t)pub;
	view.tpm_private = (uint8_t *)(uintptr_t)priv;
	view.srk_public = (uint8_t *)(uintptr_t)srk;
	if ((r = kh_check(&view, &why)) != KH_OK)
		return reject(r, why);

	r = KH_ERR_NOMEM;
	if ((kh = kh_new()) == NULL)
		goto out;
	kh->version = view.version;
	kh->flags = view.flags;
	kh->pcr_mask = view.pcr_mask;
	memcpy(kh->pcr_values, view.pcr_values, view.pcr_values_len);
	kh->pcr_values_len = view.pcr_values_len;
	kh->policy = view.policy;
	memcpy(kh->srk_name, view.srk_name, KH_NAME_LEN);
	memcpy(kh->app_hash, view.app_hash, KH_APP_HASH_LEN);
	if (copy(pub, view.tpm_public_len, &kh->tpm_public,
	    &kh->tpm_public_len) != KH_OK ||
	    copy(priv, view.tpm_private_len, &kh->tpm_private,
	    &kh->tpm_private_len) != KH_OK ||
	    copy(srk, view.srk_public_len, &kh->srk_public,
	    &kh->srk_public_len) != KH_OK)
		goto out;
	*out = kh;
	kh = NULL;	/* now the caller's */
	r = KH_OK;
out:
	kh_free(&kh);
	return r;
}

int
kh_encode(const struct kh *kh, uint8_t **out, size_t *out_len)
{
	uint8_t tmp[KH_MAX_LEN];
	struct cbor_wr w;
	const char *why;
	int r;

	if (out == NULL || out_len == NULL)
		return KH_ERR_MALFORMED;
	*out = NULL;
	*out_len = 0;
	if (kh == NULL)
		return KH_ERR_MALFORMED;
	if ((r = kh_check(kh, &why)) != KH_OK)
		return reject(r, why);
	/* The order here is the order the decoder insists on. */
	cwr_init(&w, tmp, sizeof(tmp));
	cwr_header(&w, format_of(kh->version));
	cwr_uint(&w, 2);
	cwr_uint(&w, kh->flags);
	cwr_uint(&w, 3);
	cwr_bytes(&w, kh->tpm_public, kh->tpm_public_len);
	cwr_uint(&w, 4);
	cwr_bytes(&w, kh->tpm_private, kh->tpm_private_len);
	cwr_uint(&w, 5);
	cwr_bytes(&w, kh->srk_name, KH_NAME_LEN);
	cwr_uint(&w, 6);
	cwr_bytes(&w, kh->srk_public, kh->srk_public_len);
	cwr_uint(&w, 7);
	cwr_bytes(&w, kh->app_hash, KH_APP_HASH_LEN);
	if (kh->version != KH_VERSION) {
		cwr_uint(&w, 8);
		cwr_uint(&w, KH_PCR_BANK_SHA256);
		cwr_uint(&w, 9);
		cwr_uint(&w, kh->pcr_mask);
		cwr_uint(&w, 10);
		cwr_bytes(&w, kh->pcr_values, kh->pcr_values_len);
		cwr_uint(&w, 11);
		cwr_uint(&w, kh->policy);
	}
	/* Also wipes tmp: the wrapped private area is useless off its TPM,
	 * but it is still key material. */
	if ((r = cwr_finish(&w, out, out_len)) == KH_ERR_MALFORMED)
		return reject(r, "longer than KH_MAX_LEN");
	return r;
}

size_t
kh_worst_len(unsigned npcrs)
{
	return kh_worst_len_srk(npcrs, KH_PUBLIC_MAX);
}

size_t
kh_worst_len_srk(unsigned npcrs, size_t srk_len)
{
	static uint8_t pub[KH_KEY_PUBLIC_BOUND], priv[KH_KEY_PRIVATE_BOUND],
	    srk[KH_PUBLIC_MAX];
	struct kh kh;
	uint8_t *enc = NULL;
	size_t len = 0;

	if (npcrs > 24 || srk_len < 2 || srk_len > sizeof(srk))
		return 0;
	memset(&kh, 0, sizeof(kh));
	/* Every length prefix consistent, every number as long as it can
	 * get in CBOR: all flags, the highest PCRs. */
	pub[0] = (sizeof(pub) - 2) >> 8;
	pub[1] = (sizeof(pub) - 2) & 0xff;
	priv[0] = (sizeof(priv) - 2) >> 8;
	priv[1] = (sizeof(priv) - 2) & 0xff;
	srk[0] = (uint8_t)((srk_len - 2) >> 8);
	srk[1] = (uint8_t)((srk_len - 2) & 0xff);
	/* Every enrollment makes version 3, whose unbound handles are
	 * longer than version 1's. */
	kh.version = KH_VERSION_CERTIFY;
	kh.flags = KH_FLAGS_KNOWN;
	kh.tpm_public = pub;
	kh.tpm_public_len = sizeof(pub);
	kh.tpm_private = priv;
	kh.tpm_private_len = sizeof(priv);
	kh.srk_public = srk;
	kh.srk_public_len = srk_len;
	if (kh_srk_name(srk, srk_len, kh.srk_name) != 0)
		return 0;
	if (npcrs > 0) {
		kh.pcr_mask = KH_PCR_ALL & ~((1u << (24 - npcrs)) - 1);
		kh.pcr_values_len = 32 * (size_t)npcrs;
		kh.policy = KH_POLICY_KNOWN;
	}
	if (kh_encode(&kh, &enc, &len) != KH_OK)
		return 0;
	free(enc);
	return len;
}
