/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: opt_parse on an sk_option array built from the input.
 *
 * The input is a list of lines. In each line the first byte chooses the
 * shape of one option (bit 0: required, bit 1: no name, bit 2: no value)
 * and the rest is name=value. Every string is a separate heap copy so
 * that AddressSanitizer sees any read past its terminating NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "sk-api.h"

#define MAX_OPTS	16

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
copy(const uint8_t *p, size_t n)
{
	char *s;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_option opt[MAX_OPTS];
	struct sk_option *ptr[MAX_OPTS + 1];
	struct sk_opts out;
	const uint8_t *line, *end, *eq, *nl;
	size_t n = 0, i, len;
	int r, found;

	memset(opt, 0, sizeof(opt));
	line = data;
	end = data + size;
	while (line < end && n < MAX_OPTS) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		len = (size_t)(nl - line);
		if (len > 0) {
			uint8_t shape = line[0];

			line++;
			len--;
			if ((eq = memchr(line, '=', len)) == NULL)
				eq = line + len;
			if (!(shape & 2))
				opt[n].name = copy(line, (size_t)(eq - line));
			if (!(shape & 4) && eq < line + len)
				opt[n].value = copy(eq + 1,
				    (size_t)(line + len - eq - 1));
			else if (!(shape & 4))
				opt[n].value = copy(eq, 0);
			opt[n].required = shape & 1;
			ptr[n] = &opt[n];
			n++;
		}
		line = nl + 1;
	}
	ptr[n] = NULL;

	log_reset();
	/* No options at all is the NULL array, as OpenSSH passes it. */
	r = opt_parse(n == 0 && size % 2 ? NULL : ptr, &out);
	if (r == 0) {
		if (out.user_id_len > OPT_USER_MAX)
			abort();
		/* The device is borrowed from one of the values. */
		found = out.device == NULL;
		for (i = 0; i < n && !found; i++)
			found = out.device == opt[i].value;
		if (!found)
			abort();
	} else if (r != SSH_SK_ERR_GENERAL && r != SSH_SK_ERR_UNSUPPORTED)
		abort();
	else if (log_last_error() == NULL)
		abort();	/* every refusal leaves its line */
	log_reset();

	for (i = 0; i < n; i++) {
		free(opt[i].name);
		free(opt[i].value);
	}
	return 0;
}
