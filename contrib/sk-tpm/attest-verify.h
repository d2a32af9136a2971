/*
 * sk-tpm verify-attestation: the OpenSSL helpers (attest-x509.c) behind
 * the command (attest.c).
 */
#ifndef SK_TPM_ATTEST_VERIFY_H
#define SK_TPM_ATTEST_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* An sk-ecdsa-sha2-nistp256@openssh.com public key file: its point and
 * application. 0 or -1. */
int av_read_pubkey(const char *path, uint8_t point[65], char *app,
    size_t applen);
/* A DER ECDSA signature over SHA-256(msg) by the P-256 point. 0 or -1. */
int av_verify_es256(const uint8_t point[65], const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t sig_len);
/* Trusted certificates from a PEM or DER file, or from every file of a
 * directory; NULL when none could be read. */
X509_STORE *av_load_roots(const char *path);
/* The concatenated DER EK certificates: *nleaf non-CA ones; with a store,
 * 0 if at least one chains to it (msg describes it), else -1 with the
 * reason in msg. Without a store, 0 unless the bytes are unreadable. */
int av_ek_certs(X509_STORE *, const uint8_t *der, size_t len, int *nleaf,
    char *msg, size_t msglen);
/* The AK certificate: for this AK point and chaining to store. */
int av_ak_cert(X509_STORE *, const uint8_t *der, size_t len,
    const uint8_t ak_point[65], char *msg, size_t msglen);

/* The point as a PEM SubjectPublicKeyInfo file. */
int av_write_pem(const uint8_t point[65], const char *path);

#endif /* SK_TPM_ATTEST_VERIFY_H */
