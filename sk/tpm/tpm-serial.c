/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ESYS's serialised form of a resource (Esys_TR_Serialize and
 * Esys_TR_Deserialize), used to save TPM commands: it already holds the
 * public area ESYS read when it made the ESYS_TR, and it lets us make an
 * ESYS_TR for the SRK without reading it back from the TPM at all.
 *
 *   UINT32 handle, TPM2B_NAME name, UINT32 type (1 key, 2 NV index),
 *   then TPM2B_PUBLIC (key) or TPM2B_NV_PUBLIC (NV index).
 */
#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define RSRC_KEY	1u
#define RSRC_NV		2u

/* Parse the serialised resource up to and including its type. */
static int
read_header(struct tpm *t, ESYS_TR tr, uint8_t **buf, size_t *len,
    size_t *off, uint32_t want_type)
{
	TPM2B_NAME name = { .size = 0 };
	uint32_t handle, type;
	TSS2_RC rc;

	*buf = NULL;
	*off = 0;
	rc = Esys_TR_Serialize(t->esys, tr, buf, len);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("serialising a TPM object reference", rc);
	if (Tss2_MU_UINT32_Unmarshal(*buf, *len, off, &handle) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_NAME_Unmarshal(*buf, *len, off, &name) !=
	    TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT32_Unmarshal(*buf, *len, off, &type) !=
	    TSS2_RC_SUCCESS || type != want_type) {
		sk_error("unexpected ESYS object serialisation");
		Esys_Free(*buf);
		*buf = NULL;
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

/* The public area of a serialised key (TPM2B_PUBLIC) or NV index
 * (TPM2B_NV_PUBLIC), by its resource type. */
static int
read_public(struct tpm *t, ESYS_TR tr, uint32_t type, void *out)
{
	uint8_t *buf;
	size_t len, off;
	TSS2_RC rc;
	int r;

	if ((r = read_header(t, tr, &buf, &len, &off, type)) != 0)
		return r;
	/* tpm2-tss refuses to unmarshal a TPM2B into a non-zero size. */
	if (type == RSRC_KEY) {
		memset(out, 0, sizeof(TPM2B_PUBLIC));
		rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, out);
	} else {
		memset(out, 0, sizeof(TPM2B_NV_PUBLIC));
		rc = Tss2_MU_TPM2B_NV_PUBLIC_Unmarshal(buf, len, &off, out);
	}
	Esys_Free(buf);
	if (rc != TSS2_RC_SUCCESS) {
		sk_error("unexpected ESYS object serialisation");
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

int
serial_key_public(struct tpm *t, ESYS_TR tr, TPM2B_PUBLIC *pub)
{
	return read_public(t, tr, RSRC_KEY, pub);
}

int
serial_nv_public(struct tpm *t, ESYS_TR tr, TPM2B_NV_PUBLIC *pub)
{
	return read_public(t, tr, RSRC_NV, pub);
}

TSS2_RC
serial_key_marshal(TPM2_HANDLE handle, const TPM2B_NAME *name,
    const TPM2B_PUBLIC *pub, uint8_t *buf, size_t size, size_t *off)
{
	TSS2_RC rc;

	if ((rc = Tss2_MU_UINT32_Marshal(handle, buf, size, off)) !=
	    TSS2_RC_SUCCESS ||
	    (rc = Tss2_MU_TPM2B_NAME_Marshal(name, buf, size, off)) !=
	    TSS2_RC_SUCCESS ||
	    (rc = Tss2_MU_UINT32_Marshal(RSRC_KEY, buf, size, off)) !=
	    TSS2_RC_SUCCESS)
		return rc;
	return Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, size, off);
}

int
serial_key_ref(struct tpm *t, TPM2_HANDLE handle, const TPM2B_NAME *name,
    const TPM2B_PUBLIC *pub, ESYS_TR *out)
{
	uint8_t buf[SERIAL_KEY_MAX];
	size_t off = 0;
	TSS2_RC rc;

	*out = ESYS_TR_NONE;
	rc = serial_key_marshal(handle, name, pub, buf, sizeof(buf), &off);
	if (rc != TSS2_RC_SUCCESS) {
		sk_error("cannot marshal a TPM object reference: %s",
		    Tss2_RC_Decode(rc));
		return SSH_SK_ERR_GENERAL;
	}
	rc = Esys_TR_Deserialize(t->esys, buf, off, out);
	if (rc != TSS2_RC_SUCCESS) {
		*out = ESYS_TR_NONE;
		return rc_fail("referencing a TPM object", rc);
	}
	return 0;
}
