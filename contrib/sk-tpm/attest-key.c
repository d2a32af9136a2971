/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: what the TPM certified about the key. Its
 * public area (made inside the TPM, never leaves it, signs only, P-256,
 * authorised as its key handle says (attest-policy.c), and DA-protected
 * exactly when authData claims a PIN) and certInfo, the
 * TPM2_Certify result: TPM-generated, naming this key, signed by the AK of
 * the endorsement hierarchy, and made for the challenge when one is given.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/sha.h>

#include "attest-checks.h"
#include "attest-codec.h"
#include "attest-verify.h"
#include "handle.h"
#include "message.h"

/*
 * An unlockable key's PIN (handle version 4) is its PIN object's: the key
 * itself is noDA, and the object's public area, which the handle carries,
 * hashes to the Name inside the authPolicy the TPM certified
 * (attest-policy.c has matched it). That public area must be a keyed-hash
 * data object authorised by its auth value alone and DA-protected:
 * TPMT_PUBLIC type, nameAlg, objectAttributes, then an empty authPolicy.
 */
static bool
pin_object_ok(const struct kh *kh)
{
	const uint8_t *p = kh->secret_public;
	uint32_t attrs;

	if (p == NULL || kh->secret_public_len < 2 + 12)
		return false;
	attrs = (uint32_t)p[6] << 24 | (uint32_t)p[7] << 16 |
	    (uint32_t)p[8] << 8 | p[9];
	return p[2] == 0x00 && p[3] == 0x08 &&	/* TPM_ALG_KEYEDHASH */
	    p[4] == 0x00 && p[5] == 0x0b &&	/* SHA-256 */
	    (attrs & A_NODA) == 0 && (attrs & A_USERWITHAUTH) != 0 &&
	    p[10] == 0 && p[11] == 0;		/* no authPolicy */
}

static void
check_unlock_pin(struct av_report *rep, const struct att_public *k, bool pin,
    const struct kh *kh)
{
	if (!pin)
		av_bad(rep, "PIN: authData claims no PIN but the key is "
		    "unlockable (its PIN object is its PIN)");
	else if (!(k->attributes & A_NODA) || !pin_object_ok(kh))
		av_bad(rep, "PIN: the unlockable key's PIN object is not a "
		    "DA-protected object authorised by its auth value");
	else
		av_ok(rep, "PIN: required to open an unlock window: the "
		    "policy names a DA-protected PIN object whose auth value "
		    "is derived from the PIN (the key itself is noDA); "
		    "signatures inside a window carry no UV; the PIN's length "
		    "and quality are not attested");
}

void
av_check_key(struct av_report *rep, const struct att_public *k, uint8_t flags,
    const struct kh *kh)
{
	bool pin = (flags & ATT_FLAG_UV) != 0;

	if (k->name_alg != TPM_ALG_SHA256 || k->curve != TPM_ECC_NIST_P256 ||
	    (k->scheme != TPM_ALG_NULL && (k->scheme != TPM_ALG_ECDSA ||
	    k->scheme_hash != TPM_ALG_SHA256)))
		av_bad(rep, "key: not an ECDSA P-256 signing key");
	else if (!av_check_policy(rep, k, kh))
		av_bad(rep, "key attributes 0x%08x: not a non-exportable, "
		    "signing-only ECDSA P-256 key authorised as its key "
		    "handle describes", k->attributes);
	else
		av_ok(rep, "key: fixedTPM, fixedParent, sensitiveDataOrigin: "
		    "made inside the TPM and never leaves it; ECC P-256, "
		    "signing only (ECDSA-SHA-256 %s), not restricted",
		    k->scheme == TPM_ALG_NULL ? "named at each signature" :
		    "fixed in the key");
	if (kh != NULL && kh->version == KH_VERSION_UNLOCK)
		check_unlock_pin(rep, k, pin, kh);
	else if (pin && (k->attributes & A_NODA))
		av_bad(rep, "PIN: authData claims a PIN but the key is noDA");
	else if (!pin && !(k->attributes & A_NODA))
		av_bad(rep, "PIN: authData claims no PIN but the key is "
		    "DA-protected");
	else if (pin)
		av_ok(rep, "PIN: required; the TPM demands the key's auth "
		    "value (derived from the PIN) and throttles guessing with "
		    "its dictionary-attack lockout; the PIN's length and "
		    "quality are not attested");
	else
		av_ok(rep, "PIN: none; the key is noDA and anyone who can use "
		    "this TPM can use it");
	if (flags & ATT_FLAG_UP)
		av_ok(rep, "touch: required, enforced by the sk-tpm provider "
		    "(software), not by the TPM");
	else
		av_ok(rep, "touch: not required");
}

void
av_check_cert_info(struct av_report *rep, const struct att_stmt *st,
    const uint8_t *ad, size_t ad_len, const uint8_t *chal, size_t chal_len,
    bool have_chal, const uint8_t ak_name[34])
{
	struct att_certify c;
	uint8_t name[34], qn[38], want[34], buf[1024 + 32];
	bool rs1 = st->alg == ATT_COSE_RS1;
	size_t want_len = rs1 ? SHA_DIGEST_LENGTH : 32;

	if (att_certify_parse(st->cert_info, st->cert_info_len, &c) != 0 ||
	    c.magic != TPM_GENERATED || c.type != TPM_ST_ATTEST_CERTIFY) {
		av_bad(rep, "certInfo: not a TPM-generated TPM2_Certify "
		    "result");
		return;
	}
	name[0] = 0x00;
	name[1] = 0x0b;
	if (sha256(st->pub_area, st->pub_area_len, name + 2) != 0 ||
	    c.name_len != sizeof(name) || memcmp(c.name, name, 34) != 0)
		av_bad(rep, "certInfo: certifies another object than this key");
	else
		av_ok(rep, "certInfo: TPM-generated TPM2_Certify of this key");
	/* The signer's qualified name: a primary of the endorsement
	 * hierarchy has nameAlg || H(TPM_RH_ENDORSEMENT || Name). */
	qn[0] = 0x40;
	qn[1] = qn[2] = 0x00;
	qn[3] = 0x0b;
	memcpy(qn + 4, ak_name, 34);
	want[0] = 0x00;
	want[1] = 0x0b;
	if (sha256(qn, sizeof(qn), want + 2) != 0 ||
	    c.signer_len != 34 || memcmp(c.signer, want, 34) != 0)
		av_bad(rep, "certInfo: the signer is not the AK of the "
		    "endorsement hierarchy");
	if (!have_chal) {
		av_open_end(rep, "challenge: not checked (no --challenge): the "
		    "attestation may be a replay");
		return;
	}
	if (ad_len > 1024) {
		av_bad(rep, "authData too long");
		return;
	}
	/* WebAuthn: extraData is attToBeSigned hashed with alg's hash. */
	memcpy(buf, ad, ad_len);
	if (sha256(chal, chal_len, buf + ad_len) != 0 ||
	    (rs1 ? SHA1(buf, ad_len + 32, want) == NULL :
	    sha256(buf, ad_len + 32, want) != 0) ||
	    c.extra_len != want_len || memcmp(c.extra, want, want_len) != 0)
		av_bad(rep, "challenge: extraData is not %s(authData || "
		    "SHA-256(challenge)): another challenge or a replay",
		    rs1 ? "SHA-1" : "SHA-256");
	else
		av_ok(rep, "challenge: extraData = %s(authData || "
		    "SHA-256(challenge)); made for this challenge",
		    rs1 ? "SHA-1" : "SHA-256");
}
