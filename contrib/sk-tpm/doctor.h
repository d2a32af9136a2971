/*
 * sk-tpm doctor, shared between its files: doctor.c (the command and the
 * TPM's identity, lockout, NV and records), doctor-device.c (/dev/tpmrm0
 * and its permissions), doctor-srk.c (the SRK and salted sessions).
 */
#ifndef SK_TPM_DOCTOR_H
#define SK_TPM_DOCTOR_H

#include <stddef.h>

struct tpm;

enum level { OK, INFO, WARN, FAIL };

struct doctor {
	unsigned int problems;
	unsigned int warnings;
	char first_problem[1024];
};

/* One checklist line; a FAIL counts as a problem, a WARN as a warning. */
void report(struct doctor *, enum level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The library's error line for a failed check, then forget it. */
const char *library_error(char *buf, size_t len, const char *fallback);

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

#endif /* SK_TPM_DOCTOR_H */
