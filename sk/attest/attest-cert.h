/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AK certificate a fleet CA issued after the EK round trip, installed
 * by `sk-tpm attest install-cert` and attached by every enrollment whose
 * AK it certifies (attest-cert.c). It lives in a file of the user who
 * enrolls, as DER, one per AK (tpm-attest.h):
 *
 *   $XDG_CONFIG_HOME/sk-tpm/ak-cert.der, or ~/.config/sk-tpm/ak-cert.der
 *   (the ES256 AK's), ak-rs1-cert.der beside it (the RS1 AK's)
 *
 * and, for a machine-wide certificate installed by root, the fallback
 * /etc/sk-tpm/ak-cert.der (ak-rs1-cert.der). A certificate for another key
 * than this TPM's AK of that kind (another TPM, a cleared one) is never
 * attached.
 */
#ifndef SK_ATTEST_CERT_H
#define SK_ATTEST_CERT_H

#include <stddef.h>
#include <stdint.h>

#define AK_CERT_SYSTEM_DIR	"/etc/sk-tpm"
#define AK_CERT_MAX	8192

/* "ak-cert.der" (TPM_AK_ES256) or "ak-rs1-cert.der" (TPM_AK_RS1). */
const char *ak_cert_name(int ak_kind);
/* The per-user path of the AK of that kind into buf; 0, or -1 when
 * neither XDG_CONFIG_HOME nor HOME is set. */
int ak_cert_user_path(int ak_kind, char *buf, size_t len);
/* Whether der is a certificate for the AK with this TPMT_PUBLIC. */
int ak_cert_matches(const uint8_t *der, size_t der_len,
    const uint8_t *ak_pub, size_t ak_pub_len);
/* The installed certificate for this AK (of that kind), malloc'ed, or
 * NULL, 0 when there is none (0), or -1 on an allocation failure. */
int ak_cert_find(int ak_kind, const uint8_t *ak_pub, size_t ak_pub_len,
    uint8_t **der, size_t *der_len);
/* Store der as the per-user certificate of the AK of that kind (directory
 * made 0700). */
int ak_cert_install(int ak_kind, const uint8_t *der, size_t der_len);

#endif /* SK_ATTEST_CERT_H */
