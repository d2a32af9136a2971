/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the certificates of one EK NV index
 * (sk/codec/ek-der.c) on arbitrary bytes: whoever holds the platform
 * hierarchy writes those indices.
 *
 * Beyond "no crash, no sanitizer report": what is found lies within the
 * input, one SEQUENCE after the other from the start (or from behind the
 * 5-byte header), each starting with 0x30.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ek-der.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ek_der d;
	size_t i, at;

	if (ek_der_split(data, size, &d) != 0)
		return 0;
	if (d.n == 0 || d.n > EK_DER_MAX)
		abort();
	at = d.wrapped ? 5 : 0;
	for (i = 0; i < d.n; i++) {
		if (d.off[i] != at || d.len[i] < 2 || d.len[i] > size ||
		    d.off[i] > size - d.len[i] || data[d.off[i]] != 0x30)
			abort();
		at += d.len[i];
	}
	return 0;
}
