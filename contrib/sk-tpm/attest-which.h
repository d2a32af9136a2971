/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which of the two AKs (tpm-attest.h) an `sk-tpm attest` command works
 * with (attest-which.c): --ak es256|rs1, else for the machine's commands
 * the configured one (SK_TPM_ATTEST_ALG, the config file's
 * attestation-alg), and the names of export's files for each:
 *
 *   ES256 AK   ak.tpmt      ak.pem      ak.name
 *   RS1 AK     ak-rs1.tpmt  ak-rs1.pem  ak-rs1.name
 */
#ifndef SK_TPM_ATTEST_WHICH_H
#define SK_TPM_ATTEST_WHICH_H

/* The long option every round-trip command takes. */
#define ATTEST_AK_OPTION	{ "ak", required_argument, NULL, 'k' }

/* The kind --ak names ("es256", "rs1"), or -1. */
int attest_ak_parse(const char *word);
/* The configured kind, or -1 with the error said. */
int attest_ak_configured(void);
/* "es256" or "rs1" */
const char *attest_ak_word(int kind);
/* "ak" or "ak-rs1": export's files are PREFIX.tpmt, .pem and .name */
const char *attest_ak_prefix(int kind);

#endif /* SK_TPM_ATTEST_WHICH_H */
