/*
 * Diagnostics: silent by default, one line on failure, more with
 * SK_TPM_DEBUG=1. See log.h for why the error line is held back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define ERROR_LINE_MAX	512

static bool debug_enabled;
static char error_line[ERROR_LINE_MAX];

void
log_set_debug(bool on)
{
	debug_enabled = on;
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
