/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Text that came from outside (a record's application, or an application
 * or user typed on the command line), made safe to print on a terminal:
 * printable ASCII stays, every other byte and the backslash become \xNN,
 * so no escape sequence or line break reaches the screen. list, delete,
 * the doctor, verify-attestation and attest challenge (applications,
 * certificate names) print such text through here.
 */
#include <stdio.h>

#include "cli.h"

void
cli_safe_text(const char *in, char *out, size_t outlen)
{
	const unsigned char *p;
	size_t off = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			if (off + 1 >= outlen)
				break;
			out[off++] = (char)*p;
			out[off] = '\0';
		} else {
			if (off + 4 >= outlen)
				break;
			off += (size_t)snprintf(out + off, outlen - off,
			    "\\x%02x", *p);
		}
	}
}
