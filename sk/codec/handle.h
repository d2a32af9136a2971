/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key handle: the opaque bytes OpenSSH stores in the key file and hands
 * back to sk_sign. It is a CBOR map (RFC 8949) with small unsigned keys:
 *
 *   0  text   "sk-tpm"             magic, tells our handles from foreign ones
 *   1  uint   format version       KH_VERSION (1)
 *   2  uint   key flags            KH_FLAG_* below; unknown bits rejected
 *   3  bytes  TPM2B_PUBLIC         marshalled public area of the signing key
 *   4  bytes  TPM2B_PRIVATE        TPM-wrapped private area (parent: SRK)
 *   5  bytes  SRK name             nameAlg || SHA-256(TPMT_PUBLIC) of the SRK
 *   6  bytes  SRK TPM2B_PUBLIC     lets sk_sign salt its session without
 *                                  reading the SRK back from the TPM; must
 *                                  hash to the name of field 5
 *   7  bytes  SHA-256(application) binds the handle to one application
 *
 * Format version 2 (KH_VERSION_PCR), for keys bound to PCRs (policy.h),
 * has the same keys 2 to 7 and then
 *
 *   8  uint   PCR bank             TPM_ALG_SHA256 (0x000b), the only one
 *   9  uint   PCR selection        bit i = PCR i; 1..24 of PCRs 0..23
 *   10 bytes  expected values      32 bytes per selected PCR, ascending
 *   11 uint   policy flags         KH_POLICY_*: whether the PIN is in
 *                                  the key's policy (PolicyAuthValue)
 *
 * so that signing can rebuild the policy and name the PCRs that changed.
 *
 * Format version 3 (KH_VERSION_CERTIFY), which every enrollment makes
 * since issue 19, has exactly the keys of version 2, 2 to 11, for every
 * key: a key without a binding has PCR selection 0, an empty byte string
 * of expected values and policy flags 0 (the bank is still 0x000b). What
 * version 3 adds is the key's policy (key-policy.h): its authPolicy
 * always admits TPM2_Certify alone, so that a key bound to PCRs can be
 * attested too and every key's certified public area carries a 32-byte
 * authPolicy, which WebAuthn "tpm" verifiers such as libfido2 demand:
 *
 *   unbound:  authPolicy = PolicyCommandCode(TPM2_Certify); the key keeps
 *             userWithAuth (its auth value signs, as in version 1)
 *   bound:    authPolicy = PolicyOR(PolicyPCR [+ PolicyAuthValue],
 *             PolicyCommandCode(TPM2_Certify)); policy sessions only
 *
 * Versions 1 and 2 keep decoding and signing as they always did.
 *
 * Format version 4 (KH_VERSION_UNLOCK), for unlockable keys (doc/unlock.md,
 * issue 21), has the same keys 2 to 7 and then
 *
 *   8  bytes  TPM2B_PUBLIC         the PIN object P (keyed-hash, DA)
 *   9  bytes  TPM2B_PRIVATE        P, wrapped under the SRK
 *   10 bytes  policyRef            KH_REF_LEN random bytes, this key's own
 *   11 uint   window               seconds a PIN unlocks, 1..KH_UNLOCK_MAX
 *   12 uint   PCR selection        as key 9 of version 2; 0 when unbound
 *   13 bytes  expected values      32 bytes per selected PCR, ascending
 *
 * The key's authPolicy is PolicyOR(unlock branch, certify branch): the
 * unlock branch [PolicyPCR] PolicySecret(P's Name, policyRef), which
 * TPM2_PolicyTicket satisfies as well, and the certify branch
 * PolicyCommandCode(TPM2_Certify) (policy-branch.h). Such a key always has
 * a PIN (flag KH_FLAG_PIN): it is P's auth value.
 *
 * The decoder is strict: definite lengths only, every head in its shortest
 * form, no tags, exactly these keys in this order, each once, lengths
 * within the bounds below, nothing after the map; so a handle has exactly
 * one encoding. It checks shapes, and that the SRK public area is the one
 * the SRK name names (field 5 = 0x000b || SHA-256(field 6 without its size
 * prefix)): sk_sign salts its session to that public area, so a handle
 * that kept the name but carries another point would have the session's
 * secrets encrypted to somebody else's key. Whether the TPM blobs are
 * valid is the TPM's call. Pure bytes in, struct out: no TPM, no I/O, so it is
 * fuzzed on its own. The resident record (record.h) follows the same
 * rules and returns the same codes.
 */
#ifndef SK_HANDLE_H
#define SK_HANDLE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define KH_MAGIC		"sk-tpm"
#define KH_VERSION		1
#define KH_VERSION_PCR		2	/* version 1 plus a PCR binding */
#define KH_VERSION_CERTIFY	3	/* version 2's keys, a Certify branch */
#define KH_VERSION_UNLOCK	4	/* unlockable: a PIN object P */
#define KH_REF_LEN		16	/* policyRef of an unlockable key */
#define KH_UNLOCK_MAX		(12 * 3600)	/* longest window, seconds */

/* Key flags, stored in field 2. */
#define KH_FLAG_PRESENCE	0x01	/* presence was required at enrollment */
#define KH_FLAG_PIN		0x04	/* auth value derived from a PIN; DA */
#define KH_FLAG_RESIDENT	0x20	/* a copy lives in TPM NV */
#define KH_FLAG_SRK_PERSISTENT	0x100	/* made under the SRK at 0x81000001 */
#define KH_FLAGS_KNOWN		(KH_FLAG_PRESENCE | KH_FLAG_PIN | \
				 KH_FLAG_RESIDENT | KH_FLAG_SRK_PERSISTENT)

/* Bounds for the decoder (sizes of the TPM2B structures, with their
 * 2-byte size prefix). */
#define KH_MAX_LEN		2048
#define KH_PUBLIC_MAX		(2 + 640)	/* sizeof(TPMT_PUBLIC) bound */
#define KH_PRIVATE_MAX		(2 + 1024)	/* TPM2B_PRIVATE bound */
#define KH_NAME_LEN		34		/* SHA-256 name: 2 + 32 */
#define KH_APP_HASH_LEN		32
#define KH_PCR_BANK_SHA256	0x000b
#define KH_PCR_ALL		0x00ffffffu	/* PCRs 0..23 */
#define KH_PCR_VALUES_MAX	(24 * 32)

/* Policy flags, stored in field 11 of a version 2 or 3 handle. */
#define KH_POLICY_AUTH_VALUE	0x01	/* PolicyAuthValue: PIN in policy */
#define KH_POLICY_KNOWN		KH_POLICY_AUTH_VALUE

struct kh {
	uint32_t version;
	uint32_t flags;
	uint8_t *tpm_public;		/* marshalled TPM2B_PUBLIC */
	size_t tpm_public_len;
	uint8_t *tpm_private;		/* marshalled TPM2B_PRIVATE */
	size_t tpm_private_len;
	uint8_t srk_name[KH_NAME_LEN];
	uint8_t *srk_public;		/* marshalled TPM2B_PUBLIC */
	size_t srk_public_len;
	uint8_t app_hash[KH_APP_HASH_LEN];
	/* Versions 2 and 3; zero in version 1, and in version 3 for a key
	 * without a binding. */
	uint32_t pcr_mask;		/* SHA-256 bank PCRs */
	uint8_t pcr_values[KH_PCR_VALUES_MAX];
	size_t pcr_values_len;		/* 32 per PCR in pcr_mask */
	uint32_t policy;		/* KH_POLICY_* */
	/* Version 4 only (version 4 also uses pcr_mask and pcr_values). */
	uint8_t *secret_public;		/* P's marshalled TPM2B_PUBLIC */
	size_t secret_public_len;
	uint8_t *secret_private;	/* P's marshalled TPM2B_PRIVATE */
	size_t secret_private_len;
	uint8_t policy_ref[KH_REF_LEN];
	uint32_t unlock_s;		/* window in seconds */
};

/* The codec returns the KH_* codes of codec.h. */

struct kh *kh_new(void);
void kh_free(struct kh **);

/* The rules of the fields (handle-cbor.c applies them when encoding and
 * decoding, so that neither accepts what the other would refuse): KH_OK,
 * or a KH_ERR_* code with *why set to a short reason. */
int kh_check(const struct kh *, const char **why);

/* Encode *kh into a malloc'ed buffer the caller owns (free()). */
int kh_encode(const struct kh *, uint8_t **out, size_t *out_len);

/* Decode len bytes into a new struct kh (kh_free() it). On error *out is
 * NULL and nothing is leaked. */
int kh_decode(const uint8_t *buf, size_t len, struct kh **out);

/* The SRK name of a marshalled SRK TPM2B_PUBLIC: 0x000b || SHA-256 of
 * the TPMT_PUBLIC after the 2-byte size. 0, or -1 if it is no TPM2B or
 * hashing fails. */
int kh_srk_name(const uint8_t *srk_public, size_t len,
    uint8_t name[KH_NAME_LEN]);

/*
 * The largest handle enrollment can make (always version 3 now) for a key
 * bound to npcrs PCRs (0: none), computable before the TPM is asked
 * anything: the new key's public area as sk-tpm's template makes it (ECC
 * P-256, ECDSA/SHA-256, a policy digest), a private area as TPM 2.0 Part 1 wraps one (integrity HMAC of
 * the largest digest, an AES IV, the sensitive area with a 32-byte auth,
 * seed and scalar), and an SRK public area as large as the decoder allows
 * (a persistent SRK somebody else provisioned may be RSA-4096). 0 if npcrs
 * is over 24. Enrollment also checks the handle it actually made.
 */
#define KH_KEY_PUBLIC_BOUND	(2 + 120)
#define KH_KEY_PRIVATE_BOUND	(2 + (2 + 64) + (2 + 16) + \
				 (2 + 2 + (2 + 32) * 3))
size_t kh_worst_len(unsigned npcrs);
/* The same with an SRK public area of srk_public_len bytes (with its size
 * prefix): KH_SRK_TCG_PUBLIC_LEN for the SRK every enrollment makes its
 * key under, the TCG ECC P-256 template's (tpm-srk.c), which is what the
 * TPM's own NV limit is checked against before the key is made. */
#define KH_SRK_TCG_PUBLIC_LEN	(2 + 90)
size_t kh_worst_len_srk(unsigned npcrs, size_t srk_public_len);

/* The policy digests of an unlockable key (handle-unlock.c): its unlock
 * branch ([PolicyPCR] PolicySecret(P, policyRef)), and its authPolicy,
 * PolicyOR(unlock branch, certify branch); branches[0] and [1] are what
 * TPM2_PolicyOR is given. P's Name into name. 0, or -1 for a handle that is
 * not version 4. */
int kh_unlock_policy(const struct kh *, uint8_t name[KH_NAME_LEN],
    uint8_t branches[2][32], uint8_t policy[32]);

/* A short English phrase for a KH_* code, for error lines. */
const char *kh_strerror(int);

#endif /* SK_HANDLE_H */
