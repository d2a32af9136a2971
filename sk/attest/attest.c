/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Attestation at enrollment: WebAuthn-shaped authenticator data for the new
 * key, TPM2_Certify of the key by the attestation key over
 * H(authData || SHA-256(challenge)), H the hash of the AK's algorithm
 * (SHA-256 for the default ES256 AK, SHA-1 for the opt-in RS1 one), and
 * the statement that carries the certification with what a verifier needs
 * beyond it (attest-codec.h).
 *
 * Always done: the provider cannot tell whether ssh-keygen will write the
 * attestation out, and an enrollment happens once per key. The key is
 * still loaded from its creation, in the session that created it
 * (tpm-hold.c), so it adds 5 TPM commands: GetCapability of the
 * identity, read first while nothing is loaded (attest_prepare);
 * CreatePrimary of the AK, Certify, FlushContext of the AK and of the key.
 * With SK_TPM_ATTEST_EK=1 the EK certificates too: GetCapability of the
 * EK indices, then NV_ReadPublic and NV_Read per certificate.
 * About 204 ms on a discrete TPM by the latency model (test/bench) (+18
 * with a PIN key's session), 340-410 ms through a resource manager, which
 * swaps the key, the AK and the session around Certify (doc/attestation.md).
 * A PCR-bound key is certified through its policy's Certify branch
 * (tpm-attest.c): 3 more commands, StartAuthSession, PolicyCommandCode
 * and PolicyOR. The RS1 AK costs an RSA-2048 key generation per
 * enrollment instead of a P-256 one, seconds on some chips
 * (doc/attestation.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/sha.h>

#include "attest-cert.h"
#include "attest-codec.h"
#include "attest.h"
#include "cbor-write.h"
#include "config.h"
#include "handle.h"
#include "log.h"
#include "message.h"
#include "sk-api.h"
#include "tpm-attest.h"

/* DER ECDSA-Sig-Value from r and s into out (at most 72 bytes). */
static int
der_signature(const uint8_t r[32], const uint8_t s[32],
    uint8_t out[TPM_AK_SIG_MAX], size_t *len)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *p = out;
	int n, ret = -1;

	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (br = BN_bin2bn(r, 32, NULL)) == NULL ||
	    (bs = BN_bin2bn(s, 32, NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, br, bs) != 1)
		goto out;
	br = bs = NULL;
	if ((n = i2d_ECDSA_SIG(sig, NULL)) <= 0 || n > 80 ||
	    i2d_ECDSA_SIG(sig, &p) != n)
		goto out;
	*len = (size_t)n;
	ret = 0;
out:
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	return ret;
}

/* authData as a CBOR byte string, as FIDO tokens hand it over. */
static int
wrap_bytes(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	struct cbor_wr w;
	uint8_t *tmp;
	int r;

	if ((tmp = malloc(len + 9)) == NULL)
		return -1;
	cwr_init(&w, tmp, len + 9);
	cwr_bytes(&w, in, len);
	r = cwr_finish(&w, out, out_len);
	free(tmp);
	return r == KH_OK ? 0 : -1;
}

/* Why the attestation is incomplete, for SK_TPM_DEBUG; forgets the error
 * line so that the enrollment still succeeds silently. */
static void
missing(const char *what)
{
	const char *why = log_last_error();

	sk_debug("attestation: %s: %s", what, why != NULL ? why : "failed");
	log_reset();
}

_Static_assert(SK_ATTEST_ES256 == TPM_AK_ES256 &&
    SK_ATTEST_RS1 == TPM_AK_RS1, "config.h and tpm-attest.h disagree");

int
attest_ak_kind(const struct sk_config *cfg)
{
	int alg;

	if (config_attest_alg(cfg, &alg) != 0)
		return -1;
	return alg;
}

void
attest_prepare(struct tpm *t, bool with_ek, int ak_kind,
    struct attest_prep *p)
{
	struct tpm_ek_read how;

	memset(p, 0, sizeof(*p));
	p->ak_kind = ak_kind;
	if (!with_ek)
		sk_debug("attestation: EK certificates left out (private "
		    "unless SK_TPM_ATTEST_EK=1)");
	else if (tpm_ek_certs(t, &p->ek, &p->ek_len, &how) != 0)
		missing("no EK certificates");
	else if (how.read == 0 && how.unread == 0)
		sk_debug("attestation: this TPM has no EK certificate in NV");
	else if (how.unread > 0) {
		sk_debug("attestation: %d EK certificate ind%s could not be "
		    "read (%s)", how.unread, how.unread == 1 ? "ex" : "ices",
		    how.why);
		snprintf(p->ek_unread, sizeof(p->ek_unread), "%d: %s",
		    how.unread, how.why);
	}
	if (tpm_identity(t, &p->manufacturer, &p->firmware) != 0)
		missing("no TPM manufacturer and firmware");
}

void
attest_prep_free(struct attest_prep *p)
{
	free(p->ek);
	memset(p, 0, sizeof(*p));
}

void
attest_enrollment(struct tpm *t, const struct tpm_new_key *key,
    const struct attest_prep *prep, const char *application, uint8_t flags,
    const uint8_t *challenge, size_t challenge_len,
    struct sk_enroll_response *resp)
{
	struct tpm_certified cert;
	struct att_stmt st;
	uint8_t rp_hash[32], chal_hash[32], extra[32], sig[TPM_AK_SIG_MAX];
	size_t extra_len;
	uint8_t *authdata = NULL, *both = NULL, *stmt = NULL;
	uint8_t *wrapped = NULL, ad_flags = 0;
	size_t authdata_len = 0, stmt_len = 0, wrapped_len = 0;

	memset(&cert, 0, sizeof(cert));
	memset(&st, 0, sizeof(st));
	if (flags & SSH_SK_USER_PRESENCE_REQD)
		ad_flags |= ATT_FLAG_UP;
	if (flags & SSH_SK_USER_VERIFICATION_REQD)
		ad_flags |= ATT_FLAG_UV;
	if (key->public_len < 2 ||
	    sha256(application, strlen(application), rp_hash) != 0 ||
	    sha256(challenge, challenge != NULL ? challenge_len : 0,
	    chal_hash) != 0 ||
	    att_authdata_build(rp_hash, ad_flags, resp->key_handle,
	    resp->key_handle_len, key->point, &authdata, &authdata_len) != 0 ||
	    (both = malloc(authdata_len + 32)) == NULL) {
		sk_debug("attestation: cannot build the authenticator data");
		goto out;
	}
	memcpy(both, authdata, authdata_len);
	memcpy(both + authdata_len, chal_hash, 32);
	/* extraData: hashed with the hash of the AK's algorithm, as
	 * WebAuthn's "tpm" verification procedure checks it. */
	if (prep->ak_kind == TPM_AK_RS1) {
		SHA1(both, authdata_len + 32, extra);
		extra_len = SHA_DIGEST_LENGTH;
		st.alg = ATT_COSE_RS1;
	} else {
		if (sha256(both, authdata_len + 32, extra) != 0)
			goto out;
		extra_len = 32;
		st.alg = ATT_COSE_ES256;
	}
	if (tpm_attest_certify(t, prep->ak_kind, extra, extra_len,
	    &cert) != 0) {
		missing("no certification of the key");
		goto out;
	}
	st.manufacturer = prep->manufacturer;
	st.firmware = prep->firmware;
	if (prep->ak_kind == TPM_AK_RS1) {
		memcpy(sig, cert.sig, cert.sig_len);
		st.sig_len = cert.sig_len;
	} else if (cert.sig_len != 64 ||
	    der_signature(cert.sig, cert.sig + 32, sig, &st.sig_len) != 0) {
		sk_debug("attestation: cannot encode the signature");
		goto out;
	}
	st.sig = sig;
	st.cert_info = cert.cert_info;
	st.cert_info_len = cert.cert_info_len;
	/* TPMT_PUBLIC: the TPM2B_PUBLIC without its size. */
	st.pub_area = key->public + 2;
	st.pub_area_len = key->public_len - 2;
	st.ak_pub = cert.ak_pub;
	st.ak_pub_len = cert.ak_pub_len;
	st.ek_certs = prep->ek;
	st.ek_certs_len = prep->ek_len;
	st.ek_unread = prep->ek_unread;
	st.ek_unread_len = strlen(prep->ek_unread);
	st.version = ATT_VERSION_WEBAUTHN;
	/* x5c: the AK certificate, when one for this AK is installed, in
	 * the statement and in OpenSSH's attestation_cert. */
	if (ak_cert_find(prep->ak_kind, cert.ak_pub, cert.ak_pub_len,
	    &resp->attestation_cert, &resp->attestation_cert_len) != 0) {
		sk_debug("attestation: out of memory");
		goto out;
	}
	if (resp->attestation_cert != NULL) {
		st.x5c[0] = resp->attestation_cert;
		st.x5c_len[0] = resp->attestation_cert_len;
		st.x5c_n = 1;
	}
	if (att_stmt_encode(&st, &stmt, &stmt_len) != KH_OK ||
	    wrap_bytes(authdata, authdata_len, &wrapped, &wrapped_len) != 0) {
		sk_debug("attestation: cannot encode the statement");
		/* No statement: no certificate either, as before. */
		free(resp->attestation_cert);
		resp->attestation_cert = NULL;
		resp->attestation_cert_len = 0;
		goto out;
	}
	resp->signature = stmt;
	resp->signature_len = stmt_len;
	resp->authdata = wrapped;
	resp->authdata_len = wrapped_len;
	stmt = wrapped = NULL;
out:
	tpm_certified_reset(&cert);
	free(authdata);
	free(both);
	free(stmt);
	free(wrapped);
}
