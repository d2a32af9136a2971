/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: the OpenSSL helpers (attest-x509.c) behind
 * the command (attest.c).
 */
#ifndef SK_TPM_ATTEST_VERIFY_H
#define SK_TPM_ATTEST_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* TPM constants (TPM 2.0 Part 2). */
#define TPM_GENERATED		0xff544347u
#define TPM_ST_ATTEST_CERTIFY	0x8017
#define TPM_ALG_SHA256		0x000b
#define TPM_ALG_NULL		0x0010
#define TPM_ALG_ECDSA		0x0018
#define TPM_ECC_NIST_P256	0x0003
#define TPM_RH_ENDORSEMENT	0x4000000bu
#define A_FIXEDTPM		0x00000002u
#define A_FIXEDPARENT		0x00000010u
#define A_SENSITIVEDATAORIGIN	0x00000020u
#define A_USERWITHAUTH		0x00000040u
#define A_NODA			0x00000400u
#define A_RESTRICTED		0x00010000u
#define A_SIGN			0x00040000u
#define KEY_ATTRS	(A_FIXEDTPM | A_FIXEDPARENT | A_SENSITIVEDATAORIGIN | \
			 A_USERWITHAUTH | A_SIGN)
#define AK_ATTRS	(KEY_ATTRS | A_RESTRICTED)

/* An sk-ecdsa-sha2-nistp256@openssh.com public key file: its point and
 * application. 0 or -1. */
int av_read_pubkey(const char *path, uint8_t point[65], char *app,
    size_t applen);
/* Trusted certificates from a PEM or DER file, or from every file of a
 * directory; NULL when none could be read. */
X509_STORE *av_load_roots(const char *path);
/* The concatenated DER EK certificates: *nleaf non-CA ones; with a store,
 * 0 if at least one chains to it (msg describes it), else -1 with the
 * reason in msg. Without a store, 0 unless the bytes are unreadable. */
int av_ek_certs(X509_STORE *, const uint8_t *der, size_t len, int *nleaf,
    char *msg, size_t msglen);
/* The AK certificate: for this AK (ak-key.h) and chaining to store. */
struct att_public;
int av_ak_cert(X509_STORE *, const uint8_t *der, size_t len,
    const struct att_public *ak, char *msg, size_t msglen);

/* Whether leaf chains to store with the others as intermediates; why
 * gets the reason when not. */
int av_chains(X509_STORE *, X509 *leaf, STACK_OF(X509) *others, char *why,
    size_t whylen);
/* "RSA-2048, issued by ..." */
void av_describe(X509 *, char *out, size_t len);
/* "/CN=.../O=...", each value escaped (cli_safe_text): names in a
 * certificate come from whoever made it. */
void av_name_text(const X509_NAME *, char *out, size_t len);

/* attest-profile.c */
/* Whether the AK certificate follows WebAuthn's profile (section 8.3.1):
 * version 3, empty subject, a critical subjectAltName with the TPM
 * manufacturer (copied to manufacturer), model and version, extended key
 * usage tcg-kp-AIKCertificate, basicConstraints CA:FALSE. 0, or -1 with
 * the first deviation in why. */
int av_ak_profile(X509 *, char *manufacturer, size_t mlen, char *why,
    size_t whylen);
/* Whether the certificate is an EK certificate (TCG EK Credential
 * Profile): extended key usage tcg-kp-EKCertificate (2.23.133.8.1), or
 * without one the TPM attributes in its subjectAltName, and key usage
 * keyEncipherment (RSA) or keyAgreement (ECC). 0, or -1 with why. */
int av_ek_profile(X509 *, char *why, size_t whylen);
/* The TPM manufacturer ("id:XXXXXXXX") in the subjectAltName of the first
 * EK certificate (not a CA) among the concatenated DER ones that has it,
 * escaped (cli_safe_text). 0, or -1 when none has. */
int av_ek_manufacturer(const uint8_t *der, size_t len, char *out,
    size_t outlen);
/* TPM2_PT_MANUFACTURER as the TCG writes it: id:XXXXXXXX ("ABCD"). */
void av_manufacturer_text(uint32_t id, char *out, size_t len);

#endif /* SK_TPM_ATTEST_VERIFY_H */
