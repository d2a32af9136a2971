/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared between the tpm-*.c files only: the one place that knows ESYS.
 */
#ifndef SK_TPM_INTERNAL_H
#define SK_TPM_INTERNAL_H

/* Set for the files of sk/tpm/ and the white-box tests of that layer
 * (sk/tpm/CMakeLists.txt); everything else uses tpm.h. */
#ifndef SK_TPM_LAYER_INTERNAL
#error "tpm-internal.h belongs to the TPM layer (sk/tpm/); include tpm.h"
#endif

#include <stdbool.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "key-policy.h"
#include "tpm-attest.h"
#include "tpm.h"
#include "tpm-info.h"

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	char tcti_name[256];
	TPM2B_AUTH owner_auth;	/* SK_TPM_OWNER_AUTH; wiped on close */
	/* A resource manager (/dev/tpmrm<N>, tpm2-abrmd) flushes what the
	 * connection holds when it closes (tpm-rm.c). */
	bool rm_flushes;
	struct tpm_hold *hold;	/* tpm-hold.c; NULL when not holding */
	struct tpm_nv_limits nv_limits;	/* once read (tpm-nv.c) */
	/* EK indices not defined by the platform, skipped by the last
	 * tpm_ek_certs (tpm-ekcert-origin.c) */
	uint32_t ek_skipped[TPM_EK_SKIPPED_MAX];
	size_t ek_skipped_n;
};

/* tpm-ekcert-origin.c: whether an EK certificate index is believed (the
 * platform defined it); one that is not is remembered and named. */
bool ek_index_trusted(struct tpm *, TPM2_HANDLE, const TPM2B_NV_PUBLIC *);

/* The parent every key is made under: the TCG ECC P-256 SRK. */
struct srk {
	ESYS_TR handle;		/* ESYS_TR_NONE when absent */
	bool persistent;	/* at 0x81000001 (TR_Close, never flush) */
	TPM2B_PUBLIC public;
	TPM2B_NAME name;
	bool borrowed;		/* the held SRK (tpm-hold.c): never closed */
};

#define SRK_INIT { .handle = ESYS_TR_NONE }

/* tpm-key.c, tpm-create.c: the attributes of every signing key. */
#define KEY_ATTRIBUTES	(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
	TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | \
	TPMA_OBJECT_SIGN_ENCRYPT)
/* PCR-bound (tpm-policy.c): only a policy session can use the key. A
 * version 3 key without a binding keeps KEY_ATTRIBUTES, with the
 * Certify-only authPolicy (key-policy.h). */
#define KEY_ATTRIBUTES_POLICY	((KEY_ATTRIBUTES & \
	~TPMA_OBJECT_USERWITHAUTH) | TPMA_OBJECT_ADMINWITHPOLICY)

/* tpm-unlock.c: the PIN object of an unlockable key: DA-protected, used
 * only with its auth value (PolicySecret), a data object (neither sign nor
 * decrypt) holding no data. */
#define SECRET_ATTRIBUTES	(TPMA_OBJECT_FIXEDTPM | \
	TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_USERWITHAUTH)
void secret_template(TPM2B_PUBLIC *);

/* tpm-srk.c */
/* The templates of the SRKs found at 0x81000001: the TCG provisioning
 * guidance's, which sk-tpm derives, and systemd's (>= 255), the same with
 * an empty unique field, hence another key and Name. */
enum srk_template {
	SRK_TEMPLATE_TCG,
	SRK_TEMPLATE_SYSTEMD,
};
void srk_template(TPM2B_PUBLIC *);
void srk_template_of(enum srk_template, TPM2B_PUBLIC *);
bool srk_public_matches_template(const TPMT_PUBLIC *);
int srk_name_of(const TPM2B_PUBLIC *, TPM2B_NAME *);
/* The persistent SRK if there is one that matches the template, else a
 * transient primary made from the template. Commands take theirs from
 * hold_srk (tpm-hold.c), which calls this. */
int srk_open(struct tpm *, struct srk *);
/* Whether anything is at 0x81000001, asked through the handle list so
 * that no ReadPublic fails (and gets logged by ESYS) when nothing is. */
int srk_persistent_present(struct tpm *, bool *present);
/* The transient primary, always. */
int srk_create_transient(struct tpm *, struct srk *);
/* The same from either template. */
int srk_create_transient_of(struct tpm *, enum srk_template, struct srk *);
/* tpm-srk-kind.c: a transient SRK of either template whose Name is name:
 * 0 with *srk, 1 when neither has it (nothing held), or an error. */
int srk_derive_named(struct tpm *, const uint8_t name[KH_NAME_LEN],
    struct srk *);
/* What a public area found at 0x81000001 looks like: TPM_SRK_STANDARD
 * (the SRK's shape, whoever's), TPM_SRK_RSA or TPM_SRK_OTHER. */
enum tpm_srk_state srk_state_of_public(const TPM2B_PUBLIC *);
/* An ESYS_TR for 0x81000001 built from a public area we already hold,
 * without asking the TPM (saves a ReadPublic per signature). The TPM
 * checks it for us: a different object there refuses to load a key
 * wrapped under this one (tpm-load.c), and a session salted to it is
 * useless to anybody but the holder of its private key. */
int srk_from_public(struct tpm *, const TPM2B_PUBLIC *, struct srk *);
void srk_close(struct tpm *, struct srk *);

/* tpm-attest.c: the AK of a TPM_AK_* kind (tpm-attest.h), a transient
 * primary of the endorsement hierarchy, and its TPMT_PUBLIC (malloc'ed). */
int ak_create(struct tpm *, int ak_kind, ESYS_TR *ak, uint8_t **pub,
    size_t *len);

/* tpm-ek-template.c: the TCG EK templates of the TPM_EK_* kinds
 * (tpm-activate.h), low range (L-1, L-2) and high range (H-6, H-3). */
bool ek_high_range(int kind);
const char *ek_kind_name(int kind);
/* The template into pub; -1 for an unknown kind. */
int ek_template(int kind, TPM2B_PUBLIC *pub);

/* tpm-hold.c: what one enrollment keeps between its steps. */
struct tpm_hold {
	struct srk srk;		/* opened at first use */
	ESYS_TR session;	/* the salted session of a PIN key's creation */
	ESYS_TR key;		/* the new key, loaded since its creation */
	struct key_policy policy;	/* the new key's (key-policy.h) */
};
/* The SRK for a command, for the caller to srk_close: while holding, the
 * held SRK, opened at the first call and lent out (borrowed, so srk_close
 * leaves it); otherwise srk_open's. */
int hold_srk(struct tpm *, struct srk *);
/* A transient held SRK is flushed once the key exists: it would hold a
 * TPM slot the attestation key needs. */
void hold_srk_drop_transient(struct tpm *);

/* tpm-crypto.c: on tpm2-tss >= 4.0, ESYS's hashes, HMACs, AES, ECDH and
 * nonces through our own callbacks, so that every HMAC key (session key
 * and auth value) lives only in memory we wipe; a no-op before 4.0. */
int crypto_install(struct tpm *);
#ifdef SK_TPM_ESYS_CRYPTO_CALLBACKS
#include <openssl/evp.h>

/* The table crypto_install hands to ESYS (for the unit tests). */
void crypto_callbacks(ESYS_CRYPTO_CALLBACKS *);
/* tpm-crypto-pk.c: its nonce, ECDH, AES and RSA entries. */
void crypto_callbacks_pk(ESYS_CRYPTO_CALLBACKS *);
/* The OpenSSL digest of a TPM hash algorithm (SHA-1, -256, -384, -512),
 * NULL for others. */
const EVP_MD *crypto_evp_md(TPM2_ALG_ID);
#endif

/* tpm-nv.c, tpm-nv-write.c: the attributes of every index sk-tpm
 * defines. */
#define NV_ATTRIBUTES	(TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | \
			 TPMA_NV_AUTHREAD | TPMA_NV_NO_DA)

/* tpm-nv.c: take the owner password out of ESYS's owner-hierarchy object
 * as soon as the command that needed it is done, so that no later command
 * of the context (a CreatePrimary in a password session) sends it in
 * clear. A full-size filler without zero bytes first: tpm2-tss 4.x copies
 * the whole TPM2B and then strips trailing zeros, so only a full-size
 * copy overwrites every byte the password took; then the empty auth. */
void owner_auth_forget(struct tpm *);

/* tpm-rm.c: whether a connection through this TCTI string goes to a
 * resource manager that flushes everything when it closes; a device is
 * asked of sysfs (normally "/sys"; the unit tests pass a stand-in). */
bool tcti_flushes_on_close(const char *tcti, const char *sysfs);
/* Whether the character device at path is of sysfs class tpmrm (false
 * when unsure). */
bool tcti_device_is_rm(const char *path, const char *sysfs);

/* tpm-key.c: an ECC coordinate or signature scalar into 32 bytes,
 * big-endian, left-padded with zeros; -1 if it is longer. */
int ecc_scalar32(const TPM2B_ECC_PARAMETER *, uint8_t out[32]);

/* tpm-key.c: the key of a handle unmarshalled, the whole of each buffer,
 * and checked to be what tpm_create_key makes for such a handle (its
 * attributes, DA, policy and SRK). 0 or -1. */
int key_unmarshal(const struct kh *, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
    TPM2B_PUBLIC *srk_pub);

/* tpm-load.c: the key of a handle, loaded under the SRK it was made
 * under, authorised by the SRK's empty auth in a password session (srk
 * is the caller's to close). */
int key_load(struct tpm *, const struct kh *, const TPM2B_PUBLIC *pub,
    const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *srk_pub, struct srk *,
    ESYS_TR *key);

/* tpm-load.c: another key of the same handle (tpm-ticket.c: the key
 * after its PIN object) under an SRK key_load has already opened. */
int key_load_under(struct tpm *, const struct srk *, const TPM2B_PUBLIC *pub,
    const TPM2B_PRIVATE *priv, ESYS_TR *key);

/* tpm-sign-auth.c: the session that authorises Sign with the key of kh,
 * loaded under srk: ESYS_TR_NONE for a password session (a key without
 * a PIN and without PCR binding), else a session for the caller to close
 * (doc/security.md). */
int sign_auth_start(struct tpm *, const struct kh *, ESYS_TR srk,
    ESYS_TR *session);
/* Sign was refused for its authorization: one error line that says why
 * (wrong PIN and the tries left, lockout, a handle not for this
 * application); SSH_SK_ERR_PIN_REQUIRED for a wrong PIN. */
int sign_auth_explain(struct tpm *, const struct kh *, TSS2_RC);

/* tpm-session.c */
/* A salted HMAC session (salt encrypted to salt_key) with AES-128-CFB
 * parameter encryption in both directions, so that auth values and
 * sensitive parameters never cross the bus in clear. */
int session_start(struct tpm *, ESYS_TR salt_key, ESYS_TR *session);
/* The same, returning the TPM's code without recording an error, for
 * callers that have a fallback. */
TSS2_RC session_open(struct tpm *, ESYS_TR salt_key, ESYS_TR *session);
/* Before the last command: let the TPM close the session itself when that
 * command succeeds, which saves a FlushContext. */
int session_last_use(struct tpm *, ESYS_TR session);
/* After a command with continueSession clear succeeded: the TPM has closed
 * the session; forget ESYS's record without another command. */
void session_forget(struct tpm *, ESYS_TR *session);
/* Flush a session still open in the TPM (error paths). */
void session_flush(struct tpm *, ESYS_TR *session);
/* Overwrite ESYS's copy of an object's auth value, then flush it. */
void object_flush(struct tpm *, ESYS_TR *object);
/* The same right before the connection closes: through a resource
 * manager that flushes on close (struct tpm rm_flushes) the TPM command
 * is left out, the wiping is not. */
void object_release(struct tpm *, ESYS_TR *object);
void session_release(struct tpm *, ESYS_TR *session);

/* tpm-serial.c: ESYS's serialised resources (see the file for why) */
int serial_key_public(struct tpm *, ESYS_TR, TPM2B_PUBLIC *);
int serial_nv_public(struct tpm *, ESYS_TR, TPM2B_NV_PUBLIC *);
/* An ESYS_TR for a key at handle from its Name and public area, made
 * without a TPM command. */
int serial_key_ref(struct tpm *, TPM2_HANDLE, const TPM2B_NAME *,
    const TPM2B_PUBLIC *, ESYS_TR *out);
/* The same reference as bytes (Esys_TR_Serialize's form of a key), at
 * *off in buf; at most SERIAL_KEY_MAX of them. */
#define SERIAL_KEY_MAX	(4 + sizeof(TPM2B_NAME) + 4 + sizeof(TPM2B_PUBLIC))
TSS2_RC serial_key_marshal(TPM2_HANDLE, const TPM2B_NAME *,
    const TPM2B_PUBLIC *, uint8_t *buf, size_t size, size_t *off);

/* tpm-srk-cache.c: the transient SRK of a handle made under it, from a
 * saved context in $XDG_RUNTIME_DIR/sk-tpm when one is there and still
 * valid, else from the persistent SRK if 0x81000001 holds the same key,
 * else derived (and the context saved for next time). srk_pub is the
 * handle's SRK public area (its Name checked by the decoder); the result
 * always has that public area and Name, checked by the TPM, or is what
 * srk_create_transient made. */
int srk_transient_cached(struct tpm *, const TPM2B_PUBLIC *srk_pub,
    struct srk *);
/* The cache file's form: magic, version, the SRK Name, the TPM's own
 * TPMS_CONTEXT (no ESYS metadata). Decoding is strict: 0 or -1. */
#define SRK_CACHE_NAME_MAX	80
int srk_cache_encode(const TPM2B_NAME *, const TPMS_CONTEXT *, uint8_t *buf,
    size_t size, size_t *len);
int srk_cache_decode(const uint8_t *buf, size_t len, TPM2B_NAME *,
    TPMS_CONTEXT *);
/* "srk-<hex of the Name>.ctx" */
int srk_cache_file_name(const TPM2B_NAME *, char out[SRK_CACHE_NAME_MAX]);

/* tpm-tcti.c: *tcti (from Tss2_TctiLdr) wrapped so that no wait for an
 * answer lasts beyond bound_ms after its command went out; then the
 * connection fails for good. _free finalizes both (or an unwrapped one). */
int tcti_bounded_wrap(TSS2_TCTI_CONTEXT **tcti, int32_t bound_ms);
void tcti_bounded_free(TSS2_TCTI_CONTEXT **tcti);
/* Whether the TPM received a command whose answer never came (lost, or
 * not within the bound), and the first such: its command code and first
 * handle (0 if none). */
bool tcti_bounded_lost(TSS2_TCTI_CONTEXT *, uint32_t *cc, uint32_t *handle);

/* tpm-props.c: properties first..last, each handed to store(ctx, p). */
/* Every defined handle in [first, last], ascending, to store (tpm-nv.c):
 * as many GetCapability commands as the TPM needs. 0 or an SSH_SK_ERR. */
int handles_read(struct tpm *, TPM2_HANDLE first, TPM2_HANDLE last,
    void (*store)(void *, TPM2_HANDLE), void *ctx);
int props_read(struct tpm *, TPM2_PT first, TPM2_PT last,
    void (*store)(void *, const TPMS_TAGGED_PROPERTY *), void *ctx);

/* tpm-policy.c: PCR-bound keys */
/* How often a PCR check or a Sign refused with PCR_CHANGED is tried again
 * when the PCRs moved during the sequence. */
#define POLICY_PCR_TRIES	3
/* A policy session salted to salt_key, with parameter encryption; with
 * salt_key ESYS_TR_NONE unsalted and without (for a key whose auth value
 * is public). */
int policy_session_start(struct tpm *, ESYS_TR salt_key, ESYS_TR *session);
/* The key's policy in session (PolicyRestart first if restart). A PCR
 * that differs from the handle's value gets the "platform state changed"
 * error line, before the PIN is used. */
int policy_session_run(struct tpm *, const struct kh *, ESYS_TR session,
    bool restart);
/* Whether the key's authPolicy and attributes are the policy its handle
 * describes (key-policy.h; empty for a version 1 key). */
bool policy_public_ok(const struct kh *, const TPMT_PUBLIC *);

/* tpm-policy-or.c: policies with branches (key-policy.h) */
/* TPM2_PolicyOR over the key's branches, once session has run one of
 * them; nothing when the policy has no PolicyOR. */
int policy_or_run(struct tpm *, ESYS_TR session, const struct key_policy *);
/* The Certify branch: TPM2_PolicyCommandCode(TPM2_Certify), then
 * policy_or_run. */
int policy_certify_run(struct tpm *, ESYS_TR session,
    const struct key_policy *);

/* tpm-nv-chunk.c: the most one NV_Read or NV_Write may carry on this
 * TPM (TPM2_PT_NV_BUFFER_MAX, asked once; 512 when it does not say), and
 * size bytes of an index read in such pieces into out (a short answer is
 * TSS2_ESYS_RC_INSUFFICIENT_RESPONSE). Authorised by the index itself in
 * a password session with its auth value. */
uint16_t nv_chunk_max(struct tpm *);
TSS2_RC nv_read_chunked(struct tpm *, ESYS_TR nv, uint16_t size,
    uint8_t *out);

/* tpm-rc.c */
/* The base TPM response code (e.g. TPM2_RC_AUTH_FAIL), or 0 for codes
 * that do not come from the TPM. */
TSS2_RC rc_base(TSS2_RC);
bool rc_is_tcti(TSS2_RC);
/* After TPM_RC_NV_RATE (the TPM protecting its NV from wear): wait, 50 ms
 * doubling at each try, and say whether to send the command again; at
 * most RC_NV_RATE_TRIES times (3 s in all). False for any other code. */
#define RC_NV_RATE_TRIES	6
bool rc_nv_rate_wait(TSS2_RC, unsigned *tries);
/* Record "what: <decoded rc>" as the error line; returns
 * SSH_SK_ERR_GENERAL, or SSH_SK_ERR_DEVICE_NOT_FOUND when the TPM
 * connection is gone. */
int rc_fail(const char *what, TSS2_RC);

#endif /* SK_TPM_INTERNAL_H */
