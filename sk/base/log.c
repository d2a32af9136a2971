/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diagnostics: silent by default, one line on failure, more with
 * SK_TPM_DEBUG=1. See log.h for why the error line is held back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define ERROR_LINE_MAX	512

static bool debug_enabled;
static char error_line[ERROR_LINE_MAX];

/*
 * Would TSS2_LOG make module log at debug or trace level? Read as tpm2-tss
 * reads it: every "+" ends a name, which applies to a module if it ends in
 * the module's name or in "all"; of those, the last one with a known level
 * wins.
 */
static bool
tss2_module_verbose(const char *value, const char *module)
{
	static const char *const quiet[] = { "none", "error", "warning",
	    "info" };
	const char *plus;
	size_t before, len = strlen(module), i;
	bool verbose = false;

	for (plus = strchr(value, '+'); plus != NULL;
	    plus = strchr(plus + 1, '+')) {
		before = (size_t)(plus - value);
		if (!(before >= 3 && strncasecmp(plus - 3, "all", 3) == 0) &&
		    !(before >= len && strncasecmp(plus - len, module, len) == 0))
			continue;
		if (strncasecmp(plus + 1, "debug", 5) == 0 ||
		    strncasecmp(plus + 1, "trace", 5) == 0)
			verbose = true;
		for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
			if (strncasecmp(plus + 1, quiet[i],
			    strlen(quiet[i])) == 0)
				verbose = false;
	}
	return verbose;
}

/*
 * At debug and trace level, tpm2-tss's esys module prints each parameter
 * before it encrypts it (a new key's auth value), and esys_crypto the keys
 * of its HMACs and KDFs (the session key followed by the auth value).
 * SK_TPM_DEBUG=1 lets the user's TSS2_LOG apply, but never beyond info for
 * those two, so that no debug output can carry an auth value derived from
 * the PIN. (As names match as suffixes, "esys+info" caps sys too, whose
 * debug lines show nothing the tcti's command dumps do not.) tpm2-tss
 * reads TSS2_LOG when a module first logs, and the entry points get here
 * before any tss2 call.
 */
static void
tss2_log_cap(void)
{
	static const char *const modules[] = { "esys", "esys_crypto" };
	const char *value = getenv("TSS2_LOG");
	char capped[512];
	size_t i;
	int n;

	for (i = 0; value != NULL && i < sizeof(modules) / sizeof(modules[0]);
	    i++) {
		if (!tss2_module_verbose(value, modules[i]))
			continue;
		n = snprintf(capped, sizeof(capped), "%s,%s+info", value,
		    modules[i]);
		/* Too long to extend: silence tpm2-tss altogether. */
		if (n < 0 || (size_t)n >= sizeof(capped))
			snprintf(capped, sizeof(capped), "all+none");
		setenv("TSS2_LOG", capped, 1);
		value = getenv("TSS2_LOG");
		sk_debug("TSS2_LOG: %s limited to info, where it would print "
		    "auth values", modules[i]);
	}
}

void
log_set_debug(bool on)
{
	debug_enabled = on;
	if (on)
		tss2_log_cap();
}

bool
log_debug_enabled(void)
{
	return debug_enabled;
}

void
sk_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_enabled)
		return;
	va_start(ap, fmt);
	fputs("sk-tpm[debug]: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void
sk_error(const char *fmt, ...)
{
	char line[ERROR_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* The first cause is the one the user needs; later errors are the
	 * same failure seen from further up. */
	if (error_line[0] == '\0')
		memcpy(error_line, line, sizeof(error_line));
	sk_debug("error: %s", line);
}

void
log_reset(void)
{
	error_line[0] = '\0';
}

void
log_flush(void)
{
	if (error_line[0] != '\0')
		fprintf(stderr, "sk-tpm: %s\n", error_line);
	error_line[0] = '\0';
}

const char *
log_last_error(void)
{
	return error_line[0] != '\0' ? error_line : NULL;
}
