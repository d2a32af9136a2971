/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The certificates in one EK certificate NV index (forms in ek-der.h).
 */
#include <string.h>

#include "ek-der.h"

#define WRAP_LEN	5	/* 0x10 0x01, type 0x00, size (2 bytes) */

/* The length of the DER SEQUENCE at p if it fits in n bytes, else 0. */
static size_t
sequence_len(const uint8_t *p, size_t n)
{
	size_t len = 0, head, i, k;

	if (n < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		len = p[1];
		head = 2;
	} else {
		k = p[1] & 0x7f;
		if (k == 0 || k > 3 || n < 2 + k)
			return 0;
		for (i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		head = 2 + k;
	}
	return len <= n - head ? head + len : 0;
}

int
ek_der_split(const uint8_t *p, size_t len, struct ek_der *out)
{
	size_t off = 0, end = len, n;

	memset(out, 0, sizeof(*out));
	if (len >= WRAP_LEN && p[0] == 0x10 && p[1] == 0x01 && p[2] == 0x00) {
		n = (size_t)p[3] << 8 | p[4];
		if (n > len - WRAP_LEN)
			return -1;
		off = WRAP_LEN;
		end = WRAP_LEN + n;
		out->wrapped = 1;
	}
	while (out->n < EK_DER_MAX && (n = sequence_len(p + off,
	    end - off)) != 0) {
		out->off[out->n] = off;
		out->len[out->n++] = n;
		off += n;
	}
	return out->n > 0 ? 0 : -1;
}
