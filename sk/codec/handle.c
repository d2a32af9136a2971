/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key handle in memory (format in handle.h): the rules its fields
 * follow, which the encoder and the decoder of handle-cbor.c both apply,
 * the SRK Name its SRK public area gives, its lifecycle and the words
 * for its result codes. It calls nothing of handle-cbor.c, which is built
 * on it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "message.h"

/* A reason for a debug line, and the code. */
static int
refuse(const char **why, int r, const char *reason)
{
	*why = reason;
	return r;
}

static unsigned
popcount24(uint32_t m)
{
	unsigned n = 0;

	for (m &= KH_PCR_ALL; m != 0; m &= m - 1)
		n++;
	return n;
}

/* TPM_ALG_SHA256 as the nameAlg prefix of a TPM name. */
#define NAME_ALG_SHA256_HI	0x00
#define NAME_ALG_SHA256_LO	0x0b

/* A marshalled TPM2B: a big-endian uint16 size, then that many bytes. */
static bool
tpm2b_ok(const uint8_t *p, size_t len, size_t max)
{
	return p != NULL && len >= 2 && len <= max &&
	    (((size_t)p[0] << 8) | p[1]) == len - 2;
}

int
kh_srk_name(const uint8_t *srk_public, size_t len, uint8_t name[KH_NAME_LEN])
{
	if (!tpm2b_ok(srk_public, len, KH_PUBLIC_MAX))
		return -1;
	name[0] = NAME_ALG_SHA256_HI;
	name[1] = NAME_ALG_SHA256_LO;
	return sha256(srk_public + 2, len - 2, name + 2);
}

int
kh_check(const struct kh *kh, const char **why)
{
	uint8_t name[KH_NAME_LEN];

	if (kh->version != KH_VERSION && kh->version != KH_VERSION_PCR &&
	    kh->version != KH_VERSION_CERTIFY)
		return refuse(why, KH_ERR_VERSION, "unknown format version");
	if (kh->version == KH_VERSION && (kh->pcr_mask != 0 ||
	    kh->pcr_values_len != 0 || kh->policy != 0))
		return refuse(why, KH_ERR_MALFORMED,
		    "PCR binding in version 1");
	/* Version 2 is always bound; version 3 may be unbound, and then
	 * has no values and no policy flags. */
	if ((kh->version == KH_VERSION_PCR && kh->pcr_mask == 0) ||
	    (kh->pcr_mask & ~KH_PCR_ALL) != 0 ||
	    kh->pcr_values_len != 32 * popcount24(kh->pcr_mask))
		return refuse(why, KH_ERR_MALFORMED,
		    "bad PCR selection or values");
	if ((kh->policy & ~(uint32_t)KH_POLICY_KNOWN) != 0)
		return refuse(why, KH_ERR_MALFORMED, "unknown policy bits");
	/* The PIN is in the PCR policy exactly when the key has one; an
	 * unbound key has no PCR policy to put it in. */
	if (kh->pcr_mask != 0 &&
	    ((kh->policy & KH_POLICY_AUTH_VALUE) != 0) !=
	    ((kh->flags & KH_FLAG_PIN) != 0))
		return refuse(why, KH_ERR_MALFORMED,
		    "PIN flag and policy differ");
	if (kh->pcr_mask == 0 && kh->policy != 0)
		return refuse(why, KH_ERR_MALFORMED,
		    "policy flags without a binding");
	if ((kh->flags & ~(uint32_t)KH_FLAGS_KNOWN) != 0)
		return refuse(why, KH_ERR_MALFORMED, "unknown flag bits");
	if (!tpm2b_ok(kh->tpm_public, kh->tpm_public_len, KH_PUBLIC_MAX))
		return refuse(why, KH_ERR_MALFORMED, "bad TPM2B_PUBLIC");
	if (!tpm2b_ok(kh->tpm_private, kh->tpm_private_len, KH_PRIVATE_MAX))
		return refuse(why, KH_ERR_MALFORMED, "bad TPM2B_PRIVATE");
	if (kh->srk_name[0] != NAME_ALG_SHA256_HI ||
	    kh->srk_name[1] != NAME_ALG_SHA256_LO)
		return refuse(why, KH_ERR_MALFORMED, "SRK name is not SHA-256");
	if (!tpm2b_ok(kh->srk_public, kh->srk_public_len, KH_PUBLIC_MAX))
		return refuse(why, KH_ERR_MALFORMED, "bad SRK TPM2B_PUBLIC");
	if (kh_srk_name(kh->srk_public, kh->srk_public_len, name) != 0)
		return refuse(why, KH_ERR_NOMEM,
		    "cannot hash the SRK public area");
	if (memcmp(name, kh->srk_name, KH_NAME_LEN) != 0)
		return refuse(why, KH_ERR_ALTERED,
		    "the SRK public area does not hash to the SRK name");
	return KH_OK;
}

struct kh *
kh_new(void)
{
	return calloc(1, sizeof(struct kh));
}

static void
wipe_free(uint8_t *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

void
kh_free(struct kh **khp)
{
	struct kh *kh;

	if (khp == NULL || (kh = *khp) == NULL)
		return;
	wipe_free(kh->tpm_public, kh->tpm_public_len);
	wipe_free(kh->tpm_private, kh->tpm_private_len);
	wipe_free(kh->srk_public, kh->srk_public_len);
	explicit_bzero(kh, sizeof(*kh));
	free(kh);
	*khp = NULL;
}

const char *
kh_strerror(int r)
{
	switch (r) {
	case KH_OK:
		return "success";
	case KH_ERR_NOMEM:
		return "out of memory";
	case KH_ERR_FOREIGN:
		return "not an sk-tpm key handle";
	case KH_ERR_VERSION:
		return "sk-tpm key handle of an unsupported format version";
	case KH_ERR_MALFORMED:
		return "malformed sk-tpm key handle";
	case KH_ERR_ALTERED:
		return "the key handle was altered: the storage key it "
		    "carries is not the one it names";
	default:
		return "unknown key handle error";
	}
}
