/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: the checklist. Each line is tagged [ok], [info], [warn]
 * or [FAIL] on stdout; FAILs and WARNs are counted, the first FAIL is kept
 * for the one line on stderr that ends a run with problems.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "doctor-report.h"
#include "log.h"

void
report(struct doctor *d, enum level level, const char *fmt, ...)
{
	static const char *const tags[] = {
		[OK] = "[ok]  ", [INFO] = "[info]", [WARN] = "[warn]",
		[FAIL] = "[FAIL]",
	};
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("%s %s\n", tags[level], line);
	if (level == WARN)
		d->warnings++;
	if (level == FAIL && d->problems++ == 0)
		snprintf(d->first_problem, sizeof(d->first_problem), "%s",
		    line);
}

const char *
library_error(char *buf, size_t len, const char *fallback)
{
	const char *e = log_last_error();

	snprintf(buf, len, "%s", e != NULL ? e : fallback);
	log_reset();
	return buf;
}

int
doctor_verdict(const struct doctor *d)
{
	if (d->problems == 0) {
		printf("healthy (%u warning%s)\n", d->warnings,
		    d->warnings == 1 ? "" : "s");
		return CLI_OK;
	}
	printf("%u problem%s found\n", d->problems,
	    d->problems == 1 ? "" : "s");
	if (d->problems == 1)
		cli_error("%s", d->first_problem);
	else
		cli_error("%s (and %u more problem%s, see above)",
		    d->first_problem, d->problems - 1,
		    d->problems == 2 ? "" : "s");
	return CLI_FAIL;
}
