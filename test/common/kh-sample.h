/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sample key handles (sk/codec/handle.h) with the sizes a real P-256 key under
 * the standard SRK has, for the codec unit tests and the fuzzers' seed
 * corpus (test/fuzz/make_seeds.c): one builder, so that the tests and the
 * seeds agree on what a realistic handle is, and every sample carries the
 * SRK name of its own SRK public area, as the codec insists. The TPM2B
 * fields are filler with a consistent size prefix; nothing here talks to
 * a TPM or writes CBOR.
 */
#ifndef TEST_KH_SAMPLE_H
#define TEST_KH_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "handle.h"

/* Lengths of the marshalled TPM2Bs of a real key under the standard SRK. */
#define KHS_PUB_LEN		90	/* the key's public area */
#define KHS_PUB_LEN_PCR		124	/* the same with a policy digest */
#define KHS_PRIV_LEN		128
#define KHS_SRKPUB_LEN		122
#define KHS_SECPUB_LEN		48	/* the PIN object's public area */
#define KHS_SECPRIV_LEN		112	/* and its private area */

struct kh_sample {
	uint8_t pub[KH_PUBLIC_MAX];
	uint8_t priv[KH_PRIVATE_MAX];
	uint8_t srkpub[KH_PUBLIC_MAX];
	uint8_t secpub[KH_PUBLIC_MAX];
	uint8_t secpriv[KH_PRIVATE_MAX];
	struct kh kh;		/* borrows the arrays above */
};

/* A TPM2B of total length len (>= 2): its size prefix, then filler. */
void khs_tpm2b(uint8_t *p, size_t len, uint8_t seed);

/*
 * New TPM2B lengths for the key's public and private areas and the SRK's
 * public area, filled from seed, seed + 0x11 and seed + 0x22, and the SRK
 * name that goes with them. 0, or -1 if a length is out of bounds or the
 * name cannot be computed.
 */
int khs_fill(struct kh_sample *, size_t pub_len, size_t priv_len,
    size_t srkpub_len, uint8_t seed);

/*
 * A version 1 handle: flags presence and PIN, the lengths above, the
 * application hash 0x50, 0x51, ...
 */
int khs_init(struct kh_sample *);

/*
 * A version 2 handle (a PCR binding): flags PIN and persistent SRK, the
 * public area with its policy digest, PCRs 7 and 14 with the PIN in the
 * policy; pcr_values holds 0x70, 0x71, ... in all KH_PCR_VALUES_MAX bytes,
 * of which the first 32 per bound PCR count.
 */
int khs_init_pcr(struct kh_sample *);

/*
 * A version 4 handle (unlockable): flags presence, PIN and persistent SRK,
 * the public area with its policy digest, a PIN object of the sizes
 * above, policyRef 0xA0, 0xA1, ..., a 15-minute window, no PCRs.
 */
int khs_init_unlock(struct kh_sample *);

#endif /* TEST_KH_SAMPLE_H */
