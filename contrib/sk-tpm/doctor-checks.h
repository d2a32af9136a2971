/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: the checks, in the order the command (doctor.c) runs
 * them, each in its file and each writing its lines to the checklist
 * (doctor-report.h). A check calls no other check and nothing of the
 * command.
 */
#ifndef SK_TPM_DOCTOR_CHECKS_H
#define SK_TPM_DOCTOR_CHECKS_H

#include <stddef.h>

#include "doctor-report.h"

struct resident_list;
struct tpm;
struct tpm_info;

/* doctor-device.c */
/* The kernel's TPM resource manager, which the library opens without
 * SK_TPM_TCTI (a stand-in file in the test build). */
const char *doctor_tpmrm_path(void);
/* Can this account open it? The verdict on a device that cannot be
 * opened waits until we know whether tpm2-abrmd served instead; *denied
 * receives the reason, empty when there is none. */
void check_device(struct doctor *, char *denied, size_t denied_len);

/* doctor-chip.c */
/* Manufacturer, vendor, firmware and specification; firmware known to
 * leak ECDSA keys (TPM-FAIL) is a FAIL. */
void check_identity(struct doctor *, const struct tpm_info *);
/* Whether TPM2_CreateLoaded is there (chips before revision 1.38 lack
 * it; keys are then made with Create and Load). */
void check_commands(struct doctor *, struct tpm *);

/* doctor-srk.c */
/* What 0x81000001 holds; "sk-tpm setup" is recommended when nothing. */
void check_srk(struct doctor *, struct tpm *);
/* P-256 and a salted session. */
void check_crypto(struct doctor *, struct tpm *);

/* doctor-lockout.c */
/* The dictionary-attack state: lockout is a FAIL, counted tries a WARN. */
void check_lockout(struct doctor *, struct tpm *);

/* doctor-nv.c */
/* NV capacity as the TPM's properties tell it, and how many more
 * records fit (measured with empty indices, removed again). */
void check_nv(struct doctor *, struct tpm *, const struct tpm_info *);
/* The records of the sk-tpm range: 0 with *list filled (the caller frees
 * it with resident_list_free), or -1 (reported) when they cannot be read. */
int check_residents(struct doctor *, struct tpm *, struct resident_list *);

/* doctor-pcr.c */
/* The current value of each PCR a resident key is bound to, then per
 * bound key whether it still matches. */
void check_pcrs(struct doctor *, struct tpm *, const struct resident_list *);

/* hostkey-show.c */
/* sshd's TPM host key at path: none (info), or whether this TPM signs with
 * it as sshd would. Opens the TPM itself; call it with none open. */
struct cli;
void check_host_key(struct doctor *, const struct cli *, const char *path);

#endif /* SK_TPM_DOCTOR_CHECKS_H */
