/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: the checks the command (attest.c) runs once
 * the statement is parsed and its signature holds, each writing its lines
 * to the report (attest-report.h). A check calls no other check and
 * nothing of the command.
 */
#ifndef SK_TPM_ATTEST_CHECKS_H
#define SK_TPM_ATTEST_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest-report.h"

struct att_file;
struct att_public;
struct att_stmt;
struct kh;

/* attest-key.c: what the TPM certified about the key */
/* The key's attributes and authPolicy (attest-policy.c, with the key
 * handle of authData when it is this key's, else NULL) and the PIN policy
 * authData's flags claim. */
void av_check_key(struct av_report *, const struct att_public *,
    uint8_t flags, const struct kh *);

/* attest-policy.c: whether the attributes are those of the policy the
 * handle describes (false: nothing reported); then the authPolicy checked
 * against it and the policy, and the PCRs a key is bound to, reported. */
bool av_check_policy(struct av_report *, const struct att_public *,
    const struct kh *);
/* certInfo: TPM-generated, Certify, naming this key, signed by the AK
 * (whose Name is ak_name), and with the challenge when one is given
 * (extraData hashed with the hash of the statement's alg). */
void av_check_cert_info(struct av_report *, const struct att_stmt *,
    const uint8_t *ad, size_t ad_len, const uint8_t *chal, size_t chal_len,
    bool have_chal, const uint8_t ak_name[34]);

/* attest-trust.c: who vouches for the TPM */
/* The EK certificates against --ek-ca (NULL: not checked), and who made
 * the TPM. */
void av_check_ek(struct av_report *, const struct att_stmt *,
    const char *ek_ca);
/* The AK certificate against --ak-ca (NULL: the AK is unbound). */
void av_check_ak(struct av_report *, const struct att_file *,
    const struct att_public *ak, const char *ak_ca);

#endif /* SK_TPM_ATTEST_CHECKS_H */
