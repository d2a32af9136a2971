/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: the report every check writes to. One line
 * per guarantee, tagged ok, FAILED or NOT SHOWN (or a note, which counts
 * for nothing), and at the end the verdict and the exit status it means.
 */
#ifndef SK_TPM_ATTEST_REPORT_H
#define SK_TPM_ATTEST_REPORT_H

/* Exit status: every check made passed, but a guarantee was not shown. */
#define CLI_INCOMPLETE	3

struct av_report {
	int failed, incomplete;
};

/* A guarantee that holds. */
void av_ok(struct av_report *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A check that failed: do not trust the key. */
void av_bad(struct av_report *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A guarantee the evidence given cannot show (no CA, no challenge). */
void av_open_end(struct av_report *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Shown, not judged. */
void av_note(struct av_report *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The result line: CLI_FAIL when a check failed, CLI_INCOMPLETE when a
 * guarantee was not shown, CLI_OK when all hold. */
int av_verdict(const struct av_report *);

#endif /* SK_TPM_ATTEST_REPORT_H */
