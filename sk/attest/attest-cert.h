/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AK certificate a fleet CA issued after the EK round trip, installed
 * by `sk-tpm attest install-cert` and attached by every enrollment whose
 * AK it certifies (attest-cert.c). It lives in a file of the user who
 * enrolls, as DER:
 *
 *   $XDG_CONFIG_HOME/sk-tpm/ak-cert.der, or ~/.config/sk-tpm/ak-cert.der
 *
 * and, for a machine-wide certificate installed by root, the fallback
 * /etc/sk-tpm/ak-cert.der. A certificate for another key than this TPM's
 * AK (another TPM, a cleared one) is never attached.
 */
#ifndef SK_ATTEST_CERT_H
#define SK_ATTEST_CERT_H

#include <stddef.h>
#include <stdint.h>

#define AK_CERT_SYSTEM	"/etc/sk-tpm/ak-cert.der"
#define AK_CERT_MAX	8192

/* The per-user path into buf; 0, or -1 when neither XDG_CONFIG_HOME nor
 * HOME is set. */
int ak_cert_user_path(char *buf, size_t len);
/* Whether der is a certificate for the AK with this TPMT_PUBLIC. */
int ak_cert_matches(const uint8_t *der, size_t der_len,
    const uint8_t *ak_pub, size_t ak_pub_len);
/* The installed certificate for this AK, malloc'ed, or NULL, 0 when there
 * is none (0), or -1 on an allocation failure. */
int ak_cert_find(const uint8_t *ak_pub, size_t ak_pub_len, uint8_t **der,
    size_t *der_len);
/* Store der as the per-user certificate (directory made 0700). */
int ak_cert_install(const uint8_t *der, size_t der_len);

#endif /* SK_ATTEST_CERT_H */
