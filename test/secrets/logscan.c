/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The log search of test_secrets (see logscan.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hex.h"
#include "logscan.h"
#include "secret.h"
#include "secrets.h"

static void
hex_of(const struct secret *s, size_t len, bool upper, char *out)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	const char *digits = upper ? up : lo;
	uint8_t b;
	size_t i;

	for (i = 0; i < len; i++) {
		b = s->masked[i] ^ s->mask[i];
		out[2 * i] = digits[b >> 4];
		out[2 * i + 1] = digits[b & 15];
	}
	out[2 * len] = '\0';
}

/* Offset of the first copy of s's first len bytes in hay, or -1. */
static ssize_t
masked_find(const uint8_t *hay, size_t hay_len, const struct secret *s,
    size_t len)
{
	size_t i;

	for (i = 0; i + len <= hay_len; i++)
		if (secret_match(hay + i, s, len))
			return (ssize_t)i;
	return -1;
}

/* Which line of the log says where a hit came from. */
static void
print_line_of(const char *log, size_t log_len, size_t at)
{
	size_t start = at, end = at;

	if (log == NULL || at >= log_len)
		return;
	while (start > 0 && log[start - 1] != '\n')
		start--;
	while (end < log_len && log[end] != '\n' && end - start < 160)
		end++;
	printf("      in or after: %.*s\n", (int)(end - start), log + start);
}

/*
 * tpm2-tss's hex dumps look like "0000: 8001000000160000  ...." (3.x) or
 * a tab and the hex digits (older and newer LOGBLOB formats): collect the
 * bytes of consecutive dump lines into one buffer, so that a secret split
 * over two lines is seen whole.
 */
size_t
decode_dumps(const char *log, uint8_t *out, size_t *origin, size_t max,
    size_t *lines)
{
	const char *p = log, *q, *eol, *header = log;
	size_t n = 0;
	int hi, lo;

	*lines = 0;
	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		q = NULL;
		if (eol - p > 6 && hex_digit(p[0]) >= 0 &&
		    hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0 &&
		    hex_digit(p[3]) >= 0 && p[4] == ':' && p[5] == ' ')
			q = p + 6;
		else if (eol - p > 2 && p[0] == '\t' && hex_digit(p[1]) >= 0)
			q = p + 1;
		if (q != NULL) {
			(*lines)++;
			for (; q + 1 < eol &&
			    (hi = hex_digit(q[0])) >= 0 &&
			    (lo = hex_digit(q[1])) >= 0 && n < max; q += 2) {
				if (origin != NULL)
					origin[n] = (size_t)(header - log);
				out[n++] = (uint8_t)(hi << 4 | lo);
			}
		} else
			header = p;
		p = *eol != '\0' ? eol + 1 : eol;
	}
	return n;
}

/* Every way a secret could show in text: raw, hex (either case), and raw
 * inside the decoded hex dumps (origin: each dump byte's header line). */
size_t
log_search(const char *what, const uint8_t *log, size_t log_len,
    const uint8_t *dumps, const size_t *origin, size_t dumps_len,
    const struct secret *const *secrets, size_t nsecrets)
{
	char hex[2 * MAX_SECRET + 1];
	const char *text = origin != NULL ? (const char *)log : NULL;
	const uint8_t *h;
	size_t i, len, hits = 0;
	ssize_t at;
	int l, u;

	for (i = 0; i < nsecrets; i++) {
		const struct secret *s = secrets[i];
		size_t lens[2] = { s->len, PREFIX_LEN };

		for (l = 0; l < 2; l++) {
			len = lens[l];
			if ((at = masked_find(log, log_len, s, len)) >= 0) {
				printf("  %s: %s (%zu bytes) raw in the log\n",
				    what, s->name, len);
				print_line_of(text, log_len, (size_t)at);
				hits++;
			}
			if ((at = masked_find(dumps, dumps_len, s, len)) >=
			    0) {
				printf("  %s: %s (%zu bytes) in a tpm2-tss hex "
				    "dump\n", what, s->name, len);
				if (origin != NULL)
					print_line_of(text, log_len,
					    origin[at]);
				hits++;
			}
			for (u = 0; u < 2; u++) {
				hex_of(s, len, u == 1, hex);
				h = log_len >= 2 * len ? memmem(log, log_len,
				    hex, 2 * len) : NULL;
				explicit_bzero(hex, sizeof(hex));
				if (h == NULL)
					continue;
				printf("  %s: %s (%zu bytes) as %s hex in the "
				    "log\n", what, s->name, len, u ?
				    "upper-case" : "lower-case");
				print_line_of(text, log_len,
				    (size_t)(h - log));
				hits++;
			}
		}
	}
	return hits;
}

char *
slurp(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	rewind(f);
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap * 2 + 65536 + 1;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(1);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

size_t
count_prefix(const char *log, const char *prefix)
{
	const char *p = log;
	size_t n = 0, plen = strlen(prefix);

	while (*p != '\0') {
		if (strncmp(p, prefix, plen) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/*
 * The checker must see a secret planted the ways it looks for them: in one
 * of our debug lines, as hex and inside a hex dump split over two lines.
 */
void
log_self_check(const struct secret *pin, const struct secret *auth)
{
	const struct secret *both[] = { pin, auth };
	char text[1024], hex[2 * MAX_SECRET + 1], *clear;
	uint8_t dumps[256];
	size_t n, dumps_len, lines, hits;

	clear = secret_reveal(pin);
	n = (size_t)snprintf(text, sizeof(text), "sk-tpm[debug]: pin %s\n",
	    clear);
	secret_bury(clear, pin->len);
	hits = log_search("self-check", (uint8_t *)text, n, dumps, NULL, 0,
	    both, 2);
	if (hits == 0)
		fail("log self-check: a PIN in a debug line was not found");
	explicit_bzero(text, sizeof(text));

	hex_of(auth, auth->len, false, hex);
	/* 16 bytes per dump line, then the rest on the next; then the same
	 * in the tab format, 8 bytes per line. */
	n = (size_t)snprintf(text, sizeof(text), "trace:esys:x.c:1:f() "
	    "blob (size=32):\n0000: %.32s  ................\n0010: %.32s  "
	    "................\ndebug:esys:x.c:2:g() blob (size=32):\n\t%.16s"
	    "\n\t%.16s\n\t%.16s\n\t%.16s\n", hex, hex + 32, hex, hex + 16,
	    hex + 32, hex + 48);
	explicit_bzero(hex, sizeof(hex));
	dumps_len = decode_dumps(text, dumps, NULL, sizeof(dumps), &lines);
	hits = log_search("self-check", (uint8_t *)text, n, dumps, NULL,
	    dumps_len, both, 2);
	if (lines != 6 || dumps_len != 64 || hits == 0)
		fail("log self-check: an auth value in a two-line hex dump "
		    "was not found (%zu lines, %zu bytes decoded)", lines,
		    dumps_len);
	explicit_bzero(text, sizeof(text));
	explicit_bzero(dumps, sizeof(dumps));
}
