/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: the report on stdout. Each line is indented,
 * its tag in a column of its own; failures and guarantees not shown are
 * counted for the verdict.
 */
#include <stdarg.h>
#include <stdio.h>

#include "attest-report.h"
#include "cli.h"

static void __attribute__((format(printf, 2, 0)))
line(const char *tag, const char *fmt, va_list ap)
{
	printf("  %-10s ", tag);
	vprintf(fmt, ap);
	putchar('\n');
}

void
av_ok(struct av_report *rep, const char *fmt, ...)
{
	va_list ap;

	(void)rep;
	va_start(ap, fmt);
	line("ok", fmt, ap);
	va_end(ap);
}

void
av_bad(struct av_report *rep, const char *fmt, ...)
{
	va_list ap;

	rep->failed++;
	va_start(ap, fmt);
	line("FAILED", fmt, ap);
	va_end(ap);
}

void
av_open_end(struct av_report *rep, const char *fmt, ...)
{
	va_list ap;

	rep->incomplete++;
	va_start(ap, fmt);
	line("NOT SHOWN", fmt, ap);
	va_end(ap);
}

void
av_note(struct av_report *rep, const char *fmt, ...)
{
	va_list ap;

	(void)rep;
	va_start(ap, fmt);
	line("note", fmt, ap);
	va_end(ap);
}

int
av_verdict(const struct av_report *rep)
{
	if (rep->failed > 0) {
		printf("result: REFUSED (%d check%s failed)\n", rep->failed,
		    rep->failed == 1 ? "" : "s");
		return CLI_FAIL;
	}
	if (rep->incomplete > 0) {
		printf("result: CONSISTENT BUT NOT PROVEN (%d guarantee%s not "
		    "shown)\n", rep->incomplete,
		    rep->incomplete == 1 ? "" : "s");
		return CLI_INCOMPLETE;
	}
	printf("result: OK (a key inside a genuine TPM, as stated)\n");
	return CLI_OK;
}
