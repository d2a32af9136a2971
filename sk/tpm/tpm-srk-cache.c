/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The transient SRK without deriving it at every signature. Deriving the
 * SRK (CreatePrimary) costs a real TPM about 150 ms; loading a saved
 * context of it (ContextLoad) about 35. So the first signature after boot
 * saves the derived SRK's context in $XDG_RUNTIME_DIR/sk-tpm/ (a file per
 * SRK Name, srk-cache-file.c), and later ones load it. The TPM refuses the
 * context after a TPM Reset (it is bound to the reset count) or if it was
 * saved on another TPM; then the SRK is derived again and the file
 * rewritten.
 *
 * The cache only ever saves time, never trust:
 *  - the file holds the TPM's context blob and the Name it was saved for,
 *    nothing else; the public area and Name that ESYS uses for the salted
 *    session come from the key handle (whose decoder checked that the one
 *    hashes to the other), never from the file;
 *  - after ContextLoad the TPM is asked for the loaded object's Name
 *    (ReadPublic, no authorisation) and it must be the handle's, before
 *    any command authorises with it. A planted context of another key is
 *    flushed unused, so it cannot turn a salted session or a Load into an
 *    authorisation failure that the dictionary-attack counter would count;
 *  - every problem with the file or the context is a cache miss (a debug
 *    line), never an error: the SRK is derived as without a cache.
 *
 * A key made under the transient SRK also meets its SRK at 0x81000001
 * after "sk-tpm setup": without a usable cache file, the persistent SRK is
 * used when the TPM says its Name is the handle's (and then nothing is
 * saved), before the SRK is derived.
 *
 * File: 8 bytes "SKTPMSRK", UINT16 version 1, TPM2B_NAME, TPMS_CONTEXT as
 * the TPM returns it (sequence, savedHandle, hierarchy, contextBlob).
 */
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "srk-cache-file.h"
#include "tpm-internal.h"

#define CACHE_MAGIC	"SKTPMSRK"
#define CACHE_MAGIC_LEN	8
#define CACHE_VERSION	1

int
srk_cache_file_name(const TPM2B_NAME *name, char out[SRK_CACHE_NAME_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	if (name->size == 0 || 4 + 2 * (size_t)name->size + 5 >
	    SRK_CACHE_NAME_MAX)
		return -1;
	memcpy(out, "srk-", 4);
	n = 4;
	for (i = 0; i < name->size; i++) {
		out[n++] = hex[name->name[i] >> 4];
		out[n++] = hex[name->name[i] & 0xf];
	}
	memcpy(out + n, ".ctx", 5);
	return 0;
}

int
srk_cache_encode(const TPM2B_NAME *name, const TPMS_CONTEXT *ctx,
    uint8_t *buf, size_t size, size_t *len)
{
	size_t off = CACHE_MAGIC_LEN;

	*len = 0;
	if (size < CACHE_MAGIC_LEN)
		return -1;
	memcpy(buf, CACHE_MAGIC, CACHE_MAGIC_LEN);
	if (Tss2_MU_UINT16_Marshal(CACHE_VERSION, buf, size, &off) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_NAME_Marshal(name, buf, size, &off) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_TPMS_CONTEXT_Marshal(ctx, buf, size, &off) !=
	    TSS2_RC_SUCCESS)
		return -1;
	*len = off;
	return 0;
}

int
srk_cache_decode(const uint8_t *buf, size_t len, TPM2B_NAME *name,
    TPMS_CONTEXT *ctx)
{
	size_t off = CACHE_MAGIC_LEN;
	uint16_t version;

	memset(name, 0, sizeof(*name));
	memset(ctx, 0, sizeof(*ctx));
	if (len < CACHE_MAGIC_LEN ||
	    memcmp(buf, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0 ||
	    Tss2_MU_UINT16_Unmarshal(buf, len, &off, &version) !=
	    TSS2_RC_SUCCESS || version != CACHE_VERSION ||
	    Tss2_MU_TPM2B_NAME_Unmarshal(buf, len, &off, name) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_TPMS_CONTEXT_Unmarshal(buf, len, &off, ctx) !=
	    TSS2_RC_SUCCESS || off != len)
		return -1;
	/* The SRK's Name, and the context of a transient object of the
	 * owner hierarchy: nothing else is ever written. */
	if (name->size != KH_NAME_LEN ||
	    name->name[0] != (uint8_t)(TPM2_ALG_SHA256 >> 8) ||
	    name->name[1] != (uint8_t)TPM2_ALG_SHA256 ||
	    ctx->hierarchy != TPM2_RH_OWNER ||
	    (ctx->savedHandle >> TPM2_HR_SHIFT) != TPM2_HT_TRANSIENT ||
	    ctx->contextBlob.size == 0)
		return -1;
	return 0;
}

static bool
name_equal(const TPM2B_NAME *a, const TPM2B_NAME *b)
{
	return a->size == b->size && memcmp(a->name, b->name, a->size) == 0;
}

/*
 * ESYS's form of a saved context (what Esys_ContextSave returns and
 * Esys_ContextLoad takes): the contextBlob holds UINT32 0, the TPM's blob
 * as a TPM2B, then UINT16 0 and ESYS's record of the object, which is the
 * record Esys_TR_Serialize writes. Here that record is made from the
 * handle's public area and Name.
 */
static int
esys_form(const TPMS_CONTEXT *raw, const TPM2B_PUBLIC *pub,
    const TPM2B_NAME *name, TPMS_CONTEXT *out)
{
	uint8_t *buf = out->contextBlob.buffer;
	size_t size = sizeof(out->contextBlob.buffer), off = 0;

	out->sequence = raw->sequence;
	out->savedHandle = raw->savedHandle;
	out->hierarchy = raw->hierarchy;
	if (Tss2_MU_UINT32_Marshal(0, buf, size, &off) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_CONTEXT_DATA_Marshal(&raw->contextBlob, buf, size,
	    &off) != TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT16_Marshal(0, buf, size, &off) != TSS2_RC_SUCCESS)
		return -1;
	if (serial_key_marshal(raw->savedHandle, name, pub, buf, size,
	    &off) != TSS2_RC_SUCCESS)
		return -1;
	out->contextBlob.size = (uint16_t)off;
	return 0;
}

/* The TPM's own context out of ESYS's form. */
static int
tpm_form(const TPMS_CONTEXT *esys, TPMS_CONTEXT *out)
{
	size_t off = 0;
	uint32_t reserved;

	memset(out, 0, sizeof(*out));
	out->sequence = esys->sequence;
	out->savedHandle = esys->savedHandle;
	out->hierarchy = esys->hierarchy;
	if (Tss2_MU_UINT32_Unmarshal(esys->contextBlob.buffer,
	    esys->contextBlob.size, &off, &reserved) != TSS2_RC_SUCCESS ||
	    reserved != 0 ||
	    Tss2_MU_TPM2B_CONTEXT_DATA_Unmarshal(esys->contextBlob.buffer,
	    esys->contextBlob.size, &off, &out->contextBlob) !=
	    TSS2_RC_SUCCESS)
		return -1;
	return 0;
}

/* 0x81000001 holds the SRK named want (a key made before "sk-tpm setup").
 * 0 with srk set, 1 if not, else an error. */
static int
persistent_same(struct tpm *t, const TPM2B_PUBLIC *pub,
    const TPM2B_NAME *want, struct srk *srk)
{
	TPM2B_NAME *name = NULL;
	ESYS_TR tr = ESYS_TR_NONE;
	bool present;
	TSS2_RC rc;
	int r;

	if ((r = srk_persistent_present(t, &present)) != 0)
		return r;
	if (!present)
		return 1;
	r = 1;
	rc = Esys_TR_FromTPMPublic(t->esys, TPM_SRK_HANDLE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &tr);
	if (rc != TSS2_RC_SUCCESS) {
		tr = ESYS_TR_NONE;
		sk_debug("srk: reading 0x81000001: %s", Tss2_RC_Decode(rc));
		goto out;
	}
	rc = Esys_TR_GetName(t->esys, tr, &name);
	if (rc != TSS2_RC_SUCCESS || !name_equal(name, want)) {
		sk_debug("srk: 0x81000001 is not this key's SRK");
		goto out;
	}
	srk->handle = tr;
	tr = ESYS_TR_NONE;
	srk->persistent = true;
	srk->public = *pub;
	srk->name = *want;
	sk_debug("using the persistent SRK at 0x81000001 (same Name as the "
	    "derived SRK the key was made under)");
	r = 0;
out:
	Esys_Free(name);
	if (tr != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &tr);
	return r;
}

/* The cached context for want, loaded and vouched for by the TPM. 0 with
 * srk set, 1 on any kind of miss. */
static int
cached(struct tpm *t, int dir, const char *file, const TPM2B_PUBLIC *pub,
    const TPM2B_NAME *want, struct srk *srk)
{
	uint8_t buf[SRK_CACHE_FILE_MAX];
	TPMS_CONTEXT raw, ctx;
	TPM2B_NAME name;
	TPM2B_NAME *loaded = NULL;
	ESYS_TR tr = ESYS_TR_NONE;
	size_t len;
	TSS2_RC rc;
	int r = 1;

	if (srk_cache_file_read(dir, file, buf, sizeof(buf), &len) != 0)
		goto out;
	if (srk_cache_decode(buf, len, &name, &raw) != 0 ||
	    !name_equal(&name, want) || esys_form(&raw, pub, want, &ctx) != 0) {
		sk_debug("srk cache: %s is malformed or not for this SRK",
		    file);
		goto out;
	}
	rc = Esys_ContextLoad(t->esys, &ctx, &tr);
	if (rc != TSS2_RC_SUCCESS) {
		tr = ESYS_TR_NONE;
		sk_debug("srk cache: the TPM refused the saved context (%s): "
		    "reset since, or not this TPM's", Tss2_RC_Decode(rc));
		goto out;
	}
	/* The TPM's word for what it loaded, before anything uses it. */
	rc = Esys_ReadPublic(t->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, NULL, &loaded, NULL);
	if (rc != TSS2_RC_SUCCESS || !name_equal(loaded, want)) {
		sk_debug("srk cache: the saved context is another key's (%s)",
		    rc != TSS2_RC_SUCCESS ? Tss2_RC_Decode(rc) : "its Name "
		    "differs");
		goto out;
	}
	srk->handle = tr;
	tr = ESYS_TR_NONE;
	srk->persistent = false;
	srk->public = *pub;
	srk->name = *want;
	sk_debug("using the transient SRK from its saved context");
	r = 0;
out:
	Esys_Free(loaded);
	object_flush(t, &tr);
	return r;
}

/* Save the derived SRK's context for the next signature; failures only
 * cost the next one the derivation. */
static void
store(struct tpm *t, int dir, const char *file, const struct srk *srk)
{
	uint8_t buf[SRK_CACHE_FILE_MAX];
	TPMS_CONTEXT *saved = NULL;
	TPMS_CONTEXT raw;
	size_t len;
	TSS2_RC rc;

	rc = Esys_ContextSave(t->esys, srk->handle, &saved);
	if (rc != TSS2_RC_SUCCESS) {
		sk_debug("srk cache: saving the SRK context: %s",
		    Tss2_RC_Decode(rc));
		return;
	}
	if (tpm_form(saved, &raw) != 0 ||
	    srk_cache_encode(&srk->name, &raw, buf, sizeof(buf), &len) != 0)
		sk_debug("srk cache: unexpected saved context");
	else if (srk_cache_file_write(dir, file, buf, len) == 0)
		sk_debug("srk cache: saved the SRK context in %s", file);
	Esys_Free(saved);
}

int
srk_transient_cached(struct tpm *t, const TPM2B_PUBLIC *srk_pub,
    struct srk *srk)
{
	char file[SRK_CACHE_NAME_MAX];
	TPM2B_NAME want;
	int dir = -1, r;

	if (srk_name_of(srk_pub, &want) != 0)
		return SSH_SK_ERR_GENERAL;
	if (srk_cache_file_name(&want, file) == 0)
		dir = srk_cache_dir_open(1);
	if (dir != -1 && cached(t, dir, file, srk_pub, &want, srk) == 0) {
		r = 0;
		goto out;
	}
	/* A miss: the SRK made persistent since, else derived. */
	if ((r = persistent_same(t, srk_pub, &want, srk)) != 1)
		goto out;
	if ((r = srk_create_transient(t, srk)) != 0)
		goto out;
	/* Only the SRK the handle names is worth keeping; another one is
	 * the caller's error to report. */
	if (dir != -1 && name_equal(&srk->name, &want))
		store(t, dir, file, srk);
	r = 0;
out:
	if (dir != -1)
		close(dir);
	return r;
}
