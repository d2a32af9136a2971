/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The big-endian structures a verifier takes apart around a statement
 * (attest-codec.h): OpenSSH's ssh-sk-attest-v01 file, which carries it,
 * and the TPM structures inside it, TPMT_PUBLIC (of the key and of the AK)
 * and TPMS_ATTEST (of TPM2_Certify). Pure bytes in and out (no TPM, no
 * I/O), so that these parsers of untrusted bytes are fuzzed on their own.
 */
#ifndef SK_ATTEST_PARSE_H
#define SK_ATTEST_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* OpenSSH's ssh-sk-attest-v01 file; fields point into buf. 0 or -1 with
 * *why set. */
struct att_file {
	const uint8_t *cert, *sig, *authdata;
	size_t cert_len, sig_len, authdata_len;
};
int att_file_parse(const uint8_t *, size_t, struct att_file *,
    const char **why);

/* TPMT_PUBLIC of an ECC or an RSA key, strictly (nothing after it). An
 * ECC key's point is 0x04 || X || Y; an RSA key's modulus points into the
 * buffer (curve, kdf and point stay 0). */
#define ATT_TPM_ALG_RSA		0x0001
#define ATT_TPM_ALG_ECC		0x0023
struct att_public {
	uint16_t type, name_alg;
	uint32_t attributes;
	const uint8_t *auth_policy;	/* in the parsed buffer */
	size_t auth_policy_len;
	uint16_t sym_alg, scheme, scheme_hash, curve, kdf;
	uint8_t point[65];
	uint16_t key_bits;		/* RSA */
	uint32_t exponent;		/* RSA, 0: 65537 */
	const uint8_t *modulus;		/* RSA, at most 512 bytes */
	size_t modulus_len;
};
int att_public_parse(const uint8_t *, size_t, struct att_public *);

/* TPMS_ATTEST of TPM2_Certify, strictly. */
struct att_certify {
	uint32_t magic;
	uint16_t type;
	const uint8_t *signer, *extra, *name, *qname;
	size_t signer_len, extra_len, name_len, qname_len;
	uint64_t clock, firmware;
	uint32_t reset_count, restart_count;
	uint8_t safe;
};
int att_certify_parse(const uint8_t *, size_t, struct att_certify *);

#endif /* SK_ATTEST_PARSE_H */
