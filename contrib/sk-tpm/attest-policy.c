/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: the key's authorization policy. The
 * certified public area carries the key's authPolicy; the key handle in
 * authData (the credential id, already matched to that public area)
 * carries what it was made from: its format version and, for a key bound
 * to PCRs, the PCR selection and the values enrolled. The policy is
 * recomputed from those (key-policy.h) and must equal the certified
 * authPolicy, and the attributes must be the ones that policy goes with.
 * A match also authenticates the handle's PCR values: they are hashed
 * into the digest the TPM certified.
 *
 *   handle 1   no authPolicy; the auth value alone (attested before
 *              issue 19: only keys without a binding)
 *   handle 3   unbound: the Certify-only branch, the auth value signs;
 *              bound: PolicyOR of the PCR branch and the Certify branch
 */
#include <stdio.h>
#include <string.h>

#include "attest-checks.h"
#include "attest-codec.h"
#include "attest-verify.h"
#include "handle.h"
#include "key-policy.h"
#include "policy.h"

#define A_ADMINWITHPOLICY	0x00000080u
#define KEY_ATTRS_POLICY	((KEY_ATTRS & ~A_USERWITHAUTH) | \
				 A_ADMINWITHPOLICY)

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

/* One line per bound PCR with the value the key was enrolled with. */
static void
show_values(struct av_report *rep, const struct kh *kh)
{
	char v[2 * POLICY_DIGEST_LEN + 1];
	size_t k = 0;
	unsigned i;

	for (i = 0; i < POLICY_PCR_COUNT; i++) {
		if (!(kh->pcr_mask & (1u << i)))
			continue;
		hex(kh->pcr_values + k, POLICY_DIGEST_LEN, v);
		av_ok(rep, "PCR %u (sha256) enrolled as %s", i, v);
		k += POLICY_DIGEST_LEN;
	}
}

bool
av_check_policy(struct av_report *rep, const struct att_public *k,
    const struct kh *kh)
{
	struct key_policy p;
	char list[POLICY_PCR_COUNT * 3 + 1];
	uint32_t want;

	/* Without the handle (authData did not hold this key's), only
	 * what needs none: no policy or the Certify-only one. */
	if (kh == NULL) {
		if (k->auth_policy_len == 0)
			memset(&p, 0, sizeof(p));
		else if (key_policy_v3(0, NULL, 0, false, &p) != 0)
			return false;
	} else if (key_policy_of(kh, &p) != 0)
		return false;
	want = p.policy_only ? KEY_ATTRS_POLICY : KEY_ATTRS;
	if ((k->attributes & ~A_NODA) != want)
		return false;
	if (!p.present ? k->auth_policy_len != 0 :
	    k->auth_policy_len != POLICY_DIGEST_LEN ||
	    memcmp(k->auth_policy, p.digest, POLICY_DIGEST_LEN) != 0) {
		av_bad(rep, "policy: the key's authPolicy is not the policy "
		    "its key handle describes");
		return true;
	}
	if (!p.present)
		av_ok(rep, "policy: none; the key's auth value alone "
		    "authorises it (key handle version 1)");
	else if (!p.policy_only)
		av_ok(rep, "policy: PolicyCommandCode(TPM2_Certify) alone, "
		    "which lets anyone have the TPM certify the public key "
		    "and do nothing else; signing takes the key's auth value "
		    "(key handle version %u)", kh != NULL ? kh->version :
		    KH_VERSION_CERTIFY);
	else {
		policy_format_pcrs(kh->pcr_mask, list, sizeof(list));
		av_ok(rep, "bound to PCRs: %s (sha256): only a policy "
		    "session can use the key; signing needs PolicyPCR over "
		    "the values below%s%s (key handle version %u)", list,
		    (kh->policy & KH_POLICY_AUTH_VALUE) ? " and the PIN "
		    "(PolicyAuthValue)" : "", p.n > 0 ? ", then PolicyOR "
		    "with a branch that admits TPM2_Certify alone" : "",
		    kh->version);
		show_values(rep, kh);
	}
	return true;
}
