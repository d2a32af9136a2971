/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: the checklist every check writes to. A check prints its
 * lines through report() and never calls back into the command (doctor.c);
 * the command runs the checks in order and ends with doctor_verdict().
 */
#ifndef SK_TPM_DOCTOR_REPORT_H
#define SK_TPM_DOCTOR_REPORT_H

#include <stddef.h>

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
/* The last line ("healthy" or how many problems), and the first problem
 * on stderr: CLI_OK when no line said FAIL, else CLI_FAIL. */
int doctor_verdict(const struct doctor *);

#endif /* SK_TPM_DOCTOR_REPORT_H */
