/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UTF-8 as RFC 3629 defines it (cbor-utf8.h), decoded by hand: every
 * sequence in its shortest form, no UTF-16 surrogates, nothing above
 * U+10FFFF.
 */
#include "cbor-utf8.h"

bool
crd_utf8_valid(const uint8_t *p, size_t len)
{
	size_t i = 0, n, k;
	uint32_t c, min;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			return false;	/* continuation or 0xf8..0xff */
		if (n > len - i - 1)
			return false;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		/* Over-long forms, UTF-16 surrogates, beyond Unicode. */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}
