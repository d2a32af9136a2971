/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sample key handles for the codec tests and the fuzzers' seeds (see
 * kh-sample.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "handle.h"
#include "kh-sample.h"

void
khs_tpm2b(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	p[0] = (uint8_t)((len - 2) >> 8);
	p[1] = (uint8_t)(len - 2);
	for (i = 2; i < len; i++)
		p[i] = (uint8_t)(seed ^ (i * 31));
}

int
khs_fill(struct kh_sample *s, size_t pub_len, size_t priv_len,
    size_t srkpub_len, uint8_t seed)
{
	if (pub_len < 2 || pub_len > KH_PUBLIC_MAX || priv_len < 2 ||
	    priv_len > KH_PRIVATE_MAX || srkpub_len < 2 ||
	    srkpub_len > KH_PUBLIC_MAX)
		return -1;
	khs_tpm2b(s->pub, pub_len, seed);
	khs_tpm2b(s->priv, priv_len, (uint8_t)(seed + 0x11));
	khs_tpm2b(s->srkpub, srkpub_len, (uint8_t)(seed + 0x22));
	s->kh.tpm_public = s->pub;
	s->kh.tpm_public_len = pub_len;
	s->kh.tpm_private = s->priv;
	s->kh.tpm_private_len = priv_len;
	s->kh.srk_public = s->srkpub;
	s->kh.srk_public_len = srkpub_len;
	/* The decoder insists on the name of the SRK public area. */
	return kh_srk_name(s->srkpub, srkpub_len, s->kh.srk_name);
}

int
khs_init(struct kh_sample *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->kh.version = KH_VERSION;
	s->kh.flags = KH_FLAG_PRESENCE | KH_FLAG_PIN;
	for (i = 0; i < KH_APP_HASH_LEN; i++)
		s->kh.app_hash[i] = (uint8_t)(0x50 + i);
	return khs_fill(s, KHS_PUB_LEN, KHS_PRIV_LEN, KHS_SRKPUB_LEN, 0x11);
}

int
khs_init_pcr(struct kh_sample *s)
{
	size_t i;

	if (khs_init(s) != 0 ||
	    khs_fill(s, KHS_PUB_LEN_PCR, KHS_PRIV_LEN, KHS_SRKPUB_LEN,
	    0x11) != 0)
		return -1;
	s->kh.version = KH_VERSION_PCR;
	s->kh.flags = KH_FLAG_PIN | KH_FLAG_SRK_PERSISTENT;
	s->kh.pcr_mask = 1u << 7 | 1u << 14;
	for (i = 0; i < KH_PCR_VALUES_MAX; i++)
		s->kh.pcr_values[i] = (uint8_t)(0x70 + i);
	s->kh.pcr_values_len = 64;
	s->kh.policy = KH_POLICY_AUTH_VALUE;
	return 0;
}

int
khs_init_unlock(struct kh_sample *s)
{
	size_t i;

	if (khs_init(s) != 0 ||
	    khs_fill(s, KHS_PUB_LEN_PCR, KHS_PRIV_LEN, KHS_SRKPUB_LEN,
	    0x11) != 0)
		return -1;
	s->kh.version = KH_VERSION_UNLOCK;
	s->kh.flags = KH_FLAG_PRESENCE | KH_FLAG_PIN | KH_FLAG_SRK_PERSISTENT;
	khs_tpm2b(s->secpub, KHS_SECPUB_LEN, 0x33);
	khs_tpm2b(s->secpriv, KHS_SECPRIV_LEN, 0x44);
	s->kh.secret_public = s->secpub;
	s->kh.secret_public_len = KHS_SECPUB_LEN;
	s->kh.secret_private = s->secpriv;
	s->kh.secret_private_len = KHS_SECPRIV_LEN;
	for (i = 0; i < KH_REF_LEN; i++)
		s->kh.policy_ref[i] = (uint8_t)(0xa0 + i);
	s->kh.unlock_s = 15 * 60;
	return 0;
}
