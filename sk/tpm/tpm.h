/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Everything the library asks of the TPM. Only the tpm-*.c files include
 * tpm2-tss headers; the flows above see plain bytes and SSH_SK_ERR_* codes.
 * Each call records one error line (log.h) when it fails.
 */
#ifndef SK_TPM_H
#define SK_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handle.h"
#include "key-policy.h"

struct tpm;

#define TPM_SRK_HANDLE		0x81000001u
#define TPM_EC_POINT_LEN	65	/* 0x04 || X || Y */
#define TPM_AUTH_LEN		32

/* Open the TPM named by tcti (a tpm2-tss TCTI string) or, when NULL, the
 * kernel resource manager /dev/tpmrm0 and then tpm2-abrmd. Returns 0 or
 * SSH_SK_ERR_DEVICE_NOT_FOUND / SSH_SK_ERR_GENERAL. */
int tpm_open(const char *tcti, struct tpm **out);
void tpm_close(struct tpm **);
/* How the TPM was reached, e.g. "device:/dev/tpmrm0". */
const char *tpm_tcti_name(const struct tpm *);

/* A new signing key under the SRK. */
struct tpm_new_key {
	uint8_t *public;		/* marshalled TPM2B_PUBLIC, malloc'ed */
	size_t public_len;
	uint8_t *private;		/* marshalled TPM2B_PRIVATE, malloc'ed */
	size_t private_len;
	uint8_t srk_name[KH_NAME_LEN];
	uint8_t *srk_public;		/* marshalled TPM2B_PUBLIC, malloc'ed */
	size_t srk_public_len;
	bool srk_persistent;
	uint8_t point[TPM_EC_POINT_LEN];
};
void tpm_new_key_reset(struct tpm_new_key *);

/*
 * Hold what the steps of one enrollment share (tpm-hold.c): the SRK is
 * opened once, at its first use, for listing resident records and
 * creating the key, and the new key stays loaded from its creation, with
 * its session, for the attestation. tpm_hold_end (or tpm_close, on any
 * path) flushes what is still held.
 */
int tpm_hold_begin(struct tpm *);
void tpm_hold_end(struct tpm *);

/* Create an ECDSA P-256 signing key whose auth value is auth. DA-protected
 * when with_da, noDA otherwise. With a PIN (with_da), the auth value only
 * crosses the bus encrypted (salted session, parameter encryption); the
 * auth value of a key without one follows from the application alone and
 * goes in a password session. With a policy (key-policy.h; NULL or not
 * present: none) the key's authPolicy is its digest, and a policy_only
 * one makes the key usable only through it: userWithAuth clear,
 * adminWithPolicy set. While holding, the key stays loaded (and a PIN
 * key's session open) for tpm_attest_certify, which certifies it through
 * the policy's Certify branch when only a policy session may. */
int tpm_create_key(struct tpm *, const uint8_t auth[TPM_AUTH_LEN],
    bool with_da, const struct key_policy *policy, struct tpm_new_key *out);

/* tpm-policy.c: the current SHA-256 values of the PCRs in mask, 32 bytes
 * each in ascending PCR order, into values (room for 24 * 32); refuses a
 * PCR the TPM does not have in that bank. */
int tpm_pcr_read(struct tpm *, uint32_t mask, uint8_t *values, size_t *len);

/* A monotonic counter for signatures: the TPM's Clock in seconds. */
int tpm_read_counter(struct tpm *, uint32_t *counter);

/* Load the key of a decoded handle, authorise with auth, sign digest.
 * r and s are 32 bytes each, big-endian. Errors: SSH_SK_ERR_PIN_REQUIRED
 * for a wrong auth on a DA key (with the tries left in the error line),
 * SSH_SK_ERR_GENERAL for lockout, another TPM, a tampered handle... */
int tpm_sign(struct tpm *, const struct kh *, const uint8_t auth[TPM_AUTH_LEN],
    const uint8_t digest[32], uint8_t r[32], uint8_t s[32]);

/* Dictionary-attack state, for messages and the doctor. */
struct tpm_da_state {
	uint32_t counter;		/* TPM2_PT_LOCKOUT_COUNTER */
	uint32_t max_tries;		/* TPM2_PT_MAX_AUTH_FAIL */
	uint32_t interval;		/* TPM2_PT_LOCKOUT_INTERVAL, seconds */
	uint32_t recovery;		/* TPM2_PT_LOCKOUT_RECOVERY, seconds */
	bool in_lockout;		/* TPMA_PERMANENT inLockout */
	bool lockout_auth_set;		/* TPMA_PERMANENT lockoutAuthSet: the
					 * lockout hierarchy has a password
					 * (Windows keeps one on dual-boot
					 * machines), so only its holder can
					 * reset a lockout */
};
int tpm_read_da_state(struct tpm *, struct tpm_da_state *);

/*
 * Resident records in NV (tpm-nv.c). Our range of owner NV indices:
 * 0x01A5C500..0x01A5C5FF, 256 slots.
 */
#define TPM_NV_FIRST		0x01a5c500u
#define TPM_NV_SLOTS		256u
#define TPM_NV_LAST		(TPM_NV_FIRST + TPM_NV_SLOTS - 1)
/* tpm_nv_read: an index that was defined but never written (a store cut
 * short by a crash); not an error, not a record. */
#define TPM_NV_UNWRITTEN	1
/* tpm_nv_read: an index of our range that sk-tpm did not define (other
 * attributes, a policy, another nameAlg or size, or an auth value): never
 * read with a password, so it costs no dictionary-attack try. */
#define TPM_NV_FOREIGN		2
/* tpm_nv_read, tpm_nv_remove_if: the index is not defined (any more): a
 * concurrent enrollment or delete removed it. Not an error. */
#define TPM_NV_GONE		3
/* tpm_nv_remove_if: the index no longer holds the expected bytes; left
 * alone. Not an error. */
#define TPM_NV_CHANGED		4
/* The sizes of index sk-tpm defines: a whole record (record.h). */
#define TPM_NV_MIN_SIZE		32
#define TPM_NV_MAX_SIZE		2048

struct tpm_nv_limits {
	uint32_t index_max;		/* TPM2_PT_NV_INDEX_MAX */
	uint32_t buffer_max;		/* TPM2_PT_NV_BUFFER_MAX */
};

/* The owner password for defining and removing indices (default empty). */
int tpm_set_owner_auth(struct tpm *, const char *);
int tpm_nv_limits(struct tpm *, struct tpm_nv_limits *);
/* The defined indices of our range, ascending, at most max of them. */
int tpm_nv_list(struct tpm *, uint32_t *indices, size_t max, size_t *count);
/* A whole index into a malloc'ed buffer; 0, TPM_NV_UNWRITTEN,
 * TPM_NV_FOREIGN or an error. Read only once NV_ReadPublic has shown
 * exactly what tpm_nv_store defines. */
int tpm_nv_read(struct tpm *, uint32_t index, uint8_t **out, size_t *len);
/* Define a free index of our range (not in used[]) and write data to it,
 * all or nothing. An index another process defines meanwhile is skipped
 * (the next free one is taken). tpm_nv_store_from takes the first free
 * index at or above first. */
int tpm_nv_store(struct tpm *, const uint8_t *data, size_t len,
    const uint32_t *used, size_t nused, uint32_t *index);
int tpm_nv_store_from(struct tpm *, const uint8_t *data, size_t len,
    const uint32_t *used, size_t nused, uint32_t first, uint32_t *index);
int tpm_nv_delete(struct tpm *, uint32_t index);
/* Remove an index of our range only if it still holds exactly the len
 * bytes at expect (read again right before the removal): 0 when removed,
 * TPM_NV_GONE if it is not defined (any more), TPM_NV_CHANGED if it holds
 * something else (then it stays), or an error (with an error line). */
int tpm_nv_remove_if(struct tpm *, uint32_t index, const uint8_t *expect,
    size_t len);
/* tpm_nv_remove_if for a record this process just stored and must take
 * back: if that fails, once more through a fresh ESYS context (a lost
 * connection leaves the old one refusing every command). */
int tpm_nv_withdraw(struct tpm *, uint32_t index, const uint8_t *expect,
    size_t len);

/* The SRK's Name, to tell records made under another SRK (tpm-hold.c:
 * while holding, the held SRK's). */
int tpm_srk_name(struct tpm *, uint8_t name[KH_NAME_LEN]);
/* The Names of the SRKs this TPM derives from the TCG and systemd
 * templates (tpm-srk-kind.c), those that differ from current: a key made
 * under one of them is this TPM's even when 0x81000001 holds the other
 * (none when the owner hierarchy has a password). */
int tpm_srk_other_names(struct tpm *, const uint8_t current[KH_NAME_LEN],
    uint8_t names[2][KH_NAME_LEN], size_t *n);
/* The 65-byte public point of a decoded handle's key (tpm-key.c). */
int tpm_handle_point(const struct kh *, uint8_t point[TPM_EC_POINT_LEN]);

#endif /* SK_TPM_H */
