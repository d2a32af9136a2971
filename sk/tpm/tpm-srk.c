/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The storage root key every sk-tpm key is made under: the TCG standard
 * ECC P-256 SRK (TCG TPM v2.0 Provisioning Guidance). A primary key is a
 * function of the owner seed and its template, so the persistent SRK at
 * 0x81000001 and one derived on the fly from the same template are the
 * same key with the same Name, and a key made under one loads under the
 * other.
 */
#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "log.h"
#include "message.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define SRK_ATTRIBUTES	(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
	TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | \
	TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)

void
srk_template(TPM2B_PUBLIC *pub)
{
	srk_template_of(SRK_TEMPLATE_TCG, pub);
}

void
srk_template_of(enum srk_template which, TPM2B_PUBLIC *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_ECC;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.objectAttributes = SRK_ATTRIBUTES;
	pub->publicArea.parameters.eccDetail.symmetric.algorithm =
	    TPM2_ALG_AES;
	pub->publicArea.parameters.eccDetail.symmetric.keyBits.aes = 128;
	pub->publicArea.parameters.eccDetail.symmetric.mode.aes =
	    TPM2_ALG_CFB;
	pub->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	/* The guidance fills unique with zeros of the key size; systemd
	 * (>= 255, tpm2_get_srk_template) leaves it empty, which makes
	 * another key from the same seed (systemd issue 28655). */
	if (which == SRK_TEMPLATE_TCG) {
		pub->publicArea.unique.ecc.x.size = 32;
		pub->publicArea.unique.ecc.y.size = 32;
	}
}

bool
srk_public_matches_template(const TPMT_PUBLIC *p)
{
	const TPMS_ECC_PARMS *e = &p->parameters.eccDetail;

	return p->type == TPM2_ALG_ECC && p->nameAlg == TPM2_ALG_SHA256 &&
	    p->objectAttributes == SRK_ATTRIBUTES &&
	    p->authPolicy.size == 0 &&
	    e->symmetric.algorithm == TPM2_ALG_AES &&
	    e->symmetric.keyBits.aes == 128 &&
	    e->symmetric.mode.aes == TPM2_ALG_CFB &&
	    e->scheme.scheme == TPM2_ALG_NULL &&
	    e->curveID == TPM2_ECC_NIST_P256 &&
	    e->kdf.scheme == TPM2_ALG_NULL &&
	    p->unique.ecc.x.size == 32 && p->unique.ecc.y.size == 32;
}

/* Name = nameAlg || SHA-256(marshalled TPMT_PUBLIC). */
int
srk_name_of(const TPM2B_PUBLIC *pub, TPM2B_NAME *name)
{
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t off = 0;
	TSS2_RC rc;

	rc = Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, buf, sizeof(buf),
	    &off);
	if (rc != TSS2_RC_SUCCESS) {
		sk_error("cannot marshal the SRK public area: %s",
		    Tss2_RC_Decode(rc));
		return -1;
	}
	name->size = 2 + 32;
	name->name[0] = (uint8_t)(TPM2_ALG_SHA256 >> 8);
	name->name[1] = (uint8_t)TPM2_ALG_SHA256;
	return sha256(buf, off, name->name + 2);
}

int
srk_persistent_present(struct tpm *t, bool *present)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	*present = false;
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_HANDLES, TPM_SRK_HANDLE, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("listing persistent handles", rc);
	*present = cap->data.handles.count == 1 &&
	    cap->data.handles.handle[0] == TPM_SRK_HANDLE;
	Esys_Free(cap);
	return 0;
}

int
srk_create_transient(struct tpm *t, struct srk *srk)
{
	return srk_create_transient_of(t, SRK_TEMPLATE_TCG, srk);
}

int
srk_create_transient_of(struct tpm *t, enum srk_template which,
    struct srk *srk)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_NAME *name = NULL;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	srk_template_of(which, &template);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &template, &outside, &pcrs,
	    &srk->handle, &pub, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		srk->handle = ESYS_TR_NONE;
		if (rc_base(rc) == TPM2_RC_AUTH_FAIL ||
		    rc_base(rc) == TPM2_RC_BAD_AUTH) {
			sk_error("the TPM owner hierarchy has a password, so "
			    "the storage key cannot be derived; make it "
			    "persistent once with \"SK_TPM_OWNER_AUTH=... "
			    "sk-tpm setup\"");
			goto out;
		}
		r = rc_fail("deriving the storage root key", rc);
		goto out;
	}
	srk->persistent = false;
	srk->public = *pub;
	rc = Esys_TR_GetName(t->esys, srk->handle, &name);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("reading the storage key name", rc);
		goto out;
	}
	srk->name = *name;
	sk_debug("using a transient SRK derived from the %s template",
	    which == SRK_TEMPLATE_TCG ? "TCG" : "systemd");
	r = 0;
out:
	Esys_Free(pub);
	Esys_Free(name);
	return r;
}

int
srk_open(struct tpm *t, struct srk *srk)
{
	TPM2B_NAME *name = NULL;
	bool present;
	TSS2_RC rc;
	int r;

	if ((r = srk_persistent_present(t, &present)) != 0)
		return r;
	if (!present)
		return srk_create_transient(t, srk);

	r = SSH_SK_ERR_GENERAL;
	/* One ReadPublic; ESYS keeps the public area it read. */
	rc = Esys_TR_FromTPMPublic(t->esys, TPM_SRK_HANDLE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &srk->handle);
	if (rc != TSS2_RC_SUCCESS) {
		srk->handle = ESYS_TR_NONE;
		r = rc_fail("reading the SRK at 0x81000001", rc);
		goto out;
	}
	srk->persistent = true;
	if ((r = serial_key_public(t, srk->handle, &srk->public)) != 0)
		goto out;
	r = SSH_SK_ERR_GENERAL;
	if (!srk_public_matches_template(&srk->public.publicArea)) {
		/* Somebody else's key lives there; do not touch it. */
		sk_debug("0x81000001 does not hold the standard SRK; "
		    "deriving it instead");
		srk_close(t, srk);
		r = srk_create_transient(t, srk);
		goto out;
	}
	rc = Esys_TR_GetName(t->esys, srk->handle, &name);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("reading the SRK name", rc);
		goto out;
	}
	srk->name = *name;
	sk_debug("using the persistent SRK at 0x81000001");
	r = 0;
out:
	Esys_Free(name);
	return r;
}

int
srk_from_public(struct tpm *t, const TPM2B_PUBLIC *pub, struct srk *srk)
{
	int r;

	if (srk_name_of(pub, &srk->name) != 0)
		return SSH_SK_ERR_GENERAL;
	srk->public = *pub;
	if ((r = serial_key_ref(t, TPM_SRK_HANDLE, &srk->name, pub,
	    &srk->handle)) != 0)
		return r;
	srk->persistent = true;
	return 0;
}

void
srk_close(struct tpm *t, struct srk *srk)
{
	TSS2_RC rc;

	if (srk->borrowed) {
		/* Lent out by hold_srk: tpm_hold_end closes it. */
		srk->handle = ESYS_TR_NONE;
		srk->borrowed = false;
		return;
	}
	if (srk->handle == ESYS_TR_NONE)
		return;
	if (!srk->persistent) {
		/* object_flush also copes with a context that a connection
		 * error has left unusable. */
		object_flush(t, &srk->handle);
		return;
	}
	rc = Esys_TR_Close(t->esys, &srk->handle);
	if (rc != TSS2_RC_SUCCESS)
		sk_debug("%s: %s", __func__, Tss2_RC_Decode(rc));
	srk->handle = ESYS_TR_NONE;
}
