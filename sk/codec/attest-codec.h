/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Attestation formats, pure bytes in and out (no TPM, no I/O), so that the
 * verifier's parsers of untrusted bytes are fuzzed on their own.
 *
 * OpenSSH's attestation file (PROTOCOL.u2f; read by att_file_parse,
 * attest-parse.h), written by ssh-keygen -O write-attestation=FILE:
 *
 *   string "ssh-sk-attest-v01", string attestation_cert, string signature,
 *   string authdata, uint32 0 (reserved flags), string "" (reserved)
 *
 * sk-tpm fills the three fields so:
 *
 *   attestation_cert  the DER AK certificate when one is installed, else
 *                     empty (never a self-signed certificate);
 *   authdata          WebAuthn authenticator data as a CBOR byte string,
 *                     like FIDO tokens: SHA-256(application) || flags ||
 *                     signCount (0) || AAGUID || credential id length ||
 *                     credential id (the key handle) || COSE_Key (EC2,
 *                     ES256, P-256), exactly the 77 bytes written by
 *                     att_cose_key();
 *   signature         the statement below.
 *
 * The statement, version 3 (ATT_VERSION_WEBAUTHN, attest-webauthn.c):
 * WebAuthn's "tpm" attestation statement (WebAuthn section 8.3) exactly,
 * so that a standard verifier takes it as it is: a CBOR map of text keys
 * in CTAP2's canonical order (shorter keys first, then bytewise), strict
 * (cbor-strict.h), the optional pairs present only when they say
 * something:
 *
 *   "alg"           int    -7, COSE ES256: sig is ECDSA P-256 SHA-256;
 *                          or -65535, COSE RS1: sig is RSASSA-PKCS1-v1_5
 *                          with SHA-1 by an RSA-2048 AK (opt-in,
 *                          SK_TPM_ATTEST_ALG=rs1, config.h)
 *   "sig"           bytes  the AK's signature over certInfo: DER ECDSA
 *                          (ES256), or the 256-byte PKCS#1 one (RS1)
 *   "ver"           text   "2.0"
 *   "x5c"           array  the AK certificate (DER) when one for this AK
 *                          is installed, as in attestation_cert; absent
 *                          otherwise (1..ATT_X5C_MAX certificates)
 *   "akPub"         bytes  TPMT_PUBLIC of the AK (a restricted signing
 *                          primary of the endorsement hierarchy: ECC
 *                          P-256 for ES256, RSA-2048 for RS1)
 *   "sk-tpm"        uint   3, this statement's version
 *   "ekCerts"       bytes  the DER certificates of the TPM's EK
 *                          certificate and EK chain NV indices,
 *                          concatenated; only with SK_TPM_ATTEST_EK=1 and
 *                          when there were any
 *   "pubArea"       bytes  TPMT_PUBLIC of the key
 *   "certInfo"      bytes  TPMS_ATTEST of TPM2_Certify of the key,
 *                          extraData = H(authData || SHA-256(challenge))
 *                          with H the hash of alg: SHA-256 (ES256) or
 *                          SHA-1 (RS1), as WebAuthn says
 *   "ekUnread"      text   how many EK certificate indices could not be
 *                          read and why the first could not (1..
 *                          ATT_EK_UNREAD_MAX bytes of UTF-8); only when
 *                          some could not
 *   "firmware"      uint   TPM2_PT_FIRMWARE_VERSION_1 << 32 | _2
 *   "manufacturer"  uint   TPM2_PT_MANUFACTURER
 *
 * So attStmt is the statement and fmt is "tpm": a relying party builds
 * WebAuthn's attestation object {fmt, attStmt, authData} from the file and
 * takes SHA-256(challenge) as clientDataHash.
 *
 * Versions 1 and 2, written before, are still read: a CBOR map with small
 * unsigned keys, strict like the key handle (these keys in this order),
 * keys 2 to 6 WebAuthn's fields:
 *
 *   0  text   "sk-tpm-attest"     magic
 *   1  uint   version             ATT_VERSION (1)
 *   2  text   ver                 "2.0"
 *   3  uint   alg                 COSE algorithm of sig, negated: 7 is
 *                                 ES256 (-7), the only one
 *   4  bytes  sig
 *   5  bytes  certInfo
 *   6  bytes  pubArea
 *   7  bytes  akPub
 *   8  bytes  ekCerts             (empty: none)
 *   9  uint   manufacturer
 *  10  uint   firmware
 *
 * Version 2 (ATT_VERSION_EK_UNREAD), written when an EK index was defined
 * but could not be read, adds key 11, text ekUnread.
 */
#ifndef SK_ATTEST_CODEC_H
#define SK_ATTEST_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The statement carries a TPMS_ATTEST and two TPMT_PUBLIC, and travels
 * in OpenSSH's file: a verifier takes all of these apart. */
#include "attest-parse.h"

#define ATT_MAGIC		"sk-tpm-attest"
#define ATT_VERSION		1
#define ATT_VERSION_EK_UNREAD	2
#define ATT_VERSION_WEBAUTHN	3
#define ATT_EK_UNREAD_MAX	256
#define ATT_MAX_LEN		(32 * 1024)	/* versions 1 and 2 */
#define ATT_WEBAUTHN_MAX_LEN	(64 * 1024)	/* version 3 */
#define ATT_ALG_ES256		7	/* COSE -7, negated in 1 and 2 */
#define ATT_COSE_ES256		(-7)
#define ATT_COSE_RS1		(-65535)
#define ATT_SIG_MAX		512	/* version 3: RS1's is 256 */
#define ATT_X5C_MAX		4
#define ATT_X5C_CERT_MAX	8192
#define ATT_EK_CERTS_MAX	(24 * 1024)

/* The fixed sk-tpm AAGUID: "sk-tpm" in a version-4 style UUID. */
extern const uint8_t att_aaguid[16];

/* authenticator data flags */
#define ATT_FLAG_UP		0x01
#define ATT_FLAG_UV		0x04
#define ATT_FLAG_AT		0x40

#define ATT_COSE_KEY_LEN	77

struct att_stmt {
	const uint8_t *sig, *cert_info, *pub_area, *ak_pub, *ek_certs;
	size_t sig_len, cert_info_len, pub_area_len, ak_pub_len, ek_certs_len;
	uint32_t manufacturer;
	uint64_t firmware;
	unsigned version;		/* ATT_VERSION... */
	int alg;			/* ATT_COSE_ES256 (also when 0) or
					 * ATT_COSE_RS1 (version 3 only) */
	const char *ek_unread;		/* not terminated */
	size_t ek_unread_len;		/* 0: none (version 1) */
	const uint8_t *x5c[ATT_X5C_MAX];	/* version 3 */
	size_t x5c_len[ATT_X5C_MAX], x5c_n;
};

/* KH_* codes of codec.h. Decoded fields point into buf. The encoder
 * writes s->version: ATT_VERSION_WEBAUTHN, or 1 and 2 as they were
 * (version 1 without ek_unread, 2 with it). */
int att_stmt_encode(const struct att_stmt *, uint8_t **out, size_t *len);
int att_stmt_decode(const uint8_t *buf, size_t len, struct att_stmt *);

/* The 77-byte COSE_Key of a P-256 point (0x04 || X || Y). */
void att_cose_key(const uint8_t point[65], uint8_t out[ATT_COSE_KEY_LEN]);

struct att_authdata {
	const uint8_t *rp_id_hash;	/* 32 bytes */
	uint8_t flags;
	uint32_t sign_count;
	const uint8_t *aaguid;		/* 16 bytes */
	const uint8_t *cred_id;
	size_t cred_id_len;
	uint8_t point[65];		/* from the COSE_Key */
};
/* Raw authenticator data as att_authdata_build writes it; 0 or -1. */
int att_authdata_parse(const uint8_t *, size_t, struct att_authdata *);
/* Build it into a malloc'ed buffer; 0 or -1. */
int att_authdata_build(const uint8_t rp_id_hash[32], uint8_t flags,
    const uint8_t *cred_id, size_t cred_id_len, const uint8_t point[65],
    uint8_t **out, size_t *out_len);

#endif /* SK_ATTEST_CODEC_H */
