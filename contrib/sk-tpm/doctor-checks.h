/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: the checks, each in its file, each writing its lines to
 * the checklist (doctor-report.h). The command (doctor.c) calls them in
 * order; a check calls no other check and nothing of the command.
 */
#ifndef SK_TPM_DOCTOR_CHECKS_H
#define SK_TPM_DOCTOR_CHECKS_H

#include <stddef.h>

#include "doctor-report.h"

struct resident_list;
struct tpm;

/* doctor-device.c */
/* The kernel's TPM resource manager, which the library opens without
 * SK_TPM_TCTI (a stand-in file in the test build). */
const char *doctor_tpmrm_path(void);
/* Can this account open it? The verdict on a device that cannot be
 * opened waits until we know whether tpm2-abrmd served instead; *denied
 * receives the reason, empty when there is none. */
void check_device(struct doctor *, char *denied, size_t denied_len);

/* doctor-srk.c */
/* What 0x81000001 holds; "sk-tpm setup" is recommended when nothing. */
void check_srk(struct doctor *, struct tpm *);
/* P-256 and a salted session. */
void check_crypto(struct doctor *, struct tpm *);

/* doctor-pcr.c */
/* The current value of each PCR a resident key is bound to, then per
 * bound key whether it still matches. */
void check_pcrs(struct doctor *, struct tpm *, const struct resident_list *);

#endif /* SK_TPM_DOCTOR_CHECKS_H */
