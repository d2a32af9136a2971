/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whose storage root key lives at 0x81000001, told by its Name, and the
 * SRKs of this TPM that a key handle may name. Other programs persist
 * their SRK there too: systemd >= 255 (systemd-tpm2-setup) an ECC P-256
 * key of the TCG template but with an empty unique field, so another key
 * with another Name than the one sk-tpm derives (systemd issue 28655);
 * Windows an RSA-2048 SRK. A public area alone cannot tell sk-tpm's SRK
 * from systemd's (both are P-256 keys of the same attributes), so both
 * templates are derived in the owner hierarchy (CreatePrimary; the same
 * seed and template give the same key) and the Names compared. Each
 * derived key is flushed again; nothing here writes to the TPM.
 *
 * sk-tpm makes new keys under a persistent key of the SRK's shape
 * (tpm-srk.c srk_open), systemd's included, and derives its own when
 * 0x81000001 holds anything else. So a key handle names either SRK; a key
 * made under a persistent SRK that has gone since is loaded under the
 * same SRK derived again (srk_derive_named).
 */
#include <string.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-info.h"
#include "tpm-internal.h"

/* An RSA storage key (restricted, decrypt, not sign): an RSA SRK, as
 * Windows persists one. */
static bool
rsa_storage_key(const TPMT_PUBLIC *p)
{
	const TPMA_OBJECT mask = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
	    TPMA_OBJECT_SIGN_ENCRYPT;

	return p->type == TPM2_ALG_RSA && (p->objectAttributes & mask) ==
	    (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT);
}

/* The Name of the primary of template which in the owner hierarchy
 * (empty owner auth, password session), flushed again. Returns the TPM's
 * code without recording an error: an owner password makes it fail with
 * an authorization error, which callers take as "cannot tell". */
static TSS2_RC
derived_name(struct tpm *t, enum srk_template which, TPM2B_NAME *out)
{
	TPM2B_SENSITIVE_CREATE sensitive = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC template;
	TPM2B_NAME *name = NULL;
	ESYS_TR key = ESYS_TR_NONE;
	TSS2_RC rc;

	srk_template_of(which, &template);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
	    ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &template, &outside, &pcrs,
	    &key, NULL, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return rc;
	if ((rc = Esys_TR_GetName(t->esys, key, &name)) == TSS2_RC_SUCCESS)
		*out = *name;
	Esys_Free(name);
	object_flush(t, &key);
	return rc;
}

static bool
same_name(const TPM2B_NAME *a, const TPM2B_NAME *b)
{
	return a->size == b->size && memcmp(a->name, b->name, a->size) == 0;
}

static bool
rc_is_auth_failure(TSS2_RC rc)
{
	return rc_base(rc) == TPM2_RC_AUTH_FAIL ||
	    rc_base(rc) == TPM2_RC_BAD_AUTH;
}

/* Which template's SRK has this Name: 0 with *state STANDARD, SYSTEMD,
 * ECC_OTHER or (owner password) UNCHECKED, or an error. */
static int
classify_ecc(struct tpm *t, const TPM2B_NAME *name, enum tpm_srk_state *state)
{
	static const struct {
		enum srk_template which;
		enum tpm_srk_state state;
	} tries[] = {
		{ SRK_TEMPLATE_TCG, TPM_SRK_STANDARD },
		{ SRK_TEMPLATE_SYSTEMD, TPM_SRK_SYSTEMD },
	};
	TPM2B_NAME derived;
	TSS2_RC rc;
	size_t i;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		rc = derived_name(t, tries[i].which, &derived);
		if (rc_is_auth_failure(rc)) {
			*state = TPM_SRK_UNCHECKED;
			return 0;
		}
		if (rc != TSS2_RC_SUCCESS)
			return rc_fail("deriving an SRK to compare Names", rc);
		if (same_name(&derived, name)) {
			*state = tries[i].state;
			return 0;
		}
	}
	*state = TPM_SRK_ECC_OTHER;
	return 0;
}

int
tpm_srk_state(struct tpm *t, enum tpm_srk_state *state)
{
	TPM2B_PUBLIC pub;
	TPM2B_NAME *name = NULL;
	ESYS_TR srk = ESYS_TR_NONE;
	bool present;
	TSS2_RC rc;
	int r;

	*state = TPM_SRK_ABSENT;
	if ((r = srk_persistent_present(t, &present)) != 0 || !present)
		goto out;
	rc = Esys_TR_FromTPMPublic(t->esys, TPM_SRK_HANDLE, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE, &srk);
	if (rc != TSS2_RC_SUCCESS) {
		srk = ESYS_TR_NONE;
		r = rc_fail("reading the key at 0x81000001", rc);
		goto out;
	}
	if ((r = serial_key_public(t, srk, &pub)) != 0)
		goto out;
	if (rsa_storage_key(&pub.publicArea)) {
		*state = TPM_SRK_RSA;
		goto out;
	}
	if (!srk_public_matches_template(&pub.publicArea)) {
		*state = TPM_SRK_OTHER;
		goto out;
	}
	rc = Esys_TR_GetName(t->esys, srk, &name);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("reading the SRK name", rc);
		goto out;
	}
	r = classify_ecc(t, name, state);
out:
	Esys_Free(name);
	if (srk != ESYS_TR_NONE)
		(void)Esys_TR_Close(t->esys, &srk);
	return r;
}

enum tpm_srk_state
srk_state_of_public(const TPM2B_PUBLIC *pub)
{
	if (rsa_storage_key(&pub->publicArea))
		return TPM_SRK_RSA;
	if (!srk_public_matches_template(&pub->publicArea))
		return TPM_SRK_OTHER;
	return TPM_SRK_STANDARD;
}

int
srk_derive_named(struct tpm *t, const uint8_t name[KH_NAME_LEN],
    struct srk *srk)
{
	static const enum srk_template tries[] = {
		SRK_TEMPLATE_TCG, SRK_TEMPLATE_SYSTEMD,
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if ((r = srk_create_transient_of(t, tries[i], srk)) != 0)
			return r;
		if (srk->name.size == KH_NAME_LEN &&
		    memcmp(srk->name.name, name, KH_NAME_LEN) == 0)
			return 0;
		srk_close(t, srk);
	}
	return 1;
}

int
tpm_srk_other_names(struct tpm *t, const uint8_t current[KH_NAME_LEN],
    uint8_t names[2][KH_NAME_LEN], size_t *n)
{
	static const enum srk_template tries[] = {
		SRK_TEMPLATE_TCG, SRK_TEMPLATE_SYSTEMD,
	};
	TPM2B_NAME derived;
	TSS2_RC rc;
	size_t i;

	*n = 0;
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		rc = derived_name(t, tries[i], &derived);
		if (rc_is_auth_failure(rc)) {
			sk_debug("the owner hierarchy has a password: no other "
			    "SRK of this TPM derived to compare");
			return 0;
		}
		if (rc != TSS2_RC_SUCCESS)
			return rc_fail("deriving an SRK to compare Names", rc);
		if (derived.size != KH_NAME_LEN ||
		    memcmp(derived.name, current, KH_NAME_LEN) == 0)
			continue;
		memcpy(names[(*n)++], derived.name, KH_NAME_LEN);
	}
	return 0;
}
