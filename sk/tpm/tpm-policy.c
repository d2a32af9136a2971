/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCR-bound keys (issue 12) in the TPM: reading PCRs and running the
 * key's policy in a policy session salted to the SRK.
 *
 * A bound key has userWithAuth clear, so only a policy session can use
 * it: an HMAC or password session with its auth value (computable from
 * public data for a key without a PIN) is refused. The policy is
 * TPM2_PolicyPCR over the expected values and, for a key with a PIN,
 * TPM2_PolicyAuthValue, which keys the Sign HMAC with the session key and
 * the PIN-derived auth value: the PIN still counts against the
 * dictionary-attack lockout and never crosses the bus, since the session
 * is salted. PolicyPCR is given the expected digest, so the TPM refuses it
 * at once when a PCR differs: no PIN used, no lockout try counted. For a
 * version 3 key that is one branch of two: TPM2_PolicyOR with the branch
 * that admits TPM2_Certify alone follows (tpm-policy-or.c).
 */
#include <stdio.h>
#include <string.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "key-policy.h"
#include "policy.h"
#include "sk-api.h"
#include "tpm-internal.h"

/* Enough room in the error line for a PCR value's start. */
#define SHOW_BYTES	6

static void
selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	policy_pcr_select(mask, sel->pcrSelections[0].pcrSelect);
}

static uint32_t
mask_of(const TPML_PCR_SELECTION *sel)
{
	uint32_t m = 0;
	UINT32 i;

	for (i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
		if (sel->pcrSelections[i].hash != TPM2_ALG_SHA256 ||
		    sel->pcrSelections[i].sizeofSelect < 3)
			continue;
		m |= (uint32_t)sel->pcrSelections[i].pcrSelect[0] |
		    (uint32_t)sel->pcrSelections[i].pcrSelect[1] << 8 |
		    (uint32_t)sel->pcrSelections[i].pcrSelect[2] << 16;
	}
	return m;
}

int
tpm_pcr_read(struct tpm *t, uint32_t mask, uint8_t *values, size_t *len)
{
	TPML_PCR_SELECTION want, *got_sel = NULL;
	TPML_DIGEST *got = NULL;
	UINT32 update;
	uint8_t buf[POLICY_VALUES_MAX];
	uint32_t left = mask & POLICY_PCR_ALL, got_mask;
	size_t off, k;
	unsigned i, j;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	/* A PCR_Read answers at most 8 digests: ask for what is left until
	 * nothing is, or the TPM has none of it. */
	while (left != 0) {
		selection(left, &want);
		rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
		    ESYS_TR_NONE, &want, &update, &got_sel, &got);
		if (rc != TSS2_RC_SUCCESS) {
			r = rc_fail("reading PCRs", rc);
			goto out;
		}
		got_mask = mask_of(got_sel) & left;
		if (got_mask == 0 || policy_pcr_count(got_mask) != got->count)
			break;
		for (i = 0, j = 0; i < POLICY_PCR_COUNT; i++) {
			if (!(got_mask & (1u << i)))
				continue;
			if (got->digests[j].size != POLICY_DIGEST_LEN) {
				sk_error("PCR %u has no SHA-256 value", i);
				goto out;
			}
			/* Values go in ascending PCR order. */
			k = policy_pcr_count(mask & ((1u << i) - 1));
			memcpy(buf + k * POLICY_DIGEST_LEN,
			    got->digests[j++].buffer, POLICY_DIGEST_LEN);
		}
		left &= ~got_mask;
		Esys_Free(got_sel);
		Esys_Free(got);
		got_sel = NULL;
		got = NULL;
	}
	if (left != 0) {
		for (i = 0; !(left & (1u << i)); i++)
			;
		sk_error("this TPM has no PCR %u in its SHA-256 bank", i);
		goto out;
	}
	off = policy_pcr_count(mask) * POLICY_DIGEST_LEN;
	memcpy(values, buf, off);
	*len = off;
	r = 0;
out:
	Esys_Free(got_sel);
	Esys_Free(got);
	return r;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * PolicyPCR was refused: read the PCRs and say which one changed. Returns
 * 1 if they all match after all (they changed back and forth, or the
 * refusal had another cause), so that the caller may try again.
 */
static int
explain_mismatch(struct tpm *t, const struct kh *kh)
{
	uint8_t now[POLICY_VALUES_MAX];
	char is[2 * SHOW_BYTES + 1], was[2 * SHOW_BYTES + 1];
	size_t len, k = 0;
	unsigned i, changed = 0, first = 0;

	if (tpm_pcr_read(t, kh->pcr_mask, now, &len) != 0 ||
	    len != kh->pcr_values_len)
		return SSH_SK_ERR_GENERAL;
	for (i = 0; i < POLICY_PCR_COUNT; i++) {
		if (!(kh->pcr_mask & (1u << i)))
			continue;
		if (memcmp(now + k, kh->pcr_values + k, POLICY_DIGEST_LEN)) {
			if (changed++ == 0) {
				first = i;
				hex(now + k, SHOW_BYTES, is);
				hex(kh->pcr_values + k, SHOW_BYTES, was);
			}
		}
		k += POLICY_DIGEST_LEN;
	}
	if (changed == 0)
		return 1;
	sk_error("the platform state changed: PCR %u (sha256) is %s..., "
	    "this key was enrolled with %s...%s; after an intended firmware "
	    "or Secure Boot update, enroll a new key", first, is, was,
	    changed > 1 ? " (other bound PCRs changed too)" : "");
	return SSH_SK_ERR_GENERAL;
}

int
policy_session_run(struct tpm *t, const struct kh *kh, ESYS_TR session,
    bool restart)
{
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST expected = { .size = POLICY_DIGEST_LEN };
	struct key_policy p;
	TSS2_RC rc;
	int tries, r;

	if (restart && (rc = Esys_PolicyRestart(t->esys, session,
	    ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE)) != TSS2_RC_SUCCESS)
		return rc_fail("restarting the policy session", rc);
	selection(kh->pcr_mask, &sel);
	if (policy_pcr_digest(kh->pcr_values, kh->pcr_values_len,
	    expected.buffer) != 0) {
		sk_error("cannot hash the expected PCR values");
		return SSH_SK_ERR_GENERAL;
	}
	for (tries = 0;; tries++) {
		rc = Esys_PolicyPCR(t->esys, session, ESYS_TR_NONE,
		    ESYS_TR_NONE, ESYS_TR_NONE, &expected, &sel);
		if (rc == TSS2_RC_SUCCESS)
			break;
		if (rc_base(rc) != TPM2_RC_VALUE)
			return rc_fail("checking the PCRs", rc);
		/* Mismatch, unless the PCRs moved under us. */
		if ((r = explain_mismatch(t, kh)) != 1 ||
		    tries >= POLICY_PCR_TRIES)
			return r == 1 ? rc_fail("checking the PCRs", rc) : r;
	}
	if ((kh->policy & KH_POLICY_AUTH_VALUE) &&
	    (rc = Esys_PolicyAuthValue(t->esys, session, ESYS_TR_NONE,
	    ESYS_TR_NONE, ESYS_TR_NONE)) != TSS2_RC_SUCCESS)
		return rc_fail("adding the PIN to the policy", rc);
	/* A version 3 key: the PCR branch is one of two (key-policy.h). */
	if (key_policy_of(kh, &p) != 0) {
		sk_error("cannot compute the key's policy");
		return SSH_SK_ERR_GENERAL;
	}
	return policy_or_run(t, session, &p);
}

bool
policy_public_ok(const struct kh *kh, const TPMT_PUBLIC *pub)
{
	struct key_policy p;

	if (key_policy_of(kh, &p) != 0)
		return false;
	if ((pub->objectAttributes & ~TPMA_OBJECT_NODA) !=
	    (p.policy_only ? KEY_ATTRIBUTES_POLICY : KEY_ATTRIBUTES))
		return false;
	if (!p.present)
		return pub->authPolicy.size == 0;
	return pub->authPolicy.size == sizeof(p.digest) &&
	    memcmp(pub->authPolicy.buffer, p.digest, sizeof(p.digest)) == 0;
}
