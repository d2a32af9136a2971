/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: everything sk-tpm verify-attestation parses from an
 * attestation file, on arbitrary bytes: the ssh-sk-attest-v01 envelope,
 * the CBOR-wrapped authenticator data, the statement (versions 1 to 3:
 * integer keys, and WebAuthn's text keys with -7 or -65535 and x5c) and
 * the TPM structures inside it, ECC and RSA public areas (attest-codec.h).
 *
 * Beyond "no crash, no leak, no sanitizer report": every parsed field lies
 * inside the input, and an accepted statement re-encodes to exactly its
 * bytes (one encoding per statement).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest-codec.h"
#include "cbor-strict.h"
#include "handle.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
inside(const uint8_t *buf, size_t len, const uint8_t *p, size_t plen)
{
	if (plen > 0 && (p < buf || p + plen > buf + len))
		abort();
}

static void
statement(const uint8_t *buf, size_t len)
{
	struct att_stmt st;
	struct att_public pub;
	struct att_certify c;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	if (att_stmt_decode(buf, len, &st) != KH_OK)
		return;
	inside(buf, len, st.sig, st.sig_len);
	inside(buf, len, st.cert_info, st.cert_info_len);
	inside(buf, len, st.pub_area, st.pub_area_len);
	inside(buf, len, st.ak_pub, st.ak_pub_len);
	inside(buf, len, st.ek_certs, st.ek_certs_len);
	inside(buf, len, (const uint8_t *)st.ek_unread, st.ek_unread_len);
	if (st.x5c_n > ATT_X5C_MAX)
		abort();
	for (size_t i = 0; i < st.x5c_n; i++)
		inside(buf, len, st.x5c[i], st.x5c_len[i]);
	if (att_stmt_encode(&st, &enc, &enc_len) != KH_OK ||
	    enc_len != len || memcmp(enc, buf, len) != 0)
		abort();
	free(enc);
	(void)att_public_parse(st.pub_area, st.pub_area_len, &pub);
	(void)att_public_parse(st.ak_pub, st.ak_pub_len, &pub);
	if (att_certify_parse(st.cert_info, st.cert_info_len, &c) == 0) {
		inside(st.cert_info, st.cert_info_len, c.signer, c.signer_len);
		inside(st.cert_info, st.cert_info_len, c.extra, c.extra_len);
		inside(st.cert_info, st.cert_info_len, c.name, c.name_len);
		inside(st.cert_info, st.cert_info_len, c.qname, c.qname_len);
	}
}

/* A TPMT_PUBLIC (an AK's, ak.tpmt of an export): an RSA modulus lies
 * inside the input and within its bounds. */
static void
public_area(const uint8_t *buf, size_t len)
{
	struct att_public pub;

	if (att_public_parse(buf, len, &pub) != 0)
		return;
	inside(buf, len, pub.modulus, pub.modulus_len);
	inside(buf, len, pub.auth_policy, pub.auth_policy_len);
	if (pub.modulus_len > 512 || pub.auth_policy_len > 64)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_file f;
	struct att_authdata ad;
	struct cbor_rd rd;
	const uint8_t *raw;
	const char *why;
	size_t raw_len;

	/* The pieces on their own too, so that the fuzzer reaches them
	 * without building a whole envelope. */
	statement(data, size);
	public_area(data, size);
	(void)att_authdata_parse(data, size, &ad);
	if (att_file_parse(data, size, &f, &why) != 0)
		return 0;
	inside(data, size, f.cert, f.cert_len);
	inside(data, size, f.sig, f.sig_len);
	inside(data, size, f.authdata, f.authdata_len);
	statement(f.sig, f.sig_len);
	crd_init(&rd, f.authdata, f.authdata_len);
	if (crd_bytes(&rd, &raw, &raw_len) == 0 && crd_at_end(&rd) &&
	    att_authdata_parse(raw, raw_len, &ad) == 0)
		inside(raw, raw_len, ad.cred_id, ad.cred_id_len);
	return 0;
}
